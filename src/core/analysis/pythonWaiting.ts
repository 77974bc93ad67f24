/**
 * Waiting the wrong way in coroutines: blocking waits on thread-world objects (executor futures,
 * threads, processes, `queue` queues, `threading` primitives) whose class is known from their
 * binding, a `threading` lock held across an `await`, and polling loops that sleep until a flag
 * changes.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction } from '../syntax/context';
import { qualifiedName } from '../syntax/names';
import { pythonExpressionClass } from '../syntax/receivers';
import { type CheckContext, asyncBodies, callsNamed, keywordNodes, namedDescendants, pythonNames } from './checkContext';
import { canSuspend } from './suspensions';
import type { Localized } from './types';

type Wait = 'future' | 'thread' | 'process' | 'queue-get' | 'queue-join' | 'event' | 'condition' | 'barrier' | 'lock' | 'semaphore';

const QUEUES = ['queue.Queue', 'queue.LifoQueue', 'queue.PriorityQueue', 'queue.SimpleQueue', 'multiprocessing.Queue', 'multiprocessing.JoinableQueue', 'multiprocessing.SimpleQueue'];
const LOCKS = ['threading.Lock', 'threading.RLock', 'multiprocessing.Lock', 'multiprocessing.RLock'];
const SEMAPHORES = ['threading.Semaphore', 'threading.BoundedSemaphore', 'multiprocessing.Semaphore', 'multiprocessing.BoundedSemaphore'];

/** Blocking methods by `<class>.<method>`. */
const BLOCKING_WAITS: ReadonlyMap<string, Wait> = new Map<string, Wait>([
  ['concurrent.futures.Future.result', 'future'],
  ['concurrent.futures.Future.exception', 'future'],
  ['threading.Thread.join', 'thread'],
  ['multiprocessing.Process.join', 'process'],
  ...QUEUES.map((queue) => [`${queue}.get`, 'queue-get'] as const),
  ['queue.Queue.join', 'queue-join'],
  ['queue.LifoQueue.join', 'queue-join'],
  ['queue.PriorityQueue.join', 'queue-join'],
  ['multiprocessing.JoinableQueue.join', 'queue-join'],
  ['threading.Event.wait', 'event'],
  ['multiprocessing.Event.wait', 'event'],
  ['threading.Condition.wait', 'condition'],
  ['threading.Condition.wait_for', 'condition'],
  ['multiprocessing.Condition.wait', 'condition'],
  ['threading.Barrier.wait', 'barrier'],
  ['multiprocessing.Barrier.wait', 'barrier'],
  ...LOCKS.map((lock) => [`${lock}.acquire`, 'lock'] as const),
  ['threading.Condition.acquire', 'lock'],
  ...SEMAPHORES.map((semaphore) => [`${semaphore}.acquire`, 'semaphore'] as const),
]);

/** Locks whose holder, suspended at an `await`, blocks the loop's thread for every other task of the loop that takes them (not RLock: the loop's thread already owns it). */
const HELD_ACROSS_AWAIT = new Set(['threading.Lock', 'multiprocessing.Lock', ...SEMAPHORES]);

export function checkWaiting(context: CheckContext): void {
  if (context.isEnabled('py/sync-wait-in-async')) {
    checkBlockingWaits(context);
    checkLocksHeldAcrossAwait(context);
  }
  if (context.isEnabled('py/busy-wait')) checkBusyWaits(context);
}

function checkBlockingWaits(context: CheckContext): void {
  for (const call of callsNamed(context.root, 'result|exception|join|get|wait|wait_for|acquire', asyncBodies(context.root))) {
    const fn = enclosingFunction(call);
    const callee = call.childForFieldName('function');
    const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    const method = callee?.childForFieldName('attribute')?.text;
    if (!fn || !isAsyncFunction(fn) || !receiver || method === undefined || doesNotBlock(call, method)) continue;
    const receiverClass = pythonExpressionClass(receiver, pythonNames(context));
    const wait = receiverClass === undefined ? undefined : BLOCKING_WAITS.get(`${receiverClass}.${method}`);
    if (!wait || (wait === 'future' && settledBefore(receiver, call, fn)) || ((wait === 'thread' || wait === 'process') && awaitedSinceStart(receiver, call, fn)) || (wait === 'queue-get' && checkedNotEmpty(receiver, call, fn))) continue;
    context.report('py/sync-wait-in-async', call, { name: `${callee?.text ?? method}()`, ...WAIT_TEXTS[wait](receiver.text) });
  }
}

