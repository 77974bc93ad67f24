/**
 * Python rules. Checks touch only what matters: async function bodies (found in the text, then
 * the calls and loops inside them), statement-level calls (dropped results), module-level
 * statements, and the few calls whose callee names a process/thread API (found by a text
 * prefilter on the imported names, confirmed on the tree). No tree-sitter query: compiling one
 * costs more than the walks that replace it.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction } from '../syntax/context';
import { qualifiedName } from '../syntax/names';
import { pythonExpressionClass } from '../syntax/receivers';
import { definedLocally, definitionName } from '../syntax/scopes';
import { isAsyncCallee } from './asyncCallees';
import { checkCancellation } from './pythonCancellation';
import { checkNestedEventLoops, isEventLoop } from './pythonEventLoops';
import { checkForkWithThreads } from './pythonForkThreads';
import { checkLostFutures } from './pythonFutures';
import { checkPipeDeadlocks } from './pythonSubprocessPipes';
import { checkWaiting } from './pythonWaiting';
import { type CheckContext, allImports, alternation, asyncBodies, asyncFunctionNames, renamedApiNames, awaitExpressions, callWithCalleeAt, callsNamed, droppedCalls, independentIterations, namedDescendants, pythonNames, wordOccurrences } from './checkContext';
import type { Localized, RuleId } from './types';


const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];
const BLOCKING: ReadonlyMap<string, RuleId> = new Map<string, RuleId>([
  ['time.sleep', 'py/blocking-sleep'],
  ...HTTP_METHODS.map((method) => [`requests.${method}`, 'py/blocking-http'] as const),
  ...[...HTTP_METHODS, 'stream'].map((method) => [`httpx.${method}`, 'py/blocking-http'] as const),
  ...['urllib.request.urlopen', 'httpx.Client', 'http.client.HTTPConnection', 'http.client.HTTPSConnection', 'urllib3.request', 'urllib3.PoolManager'].map(
    (name) => [name, 'py/blocking-http'] as const,
  ),
  ...['run', 'call', 'check_call', 'check_output', 'getoutput', 'getstatusoutput', 'Popen'].map((name) => [`subprocess.${name}`, 'py/blocking-subprocess'] as const),
  ...['system', 'popen', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe', 'wait', 'wait3', 'wait4', 'waitpid', 'waitid', 'posix_spawn', 'posix_spawnp'].map(
    (name) => [`os.${name}`, 'py/blocking-subprocess'] as const,
  ),
  ['open', 'py/blocking-file-io'],
  ['io.open', 'py/blocking-file-io'],
  ...['exists', 'lexists', 'isfile', 'isdir', 'islink', 'ismount', 'getsize', 'getmtime', 'getatime', 'getctime', 'samefile', 'realpath'].map(
    (name) => [`os.path.${name}`, 'py/blocking-file-io'] as const,
  ),
  ['input', 'py/blocking-input'],
]);
/** `pathlib.Path` methods that touch the disk (a path's value follows from its binding: see receivers.ts). */
const PATH_IO_METHODS = new Set([
  'read_text', 'write_text', 'read_bytes', 'write_bytes', 'open', 'exists', 'is_file', 'is_dir', 'is_symlink', 'stat', 'lstat', 'mkdir', 'rmdir', 'unlink',
  'touch', 'iterdir', 'glob', 'rglob', 'walk', 'rename', 'replace', 'chmod', 'samefile', 'readlink', 'symlink_to', 'hardlink_to', 'owner', 'group',
]);

/** asyncio functions that return a coroutine (dropping their result loses the work). */
const ASYNCIO_COROUTINES = new Set(
  ['sleep', 'wait_for', 'wait', 'open_connection', 'open_unix_connection', 'start_server', 'start_unix_server', 'create_subprocess_exec', 'create_subprocess_shell', 'to_thread', 'timeout'].map((name) => `asyncio.${name}`),
);
const TASK_FACTORIES = new Set(['asyncio.create_task', 'asyncio.ensure_future']);
/** Awaits that pause on purpose: a loop of them paces itself. */
const PAUSES = new Set(['asyncio.sleep', 'anyio.sleep', 'trio.sleep']);

