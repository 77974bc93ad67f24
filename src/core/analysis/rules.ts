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
    id: 'py/swallowed-cancellation', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC103', 'ASYNC104', 'B012'],
    docs: 'https://docs.python.org/3/library/asyncio-task.html#task-cancellation',
    triggers: ['async'],
    title: { en: 'Cancellation swallowed in a coroutine', 'zh-cn': '协程中吞掉了取消' },
    message: {
      en: '{what}, so a cancellation of this coroutine stops here instead of propagating: `asyncio.timeout`, `TaskGroup` and shutdown rely on it. {remedy}',
      'zh-cn': '{what}，因此对该协程的取消在这里就停止了，不再向外传播：`asyncio.timeout`、`TaskGroup` 和关闭流程都依赖这种传播。{remedy}',
    },
    explanation: {
      en: 'Cancelling a task raises `asyncio.CancelledError` at the `await` where it waits. asyncio relies on it propagating: `asyncio.timeout`, `wait_for`, `TaskGroup` and the shutdown of `asyncio.run` cancel tasks and wait for them to end. A handler that neither re-raises it nor calls `uncancel()` keeps the task running.',
      'zh-cn': '取消任务会在它正在等待的 `await` 处抛出 `asyncio.CancelledError`。asyncio 依赖它继续向外传播：`asyncio.timeout`、`wait_for`、`TaskGroup` 以及 `asyncio.run` 的关闭流程都会取消任务并等待其结束。既不重新抛出、也不调用 `uncancel()` 的处理块会让任务继续运行。',
    },
  },
  {
    id: 'py/pipe-deadlock', family: 'python', defaultSeverity: 'warning', guide: pyProcesses, related: [],
    docs: 'https://docs.python.org/3/library/subprocess.html#subprocess.Popen.wait',
    triggers: ['PIPE'],
    title: { en: 'Waiting for a child whose pipe nobody reads', 'zh-cn': '等待一个管道无人读取的子进程' },
    message: {
      en: '`{name}` waits for a child whose {pipes} nobody reads: once the child writes more than the pipe holds (about 64 KiB), each waits for the other forever (deadlock). Use `communicate()`, which reads while it waits.',
      'zh-cn': '`{name}` 等待的子进程的 {pipes} 无人读取：一旦子进程写入的数据超过管道容量（约 64 KiB），双方就会永远互相等待（死锁）。请改用 `communicate()`，它会一边读取一边等待。',
    },
    explanation: {
      en: 'A pipe holds a few kilobytes. A child writing to a full pipe stops until someone reads, and `wait()` (or a `poll()` loop) reads nothing: the official docs warn about exactly this. `communicate()` reads stdout and stderr while it waits.',
      'zh-cn': '管道只能容纳几 KB 数据。子进程写满管道后会停下，直到有人读取；而 `wait()`（或 `poll()` 轮询循环）什么也不读：官方文档正是对此发出警告。`communicate()` 会在等待的同时读取 stdout 和 stderr。',
    },
  },
  {
    id: 'py/lost-future-exception', family: 'python', defaultSeverity: 'warning', guide: pyThreads, related: [],
    docs: 'https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Future',
    // `map` counts only on a known executor, which comes from concurrent.futures.
    triggers: ['submit', ['map', 'concurrent'], 'run_in_executor', 'run_coroutine_threadsafe'],
    title: { en: 'Future dropped: its exception is never seen', 'zh-cn': 'Future 被丢弃：其异常无人知晓' },
    message: {
      en: 'The future from `{name}(...)` is dropped: if the work raises, the exception stays inside the future and nobody sees it. Keep the future and call `result()` (or `await` it), or add a done callback that checks `exception()`.',
      'zh-cn': '`{name}(...)` 返回的 Future 被丢弃了：如果任务抛出异常，异常会留在 Future 里，无人知晓。请保存 Future 并调用 `result()`（或 await 它），或添加检查 `exception()` 的完成回调。',
    },
    explanation: {
      en: 'An executor catches what the submitted function raises and stores it in the future; only `result()` or `exception()` brings it out. asyncio logs a never-retrieved exception at best when the future is garbage-collected.',
      'zh-cn': '执行器会捕获所提交函数抛出的异常并保存在 Future 中；只有 `result()` 或 `exception()` 才能取出它。asyncio 最多在 Future 被垃圾回收时记录一条“从未获取的异常”日志。',
    },
  },
  {
    id: 'py/fork-with-threads', family: 'python', defaultSeverity: 'warning', guide: pyProcesses, related: [],
    docs: 'https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods',
    triggers: ['Process', 'Pool', 'Manager', 'ProcessPoolExecutor', 'fork', 'forkpty'],
    title: { en: 'Processes forked from a program that runs threads', 'zh-cn': '在运行线程的程序中 fork 进程' },
    message: {
      en: '{name} forks this process ({how}), and this program also starts threads: a lock another thread holds at the moment of the fork stays locked forever in the child (deadlock); Python 3.12+ warns about it. Start processes with an explicit `spawn` or `forkserver` context.',
      'zh-cn': '{name} 会 fork 当前进程（{how}），而本程序还会启动线程：fork 那一刻被其他线程持有的锁在子进程中将永远无法释放（死锁）；Python 3.12+ 会对此发出警告。请显式使用 `spawn` 或 `forkserver` 上下文启动进程。',
    },
    explanation: {
      en: 'fork copies only the calling thread. Locks held by other threads (logging, the allocator, queues, your own) are copied locked, with no thread left to release them. spawn and forkserver start a fresh interpreter instead; Python 3.14 made forkserver the default on Linux.',
      'zh-cn': 'fork 只复制调用它的线程。其他线程持有的锁（logging、内存分配器、队列、你自己的锁）被复制时仍处于锁定状态，却再没有线程去释放。spawn 和 forkserver 则启动全新的解释器；Python 3.14 起 Linux 上默认使用 forkserver。',
    },
  },
  {
    id: 'py/nested-event-loop', family: 'python', defaultSeverity: 'error', guide: py, related: [],
    docs: 'https://docs.python.org/3/library/asyncio-runner.html#asyncio.run',
    // In a coroutine, or in a function this file calls only from coroutines.
    triggers: [['async', 'run'], ['async', 'run_until_complete']],
    title: { en: 'Event loop started where one is running', 'zh-cn': '在已运行的事件循环中再启动事件循环' },
    message: {
      en: '`{name}` starts an event loop, but {where} already runs in one: it raises `RuntimeError`. {remedy}',
      'zh-cn': '`{name}` 会启动事件循环，但{where}已经运行在一个事件循环中：它会抛出 `RuntimeError`。{remedy}',
    },
    explanation: {
      en: 'One thread runs one event loop at a time. `asyncio.run()` and `loop.run_until_complete()` refuse to start while a loop is running in the thread; inside a coroutine, `await` the coroutine instead.',
      'zh-cn': '一个线程同一时间只能运行一个事件循环。线程中已有事件循环在运行时，`asyncio.run()` 和 `loop.run_until_complete()` 会拒绝启动；在协程中请直接 `await` 该协程。',
    },
  },
  {
    id: 'py/sync-wait-in-async', family: 'python', defaultSeverity: 'warning', guide: py, related: [],
    docs: 'https://docs.python.org/3/library/asyncio-dev.html#concurrency-and-multithreading',
    triggers: ['async'],
    title: { en: 'Thread-blocking wait in a coroutine', 'zh-cn': '协程中阻塞线程的等待' },
    message: {
      en: '`{name}` {problem} (deadlock). {remedy}',
      'zh-cn': '`{name}` {problem}（死锁）。{remedy}',
    },
    explanation: {
      en: 'Futures of executors, threads, `queue.Queue` and the `threading` primitives wait by blocking the calling thread, which in a coroutine is the event loop thread: every task stops, and if what is awaited needs the loop (a callback, another task), it never comes.',
      'zh-cn': '执行器的 Future、线程、`queue.Queue` 以及 `threading` 同步原语都通过阻塞调用线程来等待；在协程里，这个线程就是事件循环所在的线程：所有任务都停下来，如果等待的东西又依赖事件循环（回调、其他任务），它就永远等不到（死锁）。',
    },
  },
  {
    id: 'py/busy-wait', family: 'python', defaultSeverity: 'information', guide: py, related: ['ASYNC110'],
    docs: 'https://docs.python.org/3/library/asyncio-sync.html#asyncio.Event',
    triggers: [['async', 'sleep']],
    title: { en: 'Polling loop in a coroutine', 'zh-cn': '协程中的轮询循环' },
    message: {
      en: 'This loop checks `{name}` and sleeps again until it changes: it wakes up for nothing while idle and notices the change late. Let the code that changes it set an `asyncio.Event`, and `await event.wait()` here.',
      'zh-cn': '该循环反复检查 `{name}`，在其改变前一次次重新休眠：空闲时白白醒来，察觉变化也迟缓。请让修改它的代码设置一个 `asyncio.Event`，这里改为 `await event.wait()`。',
    },
    explanation: {
      en: 'A `while flag: await asyncio.sleep(…)` loop trades latency against wasted wake-ups. An `asyncio.Event` (or `Condition`) wakes the waiting task exactly when the state changes.',
      'zh-cn': '`while flag: await asyncio.sleep(…)` 循环只能在延迟与无谓唤醒之间取舍。`asyncio.Event`（或 `Condition`）会在状态改变的那一刻唤醒等待的任务。',
    },
  },
  {
    id: 'py/yield-in-scope', family: 'python', defaultSeverity: 'warning', guide: py, related: ['ASYNC119'],
    docs: 'https://peps.python.org/pep-0789/',
    triggers: [['async', 'yield']],
    title: { en: 'yield inside a cancel scope of an async generator', 'zh-cn': '异步生成器在取消作用域内 yield' },
    message: {
      en: 'This `yield` suspends the generator inside `{name}`: while the consumer runs, the scope still applies (its timeout or a failing task cancels the consumer\'s code instead), and its exit may run in another task, or never. Do not yield inside it (PEP 789): collect the values first, or make it an `@asynccontextmanager`.',
      'zh-cn': '这个 `yield` 让生成器在 `{name}` 内部挂起：消费者运行期间该作用域依然生效（超时或失败的任务会改为取消消费者的代码），其退出也可能在另一个任务中执行，甚至永不执行。请勿在其中 yield（PEP 789）：先收集数据，或改写为 `@asynccontextmanager`。',
    },
    explanation: {
      en: 'Timeouts, `TaskGroup`s and anyio/trio cancel scopes belong to the task that entered them. An async generator that yields inside one lends the scope to whatever code consumes it: cancellations hit the wrong code, and closing the generator from another task breaks the scope.',
      'zh-cn': '超时、`TaskGroup` 以及 anyio/trio 的取消作用域属于进入它们的任务。在其中 yield 的异步生成器把作用域借给了消费它的代码：取消会落到错误的代码上，而在另一个任务中关闭生成器会破坏该作用域。',
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
  {
    id: 'js/misused-async-callback', family: 'node', defaultSeverity: 'warning', guide: node, related: ['@typescript-eslint/no-misused-promises'],
    docs: 'https://typescript-eslint.io/rules/no-misused-promises/',
    triggers: ['async'],
    title: { en: 'Async function where its promise is dropped', 'zh-cn': '在 Promise 会被丢弃处传入异步函数' },
    message: {
      en: 'The async {kind} passed to `{name}` returns a promise that `{name}` {problem}. {remedy}',
      'zh-cn': '传给 `{name}` 的异步{kind}返回的 Promise 被 `{name}` {problem}。{remedy}',
    },
    explanation: {
      en: 'An async function returns a promise. Callers that expect nothing back (`forEach`, timers, event emitters) drop it: nobody waits for the work, and its rejection is unhandled (Node ≥ 15 ends the process). Callers that expect a boolean (`filter`, `some`) see a promise, which is always truthy.',
      'zh-cn': '异步函数返回 Promise。不关心返回值的调用方（`forEach`、定时器、事件发射器）会丢弃它：没有人等待这项工作，它的拒绝也无人处理（Node ≥ 15 会结束进程）。期望布尔值的调用方（`filter`、`some`）拿到的是 Promise，而它总是真值。',
    },
  },
  {
    id: 'js/async-promise-executor', family: 'node', defaultSeverity: 'warning', guide: node, related: ['no-async-promise-executor'],
    docs: 'https://eslint.org/docs/latest/rules/no-async-promise-executor',
    triggers: ['async'],
    title: { en: 'Async function as a Promise executor', 'zh-cn': '把异步函数用作 Promise 执行器' },
    message: {
      en: 'The executor of `new Promise(…)` is async: what it throws rejects its own promise, which nobody handles, and the `new Promise` never settles. Make the executor synchronous, or write an async function instead of `new Promise`.',
      'zh-cn': '`new Promise(…)` 的执行器是异步函数：它抛出的异常只会拒绝它自己返回的 Promise，无人处理，而 `new Promise` 永远不会落定。请让执行器保持同步，或直接写一个异步函数代替 `new Promise`。',
    },
    explanation: {
      en: 'The Promise constructor turns a synchronous throw of its executor into a rejection, but ignores the promise an async executor returns. Code that needs `await` does not need `new Promise` at all.',
      'zh-cn': 'Promise 构造函数会把执行器同步抛出的异常变成拒绝，却会忽略异步执行器返回的 Promise。需要 `await` 的代码根本不需要 `new Promise`。',
    },
  },
  {
    id: 'js/uncloneable-message', family: 'node', defaultSeverity: 'error', guide: { language: 'node', model: 'threads' }, related: [],
    docs: 'https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist',
    triggers: ['postMessage', 'workerData'],
    title: { en: 'Message that cannot be cloned', 'zh-cn': '无法被克隆的消息' },
    message: {
      en: '`{name}` cannot send {what} as it is: {consequence} Send plain data instead.',
      'zh-cn': '`{name}` 无法原样发送{what}：{consequence}请改为发送普通数据。',
    },
    explanation: {
      en: '`postMessage` and `workerData` copy values with the structured clone algorithm: functions cannot be copied (`DataCloneError`), and class instances arrive as plain objects without their prototype, so their methods are gone on the other side.',
      'zh-cn': '`postMessage` 和 `workerData` 用结构化克隆算法复制数据：函数无法复制（`DataCloneError`），类的实例到达另一端时变成没有原型的普通对象，其方法都不见了。',
    },
  },
  {
    id: 'js/lost-update', family: 'node', defaultSeverity: 'warning', guide: node, related: ['require-atomic-updates'],
    docs: 'https://eslint.org/docs/latest/rules/require-atomic-updates',
    triggers: ['await'],
    title: { en: 'Update of shared state across an await', 'zh-cn': '跨 await 更新共享状态' },
    message: {
      en: '`{name}` is read before the `await` and written after it: an update another call makes meanwhile is overwritten (lost update). Await first, then update: `const value = await …; {name} += value;`.',
      'zh-cn': '`{name}` 在 `await` 之前读取、之后写入：其间其他调用所做的更新会被覆盖（更新丢失）。请先 await 再更新：`const value = await …; {name} += value;`。',
    },
    explanation: {
      en: '`x += await f()` reads `x`, suspends, then writes the old value plus the result. Other async calls run during the suspension; if they change `x`, their change is lost. Reading `x` after the `await` makes the update atomic on one thread.',
      'zh-cn': '`x += await f()` 先读取 `x`，挂起，再写回旧值加上结果。挂起期间会运行其他异步调用；如果它们修改了 `x`，修改就会丢失。在 `await` 之后再读取 `x`，更新在单线程中就是原子的。',
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