/** Calls that return at once: `get(False)`, `get(block=False)`, `acquire(blocking=False)`, `wait(0)`, `join(timeout=0)`. */
function doesNotBlock(call: Node, method: string): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((arg): arg is Node => arg !== null && arg.type !== 'comment') ?? [];
  const first = args[0];
  const keyword = (name: string): string | undefined => args.find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name)?.childForFieldName('value')?.text;
  const isZero = (value: string | undefined): boolean => value !== undefined && /^0(\.0*)?$/.test(value);
  if (keyword('timeout') !== undefined && isZero(keyword('timeout'))) return true;
  if (method === 'get' || method === 'acquire') return first?.type === 'false' || keyword('block') === 'False' || keyword('blocking') === 'False' || (method === 'get' && args.length >= 2 && isZero(args[1]?.text));
  if (method === 'join' || method === 'wait' || method === 'result' || method === 'exception') return first !== undefined && first.type !== 'keyword_argument' && isZero(first.text);
  return false;
}

/** Whether the future was awaited, waited for in a callback, or checked done before `call`: `result()` then returns at once. */
function settledBefore(receiver: Node, call: Node, fn: Node): boolean {
  const before = fn.text.slice(0, call.startIndex - fn.startIndex);
  const name = receiver.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`await\\b[^\\n]*${name}\\b|${name}\\.(done|add_done_callback)\\(|as_completed\\(|\\bwait\\(`).test(before);
}

/** Whether the coroutine started the thread (process) and awaited something since: it waited for the thread's signal, the join only reaps it. */
function awaitedSinceStart(receiver: Node, call: Node, fn: Node): boolean {
  const before = fn.text.slice(0, call.startIndex - fn.startIndex);
  const started = before.lastIndexOf(`${receiver.text}.start(`);
  return started >= 0 && /\bawait\b/.test(before.slice(started));
}

/** Whether the coroutine made sure the queue holds an item before `get()` (`while q.empty(): await …`, `if q.qsize():`): it then returns at once. */
function checkedNotEmpty(receiver: Node, call: Node, fn: Node): boolean {
  const before = fn.text.slice(0, call.startIndex - fn.startIndex);
  return before.includes(`${receiver.text}.empty()`) || before.includes(`${receiver.text}.qsize()`);
}

/** `with lock:` (a `threading` lock or semaphore) whose body awaits. */
function checkLocksHeldAcrossAwait(context: CheckContext): void {
  for (const statement of keywordNodes(context.root, 'with', 'with_statement', asyncBodies(context.root))) {
    if (statement.child(0)?.type === 'async') continue;
    const fn = enclosingFunction(statement);
    const body = statement.childForFieldName('body');
    if (!fn || !isAsyncFunction(fn) || !body || !canSuspend(body)) continue;
    for (const item of statement.namedChildren.find((child) => child?.type === 'with_clause')?.namedChildren ?? []) {
      const value = item?.childForFieldName('value');
      if (!value || value.type === 'as_pattern' || !HELD_ACROSS_AWAIT.has(pythonExpressionClass(value, pythonNames(context)) ?? '')) continue;
      context.report('py/sync-wait-in-async', value, {
        name: value.text,
        problem: {
          en: 'is a thread lock held across an `await`: another task of this event loop that takes it blocks the loop\'s thread, so this task never resumes to release it',
          'zh-cn': '是跨越 `await` 持有的线程锁：本事件循环中另一个获取它的任务会阻塞事件循环线程，于是当前任务再也无法恢复运行去释放它',
        },
        remedy: { en: 'Use an `asyncio.Lock` if only coroutines share it, or release it before awaiting.', 'zh-cn': '如果只有协程共享它，请改用 `asyncio.Lock`；否则请在 await 之前释放它。' },
      });
    }
  }
}

interface WaitText {
  readonly problem: Localized;
  readonly remedy: Localized;
}

/** `blocks the event loop thread until …: no other task runs meanwhile, and if …, it never …`. */
function blocks(until: Localized, unless: Localized): Localized {
  return {
    en: `blocks the event loop thread until ${until.en}: no other task runs meanwhile, and if ${unless.en}`,
    'zh-cn': `会阻塞事件循环线程，直到${until['zh-cn']}：其间其他任务都无法运行；如果${unless['zh-cn']}`,
  };
}