const PROCESS_STARTERS = new Set(['multiprocessing.Pool', 'multiprocessing.pool.Pool', 'concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.process.ProcessPoolExecutor']);
const PROCESS_CLASSES = new Set(['multiprocessing.Process', 'multiprocessing.context.Process']);
const PROCESS_POOLS = new Set([...PROCESS_STARTERS]);
const THREAD_POOLS = new Set(['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.Pool']);
const THREAD_CLASSES = new Set(['threading.Thread']);
const POOL_METHODS = new Set(['submit', 'map', 'imap', 'imap_unordered', 'apply', 'apply_async', 'map_async', 'starmap', 'starmap_async']);
const CALL: ReadonlySet<string> = new Set(['call']);
const ASSIGNMENT: ReadonlySet<string> = new Set(['assignment']);
/** Code in these runs when called or in its own scope, not where it stands. */
const SCOPES: ReadonlySet<string> = new Set(['function_definition', 'lambda', 'class_definition']);
/** Callee names worth locating in the text for the process/thread rules. */
const TARGET_API_WORDS = ['Process', 'Thread', 'Pool', 'ThreadPool', 'ProcessPoolExecutor', 'ThreadPoolExecutor', 'to_thread'];

export function checkPython(context: CheckContext): void {
  checkAsyncCode(context);
  checkDroppedCalls(context);
  checkModuleLevel(context);
  checkConcurrencyTargets(context);
  checkCancellation(context);
  checkPipeDeadlocks(context);
  checkLostFutures(context);
  checkForkWithThreads(context);
  checkNestedEventLoops(context);
  checkWaiting(context);
}

/** Blocking calls and sequential awaits inside coroutines. */
function checkAsyncCode(context: CheckContext): void {
  // Only names whose module is imported can resolve (builtins always can): `get` is looked for only with requests/httpx.
  const imports = allImports(context);
  const importedRoots = new Set(imports.map(([, binding]) => binding.qualifiedName.split('.')[0]));
  const names = new Set([...BLOCKING.keys()].filter((name) => !name.includes('.') || importedRoots.has(name.split('.')[0])).map((name) => name.slice(name.lastIndexOf('.') + 1)));
  // Paths come from pathlib, imported here or (a module-level `Path` of another workspace file) there.
  if (importedRoots.has('pathlib') || [...context.facts.moduleClasses.values()].includes('pathlib.Path')) for (const name of PATH_IO_METHODS) names.add(name);
  for (const [local, binding] of imports) if (BLOCKING.has(binding.qualifiedName)) names.add(local);
  for (const call of callsNamed(context.root, alternation(names), asyncBodies(context.root))) {
    const fn = enclosingFunction(call);
    if (fn && isAsyncFunction(fn)) checkBlockingCall(call, context);
  }
  if (!context.isEnabled('py/await-in-loop')) return;
  const loops = new Map<number, Node>();
  for (const awaitNode of awaitExpressions(context.root, 'await')) {
    const outer = awaitNode.parent; // each `.parent` walks down from the root
    const statement = outer?.type === 'expression_statement' ? outer : outer?.parent?.parent;
    const block = statement?.type === 'expression_statement' ? statement.parent : null;
    const loop = block?.type === 'block' ? block.parent : null;
    if (loop?.type === 'for_statement') loops.set(loop.startIndex, loop);
  }
  for (const loop of loops.values()) {
    const fn = enclosingFunction(loop);
    if (fn && isAsyncFunction(fn)) checkAwaitInLoop(loop, context);
  }
}

function checkBlockingCall(call: Node, context: CheckContext): void {
  const callee = call.childForFieldName('function');
  if (!callee) return;
  const name = qualifiedName(callee, context.imports, 'python');
  const rule = name === undefined ? undefined : BLOCKING.get(name);
  if (rule && name !== undefined && !(callee.type === 'identifier' && definedLocally(call, callee.text))) {
    context.report(rule, call, { name: rule === 'py/blocking-input' ? 'input()' : name });
    return;
  }
  if (callee.type === 'attribute' && PATH_IO_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) {
    const receiver = callee.childForFieldName('object');
    if (receiver && pythonExpressionClass(receiver, pythonNames(context)) === 'pathlib.Path') context.report('py/blocking-file-io', call, { name: `Path.${callee.childForFieldName('attribute')?.text ?? ''}` });
  }
}

function checkAwaitInLoop(loop: Node, context: CheckContext): void {
  if (loop.child(0)?.type === 'async') return;
  const target = loop.childForFieldName('left');
  const statements = loop.childForFieldName('body')?.namedChildren.filter((statement) => statement?.type !== 'comment') ?? [];
  if (target?.type !== 'identifier' || statements.length !== 1 || loop.childForFieldName('alternative')) return;
  const awaited = singleAwaitedCall(statements[0] ?? null);
  const callee = awaited?.call.childForFieldName('function');
  if (!awaited || !callee || PAUSES.has(qualifiedName(callee, context.imports, 'python') ?? '')) return;
  const receiver = callee.type === 'attribute' && qualifiedName(callee, context.imports, 'python') === undefined ? callee.childForFieldName('object') : null;
  if (!independentIterations(receiver, awaited.call.childForFieldName('arguments'), awaited.collector, target.text)) return;
  context.report('py/await-in-loop', awaited.await, { name: callee.text });
}

