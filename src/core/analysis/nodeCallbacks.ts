/**
 * Async functions handed to code that drops their promise: `forEach` and the array predicates,
 * timers, EventEmitter listeners (typescript-eslint's no-misused-promises, syntactically), and
 * `new Promise(async …)`. An async function whose awaits all sit in a try/catch that does not
 * rethrow catches its own errors: a timer or a listener may drop its promise safely.
 */
import type { Node } from 'web-tree-sitter';
import { unwrapExpression } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import { isAsyncCallee } from './asyncCallees';
import { type CheckContext, wordOccurrences } from './checkContext';
import { catchesOwnErrors } from './selfCatching';
import type { Localized } from './types';

type Misuse = 'ignored' | 'predicate' | 'timer' | 'listener';

const ARRAY_METHODS: ReadonlyMap<string, Misuse> = new Map<string, Misuse>([
  ['forEach', 'ignored'],
  ...['filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex'].map((method) => [method, 'predicate'] as const),
]);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'process.nextTick', 'timers.setTimeout', 'timers.setInterval', 'timers.setImmediate']);
const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const ASYNC_FUNCTION_TYPES = new Set(['arrow_function', 'function_expression', 'function']);

const TEXTS: Readonly<Record<Misuse, { readonly kind: Localized; readonly problem: Localized; readonly remedy: Localized }>> = {
  ignored: {
    kind: { en: 'callback', 'zh-cn': '回调' },
    problem: { en: 'ignores: the loop ends before the work does, and a rejection goes unhandled', 'zh-cn': '忽略：循环在工作完成之前就结束了，拒绝也无人处理' },
    remedy: { en: 'Use `for…of` with `await`, or `await Promise.all(items.map(…))`.', 'zh-cn': '请改用带 `await` 的 `for…of`，或 `await Promise.all(items.map(…))`。' },
  },
  predicate: {
    kind: { en: 'callback', 'zh-cn': '回调' },
    problem: { en: 'takes as a truthy value: every element passes', 'zh-cn': '当作真值：每个元素都会通过' },
    remedy: { en: 'Compute the results first (`await Promise.all(…)`), then test them.', 'zh-cn': '请先计算结果（`await Promise.all(…)`），再据此判断。' },
  },
  timer: {
    kind: { en: 'callback', 'zh-cn': '回调' },
    problem: { en: 'ignores: its rejection goes unhandled (Node ≥ 15 ends the process)', 'zh-cn': '忽略：它的拒绝无人处理（Node ≥ 15 会结束进程）' },
    remedy: { en: 'Catch its errors inside (try/catch).', 'zh-cn': '请在回调内部捕获错误（try/catch）。' },
  },
  listener: {
    kind: { en: 'listener', 'zh-cn': '监听器' },
    problem: { en: 'ignores: its rejection goes unhandled (Node ≥ 15 ends the process)', 'zh-cn': '忽略：它的拒绝无人处理（Node ≥ 15 会结束进程）' },
    remedy: { en: 'Catch its errors inside (try/catch), or create the emitter with `captureRejections: true`.', 'zh-cn': '请在监听器内部捕获错误（try/catch），或用 `captureRejections: true` 创建事件发射器。' },
  },
};

export function checkCallbacks(context: CheckContext): void {
  if (context.isEnabled('js/misused-async-callback')) checkMisusedCallbacks(context);
  if (context.isEnabled('js/async-promise-executor')) checkPromiseExecutors(context);
}

function checkMisusedCallbacks(context: CheckContext): void {
  for (const callback of asyncCallbackArguments(context)) {
    const call = callback.parent?.parent;
    const misuse = call?.type === 'call_expression' ? misuseOf(call, callback, context) : undefined;
    if (!misuse) continue;
    const reported = callback.child(0)?.type === 'async' ? (callback.child(0) as Node) : callback;
    context.report('js/misused-async-callback', reported, { name: misuse.name, ...TEXTS[misuse.kind] });
  }
}

/**
 * Async functions passed as arguments: `async` function literals, and names of async functions
 * (module-level ones the facts know, `this.method` of the class) — found from the async side, so
 * the many ordinary `.on(…)` / `.find(…)` calls cost nothing.
 */
