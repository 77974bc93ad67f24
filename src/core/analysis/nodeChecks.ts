/**
 * JavaScript / TypeScript rules, with the same economy as the Python ones: awaits, statement-level
 * calls and Worker/child-process creations found by a text prefilter (keywords, the imported
 * names), confirmed on the tree.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction, isFunctionNode } from '../syntax/context';
import { unwrapExpression } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import { asyncCalleeCatchesOwnErrors, isAsyncCallee } from './asyncCallees';
import { checkCallbacks } from './nodeCallbacks';
import { checkLostUpdates } from './nodeLostUpdate';
import { checkMessages } from './nodeMessages';
import { type CheckContext, allImports, alternation, asyncFunctionNames, awaitExpressions, renamedApiNames, callWithCalleeAt, callsNamed, droppedCalls, independentIterations, mentions, wordOccurrences } from './checkContext';

/** Last names of promise-returning APIs (candidates; `PROMISE_APIS` decides on the qualified name). */
const PROMISE_API_NAMES = [
  'fetch', 'setTimeout', 'setImmediate', 'access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'lstat', 'mkdir', 'mkdtemp', 'open', 'opendir', 'readdir', 'readFile',
  'readlink', 'realpath', 'rename', 'rm', 'rmdir', 'stat', 'symlink', 'truncate', 'unlink', 'utimes', 'writeFile',
];

const SYNC_IO = /^(fs\.\w+Sync|zlib\.\w+Sync|child_process\.(execSync|execFileSync|spawnSync))$/;
const PROMISE_APIS = /^(fs\.promises\.\w+|timers\.promises\.\w+|fetch)$/;
/** Awaits that pause on purpose (a loop of them paces itself), and test runners' subtests (run one at a time anyway). */
const PAUSES_AND_SUBTESTS = /^(timers\.promises\.(setTimeout|setImmediate|scheduler\.wait)|test(\..*)?)$/;

export type Spawned = 'worker' | 'child';
const SPAWNERS: ReadonlyMap<string, Spawned> = new Map([
  ['worker_threads.Worker', 'worker'],
  ['child_process.spawn', 'child'],
  ['child_process.fork', 'child'],
  ['child_process.exec', 'child'],
  ['child_process.execFile', 'child'],
]);
const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);

export function checkNode(context: CheckContext): void {
  checkAsyncCode(context);
  checkDroppedCalls(context);
  checkSpawnedWithoutHandlers(context);
  checkCallbacks(context);
  checkMessages(context);
  checkLostUpdates(context);
}

/** Synchronous I/O and sequential awaits inside async functions. */
function checkAsyncCode(context: CheckContext): void {
  const aliases = [...allImports(context).filter(([, binding]) => SYNC_IO.test(binding.qualifiedName)).map(([local]) => local), ...renamedApiNames(context, (api) => SYNC_IO.test(api))];
  for (const call of callsNamed(context.root, ['[\\w$]*Sync', alternation(aliases)].filter((part) => part !== '').join('|'))) {
    const fn = enclosingFunction(call);
    if (!fn || !isAsyncFunction(fn) || call.type !== 'call_expression') continue;
    const callee = call.childForFieldName('function');
    const name = callee ? qualifiedName(callee, context.imports, 'node') : undefined;
    if (name !== undefined && SYNC_IO.test(name)) context.report('js/sync-io-in-async', call, { name });
  }
  if (!context.isEnabled('js/await-in-loop')) return;
  const loops = new Map<number, Node>();
  for (const awaitNode of awaitExpressions(context.root, 'await_expression')) {
    const outer = awaitNode.parent; // each `.parent` walks down from the root
    const statement = outer?.type === 'expression_statement' ? outer : outer?.parent?.parent;
    const parent = statement?.type === 'expression_statement' ? statement.parent : null;
    const loop = parent?.type === 'statement_block' ? parent.parent : parent;
    if (loop?.type === 'for_in_statement') loops.set(loop.startIndex, loop);
  }
  for (const loop of loops.values()) {
    const fn = enclosingFunction(loop);
    if (fn && isAsyncFunction(fn)) checkAwaitInLoop(loop, context);
  }
}