function toThread(receiver: string, method: string, alternative?: Localized): Localized {
  return {
    en: `Use \`await asyncio.to_thread(${receiver}.${method})\`${alternative ? `, or ${alternative.en}` : ''}.`,
    'zh-cn': `请改用 \`await asyncio.to_thread(${receiver}.${method})\`${alternative ? `，或${alternative['zh-cn']}` : ''}。`,
  };
}

const WAIT_TEXTS: Readonly<Record<Wait, (receiver: string) => WaitText>> = {
  future: () => ({
    problem: blocks({ en: 'the future is done', 'zh-cn': '该 Future 完成' }, { en: 'the work needs this event loop, it never finishes', 'zh-cn': '这项工作需要本事件循环，它就永远完成不了' }),
    remedy: { en: 'Use `await asyncio.wrap_future(…)` instead.', 'zh-cn': '请改用 `await asyncio.wrap_future(…)`。' },
  }),
  thread: (receiver) => ({
    problem: blocks({ en: 'the thread ends', 'zh-cn': '线程结束' }, { en: 'the thread waits for this event loop, it never ends', 'zh-cn': '该线程在等待本事件循环，它就永远不会结束' }),
    remedy: toThread(receiver, 'join'),
  }),
  process: (receiver) => ({
    problem: blocks({ en: 'the process ends', 'zh-cn': '进程结束' }, { en: 'the process waits for this event loop, it never ends', 'zh-cn': '该进程在等待本事件循环，它就永远不会结束' }),
    remedy: toThread(receiver, 'join'),
  }),
  'queue-get': (receiver) => ({
    problem: blocks({ en: 'an item arrives', 'zh-cn': '有数据到达' }, { en: 'a task of this event loop is to put it, it never arrives', 'zh-cn': '要由本事件循环中的任务放入数据，它就永远不会到达' }),
    remedy: toThread(receiver, 'get', { en: 'an `asyncio.Queue` if only coroutines use it', 'zh-cn': '如果只有协程使用它，改用 `asyncio.Queue`' }),
  }),
  'queue-join': (receiver) => ({
    problem: blocks({ en: 'every item is processed', 'zh-cn': '所有数据都处理完毕' }, { en: 'a task of this event loop processes them, that never happens', 'zh-cn': '要由本事件循环中的任务处理它们，这就永远不会发生' }),
    remedy: toThread(receiver, 'join', { en: 'an `asyncio.Queue` if only coroutines use it', 'zh-cn': '如果只有协程使用它，改用 `asyncio.Queue`' }),
  }),
  event: (receiver) => ({
    problem: blocks({ en: 'the event is set', 'zh-cn': '事件被设置' }, { en: 'a task of this event loop is to set it, it never is', 'zh-cn': '要由本事件循环中的任务设置它，它就永远不会被设置' }),
    remedy: toThread(receiver, 'wait', { en: 'an `asyncio.Event` if only coroutines use it', 'zh-cn': '如果只有协程使用它，改用 `asyncio.Event`' }),
  }),
  condition: (receiver) => ({
    problem: blocks({ en: 'it is notified', 'zh-cn': '收到通知' }, { en: 'a task of this event loop is to notify it, it never is', 'zh-cn': '要由本事件循环中的任务发出通知，它就永远等不到' }),
    remedy: toThread(receiver, 'wait', { en: 'an `asyncio.Condition` if only coroutines use it', 'zh-cn': '如果只有协程使用它，改用 `asyncio.Condition`' }),
  }),
  barrier: (receiver) => ({
    problem: blocks({ en: 'every party arrives', 'zh-cn': '所有参与方都到达' }, { en: 'a task of this event loop is one of them, they never do', 'zh-cn': '本事件循环中的任务也是参与方之一，它们就永远到不齐' }),
    remedy: toThread(receiver, 'wait', { en: 'an `asyncio.Barrier` if only coroutines use it', 'zh-cn': '如果只有协程使用它，改用 `asyncio.Barrier`' }),
  }),
  lock: () => ({
    problem: blocks({ en: 'the lock is free', 'zh-cn': '锁被释放' }, { en: 'a task of this event loop holds it, it never is', 'zh-cn': '锁被本事件循环中的任务持有，它就永远不会被释放' }),
    remedy: { en: 'Use an `asyncio.Lock` if only coroutines share it.', 'zh-cn': '如果只有协程共享它，请改用 `asyncio.Lock`。' },
  }),
  semaphore: () => ({
    problem: blocks({ en: 'the semaphore is free', 'zh-cn': '信号量可用' }, { en: 'tasks of this event loop hold it, it never is', 'zh-cn': '信号量被本事件循环中的任务占用，它就永远不会可用' }),
    remedy: { en: 'Use an `asyncio.Semaphore` if only coroutines share it.', 'zh-cn': '如果只有协程共享它，请改用 `asyncio.Semaphore`。' },
  }),
};

