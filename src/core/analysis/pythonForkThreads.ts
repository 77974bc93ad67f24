/**
 * Processes forked from a program that runs threads. A process start forks when it asks for it
 * (`get_context("fork")`, `os.fork()`, `set_start_method("fork")`) or uses multiprocessing's
 * default, which is fork on Linux before Python 3.14. The program runs threads at that moment
 * when a thread started earlier in the same function (or module code) has not been joined since,
 * or — for a start inside a function — when the module starts threads that outlive the code
 * starting them (in module code, in a function that never joins them, a thread pool outside a
 * `with`, asyncio's default executor).
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction } from '../syntax/context';
import { qualifiedName } from '../syntax/names';
import { type PythonNames, pythonExpressionClass } from '../syntax/receivers';
import { type CheckContext, allImports, alternation, callsNamed, pythonNames } from './checkContext';
import { isEventLoop } from './pythonEventLoops';
import type { Localized } from './types';

const THREAD_STARTERS = new Set([
  'threading.Thread', 'threading.Timer', 'concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor', 'multiprocessing.pool.ThreadPool',
  'multiprocessing.dummy.Pool', 'multiprocessing.dummy.Process', '_thread.start_new_thread', '_thread.start_new', 'asyncio.to_thread',
]);
/** Thread starters whose threads stay after the call returns, whatever the caller does (asyncio's default executor keeps its workers). */
const LINGERING = new Set(['asyncio.to_thread']);
const POOL_STARTERS = new Set(['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.Pool']);

const PROCESS_STARTERS = new Set([
  'multiprocessing.Process', 'multiprocessing.context.Process', 'multiprocessing.Pool', 'multiprocessing.pool.Pool', 'multiprocessing.Manager',
  'concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.process.ProcessPoolExecutor',
]);
const FORKS = new Set(['os.fork', 'os.forkpty', 'pty.fork']);
const CONTEXT_METHODS = new Set(['Process', 'Pool', 'Manager']);

type ForkKind = 'explicit' | 'default' | 'direct';

const HOW: Readonly<Record<ForkKind, Localized>> = {
  explicit: { en: 'the fork start method, asked for explicitly', 'zh-cn': '显式指定了 fork 启动方式' },
  default: { en: 'fork is the default start method on Linux before Python 3.14', 'zh-cn': 'Python 3.14 之前 Linux 上默认的启动方式就是 fork' },
  direct: { en: 'directly', 'zh-cn': '直接调用' },
};

export function checkForkWithThreads(context: CheckContext): void {
  if (!context.isEnabled('py/fork-with-threads')) return;
  const names = pythonNames(context);
  const words = new Set(['Process', 'Pool', 'Manager', 'ProcessPoolExecutor', 'fork', 'forkpty']);
  for (const [local, binding] of allImports(context)) if (PROCESS_STARTERS.has(binding.qualifiedName) || FORKS.has(binding.qualifiedName)) words.add(local);
  for (const call of callsNamed(context.root, alternation(words))) {
    let kind = forkKind(call, names);
    if (kind === 'default' && context.facts.startMethod !== undefined) kind = context.facts.startMethod === 'fork' ? 'explicit' : undefined;
    // Module code runs before any function is called: there, only the thread starts above count.
    const threads = (enclosingFunction(call) !== null && context.facts.startsThreads) || threadRunningAt(call, names);
    if (!kind || !threads) continue;
    const callee = call.childForFieldName('function');
    const name = kind === 'direct' ? `${callee?.text ?? 'os.fork'}()` : (callee?.text ?? 'Process');
    context.report('py/fork-with-threads', call, { name: `\`${name}\``, how: HOW[kind] });
  }
}

/** How `call` forks, or undefined when it does not (another start method, not a process start). */
function forkKind(call: Node, names: PythonNames): ForkKind | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const name = qualifiedName(callee, names.imports, 'python');
  if (name !== undefined && FORKS.has(name)) return 'direct';
  if (name !== undefined && PROCESS_STARTERS.has(name)) {
    const context = keywordValue(call, 'mp_context');
    return context ? contextKind(context, names) : 'default';
  }
  const method = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  const receiver = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
  return method !== undefined && CONTEXT_METHODS.has(method) && receiver ? contextKind(receiver, names) : undefined;
}

/** How processes of a multiprocessing context (`get_context("fork")`, or a name bound to one) start. */
function contextKind(context: Node, names: PythonNames): ForkKind | undefined {
  const contextClass = pythonExpressionClass(context, names);
  return contextClass === 'multiprocessing.context.ForkContext' ? 'explicit' : contextClass === 'multiprocessing.context.DefaultContext' ? 'default' : undefined;
}