/** `await f(x)` or `results.append(await f(x))` as a whole statement. */
export function singleAwaitedCall(statement: Node | null): { await: Node; call: Node; collector: Node | undefined } | undefined {
  if (statement?.type !== 'expression_statement' || statement.namedChildCount !== 1) return undefined;
  const expression = statement.namedChild(0);
  if (expression?.type === 'await') {
    const call = expression.namedChild(0);
    return call?.type === 'call' ? { await: expression, call, collector: undefined } : undefined;
  }
  if (expression?.type !== 'call') return undefined;
  const callee = expression.childForFieldName('function');
  const args = expression.childForFieldName('arguments');
  if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'append' || args?.namedChildCount !== 1) return undefined;
  const inner = args.namedChild(0);
  const call = inner?.type === 'await' ? inner.namedChild(0) : null;
  return inner && call?.type === 'call' ? { await: inner, call, collector: callee.childForFieldName('object') ?? undefined } : undefined;
}

function checkDroppedCalls(context: CheckContext): void {
  const names = new Set([...asyncFunctionNames(context), 'create_task', 'ensure_future', ...[...ASYNCIO_COROUTINES].map((name) => name.slice('asyncio.'.length))]);
  for (const [local, binding] of allImports(context)) if (TASK_FACTORIES.has(binding.qualifiedName) || ASYNCIO_COROUTINES.has(binding.qualifiedName)) names.add(local);
  for (const name of renamedApiNames(context, (api) => TASK_FACTORIES.has(api) || ASYNCIO_COROUTINES.has(api))) names.add(name);
  // Method names of `async def`s: candidates for `self.method()`, confirmed on the class below.
  for (const match of context.root.text.matchAll(/\basync\s+def\s+([A-Za-z_]\w*)/g)) if (match[1]) names.add(match[1]);
  for (const call of droppedCalls(callsNamed(context.root, alternation(names)))) {
    const callee = call.childForFieldName('function');
    if (!callee) continue;
    const name = qualifiedName(callee, context.imports, 'python');
    if (name !== undefined && TASK_FACTORIES.has(name)) {
      context.report('py/dangling-task', call, { name });
    } else if (callee.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'create_task' && isEventLoop(callee.childForFieldName('object'), pythonNames(context))) {
      context.report('py/dangling-task', call, { name: callee.text });
    } else if (name !== undefined && ASYNCIO_COROUTINES.has(name)) {
      context.report('py/unawaited-coroutine', call, { name });
    } else if (isAsyncCallee(callee, context)) {
      context.report('py/unawaited-coroutine', call, { name: callee.text });
    }
  }
}

/** Module-level statements that start processes outside `if __name__ == "__main__":`. */
function checkModuleLevel(context: CheckContext): void {
  if (!context.isEnabled('py/missing-main-guard') || !importsAny(context, ['multiprocessing', 'concurrent'])) return;
  const processVariables = new Set<string>();
  for (const statement of context.root.namedChildren) {
    if (!statement || isDefinition(statement) || isMainGuard(statement)) continue;
    for (const call of namedDescendants(statement, CALL, SCOPES)) {
      const callee = call.childForFieldName('function');
      if (!callee) continue;
      const name = qualifiedName(callee, context.imports, 'python');
      if (name !== undefined && PROCESS_CLASSES.has(name) && call.parent?.type === 'assignment') {
        const target = call.parent.childForFieldName('left');
        if (target?.type === 'identifier') processVariables.add(target.text);
      }
      if (name !== undefined && PROCESS_STARTERS.has(name)) {
        context.report('py/missing-main-guard', call, { name });
      } else if (callee.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'start') {
        const receiver = callee.childForFieldName('object');
        const receiverCallee = receiver?.type === 'call' ? receiver.childForFieldName('function') : null;
        const isProcess = (receiver?.type === 'identifier' && processVariables.has(receiver.text)) || (receiverCallee !== null && PROCESS_CLASSES.has(qualifiedName(receiverCallee, context.imports, 'python') ?? ''));
        if (isProcess) context.report('py/missing-main-guard', call, { name: callee.text });
      }
    }
  }
}