const SLEEPS = new Set(['asyncio.sleep', 'anyio.sleep', 'trio.sleep']);
/** Calls a polled condition may make: they read state, they do not wait for it. */
const PURE_READS = new Set(['len', 'bool', 'any', 'all']);

/**
 * `while <flag>: await asyncio.sleep(…)`, or `while …:` whose body is `if <flag>: break` and the
 * sleep (ASYNC110): the flag is state this program changes, so an `asyncio.Event` can signal it.
 * Conditions that call anything else (a process's `poll()`, a file's existence) are left alone:
 * no event can tell those; so are flags of objects this code was handed or looked up (below).
 */
function checkBusyWaits(context: CheckContext): void {
  const assignedIn = new Map<number, Set<string>>();
  for (const loop of keywordNodes(context.root, 'while', 'while_statement', asyncBodies(context.root))) {
    if (loop.childForFieldName('alternative')) continue;
    const fn = enclosingFunction(loop);
    if (!fn || !isAsyncFunction(fn)) continue;
    const flag = polledFlag(loop, context);
    if (!flag) continue;
    const definition = topLevelStatement(fn);
    let assigned = assignedIn.get(definition.startIndex);
    if (!assigned) {
      assigned = assignedAttributes(definition);
      assignedIn.set(definition.startIndex, assigned);
    }
    if (!readsForeignState(flag, fn, assigned, context)) context.report('py/busy-wait', flag, { name: flag.text });
  }
}

function polledFlag(loop: Node, context: CheckContext): Node | undefined {
  const statements = (loop.childForFieldName('body')?.namedChildren ?? []).filter((statement): statement is Node => statement !== null && statement.type !== 'comment' && statement.type !== 'pass_statement');
  const sleeps = statements.filter((statement) => isSleep(statement, context));
  if (sleeps.length !== 1) return undefined;
  const condition = loop.childForFieldName('condition');
  if (statements.length === 1) return condition && isFlag(condition) ? condition : undefined;
  const exit = statements.length === 2 ? statements.find((statement) => statement.type === 'if_statement') : undefined;
  const exitCondition = exit?.childForFieldName('condition');
  const exitBody = exit?.childForFieldName('consequence')?.namedChildren.filter((statement) => statement?.type !== 'comment') ?? [];
  const leaves = exitBody.length === 1 && (exitBody[0]?.type === 'break_statement' || exitBody[0]?.type === 'return_statement');
  return exit && exitCondition && leaves && !exit.childForFieldName('alternative') && isFlag(exitCondition) ? exitCondition : undefined;
}

function isSleep(statement: Node, context: CheckContext): boolean {
  const awaited = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
  const call = awaited?.type === 'await' ? awaited.namedChild(0) : null;
  const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
  return callee !== null && callee !== undefined && SLEEPS.has(qualifiedName(callee, context.imports, 'python') ?? '');
}

/** A condition that reads state without waiting for it: names, attributes, comparisons, `not`/`and`/`or`, `len(…)`; not a constant. */
function isFlag(condition: Node): boolean {
  if (condition.type === 'true' || condition.type === 'integer' || condition.type === 'false') return false;
  let readsState = false;
  const visit = (node: Node): boolean => {
    switch (node.type) {
      case 'identifier':
        readsState = true;
        return true;
      case 'call': {
        const callee = node.childForFieldName('function');
        return callee?.type === 'identifier' && PURE_READS.has(callee.text) && (node.childForFieldName('arguments')?.namedChildren ?? []).every((arg) => arg !== null && visit(arg));
      }
      case 'attribute':
        readsState = true;
        return node.childForFieldName('object') !== null && visit(node.childForFieldName('object') as Node);
      case 'subscript':
      case 'not_operator':
      case 'boolean_operator':
      case 'comparison_operator':
      case 'parenthesized_expression':
      case 'binary_operator':
      case 'unary_operator':
        return node.namedChildren.every((child) => child !== null && visit(child));
      case 'integer':
      case 'float':
      case 'string':
      case 'none':
      case 'true':
      case 'false':
        return true;
      default:
        return false;
    }
  };
  return visit(condition) && readsState;
}