/** `for (const x of xs) { await f(x); }` or `{ out.push(await f(x)); }`, with one statement in the body. */
function checkAwaitInLoop(loop: Node, context: CheckContext): void {
  const awaited = awaitedLoopCall(loop);
  const callee = unwrapExpression(awaited?.call.childForFieldName('function') ?? null);
  if (!awaited || !callee) return;
  const name = qualifiedName(callee, context.imports, 'node');
  if (name !== undefined && PAUSES_AND_SUBTESTS.test(name)) return;
  const receiver = callee.type === 'member_expression' && name === undefined ? callee.childForFieldName('object') : null;
  if (!independentIterations(receiver, awaited.call.childForFieldName('arguments'), awaited.collector, awaited.variable.text)) return;
  context.report('js/await-in-loop', awaited.await, { name: callee.text });
}

export interface AwaitedLoopCall {
  readonly variable: Node;
  readonly iterable: Node;
  readonly await: Node;
  readonly call: Node;
  /** `out` in `out.push(await f(x))`. */
  readonly collector: Node | undefined;
}

export function awaitedLoopCall(loop: Node): AwaitedLoopCall | undefined {
  if (loop.type !== 'for_in_statement' || loop.childForFieldName('operator')?.text !== 'of' || loop.child(1)?.type === 'await') return undefined;
  const variable = loop.childForFieldName('left');
  const iterable = loop.childForFieldName('right');
  const body = loop.childForFieldName('body');
  if (variable?.type !== 'identifier' || !iterable) return undefined;
  const statements = body?.type === 'statement_block' ? body.namedChildren.filter((child) => child?.type !== 'comment') : [body];
  const statement = statements.length === 1 ? statements[0] : null;
  if (statement?.type !== 'expression_statement') return undefined;
  const expression = statement.namedChild(0);
  let awaitNode: Node | null = null;
  let collector: Node | undefined;
  if (expression?.type === 'await_expression') {
    awaitNode = expression;
  } else if (expression?.type === 'call_expression') {
    const callee = expression.childForFieldName('function');
    const args = expression.childForFieldName('arguments');
    if (callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'push' && args?.namedChildCount === 1 && args.namedChild(0)?.type === 'await_expression') {
      awaitNode = args.namedChild(0);
      collector = callee.childForFieldName('object') ?? undefined;
    }
  }
  const call = unwrapExpression(awaitNode?.namedChild(0) ?? null);
  if (!awaitNode || call?.type !== 'call_expression') return undefined;
  const args = call.childForFieldName('arguments');
  if (!args || !mentions(call, variable.text)) return undefined;
  return { variable, iterable, await: awaitNode, call, collector };
}