/** Whether a thread started earlier in the same function (or module code) may still run at `call`: no `.join(` since. */
function threadRunningAt(call: Node, names: PythonNames): boolean {
  const fn = enclosingFunction(call);
  const scope = fn?.childForFieldName('body') ?? call.tree.rootNode;
  const before = scope.text.slice(0, call.startIndex - scope.startIndex);
  const starts = threadStarts(scope, names).filter((start) => {
    const own = enclosingFunction(start);
    const sameScope = own === null || fn === null ? own === fn : own.equals(fn);
    // A pool opened by `with` is shut down (its threads joined) when the block ends.
    const poolClosed = withStatementOf(start)?.endIndex ?? Infinity;
    return sameScope && start.startIndex < call.startIndex && call.startIndex < poolClosed;
  });
  const last = starts.at(-1);
  return last !== undefined && !/\.join\s*\(/.test(before.slice(last.endIndex - scope.startIndex));
}

/** Calls in `node` that start threads (found by their API words, confirmed by the qualified name). */
function threadStarts(node: Node, names: PythonNames): Node[] {
  const words = new Set(['Thread', 'Timer', 'ThreadPoolExecutor', 'ThreadPool', 'start_new_thread', 'start_new', 'to_thread', 'run_in_executor']);
  for (const [local, binding] of names.imports.bindings) {
    if (THREAD_STARTERS.has(binding.qualifiedName)) words.add(local);
    // multiprocessing.dummy's Pool and Process are threads.
    if (binding.qualifiedName.startsWith('multiprocessing.dummy')) words.add('Pool').add('Process');
  }
  return callsNamed(node, alternation(words)).filter((call) => {
    const callee = call.childForFieldName('function');
    if (!callee) return false;
    if (THREAD_STARTERS.has(qualifiedName(callee, names.imports, 'python') ?? '')) return true;
    // `loop.run_in_executor(None, …)` starts asyncio's default thread pool.
    const args = call.childForFieldName('arguments');
    return callee.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'run_in_executor' && args?.namedChild(0)?.type === 'none' && isEventLoop(callee.childForFieldName('object'), names);
  });
}

/**
 * Whether the top-level `statement` starts threads meant to outlive the code starting them, and
 * not joined (or shut down) by it: in module code; kept in `self.<name>` or a `global`; a
 * fire-and-forget daemon (`Thread(…, daemon=True).start()`); asyncio's default executor
 * (`to_thread`, `run_in_executor(None, …)`). A thread in a local variable is taken to end with its
 * function (the function may wait for it in ways we do not see).
 */
export function startsLastingThreads(statement: Node, names: PythonNames): boolean {
  if (!/Thread|Timer|Pool|Process|start_new|to_thread|run_in_executor/.test(statement.text)) return false;
  return threadStarts(statement, names).some((start) => {
    const name = qualifiedName(start.childForFieldName('function') as Node, names.imports, 'python') ?? '';
    const fn = enclosingFunction(start);
    // Module code counts as one scope: the top-level statement that starts the thread.
    const scope = fn ?? statement;
    if (fn && runsInChildProcess(fn, statement)) return false;
    if (LINGERING.has(name) || name === '') return true;
    if (isWithItem(start) || handedToWith(start, scope) || (fn && !keptBeyond(start, fn))) return false;
    // `t.join()`, `self.addCleanup(t.join)`, `pool.shutdown()`: the scope waits for them.
    return !(POOL_STARTERS.has(name) ? /\.(shutdown|close|join)\b/ : /\.join\b/).test(scope.text);
  });
}

/** A thread (pool) kept where it outlives `fn`: `self.<name> = …`, a `global`, or started at once as a daemon. */
function keptBeyond(start: Node, fn: Node): boolean {
  const parent = start.parent;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.equals(start)) {
    const target = parent.childForFieldName('left');
    if (target?.type === 'attribute') return target.childForFieldName('object')?.text === 'self';
    return target?.type === 'identifier' && new RegExp(`\\bglobal\\b[^\\n]*\\b${target.text}\\b`).test(fn.text);
  }
  const startsAtOnce = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'start';
  return startsAtOnce && /\bdaemon\s*=\s*True\b/.test(start.childForFieldName('arguments')?.text ?? '');
}

/** The start method `statement` sets for the whole program: `multiprocessing.set_start_method("…")`. */
export function startMethodSet(statement: Node, names: PythonNames): string | undefined {
  if (!statement.text.includes('set_start_method')) return undefined;
  for (const call of callsNamed(statement, 'set_start_method')) {
    const callee = call.childForFieldName('function');
    const argument = call.childForFieldName('arguments')?.namedChild(0);
    if (callee && argument && qualifiedName(callee, names.imports, 'python') === 'multiprocessing.set_start_method') return stringLiteral(argument);
  }
  return undefined;
}

/** A function that `statement` hands to a process as its target (`Process(target=self.f)`): its threads run in the child. */
function runsInChildProcess(fn: Node, statement: Node): boolean {
  const name = fn.childForFieldName('name')?.text;
  return name !== undefined && new RegExp(`Process\\([^)]*\\btarget\\s*=\\s*(?:self\\.|cls\\.)?${name}\\b`).test(statement.text);
}

/** `threads = [Thread(…), …]` (or `t = Thread(…)`) later entered with `with start_threads(threads):`-like managers, which join at exit. */
function handedToWith(start: Node, scope: Node): boolean {
  let node: Node | null = start.parent;
  while (node && (node.type === 'list' || node.type === 'tuple' || node.type === 'list_comprehension' || node.type === 'generator_expression')) node = node.parent;
  const target = node?.type === 'assignment' ? node.childForFieldName('left') : null;
  return target?.type === 'identifier' && new RegExp(`\\bwith\\b[^\\n:]*\\b${target.text}\\b`).test(scope.text);
}

function isWithItem(call: Node): boolean {
  return withStatementOf(call) !== undefined;
}

/** The `with` statement whose item `call` is. */
function withStatementOf(call: Node): Node | undefined {
  const item = call.parent?.type === 'as_pattern' ? call.parent.parent : call.parent;
  const statement = item?.type === 'with_item' ? item.parent?.parent : undefined;
  return statement?.type === 'with_statement' ? statement : undefined;
}

function keywordValue(call: Node, keyword: string): Node | undefined {
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (argument?.type === 'keyword_argument' && argument.childForFieldName('name')?.text === keyword) return argument.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

function stringLiteral(node: Node): string | undefined {
  return node.type === 'string' ? node.text.replace(/^[rbuRBU]*(['"]{1,3})(.*)\1$/s, '$2') : undefined;
}