/**
 * Whether the flag reads the attributes of an object the coroutine was handed or looked up (a
 * parameter or local: `while a.status != Status.paused`, `while key in s.tasks`) that the code
 * around it (its top-level definition: closures, the class) never sets: that object's own code
 * changes them, so only it could signal an event — as when a test polls the components it tests.
 * Variables, the object's own attributes (`self.…`, which its class changes) and module-level
 * objects of this file are this code's own state.
 */
function readsForeignState(flag: Node, fn: Node, assigned: ReadonlySet<string>, context: CheckContext): boolean {
  const receivers = methodReceivers(fn);
  return attributeReads(flag).some((read) => {
    const { root, attributes } = chainParts(read);
    if (!root || receivers.has(root.text) || context.imports.moduleDefinitions.has(root.text) || context.imports.bindings.has(root.text)) return false;
    return !attributes.some((attribute) => assigned.has(attribute.text));
  });
}

/** The outermost attribute reads of `node` (`s.tasks[key].state`, not `s.tasks` inside it), subscripts' indexes included. */
function attributeReads(node: Node): Node[] {
  if (node.type === 'attribute') return [node, ...chainParts(node).indexes.flatMap(attributeReads)];
  return node.namedChildren.flatMap((child) => (child ? attributeReads(child) : []));
}

/**
 * A chain of attributes and subscripts taken apart (`s.tasks[key].state`): the identifier it starts
 * from (`s`; none for `f().x`), its attributes outermost first (`s.tasks[key].state`, `s.tasks`)
 * and its subscripts' index expressions (`key`).
 */
function chainParts(chain: Node): { root?: Node; attributes: Node[]; indexes: Node[] } {
  const attributes: Node[] = [];
  const indexes: Node[] = [];
  let node: Node | null = chain;
  for (; node && (node.type === 'attribute' || node.type === 'subscript'); node = node.type === 'attribute' ? node.childForFieldName('object') : node.childForFieldName('value')) {
    if (node.type === 'attribute') attributes.push(node);
    else indexes.push(...node.childrenForFieldName('subscript').filter((index): index is Node => index !== null));
  }
  return { root: node?.type === 'identifier' ? node : undefined, attributes, indexes };
}

/** The names that stand for the object itself in `fn` and the functions around it: the first parameter of each method (not of a `@staticmethod`). */
function methodReceivers(fn: Node): Set<string> {
  const names = new Set<string>();
  for (let current: Node | null = fn; current; current = enclosingFunction(current)) {
    const definition = current.parent?.type === 'decorated_definition' ? current.parent : current;
    const isMethod = definition.parent?.type === 'block' && definition.parent.parent?.type === 'class_definition';
    const isStatic = definition.type === 'decorated_definition' && definition.namedChildren.some((child) => child?.type === 'decorator' && /\bstaticmethod\b/.test(child.text));
    const first = current.childForFieldName('parameters')?.namedChildren.find((parameter) => parameter?.type === 'identifier' || parameter?.type === 'typed_parameter');
    const name = first?.type === 'typed_parameter' ? first.namedChild(0) : first;
    if (isMethod && !isStatic && name?.type === 'identifier') names.add(name.text);
  }
  return names;
}

/** The module-level statement around `node` (what an incremental analysis re-parses whole). */
function topLevelStatement(node: Node): Node {
  let statement = node;
  while (statement.parent && statement.parent.type !== 'module') statement = statement.parent;
  return statement;
}

/** The attribute chains (as written) that `statement` assigns, augments or deletes: `box.done = True`, `b.counter += 1`. */
function assignedAttributes(statement: Node): Set<string> {
  const found = new Set<string>();
  const collect = (target: Node | null): void => {
    if (!target) return;
    if (target.type === 'attribute') found.add(target.text);
    else if (target.type === 'subscript') collect(target.childForFieldName('value'));
    else if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern' || target.type === 'expression_list') for (const element of target.namedChildren) collect(element);
  };
  for (const assignment of namedDescendants(statement, ASSIGNMENTS)) collect(assignment.type === 'delete_statement' ? assignment.namedChild(0) : assignment.childForFieldName('left'));
  return found;
}

const ASSIGNMENTS: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment', 'delete_statement']);
