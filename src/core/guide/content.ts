/**
 * What the guide teaches, in English and Simplified Chinese, each statement with the official
 * docs section that backs it. Correctness matters more than anything else here: in CPython the
 * GIL keeps pure-Python CPU work from running faster on threads; processes (in Node.js:
 * worker_threads) are the tool for CPU-bound work.
 */
import {
  type ComparisonRow, type GuideClaim, type GuideContent, type GuideExample, type GuideTopic, type ModelOf,
} from '../../shared/guideProtocol';
import { MODEL_EXAMPLES, type ExampleSource } from './examples';
import { text, type GuideLocale, type Localized } from './localized';

const PY = 'https://docs.python.org/3/';
const NODE = 'https://nodejs.org/';

function claim(en: string, zh: string, docs: string): GuideClaim<Localized> {
  return { text: text(en, zh), docs };
}

function example(source: ExampleSource, note: Localized, docs: string): GuideExample<Localized> {
  return { ...source, note, docs };
}

const PYTHON: Record<ModelOf<'python'>, GuideTopic<Localized>> = {
  coroutines: {
    apis: ['asyncio', 'async def', 'await', 'asyncio.gather', 'asyncio.TaskGroup'],
    overview: text(
      'asyncio runs coroutines on one thread: its event loop switches between tasks only where a task awaits something that is not ready.',
      'asyncio 在一个线程上运行协程：事件循环只在某个任务等待（await）尚未就绪的操作时，才切换到其他任务。',
    ),
    scheduling: [
      claim(
        'Cooperative: an event loop runs all tasks in its thread, and while one task runs no other can. At an `await` that has to wait, the task is suspended and the loop runs the next one.',
        '协作式调度：事件循环在自己的线程中运行所有任务，一个任务运行时其他任务都不能运行。任务在需要等待的 `await` 处挂起，事件循环再运行下一个任务。',
        `${PY}library/asyncio-dev.html#concurrency-and-multithreading`,
      ),
      claim(
        'Coroutines overlap waiting, not computing: everything runs in one thread, so no two coroutines execute Python code at the same moment.',
        '协程让等待相互重叠，而不是让计算并行：所有代码都在一个线程中运行，任意时刻只有一个协程在执行 Python 代码。',
        `${PY}library/asyncio-task.html#coroutines`,
      ),
    ],
    cost: [
      claim(
        'A task is an ordinary Python object that wraps a coroutine: no OS thread and no stack is created per task, so one loop can hold many thousands.',
        '任务（Task）只是包装协程的普通 Python 对象：不会为每个任务创建操作系统线程或栈，因此一个事件循环可以容纳成千上万个任务。',
        `${PY}library/asyncio-task.html#asyncio.Task`,
      ),
    ],
    sharing: [
      claim(
        'Tasks share the memory of their thread. Between two `await`s no other task runs, but shared state can change across an `await`: use `asyncio.Lock` when an update spans one.',
        '任务共享所在线程的内存。两个 `await` 之间不会有其他任务运行，但共享状态可能在 `await` 前后发生变化：跨越 `await` 的更新要使用 `asyncio.Lock`。',
        `${PY}library/asyncio-sync.html#asyncio.Lock`,
      ),
      claim(
        'Hand work between tasks with `asyncio.Queue`. asyncio objects are not thread-safe: from other threads use `loop.call_soon_threadsafe` (a callback) or `asyncio.run_coroutine_threadsafe` (a coroutine).',
        '任务之间用 `asyncio.Queue` 传递工作。asyncio 的对象不是线程安全的：在其他线程中要使用 `loop.call_soon_threadsafe`（回调）或 `asyncio.run_coroutine_threadsafe`（协程）。',
        `${PY}library/asyncio-dev.html#concurrency-and-multithreading`,
      ),
    ],
    bestFor: [
      claim(
        'Many concurrent network or I/O waits (clients, servers, crawlers) written with async libraries.',
        '使用异步库编写的大量并发网络或 I/O 等待（客户端、服务器、爬虫）。',
        `${PY}library/asyncio.html#module-asyncio`,
      ),
    ],
    notFor: [
      claim(
        'CPU-bound work: it runs on the loop\'s thread and stalls every task. Send it to a process pool with `loop.run_in_executor`.',
        'CPU 密集型工作：它在事件循环的线程上运行，会让所有任务停顿。用 `loop.run_in_executor` 把它交给进程池。',
        `${PY}library/asyncio-dev.html#running-blocking-code`,
      ),
      claim(
        'Blocking libraries without an async API: call them with `asyncio.to_thread` so the loop keeps running.',
        '没有异步 API 的阻塞库：用 `asyncio.to_thread` 调用它们，事件循环才能继续运行。',
        `${PY}library/asyncio-task.html#asyncio.to_thread`,
      ),
    ],
    pitfalls: [
      claim(
        'Blocking the loop: `time.sleep`, a blocking socket or a long computation inside `async def` stops all tasks. Debug mode logs callbacks slower than 100 ms.',
        '阻塞事件循环：在 `async def` 中调用 `time.sleep`、阻塞式套接字或长时间计算，会让所有任务停下。调试模式会记录超过 100 毫秒的回调。',
        `${PY}library/asyncio-dev.html#debug-mode`,
      ),
      claim(
        'Keep a reference to each task from `create_task`: the loop keeps only weak references, so a task nobody references can disappear mid-execution.',
        '保存 `create_task` 返回的任务引用：事件循环只持有弱引用，没有被引用的任务可能在执行中途消失。',
        `${PY}library/asyncio-task.html#asyncio.create_task`,
      ),
      claim(
        'Await cycles: a task that awaits a task which awaits it back (directly, or through `gather` or a chain of tasks) never finishes, and asyncio raises nothing. Await in one direction — parents await their children. Python 3.14\'s `asyncio.print_call_graph()` shows who awaits whom.',
        'await 循环：一个任务等待（await）另一个任务，而后者又反过来等待它（直接等待，或经由 `gather` 或一串任务），两者都永远不会结束，asyncio 也不会抛出任何异常。让等待只朝一个方向——父任务等待子任务。Python 3.14 的 `asyncio.print_call_graph()` 可以显示谁在等待谁。',
        `${PY}library/asyncio-graph.html#asyncio.print_call_graph`,
      ),
      claim(
        'A coroutine called without `await` never runs ("coroutine … was never awaited"), and an exception no one retrieves is only logged.',
        '调用协程却不 `await`，它永远不会运行（"coroutine … was never awaited"）；没人取回的异常只会被记录到日志。',
        `${PY}library/asyncio-dev.html#detect-never-awaited-coroutines`,
      ),
      claim(
        'A program that hangs: `python -m asyncio ps PID` and `python -m asyncio pstree PID` (3.14+) list a running process\'s tasks and which task awaits which; `asyncio.print_call_graph()` prints the same from inside.',
        '程序卡住时：`python -m asyncio ps PID` 和 `python -m asyncio pstree PID`（3.14+）会列出运行中进程的任务以及谁在等待谁；`asyncio.print_call_graph()` 可在程序内部打印同样的信息。',
        `${PY}whatsnew/3.14.html#whatsnew314-asyncio-introspection`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.python.coroutines,
      text('Ten simulated requests wait at the same time on one thread.', '十个模拟请求在同一个线程上同时等待。'),
      `${PY}library/asyncio-task.html#asyncio.gather`,
    ),
  },
  threads: {
    apis: ['threading', 'concurrent.futures.ThreadPoolExecutor', 'asyncio.to_thread', 'queue.Queue'],
    overview: text(
      '`threading` and `ThreadPoolExecutor` run functions in OS threads of the same process. In CPython the global interpreter lock (GIL) lets only one thread execute Python bytecode at a time.',
      '`threading` 和 `ThreadPoolExecutor` 在同一进程的操作系统线程中运行函数。在 CPython 中，全局解释器锁（GIL）同一时刻只允许一个线程执行 Python 字节码。',
    ),
    scheduling: [
      claim(
        'Preemptive: threads are OS threads, and CPython asks the running thread to release the GIL every switch interval (5 ms by default), so threads can be switched between any two bytecodes.',
        '抢占式调度：线程是操作系统线程，CPython 每隔一个切换间隔（默认 5 毫秒）要求正在运行的线程释放 GIL，因此线程可能在任意两条字节码之间被切换。',
        `${PY}library/sys.html#sys.setswitchinterval`,
      ),
      claim(
        'With the GIL only one thread executes Python code at once, so pure-Python CPU work does not get faster with more threads: use processes (or, on 3.14+, interpreters) for it.',
        '由于 GIL，同一时刻只有一个线程执行 Python 代码，纯 Python 的 CPU 密集型工作不会因为线程更多而变快：这类工作应使用进程（3.14+ 也可以用多解释器）。',
        `${PY}library/threading.html#module-threading`,
      ),
      claim(
        'The GIL is released during blocking I/O and by C extensions that compute without Python objects (hashing, compression), which then run in parallel.',
        '阻塞 I/O 期间会释放 GIL；不操作 Python 对象的 C 扩展（如哈希、压缩）计算时也会释放 GIL，此时它们可以并行运行。',
        `${PY}glossary.html#term-global-interpreter-lock`,
      ),
      claim(
        'Free-threaded builds (`python3.14t`; experimental in 3.13, officially supported since 3.14) run without the GIL: there, threads execute Python code in parallel on several cores. `sys._is_gil_enabled()` tells which you have.',
        '自由线程构建（`python3.14t`；3.13 中为实验性，3.14 起正式支持）在没有 GIL 的情况下运行：线程会在多个核心上并行执行 Python 代码。用 `sys._is_gil_enabled()` 可以查看当前解释器的情况。',
        `${PY}whatsnew/3.14.html#whatsnew314-free-threaded-now-supported`,
      ),
      claim(
        'A free-threaded build can still run with the GIL: `-X gil=1` or `PYTHON_GIL=1` turn it on, and importing a C extension that is not marked as supporting free threading turns it on automatically, with a warning.',
        '自由线程构建仍可能带着 GIL 运行：`-X gil=1` 或 `PYTHON_GIL=1` 会启用它；导入未标明支持自由线程的 C 扩展也会自动启用它，并打印警告。',
        `${PY}howto/free-threading-python.html#the-global-interpreter-lock-in-free-threaded-python`,
      ),
    ],
    cost: [
      claim(
        'Each thread is an OS thread with its own stack (`threading.stack_size()` sets how much is reserved); a pool reuses its threads so the start-up cost is paid once.',
        '每个线程都是带有独立栈的操作系统线程（`threading.stack_size()` 设置预留大小）；线程池会复用线程，启动开销只付一次。',
        `${PY}library/threading.html#threading.stack_size`,
      ),
      claim(
        'Without the GIL, built-in types such as `dict` and `list` protect themselves with per-object locks, and single-threaded code runs roughly 5–10% slower (3.14 free-threaded build).',
        '没有 GIL 时，`dict`、`list` 等内置类型用每个对象自己的锁保护自身，单线程代码大约慢 5–10%（3.14 自由线程构建）。',
        `${PY}whatsnew/3.14.html#whatsnew314-free-threaded-cpython`,
      ),
    ],
    sharing: [
      claim(
        'Threads share all of the process\'s objects. A read-modify-write such as `counter += 1` is not atomic: protect it with a `threading.Lock`.',
        '线程共享进程中的所有对象。`counter += 1` 这样的读-改-写操作不是原子的：要用 `threading.Lock` 保护。',
        `${PY}library/threading.html#lock-objects`,
      ),
      claim(
        'Hand work between threads with `queue.Queue`, which does its own locking.',
        '线程之间用 `queue.Queue` 传递工作，它自带加锁。',
        `${PY}library/queue.html#module-queue`,
      ),
    ],
    bestFor: [
      claim(
        'Several blocking I/O calls at once with libraries that have no async API (HTTP clients, database drivers, files).',
        '同时进行多个阻塞 I/O 调用，且所用的库没有异步 API（HTTP 客户端、数据库驱动、文件）。',
        `${PY}library/concurrent.futures.html#threadpoolexecutor`,
      ),
      claim(
        'Calling blocking code from asyncio: `asyncio.to_thread` runs it in a thread without blocking the loop.',
        '在 asyncio 中调用阻塞代码：`asyncio.to_thread` 把它放到线程中运行，不阻塞事件循环。',
        `${PY}library/asyncio-task.html#asyncio.to_thread`,
      ),
    ],
    notFor: [
      claim(
        'Pure-Python CPU-bound work on a standard (GIL) build: the docs advise `multiprocessing` or `ProcessPoolExecutor` instead.',
        '标准（有 GIL）构建上的纯 Python CPU 密集型工作：文档建议改用 `multiprocessing` 或 `ProcessPoolExecutor`。',
        `${PY}library/threading.html#module-threading`,
      ),
    ],
    pitfalls: [
      claim(
        'Race conditions: unsynchronized updates of shared state lose writes, GIL or not.',
        '竞态条件：不加同步地更新共享状态会丢失写入，有没有 GIL 都一样。',
        `${PY}library/threading.html#lock-objects`,
      ),
      claim(
        'Deadlocks: take locks in one fixed order and use `with lock:` so they are always released.',
        '死锁：按固定顺序获取锁，并使用 `with lock:` 确保锁总会被释放。',
        `${PY}library/threading.html#using-locks-conditions-and-semaphores-in-the-with-statement`,
      ),
      claim(
        'A call into C code that keeps the GIL (a regular expression that backtracks, arithmetic on huge integers, an extension that does not release it) stops every other thread until it returns, since threads switch only between bytecodes: run that work in a process.',
        '调用一直持有 GIL 的 C 代码（回溯的正则表达式、超大整数运算、不释放 GIL 的扩展）会让其他所有线程停下，直到它返回，因为线程只在字节码之间切换：请把这类工作放到进程中运行。',
        `${PY}glossary.html#term-global-interpreter-lock`,
      ),
      claim(
        'A `Lock` is not reentrant: a thread that takes it again while holding it waits for itself forever (use `RLock` for that); threads that `join()` each other never end.',
        '`Lock` 不可重入：已持有它的线程再次获取时会永远等待自己（这种情况请用 `RLock`）；互相 `join()` 的线程永远不会结束。',
        `${PY}library/threading.html#threading.RLock`,
      ),
      claim(
        'The program waits for every non-daemon thread before exiting; daemon threads are stopped abruptly at shutdown. Give long-running threads an `Event` to stop on.',
        '程序退出前会等待所有非守护线程；守护线程在关闭时会被突然终止。给长时间运行的线程一个 `Event`，让它据此停止。',
        `${PY}library/threading.html#threading.Thread.daemon`,
      ),
      claim(
        'An exception in a thread does not reach the caller: `Thread` sends it to `threading.excepthook`; with an executor, `future.result()` re-raises it.',
        '线程中的异常不会传给调用者：`Thread` 把它交给 `threading.excepthook`；使用执行器时，`future.result()` 会重新抛出它。',
        `${PY}library/concurrent.futures.html#concurrent.futures.Future.result`,
      ),
      claim(
        'Context variables: a new thread starts with an empty context on a standard build and with a copy of the caller\'s on a free-threaded one (`sys.flags.thread_inherit_context`); pass `Thread(context=copy_context())` (3.14+) to choose.',
        '上下文变量：在标准构建中新线程从空上下文开始，在自由线程构建中则是调用方上下文的副本（`sys.flags.thread_inherit_context`）；可传入 `Thread(context=copy_context())`（3.14+）自行选择。',
        `${PY}library/threading.html#threading.Thread`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.python.threads,
      text('Ten blocking downloads wait in parallel threads; the GIL is free while they wait.', '十个阻塞下载在并行的线程中等待；等待期间 GIL 是空闲的。'),
      `${PY}library/concurrent.futures.html#threadpoolexecutor-example`,
    ),
  },
  interpreters: {
    apis: ['concurrent.interpreters', 'concurrent.futures.InterpreterPoolExecutor', 'create_queue'],
    overview: text(
      'Python 3.14 can run several isolated interpreters in one process (`concurrent.interpreters`, PEP 734). Each has its own modules, its own `__main__` and its own GIL, so threads running in different interpreters execute Python code in parallel.',
      'Python 3.14 可以在一个进程中运行多个相互隔离的解释器（`concurrent.interpreters`，PEP 734）。每个解释器都有自己的模块、自己的 `__main__` 和自己的 GIL，因此在不同解释器中运行的线程可以并行执行 Python 代码。',
    ),
    scheduling: [
      claim(
        'An interpreter is an execution context, not a thread: `interp.exec()` and `interp.call()` run in the calling thread, `interp.call_in_thread()` starts a new one. The OS schedules the threads; interpreters add isolation.',
        '解释器是执行上下文，而不是线程：`interp.exec()` 和 `interp.call()` 在调用它们的线程中运行，`interp.call_in_thread()` 会启动一个新线程。线程由操作系统调度；解释器提供的是隔离。',
        `${PY}library/concurrent.interpreters.html#interp-concurrency`,
      ),
      claim(
        'Interpreters do not share the GIL, so threads in different interpreters use several cores at once. `InterpreterPoolExecutor` is a thread pool in which every worker thread runs its tasks in its own interpreter.',
        '解释器之间不共享 GIL，因此不同解释器中的线程可以同时使用多个核心。`InterpreterPoolExecutor` 是一个线程池，其中每个工作线程都在自己的解释器中运行任务。',
        `${PY}library/concurrent.futures.html#interpreterpoolexecutor`,
      ),
    ],
    cost: [
      claim(
        'Lighter than a process (no new OS process, no new Python start-up), but in 3.14 starting an interpreter is not optimized yet and each one uses more memory than necessary: create a few and reuse them, e.g. through a pool.',
        '比进程轻（无需新的操作系统进程，也无需重新启动 Python），但在 3.14 中启动解释器尚未优化，每个解释器占用的内存也多于必要：只创建少量并复用它们，例如通过线程池。',
        `${PY}whatsnew/3.14.html#whatsnew314-multiple-interpreters`,
      ),
      claim(
        'Data passed between interpreters is copied, mostly with `pickle`, as between processes; immutable built-ins (`None`, `bool`, `int`, `float`, `str`, `bytes`, tuples of them) are shared or copied efficiently.',
        '在解释器之间传递的数据会被复制，大多通过 `pickle`，与进程之间一样；不可变的内置对象（`None`、`bool`、`int`、`float`、`str`、`bytes` 及由它们组成的元组）会被共享或高效复制。',
        `${PY}library/concurrent.interpreters.html#interp-object-sharing`,
      ),
    ],
    sharing: [
      claim(
        'Isolated by default: each interpreter imports its own copy of every module, `sys` and `__main__` included, and mutable objects cannot be used by two interpreters at once.',
        '默认隔离：每个解释器都导入自己的一份模块副本（包括 `sys` 和 `__main__`），可变对象不能同时被两个解释器使用。',
        `${PY}library/concurrent.interpreters.html#interp-isolation`,
      ),
      claim(
        'Exchange data through queues from `create_queue()`; only `memoryview` and these queues really share data between interpreters.',
        '通过 `create_queue()` 创建的队列交换数据；只有 `memoryview` 和这些队列会在解释器之间真正共享数据。',
        `${PY}library/concurrent.interpreters.html#interp-object-sharing`,
      ),
    ],
    bestFor: [
      claim(
        'CPU-bound pure-Python work on Python 3.14+ that needs several cores but little shared state: the isolation of processes with the efficiency of threads.',
        'Python 3.14+ 上需要多个核心、但共享状态很少的 CPU 密集型纯 Python 工作：拥有进程的隔离和线程的效率。',
        `${PY}whatsnew/3.14.html#whatsnew314-multiple-interpreters`,
      ),
      claim(
        'Actor- or CSP-style designs in which components communicate only through queues.',
        '各组件只通过队列通信的 actor 或 CSP 风格设计。',
        `${PY}library/concurrent.interpreters.html#interp-concurrency`,
      ),
    ],
    notFor: [
      claim(
        'Code that imports third-party extension modules that do not support multiple interpreters yet (every standard-library module does).',
        '会导入尚不支持多解释器的第三方扩展模块的代码（标准库中的模块都支持）。',
        `${PY}howto/isolating-extensions.html#isolating-extensions-howto`,
      ),
      claim(
        'Isolating untrusted code or crashes: interpreters share one process, so extension modules can break the isolation and a crash ends them all. Use processes for that.',
        '隔离不可信代码或崩溃：解释器共享同一个进程，扩展模块可能破坏隔离，一次崩溃会让它们全部结束。这种情况请用进程。',
        `${PY}library/concurrent.interpreters.html#interp-isolation`,
      ),
    ],
    pitfalls: [
      claim(
        '`InterpreterPoolExecutor` pickles the callable and its arguments into the worker\'s interpreter, so functions defined in `__main__` cannot be used: put worker functions in an importable module.',
        '`InterpreterPoolExecutor` 会把可调用对象及其参数经 pickle 传入工作解释器，因此定义在 `__main__` 中的函数无法使用：要把工作函数放到可导入的模块中。',
        `${PY}library/concurrent.futures.html#concurrent.futures.InterpreterPoolExecutor`,
      ),
      claim(
        'No implicit threads: `exec()` and `call()` block the calling thread until the code finishes; parallelism needs `call_in_thread()`, your own threads or the pool.',
        '没有隐式线程：`exec()` 和 `call()` 会阻塞调用线程直到代码结束；要并行就需要 `call_in_thread()`、自己的线程或线程池。',
        `${PY}library/concurrent.interpreters.html#key-details`,
      ),
      claim(
        'Module-level state exists once per interpreter: caches, singletons and logging configuration set up in the main interpreter are absent in the others, and an exception raised in another interpreter reaches you as `ExecutionFailed`, a summary.',
        '模块级状态在每个解释器中各有一份：在主解释器中建立的缓存、单例和日志配置在其他解释器中都不存在；另一个解释器中抛出的异常以 `ExecutionFailed`（一份摘要）的形式传给你。',
        `${PY}library/concurrent.interpreters.html#concurrent.interpreters.ExecutionFailed`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.python.interpreters,
      text(
        'Four CPU-bound sums run in four interpreters of one process, on all cores (Python 3.14+).',
        '四个 CPU 密集型求和在同一进程的四个解释器中运行，用上所有核心（Python 3.14+）。',
      ),
      `${PY}library/concurrent.futures.html#interpreterpoolexecutor`,
    ),
  },
  processes: {
    apis: ['multiprocessing', 'concurrent.futures.ProcessPoolExecutor', 'subprocess'],
    overview: text(
      '`multiprocessing`, `ProcessPoolExecutor` and `subprocess` run code in separate OS processes, each with its own interpreter, memory and GIL.',
      '`multiprocessing`、`ProcessPoolExecutor` 和 `subprocess` 在独立的操作系统进程中运行代码，每个进程都有自己的解释器、内存和 GIL。',
    ),
    scheduling: [
      claim(
        'The OS schedules each process on its own; using processes instead of threads side-steps the GIL, so CPU-bound Python code runs in parallel on several cores.',
        '操作系统独立调度每个进程；用进程代替线程可以绕开 GIL，因此 CPU 密集型的 Python 代码能在多个核心上并行运行。',
        `${PY}library/multiprocessing.html#introduction`,
      ),
      claim(
        'Start methods: `spawn` starts a fresh interpreter, `fork` copies the parent, `forkserver` forks from a clean server process. The default is `spawn` on Windows and macOS; on Linux it is `fork` up to 3.13 and `forkserver` from 3.14.',
        '启动方式：`spawn` 启动全新的解释器，`fork` 复制父进程，`forkserver` 从一个干净的服务进程中 fork。Windows 和 macOS 默认使用 `spawn`；Linux 在 3.13 及以前默认 `fork`，从 3.14 起默认 `forkserver`。',
        `${PY}library/multiprocessing.html#contexts-and-start-methods`,
      ),
    ],
    cost: [
      claim(
        'A process costs a whole interpreter: separate memory, and a start-up measured in milliseconds (slowest with `spawn`, which imports your main module again).',
        '一个进程就是一整个解释器：独立的内存，启动时间以毫秒计（`spawn` 最慢，因为它要重新导入主模块）。',
        `${PY}library/multiprocessing.html#contexts-and-start-methods`,
      ),
      claim(
        'Arguments and results are pickled and copied between processes, so large data costs time on every call.',
        '参数和结果在进程之间经过 pickle 序列化并复制，每次调用传递大量数据都要花时间。',
        `${PY}library/concurrent.futures.html#processpoolexecutor`,
      ),
    ],
    sharing: [
      claim(
        'Nothing is shared by default: exchange data through `multiprocessing.Queue` and `Pipe`.',
        '默认不共享任何东西：通过 `multiprocessing.Queue` 和 `Pipe` 交换数据。',
        `${PY}library/multiprocessing.html#exchanging-objects-between-processes`,
      ),
      claim(
        'To share data, use `multiprocessing.shared_memory` for raw buffers, or a `Manager` process that holds Python objects (slower: every access is a message).',
        '需要共享数据时，原始缓冲区用 `multiprocessing.shared_memory`，Python 对象用 `Manager` 进程保存（更慢：每次访问都是一次消息往返）。',
        `${PY}library/multiprocessing.shared_memory.html#module-multiprocessing.shared_memory`,
      ),
    ],
    bestFor: [
      claim(
        'CPU-bound pure-Python work on a standard (GIL) build: one worker process per core.',
        '标准（有 GIL）构建上的纯 Python CPU 密集型工作：每个核心一个工作进程。',
        `${PY}library/concurrent.futures.html#processpoolexecutor`,
      ),
      claim(
        'Isolation: a crash or a leak in a child cannot corrupt the parent; `subprocess` runs other programs.',
        '隔离：子进程的崩溃或内存泄漏不会破坏父进程；`subprocess` 用来运行其他程序。',
        `${PY}library/subprocess.html#module-subprocess`,
      ),
    ],
    notFor: [
      claim(
        'Many tiny tasks: start-up and pickling cost more than the work. Batch them (`chunksize` in `Executor.map`).',
        '大量很小的任务：启动和 pickle 的开销超过了工作本身。把它们分批（`Executor.map` 的 `chunksize`）。',
        `${PY}library/concurrent.futures.html#concurrent.futures.Executor.map`,
      ),
    ],
    pitfalls: [
      claim(
        'The main-module guard: with `spawn` and `forkserver` each child imports your main module, so code at top level that starts processes must sit under `if __name__ == "__main__":`.',
        '主模块保护：使用 `spawn` 和 `forkserver` 时，每个子进程都会导入主模块，因此在顶层启动进程的代码必须放在 `if __name__ == "__main__":` 之下。',
        `${PY}library/multiprocessing.html#the-spawn-and-forkserver-start-methods`,
      ),
      claim(
        'Pickling: lambdas, nested functions, open files and locks cannot be pickled; define worker functions at module top level.',
        'pickle 序列化：lambda、嵌套函数、打开的文件和锁都无法被 pickle；工作函数要定义在模块顶层。',
        `${PY}library/pickle.html#what-can-be-pickled-and-unpickled`,
      ),
      claim(
        'Zombies: a finished child stays a zombie until the parent waits for it — `join()` processes, `wait()` or `communicate()` with subprocesses.',
        '僵尸进程：已结束的子进程在父进程等待它之前一直是僵尸进程——对进程调用 `join()`，对子进程调用 `wait()` 或 `communicate()`。',
        `${PY}library/multiprocessing.html#programming-guidelines`,
      ),
      claim(
        'Orphans: children keep running if the parent dies. A process tries to terminate its daemonic children when it exits, which does not happen if it is killed.',
        '孤儿进程：父进程死亡后子进程仍会继续运行。进程退出时会尝试终止它的守护子进程，但如果它是被杀死的，就不会这样做。',
        `${PY}library/multiprocessing.html#multiprocessing.Process.daemon`,
      ),
      claim(
        'Joining before draining: a process that has put items on a `multiprocessing.Queue` does not exit until they are written to the underlying pipe, so joining it before getting those items can wait forever. Get the items first, then join.',
        '先 `join()` 后取数据：向 `multiprocessing.Queue` 放入了数据的进程，要等这些数据写入底层管道后才会退出，所以在取出这些数据之前对它调用 `join()`，可能会永远等待。先取出数据，再 `join()`。',
        `${PY}library/multiprocessing.html#programming-guidelines`,
      ),
      claim(
        '`Popen.wait()` with `stdout=PIPE` or `stderr=PIPE` deadlocks once the child writes more than the pipe holds (64 KiB on Linux): the child waits for the parent to read, the parent for the child to exit. Use `communicate()`.',
        '在使用 `stdout=PIPE` 或 `stderr=PIPE` 时调用 `Popen.wait()`，一旦子进程写入的数据超过管道容量（在 Linux 上为 `64 KiB`）就会死锁：子进程等父进程读取，父进程等子进程退出。请使用 `communicate()`。',
        `${PY}library/subprocess.html#subprocess.Popen.communicate`,
      ),
      claim(
        'Forking a process that has threads is problematic: the child inherits locks that other threads held. Prefer `spawn` or `forkserver` then.',
        'fork 一个带有线程的进程是有问题的：子进程会继承其他线程持有的锁。这时优先使用 `spawn` 或 `forkserver`。',
        `${PY}library/multiprocessing.html#contexts-and-start-methods`,
      ),
      claim(
        'Python 3.14 on Linux starts workers with `forkserver` instead of `fork`: code that relied on fork now fails with pickling errors or a `NameError` in the worker (the child no longer inherits the parent\'s globals). Make targets and arguments picklable and top-level, or ask for fork explicitly with `get_context("fork")`.',
        'Linux 上的 Python 3.14 用 `forkserver` 而不是 `fork` 启动工作进程：依赖 fork 的代码现在会出现 pickle 错误或工作进程中的 `NameError`（子进程不再继承父进程的全局变量）。让目标和参数可 pickle 并定义在顶层，或用 `get_context("fork")` 显式请求 fork。',
        `${PY}library/multiprocessing.html#the-spawn-and-forkserver-start-methods`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.python.processes,
      text('Four CPU-bound calls run in four processes, on all cores.', '四个 CPU 密集型调用在四个进程中运行，用上所有核心。'),
      `${PY}library/concurrent.futures.html#processpoolexecutor-example`,
    ),
  },
};

const NODE_TOPICS: Record<ModelOf<'node'>, GuideTopic<Localized>> = {
  coroutines: {
    apis: ['async/await', 'Promise', 'Promise.all', 'event loop'],
    overview: text(
      'Node.js runs your JavaScript on one thread per isolate. `async`/`await` and Promises let many operations wait at once while the event loop runs callbacks one at a time.',
      'Node.js 在每个 isolate 的一个线程上运行 JavaScript。`async`/`await` 和 Promise 让许多操作同时等待，而事件循环一次只运行一个回调。',
    ),
    scheduling: [
      claim(
        'JavaScript execution in Node.js is single-threaded: concurrency is the event loop running other JavaScript while I/O completes outside it.',
        'Node.js 中 JavaScript 的执行是单线程的：并发指的是事件循环在 I/O 于外部完成期间运行其他 JavaScript。',
        `${NODE}en/learn/asynchronous-work/overview-of-blocking-vs-non-blocking#concurrency-and-throughput`,
      ),
      claim(
        'The event loop runs each callback to completion, then the next, in phases (timers, I/O, `setImmediate`, close); Promise continuations and `process.nextTick` run between them.',
        '事件循环把每个回调运行完，再按阶段（定时器、I/O、`setImmediate`、关闭回调）运行下一个；Promise 的后续处理和 `process.nextTick` 在它们之间运行。',
        `${NODE}en/learn/asynchronous-work/event-loop-timers-and-nexttick#event-loop-explained`,
      ),
    ],
    cost: [
      claim(
        'A pending operation is a Promise on the heap, not a thread: thousands of concurrent waits cost little.',
        '一个等待中的操作只是堆上的一个 Promise，而不是一个线程：成千上万个并发等待的开销很小。',
        `${NODE}en/learn/asynchronous-work/overview-of-blocking-vs-non-blocking#concurrency-and-throughput`,
      ),
      claim(
        'Some asynchronous APIs (fs, `dns.lookup`, crypto, zlib) run on libuv\'s thread pool, 4 threads by default (`UV_THREADPOOL_SIZE`).',
        '一些异步 API（fs、`dns.lookup`、crypto、zlib）在 libuv 的线程池中运行，默认 4 个线程（`UV_THREADPOOL_SIZE`）。',
        `${NODE}api/cli.html#uv_threadpool_sizesize`,
      ),
    ],
    sharing: [
      claim(
        'All callbacks share one heap and run one at a time, so no locks are needed; but state can change across an `await`.',
        '所有回调共享同一个堆，并且一次只运行一个，因此不需要锁；但状态可能在 `await` 前后发生变化。',
        `${NODE}en/learn/asynchronous-work/event-loop-timers-and-nexttick#what-is-the-event-loop`,
      ),
      claim(
        'Per-request values that follow every `await` live in an `AsyncLocalStorage`; since Node 24 it is built on AsyncContextFrame instead of async_hooks, which made it much cheaper.',
        '随每个 `await` 传递的按请求的值存放在 `AsyncLocalStorage` 中；从 Node 24 起它基于 AsyncContextFrame 而不是 async_hooks 实现，开销小了很多。',
        `${NODE}api/async_context.html#class-asynclocalstorage`,
      ),
    ],
    bestFor: [
      claim(
        'Servers, clients and tools that do many I/O operations at once with Node\'s non-blocking APIs.',
        '使用 Node 非阻塞 API 同时进行大量 I/O 操作的服务器、客户端和工具。',
        `${NODE}en/learn/asynchronous-work/overview-of-blocking-vs-non-blocking#concurrency-and-throughput`,
      ),
    ],
    notFor: [
      claim(
        'CPU-heavy JavaScript: while it runs, the event loop serves nobody else. Move it to worker_threads.',
        'CPU 密集的 JavaScript：它运行时，事件循环无法服务其他任何请求。把它移到工作线程（worker_threads）中。',
        `${NODE}en/learn/asynchronous-work/dont-block-the-event-loop#dont-block-the-event-loop`,
      ),
    ],
    pitfalls: [
      claim(
        'Blocking the event loop: synchronous APIs (`fs.readFileSync`, `crypto.pbkdf2Sync`) and long loops stop every other request.',
        '阻塞事件循环：同步 API（`fs.readFileSync`、`crypto.pbkdf2Sync`）和长时间循环会让其他所有请求停下。',
        `${NODE}en/learn/asynchronous-work/dont-block-the-event-loop#dont-block-the-event-loop`,
      ),
      claim(
        'Unhandled rejections: by default (`--unhandled-rejections=throw`, since Node.js 15) a rejected Promise nobody handles crashes the process. `await` it or add `.catch()`.',
        '未处理的拒绝：默认情况下（`--unhandled-rejections=throw`，自 Node.js 15 起），没人处理的被拒绝 Promise 会让进程崩溃。要 `await` 它或加上 `.catch()`。',
        `${NODE}api/cli.html#--unhandled-rejectionsmode`,
      ),
      claim(
        'Recursive `process.nextTick` calls starve I/O: the loop cannot reach its next phase.',
        '递归调用 `process.nextTick` 会让 I/O 饿死：事件循环无法进入下一个阶段。',
        `${NODE}en/learn/asynchronous-work/event-loop-timers-and-nexttick#processnexttick`,
      ),
      claim(
        'Do not rely on `process.nextTick` running before Promise callbacks: it does in CommonJS, but in an ES module (`.mjs`, `"type": "module"`) the microtask queue runs first.',
        '不要依赖 `process.nextTick` 先于 Promise 回调运行：在 CommonJS 中确实如此，但在 ES 模块（`.mjs`、`"type": "module"`）中微任务队列先运行。',
        `${NODE}api/process.html#when-to-use-queuemicrotask-vs-processnexttick`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.node.coroutines,
      text('Ten simulated requests wait at once on the one JavaScript thread.', '十个模拟请求在唯一的 JavaScript 线程上同时等待。'),
      `${NODE}api/timers.html#timerspromisessettimeoutdelay-value-options`,
    ),
  },
  threads: {
    apis: ['worker_threads', 'Worker', 'postMessage', 'SharedArrayBuffer', 'Atomics'],
    overview: text(
      '`worker_threads` runs JavaScript in parallel: each Worker is an OS thread with its own V8 isolate and event loop.',
      '`worker_threads` 让 JavaScript 并行运行：每个 Worker 都是一个拥有独立 V8 isolate 和事件循环的操作系统线程。',
    ),
    scheduling: [
      claim(
        'Workers are threads that execute JavaScript in parallel, scheduled preemptively by the OS; each has its own JavaScript engine instance and event loop.',
        'Worker 是并行执行 JavaScript 的线程，由操作系统抢占式调度；每个 Worker 都有自己的 JavaScript 引擎实例和事件循环。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
      claim(
        'Workers are useful for CPU-intensive JavaScript and do not help much with I/O: Node\'s built-in asynchronous I/O is more efficient.',
        'Worker 适合 CPU 密集的 JavaScript，对 I/O 帮助不大：Node 内置的异步 I/O 更高效。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
    ],
    cost: [
      claim(
        'Each Worker boots a new isolate, which takes milliseconds and megabytes: the docs advise a pool of Workers, because creating one per task costs more than it gains.',
        '每个 Worker 都要启动新的 isolate，耗时以毫秒计、内存以兆字节计：文档建议使用 Worker 池，因为每个任务新建一个 Worker 得不偿失。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
      claim(
        '`resourceLimits` caps a Worker\'s heap.',
        '`resourceLimits` 可以限制 Worker 的堆大小。',
        `${NODE}api/worker_threads.html#new-workerfilename-options`,
      ),
    ],
    sharing: [
      claim(
        'Workers do not share JavaScript objects: `postMessage` copies values with the structured clone algorithm, and can transfer `ArrayBuffer`s instead of copying them.',
        'Worker 之间不共享 JavaScript 对象：`postMessage` 用结构化克隆算法复制值，也可以转移 `ArrayBuffer` 而不是复制。',
        `${NODE}api/worker_threads.html#portpostmessagevalue-transferlist`,
      ),
      claim(
        'Unlike child processes, Workers can share memory through `SharedArrayBuffer`; coordinate access with `Atomics`.',
        '与子进程不同，Worker 可以通过 `SharedArrayBuffer` 共享内存；用 `Atomics` 协调访问。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
    ],
    bestFor: [
      claim(
        'CPU-bound JavaScript (parsing, compression, number crunching) kept off the main event loop.',
        '让 CPU 密集的 JavaScript（解析、压缩、数值计算）离开主事件循环。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
    ],
    notFor: [
      claim(
        'I/O-bound work, and tasks so short that starting a Worker costs more than the work.',
        'I/O 密集型工作，以及短到启动一个 Worker 的开销都超过工作本身的任务。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
    ],
    pitfalls: [
      claim(
        'An uncaught exception ends the Worker and emits `\'error\'` on the Worker object: listen for `\'error\'` and `\'exit\'`.',
        '未捕获的异常会结束 Worker，并在 Worker 对象上触发 `\'error\'` 事件：要监听 `\'error\'` 和 `\'exit\'`。',
        `${NODE}api/worker_threads.html#event-error`,
      ),
      claim(
        'Functions cannot be sent: `postMessage` throws a `DataCloneError` for a function (also one stored in an object\'s own property). Class instances do clone, but as plain objects: their prototype and methods are lost.',
        '函数无法发送：对于函数（包括存放在对象自身属性中的函数），`postMessage` 会抛出 `DataCloneError`。类的实例可以克隆，但会变成普通对象：原型和方法全部丢失。',
        `${NODE}api/worker_threads.html#considerations-when-cloning-objects-with-prototypes-classes-and-accessors`,
      ),
      claim(
        'A Worker keeps running until it finishes or is terminated: call `worker.terminate()`, or declare it with `await using` (Node 24.2+, 22.18+) so it is terminated when the scope exits.',
        'Worker 会一直运行，直到它结束或被终止：调用 `worker.terminate()`，或用 `await using` 声明它（Node 24.2+、22.18+），离开作用域时它就会被终止。',
        `${NODE}api/worker_threads.html#workersymbolasyncdispose`,
      ),
      claim(
        'Plain reads and writes of a `SharedArrayBuffer` from several threads race; use `Atomics` operations on shared values.',
        '多个线程对 `SharedArrayBuffer` 的普通读写会产生竞态条件；对共享值使用 `Atomics` 操作。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.node.threads,
      text('Four CPU-bound prime counts run on four worker threads at once.', '四个 CPU 密集的素数计数同时在四个工作线程上运行。'),
      `${NODE}api/worker_threads.html#new-workerfilename-options`,
    ),
  },
  processes: {
    apis: ['child_process', 'spawn', 'fork', 'cluster'],
    overview: text(
      '`child_process` starts other programs or Node.js scripts as OS processes; `cluster` runs copies of a server that share its port.',
      '`child_process` 以操作系统进程的形式启动其他程序或 Node.js 脚本；`cluster` 运行共享同一端口的多个服务器副本。',
    ),
    scheduling: [
      claim(
        'Each child Node.js process is independent of the parent apart from the IPC channel: its own memory and its own V8 instance, scheduled in parallel by the OS.',
        '每个 Node.js 子进程除 IPC 通道外都独立于父进程：有自己的内存和自己的 V8 实例，由操作系统并行调度。',
        `${NODE}api/child_process.html#child_processforkmodulepath-args-options`,
      ),
      claim(
        '`cluster` starts several Node.js processes that share server ports, to use all cores for one server.',
        '`cluster` 启动多个共享服务器端口的 Node.js 进程，让一个服务器用上所有核心。',
        `${NODE}api/cluster.html#cluster`,
      ),
    ],
    cost: [
      claim(
        'A child costs a whole Node.js process; because of these resources the docs advise against spawning a large number of child Node.js processes.',
        '一个子进程就是一整个 Node.js 进程；由于这些资源开销，文档不建议启动大量 Node.js 子进程。',
        `${NODE}api/child_process.html#child_processforkmodulepath-args-options`,
      ),
    ],
    sharing: [
      claim(
        'Nothing is shared: exchange data over stdio pipes or the IPC channel of `fork()` (`subprocess.send()`, messages are serialized).',
        '不共享任何东西：通过 stdio 管道或 `fork()` 的 IPC 通道（`subprocess.send()`，消息会被序列化）交换数据。',
        `${NODE}api/child_process.html#subprocesssendmessage-sendhandle-options-callback`,
      ),
    ],
    bestFor: [
      claim(
        'Running other programs (compilers, Python, shell tools) and isolating crash-prone work.',
        '运行其他程序（编译器、Python、命令行工具），以及隔离容易崩溃的工作。',
        `${NODE}api/child_process.html#child-process`,
      ),
      claim(
        'Spreading a network server over all cores with `cluster`.',
        '用 `cluster` 把网络服务器分布到所有核心上。',
        `${NODE}api/cluster.html#cluster`,
      ),
    ],
    notFor: [
      claim(
        'Fine-grained CPU tasks inside one program: worker_threads start faster and can share memory.',
        '同一程序内部的细粒度 CPU 任务：工作线程启动更快，还能共享内存。',
        `${NODE}api/worker_threads.html#worker-threads`,
      ),
    ],
    pitfalls: [
      claim(
        'Handle `\'error\'` (the command may not exist or cannot be killed) and wait for `\'close\'` or `\'exit\'`.',
        '处理 `\'error\'` 事件（命令可能不存在或无法被终止），并等待 `\'close\'` 或 `\'exit\'`。',
        `${NODE}api/child_process.html#event-error`,
      ),
      claim(
        'A child\'s `stdout` and `stderr` are pipes of limited capacity: a child that writes more than they hold while the parent never reads them blocks, waiting for room, and a parent waiting for its `\'exit\'` waits forever. Read what it writes (a `\'data\'` listener, `pipe()`), or spawn it with `stdio: \'ignore\'` when the output is not needed.',
        '子进程的 `stdout` 和 `stderr` 是容量有限的管道：如果子进程写入的内容超出容量而父进程从不读取，子进程就会阻塞，等待腾出空间；而等待它 `\'exit\'` 的父进程会永远等下去。请读取它的输出（`\'data\'` 监听器、`pipe()`），或在不需要输出时以 `stdio: \'ignore\'` 启动它。',
        `${NODE}api/child_process.html#child-process`,
      ),
      claim(
        'Orphans: children may keep running after the parent exits, detached or not. Kill the children you started (`subprocess.kill()`) when you shut down.',
        '孤儿进程：无论是否分离，子进程都可能在父进程退出后继续运行。关闭时终止你启动的子进程（`subprocess.kill()`）。',
        `${NODE}api/child_process.html#optionsdetached`,
      ),
      claim(
        'Never pass unsanitized input to `exec()` or `shell: true`: the shell interprets it. Use `execFile()` or `spawn()` with an argument array.',
        '不要把未经处理的输入传给 `exec()` 或 `shell: true`：shell 会解释它。改用带参数数组的 `execFile()` 或 `spawn()`。',
        `${NODE}api/child_process.html#child_processexeccommand-options-callback`,
      ),
      claim(
        'Under the permission model (`node --permission`), spawning a child process needs `--allow-child-process` and creating a Worker needs `--allow-worker`; otherwise they throw `ERR_ACCESS_DENIED`.',
        '在权限模型下（`node --permission`），启动子进程需要 `--allow-child-process`，创建 Worker 需要 `--allow-worker`；否则会抛出 `ERR_ACCESS_DENIED`。',
        `${NODE}api/permissions.html#permission-model`,
      ),
    ],
    example: example(
      MODEL_EXAMPLES.node.processes,
      text('Four Node.js processes compute in parallel; the parent collects their output.', '四个 Node.js 进程并行计算；父进程收集它们的输出。'),
      `${NODE}api/child_process.html#child_processspawncommand-args-options`,
    ),
  },
};

const COMPARISON_ROW_LABELS: Record<ComparisonRow, Localized> = {
  scheduling: text('Scheduling', '调度方式'),
  parallelCpu: text('Parallel CPU work?', '能否并行计算？'),
  memory: text('Memory per unit', '每个单元的内存'),
  startup: text('Start-up per unit', '每个单元的启动开销'),
  sharing: text('Sharing', '共享方式'),
  failureIsolation: text('Failure isolation', '故障隔离'),
  bestFor: text('Best for', '最适合'),
};

const COMPARISON: GuideContent<Localized>['comparison'] = {
  python: {
    scheduling: {
      coroutines: text('Cooperative: switches only at `await`', '协作式：只在 `await` 处切换'),
      threads: text('Preemptive OS threads; one runs Python code at a time (GIL)', '抢占式操作系统线程；同一时刻只有一个执行 Python 代码（GIL）'),
      interpreters: text('OS threads, each running in its own interpreter with its own GIL (3.14+)', '操作系统线程，各自在拥有独立 GIL 的解释器中运行（3.14+）'),
      processes: text('Preemptive OS processes', '抢占式操作系统进程'),
    },
    parallelCpu: {
      coroutines: text('No: one thread', '否：只有一个线程'),
      threads: text('No for pure Python with the GIL; yes for C code that releases it, and on a free-threaded build (3.14t)', '有 GIL 时纯 Python 代码不能；释放 GIL 的 C 代码以及自由线程构建（3.14t）可以'),
      interpreters: text('Yes: one GIL per interpreter', '能：每个解释器一个 GIL'),
      processes: text('Yes: one interpreter per core', '能：每个核心一个解释器'),
    },
    memory: {
      coroutines: text('A small Python object per task', '每个任务一个小 Python 对象'),
      threads: text('An OS thread and its stack', '一个操作系统线程及其栈'),
      interpreters: text('A thread plus an interpreter\'s own modules', '一个线程加上解释器自己的一套模块'),
      processes: text('A whole interpreter', '一整个解释器'),
    },
    startup: {
      coroutines: text('Microseconds', '微秒级'),
      threads: text('Tens to hundreds of microseconds', '几十到几百微秒'),
      interpreters: text('Milliseconds (not yet optimized in 3.14)', '毫秒级（3.14 中尚未优化）'),
      processes: text('Milliseconds (most with `spawn`)', '毫秒级（`spawn` 最慢）'),
    },
    sharing: {
      coroutines: text('All memory; `asyncio.Queue`, `asyncio.Lock`', '全部内存；`asyncio.Queue`、`asyncio.Lock`'),
      threads: text('All memory; `threading.Lock`, `queue.Queue`', '全部内存；`threading.Lock`、`queue.Queue`'),
      interpreters: text('Nothing mutable; copies through `create_queue()` queues; `memoryview`', '不共享可变对象；通过 `create_queue()` 队列复制；`memoryview`'),
      processes: text('Nothing by default; `Queue`, `Pipe`, `shared_memory`, `Manager`', '默认不共享；`Queue`、`Pipe`、`shared_memory`、`Manager`'),
    },
    failureIsolation: {
      coroutines: text('None: one blocked task stalls all', '无：一个任务阻塞会让所有任务停顿'),
      threads: text('None: threads share the process', '无：线程共享同一进程'),
      interpreters: text('Python state only: a crash still ends the whole process', '仅限 Python 状态：一次崩溃仍会结束整个进程'),
      processes: text('Strong: a crash ends only that process', '强：崩溃只会结束该进程'),
    },
    bestFor: {
      coroutines: text('Many concurrent I/O waits', '大量并发的 I/O 等待'),
      threads: text('Blocking I/O libraries; `asyncio.to_thread`', '阻塞式 I/O 库；`asyncio.to_thread`'),
      interpreters: text('CPU-bound Python on 3.14+ with little shared state', '3.14+ 上共享状态很少的 CPU 密集型 Python 代码'),
      processes: text('CPU-bound Python; isolation', 'CPU 密集型 Python 代码；隔离'),
    },
  },
  node: {
    scheduling: {
      coroutines: text('Event loop: one callback at a time', '事件循环：一次一个回调'),
      threads: text('Each Worker: its own thread, isolate and event loop', '每个 Worker：独立的线程、isolate 和事件循环'),
      processes: text('Separate OS processes', '独立的操作系统进程'),
    },
    parallelCpu: {
      coroutines: text('No: one JavaScript thread', '否：只有一个 JavaScript 线程'),
      threads: text('Yes', '能'),
      processes: text('Yes', '能'),
    },
    memory: {
      coroutines: text('A Promise per operation', '每个操作一个 Promise'),
      threads: text('A V8 isolate per Worker (megabytes)', '每个 Worker 一个 V8 isolate（兆字节级）'),
      processes: text('A whole Node.js process', '一整个 Node.js 进程'),
    },
    startup: {
      coroutines: text('Microseconds', '微秒级'),
      threads: text('Milliseconds', '毫秒级'),
      processes: text('Tens of milliseconds', '几十毫秒'),
    },
    sharing: {
      coroutines: text('One heap, one callback at a time', '同一个堆，一次一个回调'),
      threads: text('`postMessage` copies; `SharedArrayBuffer` + `Atomics`', '`postMessage` 复制；`SharedArrayBuffer` + `Atomics`'),
      processes: text('Nothing: pipes and IPC messages', '不共享：管道和 IPC 消息'),
    },
    failureIsolation: {
      coroutines: text('None: one blocking callback stalls all', '无：一个阻塞的回调会让所有操作停顿'),
      threads: text('Partial: an uncaught exception ends only that Worker', '部分：未捕获的异常只结束该 Worker'),
      processes: text('Strong: a crash ends only that process', '强：崩溃只会结束该进程'),
    },
    bestFor: {
      coroutines: text('I/O: servers, clients, many requests', 'I/O：服务器、客户端、大量请求'),
      threads: text('CPU-bound JavaScript', 'CPU 密集的 JavaScript'),
      processes: text('Other programs; isolation; `cluster`', '其他程序；隔离；`cluster`'),
    },
  },
};

const QUESTIONS: GuideContent<Localized>['questions'] = {
  workload: {
    label: text('Where does the time go?', '时间主要花在哪里？'),
    options: {
      io: text('Waiting for I/O (network, disk, other programs)', '等待 I/O（网络、磁盘、其他程序）'),
      cpu: text('Computing (CPU-bound)', '计算（CPU 密集型）'),
    },
  },
  units: {
    label: text('How many units run at once?', '同时运行多少个单元？'),
    options: {
      few: text('A few (up to tens)', '少量（几十个以内）'),
      many: text('Many (hundreds or more)', '大量（几百个或更多）'),
    },
  },
  python: {
    label: text('Which Python runs it?', '用哪种 Python 运行？'),
    options: {
      gil: text('3.13 or older', '3.13 或更早版本'),
      py314: text('3.14 or newer (standard build)', '3.14 或更新版本（标准构建）'),
      freeThreaded: text('3.14 or newer, free-threaded build (3.14t)', '3.14 或更新版本的自由线程构建（3.14t）'),
    },
  },
  blockingLibrary: text('I must call a blocking library that has no async API', '我必须调用一个没有异步 API 的阻塞库'),
  isolation: text('A crash in one unit must not take down the others', '一个单元崩溃不能拖垮其他单元'),
  sharedState: text('The units update shared state', '各单元会更新共享状态'),
};

export const GUIDE_CONTENT: GuideContent<Localized> = {
  topics: { python: PYTHON, node: NODE_TOPICS },
  comparison: COMPARISON,
  comparisonRows: COMPARISON_ROW_LABELS,
  questions: QUESTIONS,
  experimentApis: {
    python: { sequential: 'for …', coroutines: 'asyncio.gather', threads: 'ThreadPoolExecutor', processes: 'ProcessPoolExecutor' },
    node: { sequential: 'for … await', coroutines: 'Promise.all', threads: 'worker_threads', processes: 'child_process.spawn' },
  },
  experimentNotes: {
    python: text(
      'What to expect with a standard CPython (GIL enabled): for the CPU-bound workload, coroutines and threads take about as long as sequential, with a parallelism of about 1 (one core busy), while processes are faster and their parallelism approaches the number of cores; for the I/O-bound workload, coroutines and threads are many times faster while using almost no CPU, and processes pay their start-up cost. If other programs keep the cores busy, speed-ups and parallelism both shrink: the guide then says the machine was busy.',
      '在标准 CPython（启用 GIL）上你应当看到：CPU 密集型负载下，协程和线程与顺序执行耗时相近，并行度约为 1（只有一个核心在忙），进程更快，并行度接近核心数；I/O 密集型负载下，协程和线程快很多倍而几乎不占用 CPU，进程则要付出启动开销。如果其他程序占满了核心，加速比和并行度都会变小：这时指南会说明机器很忙。',
    ),
    node: text(
      'What to expect: for the CPU-bound workload, async functions take as long as sequential (one JavaScript thread, parallelism about 1), while worker threads and child processes are faster and their parallelism approaches the number of cores; for the I/O-bound workload, `Promise.all` is many times faster while using almost no CPU, and Workers and processes pay their start-up cost. If other programs keep the cores busy, speed-ups and parallelism both shrink: the guide then says the machine was busy.',
      '你应当看到：CPU 密集型负载下，`async` 函数与顺序执行耗时相同（只有一个 JavaScript 线程，并行度约为 1），工作线程和子进程更快，并行度接近核心数；I/O 密集型负载下，`Promise.all` 快很多倍而几乎不占用 CPU，Worker 和子进程则要付出启动开销。如果其他程序占满了核心，加速比和并行度都会变小：这时指南会说明机器很忙。',
    ),
  },
  freeThreadedNote: text(
    'This Python runs without the GIL (a free-threaded build): for the CPU-bound workload, threads run Python code in parallel too, so they are faster than sequential and their parallelism approaches the number of cores, like processes; coroutines still take as long as sequential (one thread). For the I/O-bound workload, coroutines and threads are many times faster, and processes pay their start-up cost.',
    '这个 Python 在没有 GIL 的情况下运行（自由线程构建）：CPU 密集型负载下，线程也能并行执行 Python 代码，因此比顺序执行快，并行度接近核心数，与进程相同；协程仍与顺序执行耗时相近（只有一个线程）。I/O 密集型负载下，协程和线程快很多倍，进程则要付出启动开销。',
  ),
};

/** The same shape with every `{ en, 'zh-cn' }` record replaced by a string. */
export type Delocalized<T> = T extends Localized
  ? string
  : T extends readonly (infer Item)[]
    ? readonly Delocalized<Item>[]
    : T extends object
      ? { readonly [K in keyof T]: Delocalized<T[K]> }
      : T;

function isLocalized(value: object): value is Localized {
  return typeof (value as Partial<Localized>).en === 'string' && typeof (value as Partial<Localized>)['zh-cn'] === 'string';
}

/** Replaces every `{ en, 'zh-cn' }` record in `value` by the text of `locale`. */
export function localize<T>(value: T, locale: GuideLocale): Delocalized<T> {
  const walk = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item !== 'object' || item === null) return item;
    if (isLocalized(item)) return item[locale];
    return Object.fromEntries(Object.entries(item).map(([key, child]) => [key, walk(child)]));
  };
  return walk(value) as Delocalized<T>;
}

export function localizedContent(locale: GuideLocale): GuideContent {
  return localize(GUIDE_CONTENT, locale);
}