function asyncCallbackArguments(context: CheckContext): Node[] {
  const { root } = context;
  const found: Node[] = [];
  for (const offset of wordOccurrences(root.text, 'async')) {
    const at = root.startIndex + offset;
    const fn = root.descendantForIndex(at, at + 'async'.length)?.parent;
    if (fn && ASYNC_FUNCTION_TYPES.has(fn.type) && fn.child(0)?.type === 'async' && fn.parent?.type === 'arguments') found.push(fn);
  }
  const names = new Set(context.facts.asyncFunctions);
  for (const match of root.text.matchAll(/\basync\s+(?:\*\s*)?([A-Za-z_$][\w$]*)\s*\(/g)) if (match[1]) names.add(match[1]);
  for (const name of names) {
    for (const offset of wordOccurrences(root.text, name)) {
      const at = root.startIndex + offset;
      const node = root.descendantForIndex(at, at + name.length);
      const value = node?.type === 'identifier' ? node : node?.type === 'property_identifier' && node.parent?.type === 'member_expression' ? node.parent : null;
      if (value?.parent?.type === 'arguments' && isAsyncCallee(value, context)) found.push(value);
    }
  }
  return found;
}

/** What the call does with the async `callback` it is given, when that drops its promise. */
function misuseOf(call: Node, callback: Node, context: CheckContext): { kind: Misuse; name: string } | undefined {
  const callee = unwrapExpression(call.childForFieldName('function'));
  const args = call.childForFieldName('arguments')?.namedChildren.filter((arg): arg is Node => arg !== null && arg.type !== 'comment') ?? [];
  if (!callee) return undefined;
  const position = args.findIndex((arg) => arg.equals(callback));
  const method = callee.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  let kind: Misuse | undefined;
  if (position === 0 && method !== undefined && ARRAY_METHODS.has(method)) {
    kind = ARRAY_METHODS.get(method);
    // A stream's or an async iterator's `forEach` / `filter` awaits its callback: its result is awaited or chained.
    if (kind === 'ignored' ? call.parent?.type !== 'expression_statement' : awaitedChain(call)) return undefined;
  } else if (position === 1 && args.length === 2 && method !== undefined && LISTENER_METHODS.has(method)) {
    // With captureRejections, an emitter handles its async listeners' rejections (emitting 'error').
    if (context.facts.capturesRejections || awaitsListeners(callee, context)) return undefined;
    kind = 'listener';
  } else if (position === 0 && TIMERS.has(qualifiedName(callee, context.imports, 'node') ?? '')) {
    kind = 'timer';
  }
  if (!kind || ((kind === 'timer' || kind === 'listener') && catchesOwnErrorsValue(callback, context))) return undefined;
  return { kind, name: method ?? callee.text };
}

function catchesOwnErrorsValue(value: Node, context: CheckContext): boolean {
  if (ASYNC_FUNCTION_TYPES.has(value.type)) return catchesOwnErrors(value);
  return value.type === 'identifier' && context.facts.selfCatchingAsyncFunctions.has(value.text);
}

/** An emitter that waits for its listeners' promises (see `awaitedEmittersIn`): Node's EventEmitter returns a boolean nobody awaits. */
function awaitsListeners(listenerCallee: Node, context: CheckContext): boolean {
  const receiver = listenerCallee.childForFieldName('object');
  return receiver !== null && context.facts.awaitedEmitters.has(receiver.text);
}

/**
 * Emitters of `statement` that wait for their listeners: `await x.emit(…)` / `return x.emit(…)`
 * (the promise of the listeners is used), or `x = new PromiseEventEmitter()`-like classes and
 * Emittery. Found from the literal parts of the text, each looked back on within a short window.
 */
export function awaitedEmittersIn(statement: Node): string[] {
  const text = statement.text;
  const found = new Set<string>();
  const lookBehind = (end: number, pattern: RegExp): string | undefined => pattern.exec(text.slice(Math.max(0, end - 200), end))?.[1];
  for (const match of text.matchAll(/\.emit\w*\s*\(/g)) {
    const receiver = lookBehind(match.index, /(?:\bawait|\breturn)\s+([\w$.]+)$/);
    if (receiver !== undefined) found.add(receiver);
  }
  for (const match of text.matchAll(/\bnew\s+(?:\w*(?:Promise|Async)\w*(?:Emitter|Events?)\w*|Emittery)\s*\(/g)) {
    const target = lookBehind(match.index, /([\w$.]+)\s*=\s*$/);
    if (target !== undefined) found.add(target);
  }
  return [...found];
}

/** Whether `call` is part of an expression chain that is awaited (`await stream.filter(…).toArray()`). */
function awaitedChain(call: Node): boolean {
  for (let node: Node | null = call.parent; node; node = node.parent) {
    if (node.type === 'await_expression') return true;
    if (node.type !== 'member_expression' && node.type !== 'call_expression' && node.type !== 'arguments' && node.type !== 'parenthesized_expression') return false;
  }
  return false;
}

/** `new Promise(async (resolve, reject) => …)`. */
function checkPromiseExecutors(context: CheckContext): void {
  // `new Promise<T>(…)`: type arguments may stand between the name and its arguments.
  for (const offset of wordOccurrences(context.root.text, 'Promise')) {
    const constructor = context.root.descendantForIndex(context.root.startIndex + offset, context.root.startIndex + offset + 'Promise'.length);
    const creation = constructor?.parent;
    if (!constructor || creation?.type !== 'new_expression' || !creation.childForFieldName('constructor')?.equals(constructor) || qualifiedName(constructor, context.imports, 'node') !== 'Promise') continue;
    const executor = unwrapExpression(creation.childForFieldName('arguments')?.namedChild(0) ?? null);
    const keyword = executor && ASYNC_FUNCTION_TYPES.has(executor.type) ? executor.child(0) : null;
    if (keyword?.type === 'async') context.report('js/async-promise-executor', keyword);
  }
}