function checkDroppedCalls(context: CheckContext): void {
  if (!context.isEnabled('js/floating-promise')) return;
  const names = new Set([...asyncFunctionNames(context), ...PROMISE_API_NAMES]);
  for (const [local, binding] of allImports(context)) if (PROMISE_APIS.test(binding.qualifiedName)) names.add(local);
  // Names of async methods: candidates for `this.method()`, confirmed on the class below.
  for (const match of context.root.text.matchAll(/\basync\s+(?:\*\s*)?([A-Za-z_$][\w$]*)\s*\(/g)) if (match[1]) names.add(match[1]);
  for (const call of droppedCalls(callsNamed(context.root, alternation(names)))) {
    const callee = unwrapExpression(call.childForFieldName('function'));
    if (!callee) continue;
    const name = qualifiedName(callee, context.imports, 'node');
    if (name !== undefined && PROMISE_APIS.test(name)) {
      context.report('js/floating-promise', call, { name });
    } else if (isAsyncCallee(callee, context) && !asyncCalleeCatchesOwnErrors(callee, context)) {
      // An async function that catches its own errors is fired and forgotten on purpose: it cannot reject.
      context.report('js/floating-promise', call, { name: callee.text });
    }
  }
}

/** `new Worker()` / `spawn()` / `fork()` / `exec()` whose result gets no 'error' (and, for children, no 'exit'/'close') listener. */
function checkSpawnedWithoutHandlers(context: CheckContext): void {
  if (!context.isEnabled('js/unhandled-worker-events')) return;
  const words = new Set<string>();
  for (const [local, binding] of allImports(context)) {
    if (SPAWNERS.has(binding.qualifiedName)) words.add(local);
    if (binding.qualifiedName === 'worker_threads') words.add('Worker');
    if (binding.qualifiedName === 'child_process') for (const method of ['spawn', 'fork', 'exec', 'execFile']) words.add(method);
  }
  const text = context.root.text;
  for (const word of words) {
    for (const offset of wordOccurrences(text, word)) {
      const call = callWithCalleeAt(context.root, context.root.startIndex + offset);
      const callee = call && unwrapExpression(call.type === 'new_expression' ? call.childForFieldName('constructor') : call.childForFieldName('function'));
      const kind = callee ? SPAWNERS.get(qualifiedName(callee, context.imports, 'node') ?? '') : undefined;
      if (!call || !kind || (kind === 'worker') !== (call.type === 'new_expression')) continue;
      if (hasCallback(call)) continue;
      const missing = missingEvents(call, kind);
      if (missing.length === 0) continue;
      const subject = kind === 'worker' ? { en: 'This Worker', 'zh-cn': '该 Worker ' } : { en: 'This child process', 'zh-cn': '该子进程' };
      context.report('js/unhandled-worker-events', call, { name: subject, events: missing.map((event) => `'${event}'`).join(' / ') });
    }
  }
}

function hasCallback(call: Node): boolean {
  const args = call.childForFieldName('arguments');
  const last = args?.namedChild(args.namedChildCount - 1);
  return last !== null && last !== undefined && (last.type === 'arrow_function' || last.type === 'function_expression' || last.type === 'function');
}

/** The events nobody listens to; empty when handled, or when the object escapes (returned, passed on, chained, stored elsewhere). */
export function missingEvents(creation: Node, kind: Spawned): string[] {
  const parent = creation.parent;
  const handled = new Set<string>();
  if (parent?.type === 'variable_declarator' && parent.childForFieldName('name')?.type === 'identifier') {
    const name = parent.childForFieldName('name')?.text ?? '';
    const scope = scopeOf(parent);
    for (const offset of wordOccurrences(scope.text, name)) {
      const use = scope.descendantForIndex(scope.startIndex + offset, scope.startIndex + offset);
      if (!use || use.type !== 'identifier' || use.equals(parent.childForFieldName('name') ?? use)) continue;
      const member = use.parent;
      if (member?.type !== 'member_expression' || !member.childForFieldName('object')?.equals(use)) return []; // escapes
      const listener = member.parent?.type === 'call_expression' && LISTENER_METHODS.has(member.childForFieldName('property')?.text ?? '') ? member.parent : null;
      const event = listener?.childForFieldName('arguments')?.namedChild(0);
      if (event?.type === 'string') handled.add(event.text.slice(1, -1));
    }
  } else if (parent?.type !== 'expression_statement') {
    return [];
  }
  // Only a missing 'error' listener is reported (an unhandled 'error' event throws in the parent);
  // the fix then also adds 'exit' handling when neither 'exit' nor 'close' is listened to.
  if (handled.has('error')) return [];
  return kind === 'child' && !handled.has('exit') && !handled.has('close') ? ['error', 'exit'] : ['error'];
}

function scopeOf(node: Node): Node {
  for (let parent = node.parent; parent; parent = parent.parent) if (isFunctionNode(parent) || parent.type === 'program') return parent;
  return node.tree.rootNode;
}
