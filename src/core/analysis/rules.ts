/** The catalogue of rules: metadata and the bilingual message of each finding. */
import type { Localized, RuleId, RuleMeta } from './types';

type Template = Localized;

interface RuleDefinition extends RuleMeta {
  /** Message of a finding; `{name}` is replaced by the API or function involved. */
  readonly message: Template;
}

const py = { language: 'python', model: 'coroutines' } as const;
const pyProcesses = { language: 'python', model: 'processes' } as const;
const pyThreads = { language: 'python', model: 'threads' } as const;
const node = { language: 'node', model: 'coroutines' } as const;

const DEFINITIONS: readonly RuleDefinition[] = [
  {
    id: 'py/blocking-sleep', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC251'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#sleeping',
    triggers: ['async'],
    title: { en: 'Blocking sleep in an async function', 'zh-cn': '异步函数中的阻塞式 sleep' },
    message: {
      en: '`{name}` blocks the event loop: every other task stops while it sleeps. Use `await asyncio.sleep(...)`.',
      'zh-cn': '`{name}` 会阻塞事件循环：休眠期间其他所有任务都停下来。请改用 `await asyncio.sleep(...)`。',
    },
    explanation: {
      en: 'A coroutine shares its thread with every other task of the event loop. `time.sleep` holds that thread, so nothing else runs; `asyncio.sleep` suspends only this coroutine.',
      'zh-cn': '协程与事件循环中的其他任务共用一个线程。`time.sleep` 占住这个线程，其他任务都无法运行；`asyncio.sleep` 只挂起当前协程。',
    },
  },
  {
    id: 'py/blocking-http', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC210', 'ASYNC212'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#running-in-threads',
    triggers: ['async'],
    title: { en: 'Blocking HTTP call in an async function', 'zh-cn': '异步函数中的阻塞式 HTTP 调用' },
    message: {
      en: '`{name}` is a blocking HTTP call: the event loop waits for the network. Run it with `await asyncio.to_thread(...)` or use an async client (httpx.AsyncClient, aiohttp).',
      'zh-cn': '`{name}` 是阻塞式 HTTP 调用：事件循环会一直等待网络。请用 `await asyncio.to_thread(...)` 运行它，或改用异步客户端（httpx.AsyncClient、aiohttp）。',
    },
    explanation: {
      en: 'requests, urllib, http.client, urllib3 and httpx.Client wait for the network on the calling thread, which in a coroutine is the event loop thread.',
      'zh-cn': 'requests、urllib、http.client、urllib3 和 httpx.Client 在调用线程上等待网络；在协程里，这个线程就是事件循环所在的线程。',
    },
  },
  {
    id: 'py/blocking-subprocess', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC220', 'ASYNC221', 'ASYNC222'],
    docs: 'https://docs.python.org/3/library/asyncio-subprocess.html',
    triggers: ['async'],
    title: { en: 'Blocking process call in an async function', 'zh-cn': '异步函数中的阻塞式进程调用' },
    message: {
      en: '`{name}` waits for a child process and blocks the event loop. Use `asyncio.create_subprocess_exec` / `_shell`, or `await asyncio.to_thread(...)`.',
      'zh-cn': '`{name}` 会等待子进程并阻塞事件循环。请改用 `asyncio.create_subprocess_exec` / `_shell`，或 `await asyncio.to_thread(...)`。',
    },
    explanation: {
      en: 'subprocess and os process functions wait on the calling thread. asyncio has its own subprocess API that lets other tasks run meanwhile.',
      'zh-cn': 'subprocess 和 os 的进程函数在调用线程上等待。asyncio 自带子进程 API，等待期间其他任务照常运行。',
    },
  },
  {
    id: 'py/blocking-file-io', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC230', 'ASYNC240'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#running-in-threads',
    triggers: ['async'],
    title: { en: 'Blocking file I/O in an async function', 'zh-cn': '异步函数中的阻塞式文件 I/O' },
    message: {
      en: '`{name}` touches the disk on the event loop thread. Move it to a thread with `await asyncio.to_thread(...)` (for a `with open(...)` block, select the block and choose "Run in a background thread").',
      'zh-cn': '`{name}` 在事件循环线程上读写磁盘。请用 `await asyncio.to_thread(...)` 把它移到线程中执行（对于 `with open(...)` 代码块，选中整个代码块并选择“在后台线程中运行”）。',
    },
    explanation: {
      en: 'Disk access can take milliseconds to seconds (network drives, cold caches); during that time no other task runs.',
      'zh-cn': '磁盘访问可能耗时数毫秒到数秒（网络盘、冷缓存），这期间其他任务都无法运行。',
    },
  },
  {
    id: 'py/blocking-input', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC250'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#running-in-threads',
    triggers: ['async'],
    title: { en: 'input() in an async function', 'zh-cn': '异步函数中的 input()' },
    message: {
      en: '`input()` blocks the event loop until the user presses Enter. Use `await asyncio.to_thread(input, ...)`.',
      'zh-cn': '`input()` 会阻塞事件循环，直到用户按下回车。请改用 `await asyncio.to_thread(input, ...)`。',
    },
    explanation: {
      en: 'Waiting for a human can take forever; run it in a thread so the event loop keeps serving other tasks.',
      'zh-cn': '等待用户输入可能很久；放到线程中执行，事件循环才能继续处理其他任务。',
    },
  },
  {
    id: 'py/unawaited-coroutine', family: 'python', defaultSeverity: 'error', guide: py, related: ['reportUnusedCoroutine', 'mypy:unused-coroutine'],
    docs: 'https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines',
    triggers: ['async', 'asyncio'],
    title: { en: 'Coroutine never awaited', 'zh-cn': '协程从未被等待' },
    message: {
      en: '`{name}(...)` creates a coroutine that is never awaited, so its body never runs. Add `await`.',
      'zh-cn': '`{name}(...)` 创建的协程从未被等待（await），其函数体根本不会执行。请加上 `await`。',
    },
    explanation: {
      en: 'Calling an async function only creates a coroutine object; it runs when awaited or wrapped in a task. Dropping it loses the work and prints "coroutine was never awaited".',
      'zh-cn': '调用异步函数只会创建协程对象；只有 await 它或把它包装成任务才会执行。丢弃它会丢掉这部分工作，并打印 “coroutine was never awaited”。',
    },
  },
  {
    id: 'py/dangling-task', family: 'python', defaultSeverity: 'warning', guide: py, related: ['RUF006'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task',
    triggers: ['create_task', 'ensure_future'],
    title: { en: 'Task reference discarded', 'zh-cn': '任务引用被丢弃' },
    message: {
      en: 'The task from `{name}` is not stored: the event loop keeps only a weak reference, so it may be garbage-collected before it finishes, and its errors go unseen. Keep a reference or use `asyncio.TaskGroup`.',
      'zh-cn': '`{name}` 返回的任务没有被保存：事件循环只持有弱引用，任务可能在完成前被垃圾回收，其异常也无人知晓。请保留引用，或改用 `asyncio.TaskGroup`。',
    },
    explanation: {
      en: 'asyncio keeps weak references to tasks. Store tasks in a set (removing them when done) or start them in a TaskGroup, which also surfaces their exceptions.',
      'zh-cn': 'asyncio 只对任务保持弱引用。请把任务存入集合（完成后移除），或在 TaskGroup 中启动它们，TaskGroup 还会抛出它们的异常。',
    },
  },
  {
    id: 'py/await-in-loop', family: 'python', defaultSeverity: 'information', guide: py, related: ['PERF401'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#running-tasks-concurrently',
    triggers: ['async'],
    title: { en: 'Sequential awaits in a loop', 'zh-cn': '循环中依次 await' },
    message: {
      en: 'Each iteration waits for `{name}(...)` before starting the next. If the items are independent, run them concurrently with `asyncio.gather` or a `TaskGroup`.',
      'zh-cn': '每次循环都要等 `{name}(...)` 完成才开始下一次。如果各项彼此独立，请用 `asyncio.gather` 或 `TaskGroup` 并发执行。',
    },
    explanation: {
      en: 'Awaiting inside a loop runs the operations one after another. Independent I/O can overlap: total time becomes the slowest item instead of the sum.',
      'zh-cn': '在循环中 await 会让操作逐个执行。彼此独立的 I/O 可以重叠进行：总耗时从各项之和变为最慢的一项。',
    },
  },
  {
    id: 'py/missing-main-guard', family: 'python', defaultSeverity: 'warning', guide: pyProcesses, related: [],
    docs: 'https://docs.python.org/3/library/multiprocessing.html#the-spawn-and-forkserver-start-methods',
    triggers: ['multiprocessing', 'concurrent'],
    title: { en: 'Processes started without a main-module guard', 'zh-cn': '缺少主模块保护就启动进程' },
    message: {
      en: '`{name}` runs at import time. With the spawn start method (Windows, macOS, Python 3.14+) each child re-imports this module and starts processes again. Put it under `if __name__ == "__main__":`.',
      'zh-cn': '`{name}` 在模块导入时就会执行。使用 spawn 启动方式（Windows、macOS、Python 3.14+）时，每个子进程都会重新导入本模块并再次启动进程。请放到 `if __name__ == "__main__":` 之下（主模块保护）。',
    },
    explanation: {
      en: 'spawn and forkserver start a fresh interpreter that imports the main module. Module-level code that starts processes must be guarded, or it recurses (multiprocessing raises RuntimeError).',
      'zh-cn': 'spawn 和 forkserver 会启动新的解释器并导入主模块。启动进程的模块级代码必须加主模块保护，否则会递归启动（multiprocessing 会抛出 RuntimeError）。',
    },
  },
  {
    id: 'py/unpicklable-target', family: 'python', defaultSeverity: 'error', guide: pyProcesses, related: [],
    docs: 'https://docs.python.org/3/library/pickle.html#what-can-be-pickled-and-unpickled',
    triggers: ['multiprocessing', 'concurrent', 'threading', 'asyncio'],
    title: { en: 'Target cannot be pickled for another process', 'zh-cn': '目标无法被 pickle 传给其他进程' },
    message: {
      en: '{name} cannot be pickled, so it cannot be sent to another process (PicklingError; with fork it may work by accident). Use a function defined at module level.',
      'zh-cn': '{name}无法被 pickle，因此不能发送到其他进程（PicklingError；使用 fork 时可能碰巧能运行）。请改用模块级定义的函数。',
    },
    explanation: {
      en: 'Process pools and the spawn start method send the target by pickling a reference to its module-level name. Lambdas, nested functions and methods of local classes have no such name.',
      'zh-cn': '进程池和 spawn 启动方式通过 pickle 其模块级名称来传递目标函数。lambda、嵌套函数和局部类的方法都没有这样的名称。',
    },
  },
  {
    id: 'py/cpu-bound-in-thread', family: 'python', defaultSeverity: 'information', guide: pyThreads, related: [],
    docs: 'https://docs.python.org/3/library/concurrent.futures.html#processpoolexecutor',
    triggers: ['multiprocessing', 'concurrent', 'threading', 'asyncio'],
    title: { en: 'CPU-bound work handed to threads', 'zh-cn': 'CPU 密集型任务交给了线程' },
    message: {
      en: '`{name}` is a pure-Python arithmetic loop: because of the Global Interpreter Lock (GIL), threads running it take turns instead of running in parallel. Use processes (ProcessPoolExecutor / multiprocessing).',
      'zh-cn': '`{name}` 是纯 Python 的计算循环：由于全局解释器锁（GIL），运行它的多个线程只能轮流执行，无法并行。请改用进程（ProcessPoolExecutor / multiprocessing）。',
    },
    explanation: {
      en: 'Threads help with I/O-bound work. CPU-bound pure-Python code needs processes (or a free-threaded build) to use several cores.',
      'zh-cn': '线程适合 I/O 密集型任务。CPU 密集型的纯 Python 代码需要进程（或自由线程构建（无 GIL））才能用上多个核心。',
    },
  },
  {
    id: 'js/sync-io-in-async', family: 'node', defaultSeverity: 'warning', guide: node, related: ['n/no-sync'],
    docs: 'https://nodejs.org/en/learn/asynchronous-work/overview-of-blocking-vs-non-blocking',
    triggers: ['async'],
    title: { en: 'Synchronous I/O in an async function', 'zh-cn': '异步函数中的同步 I/O' },
    message: {
      en: '`{name}` blocks the event loop until it finishes. Use the promise API with `await`.',
      'zh-cn': '`{name}` 会阻塞事件循环直到完成。请改用 Promise API 并 `await`。',
    },
    explanation: {
      en: 'Node runs all JavaScript on one thread. `*Sync` functions hold it for the whole operation; the promise APIs hand the work to libuv and let other callbacks run.',
      'zh-cn': 'Node 在一个线程上运行所有 JavaScript。`*Sync` 函数在整个操作期间占住这个线程；Promise API 把工作交给 libuv，其他回调可以继续运行。',
    },
  },
  {
    id: 'js/floating-promise', family: 'node', defaultSeverity: 'warning', guide: node, related: ['@typescript-eslint/no-floating-promises'],
    docs: 'https://typescript-eslint.io/rules/no-floating-promises/',
    triggers: ['async', 'fetch', 'promises'],
    title: { en: 'Floating promise', 'zh-cn': '悬空的 Promise' },
    message: {
      en: 'The promise returned by `{name}(...)` is neither awaited, returned, stored nor handled: its failure becomes an unhandled rejection. Add `await` (or `void` if you really mean to ignore it).',
      'zh-cn': '`{name}(...)` 返回的 Promise 既没有被 await、返回、保存，也没有被处理：它的失败会变成未处理的拒绝。请加上 `await`（若确实要忽略，请用 `void`）。',
    },
    explanation: {
      en: 'An ignored promise runs on its own; nobody waits for it and its rejection crashes the process (Node ≥ 15) or vanishes.',
      'zh-cn': '被忽略的 Promise 会独自运行：没有人等待它，它的拒绝会让进程崩溃（Node ≥ 15）或悄无声息地消失。',
    },
  },
  {
    id: 'js/await-in-loop', family: 'node', defaultSeverity: 'information', guide: node, related: ['no-await-in-loop'],
    docs: 'https://eslint.org/docs/latest/rules/no-await-in-loop',
    triggers: ['async'],
    title: { en: 'Sequential awaits in a loop', 'zh-cn': '循环中依次 await' },
    message: {
      en: 'Each iteration waits for `{name}(...)` before starting the next. If the items are independent, run them concurrently with `Promise.all`.',
      'zh-cn': '每次循环都要等 `{name}(...)` 完成才开始下一次。如果各项彼此独立，请用 `Promise.all` 并发执行。',
    },
    explanation: {
      en: 'Awaiting inside a loop serializes independent operations. `Promise.all(items.map(...))` starts them all, then waits once.',
      'zh-cn': '在循环中 await 会把彼此独立的操作串行化。`Promise.all(items.map(...))` 先全部启动，再统一等待。',
    },
  },
  {
    id: 'js/unhandled-worker-events', family: 'node', defaultSeverity: 'warning', guide: { language: 'node', model: 'processes' }, related: [],
    docs: 'https://nodejs.org/api/worker_threads.html#event-error',
    triggers: ['worker_threads', 'child_process'],
    title: { en: 'Worker or child process without error handling', 'zh-cn': '工作线程或子进程缺少错误处理' },
    message: {
      en: '{name} has no {events} listener: a failure to start or a crash goes unnoticed or crashes the parent. Add the handlers.',
      'zh-cn': '{name}没有 {events} 监听器：启动失败或崩溃时无人知晓，或导致父进程崩溃。请添加这些处理函数。',
    },
    explanation: {
      en: "A Worker that throws emits 'error'; a child process that cannot be spawned emits 'error', and its end is reported by 'exit'/'close'. Unhandled 'error' events throw in the parent.",
      'zh-cn': "抛出异常的 Worker 会触发 'error'；无法启动的子进程会触发 'error'，结束时触发 'exit'/'close'。未处理的 'error' 事件会在父进程中抛出。",
    },
  },
];

const BY_ID = new Map<RuleId, RuleDefinition>(DEFINITIONS.map((rule) => [rule.id, rule]));

export const RULES: readonly RuleMeta[] = DEFINITIONS;

export function ruleMeta(id: RuleId): RuleMeta {
  return definition(id);
}

/** The finding message of `rule` with its placeholders filled (code is the same in both locales; phrases are Localized). */
export function ruleMessage(id: RuleId, values: Readonly<Record<string, string | Localized>> = {}): Localized {
  const template = definition(id).message;
  const fill = (text: string, locale: keyof Localized): string =>
    text.replace(/\{(\w+)\}/g, (whole, key: string) => {
      const value = values[key];
      return value === undefined ? whole : typeof value === 'string' ? value : value[locale];
    });
  return { en: fill(template.en, 'en'), 'zh-cn': fill(template['zh-cn'], 'zh-cn') };
}

function definition(id: RuleId): RuleDefinition {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`Unknown rule ${id}`);
  return found;
}