function importsAny(context: CheckContext, roots: readonly string[]): boolean {
  for (const [, binding] of allImports(context)) if (roots.some((root) => binding.qualifiedName === root || binding.qualifiedName.startsWith(`${root}.`))) return true;
  return false;
}

function isDefinition(statement: Node): boolean {
  return statement.type === 'function_definition' || statement.type === 'class_definition' || statement.type === 'decorated_definition';
}

/** `if __name__ == "__main__":` (either operand order, either quote). */
export function isMainGuard(statement: Node): boolean {
  if (statement.type !== 'if_statement') return false;
  const condition = statement.childForFieldName('condition');
  if (condition?.type !== 'comparison_operator' || condition.namedChildCount !== 2) return false;
  const operands = [condition.namedChild(0)?.text ?? '', condition.namedChild(1)?.text ?? ''].map((text) => text.replace(/'/g, '"'));
  return condition.child(1)?.type === '==' && operands.includes('__name__') && operands.includes('"__main__"');
}

/** Targets handed to processes (must pickle) and to threads (CPU-bound work gains nothing). */
function checkConcurrencyTargets(context: CheckContext): void {
  const wantsPickle = context.isEnabled('py/unpicklable-target');
  const wantsCpu = context.isEnabled('py/cpu-bound-in-thread');
  if ((!wantsPickle && !wantsCpu) || !importsAny(context, ['multiprocessing', 'concurrent', 'threading', 'asyncio'])) return;
  const { root } = context;
  const text = root.text;
  const words = new Set(TARGET_API_WORDS);
  for (const [local, binding] of allImports(context)) if (TARGET_API_WORDS.some((word) => binding.qualifiedName.endsWith(`.${word}`))) words.add(local);
  const seen = new Set<number>();
  for (const word of words) {
    for (const offset of wordOccurrences(text, word)) {
      const call = callWithCalleeAt(root, root.startIndex + offset);
      if (!call || seen.has(call.startIndex)) continue;
      seen.add(call.startIndex);
      const callee = call.childForFieldName('function');
      const name = callee ? qualifiedName(callee, context.imports, 'python') : undefined;
      if (name === undefined) continue;
      if (PROCESS_CLASSES.has(name)) checkTarget(keywordArgument(call, 'target'), 'process', context);
      else if (THREAD_CLASSES.has(name)) checkTarget(keywordArgument(call, 'target'), 'thread', context);
      else if (name === 'asyncio.to_thread') checkTarget(positionalArgument(call, 0), 'thread', context);
      else if (PROCESS_POOLS.has(name) || THREAD_POOLS.has(name)) for (const use of poolCalls(call)) checkTarget(positionalArgument(use, 0), PROCESS_POOLS.has(name) ? 'process' : 'thread', context);
    }
  }
}

/** Calls of `.submit`/`.map`/… on a pool created by `call`, via `with Pool() as p:` or `p = Pool()`. */
function poolCalls(creation: Node): Node[] {
  let name: string | undefined;
  let scope: Node | null = null;
  const parent = creation.parent;
  if (parent?.type === 'as_pattern') {
    name = parent.childForFieldName('alias')?.namedChild(0)?.text;
    let withStatement: Node | null = parent;
    while (withStatement && withStatement.type !== 'with_statement') withStatement = withStatement.parent;
    scope = withStatement?.childForFieldName('body') ?? null;
  } else if (parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier') {
    name = parent.childForFieldName('left')?.text;
    scope = parent.parent?.parent ?? null;
  }
  if (!name || !scope) return [];
  // `name.method(…)`: each such call starts with an occurrence of the name in the text.
  const uses: Node[] = [];
  for (const offset of wordOccurrences(scope.text, name)) {
    const at = scope.startIndex + offset;
    if (at <= creation.startIndex) continue;
    const object = scope.descendantForIndex(at, at + name.length);
    if (object?.type !== 'identifier' || object.text !== name) continue;
    const callee = object.parent;
    if (callee?.type !== 'attribute' || !callee.childForFieldName('object')?.equals(object)) continue;
    const method = callee.childForFieldName('attribute');
    const call = callee.parent;
    if (method?.type === 'identifier' && POOL_METHODS.has(method.text) && call?.type === 'call' && call.childForFieldName('function')?.equals(callee)) uses.push(call);
  }
  return uses;
}

function keywordArgument(call: Node, keyword: string): Node | null {
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (argument?.type === 'keyword_argument' && argument.childForFieldName('name')?.text === keyword) return argument.childForFieldName('value');
  }
  return null;
}

function positionalArgument(call: Node, index: number): Node | null {
  const positional = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((argument) => argument && argument.type !== 'keyword_argument' && argument.type !== 'comment');
  return positional[index] ?? null;
}

function checkTarget(target: Node | null, kind: 'process' | 'thread', context: CheckContext): void {
  if (!target) return;
  if (kind === 'process') {
    if (!context.isEnabled('py/unpicklable-target')) return;
    const reason = unpicklableReason(target);
    if (reason) context.report('py/unpicklable-target', target, { name: reason });
    return;
  }
  if (!context.isEnabled('py/cpu-bound-in-thread') || target.type !== 'identifier' || context.imports.bindings.has(target.text) || definedLocally(target, target.text)) return;
  const cpuBound = context.isCpuBoundFunction(target.text);
  if (cpuBound) context.report('py/cpu-bound-in-thread', target, { name: target.text });
}

function unpicklableReason(target: Node): Localized | undefined {
  if (target.type === 'lambda') return { en: 'A lambda', 'zh-cn': 'lambda 表达式' };
  if (target.type === 'identifier') {
    for (let fn = enclosingFunction(target); fn; fn = enclosingFunction(fn)) {
      if (fn.childForFieldName('body')?.namedChildren.some((statement) => definitionName(statement) === target.text && isFunctionDefinition(statement))) {
        return { en: `\`${target.text}\`, a function nested in another function,`, 'zh-cn': `\`${target.text}\` 是嵌套在其他函数中的函数，` };
      }
    }
    return undefined;
  }
  if (target.type === 'attribute') {
    const object = target.childForFieldName('object');
    const fn = enclosingFunction(target);
    const body = fn?.childForFieldName('body');
    if (object?.type !== 'identifier' || !body) return undefined;
    const localClasses = new Set(body.namedChildren.filter((statement) => isClassDefinition(statement)).map((statement) => definitionName(statement)));
    for (const assignment of namedDescendants(body, ASSIGNMENT)) {
      const value = assignment.childForFieldName('right');
      const constructor = value?.type === 'call' ? value.childForFieldName('function') : null;
      const className = constructor?.type === 'identifier' ? constructor.text : undefined;
      const variable = assignment.childForFieldName('left');
      if (variable?.type === 'identifier' && variable.text === object.text && className !== undefined && localClasses.has(className)) {
        return { en: `\`${target.text}\`, a method of the local class \`${className}\`,`, 'zh-cn': `\`${target.text}\` 是局部类 \`${className}\` 的方法，` };
      }
    }
  }
  return undefined;
}

function isFunctionDefinition(statement: Node | null): boolean {
  const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  return definition?.type === 'function_definition';
}

function isClassDefinition(statement: Node | null): boolean {
  const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  return definition?.type === 'class_definition';
}

/** What `isCpuBoundFunction` looks at in a body: loops, calls, arithmetic, and what rules it out. */
const CPU_BOUND_KINDS: ReadonlySet<string> = new Set(['for_statement', 'while_statement', 'call', 'await', 'yield', 'with_statement', 'augmented_assignment', 'binary_operator', 'global_statement']);
const PURE_BUILTINS = new Set(['range', 'len', 'abs', 'min', 'max', 'sum', 'int', 'float', 'pow', 'divmod', 'round', 'enumerate', 'zip', 'bool', 'complex']);

/** A sync function whose work is a loop of arithmetic: no await/yield/with, and no calls except pure builtins and `math`. */
export function isCpuBoundFunction(definition: Node): boolean {
  if (definition.type !== 'function_definition' || isAsyncFunction(definition)) return false;
  const body = definition.childForFieldName('body');
  if (!body) return false;
  const nodes = namedDescendants(body, CPU_BOUND_KINDS);
  let loops = 0;
  let mathInLoop = false;
  for (const node of nodes) {
    switch (node.type) {
      case 'for_statement':
      case 'while_statement':
        loops += 1;
        break;
      case 'call': {
        const callee = node.childForFieldName('function');
        const pure = callee?.type === 'identifier' ? PURE_BUILTINS.has(callee.text) : callee?.type === 'attribute' && callee.childForFieldName('object')?.text === 'math';
        if (!pure) return false;
        break;
      }
      case 'augmented_assignment':
      case 'binary_operator':
        if (insideLoop(node, body)) mathInLoop = true;
        break;
      default:
        return false;
    }
  }
  return loops > 0 && mathInLoop;
}

function insideLoop(node: Node, body: Node): boolean {
  for (let parent = node.parent; parent && !parent.equals(body); parent = parent.parent) if (parent.type === 'for_statement' || parent.type === 'while_statement') return true;
  return false;
}
