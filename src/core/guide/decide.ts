/**
 * "Which model?": answers about a workload → the model to use, the reasons (each backed by a
 * docs link) and the example to start from. Pure and deterministic; the guide panel calls it.
 */
import { topicOf, type ConcurrencyModel, type Decision, type DecisionAnswers, type GuideClaim, type GuideExample, type GuideLanguage } from '../../shared/guideProtocol';
import { GUIDE_CONTENT } from './content';
import { PYTHON_FREE_THREADED_EXAMPLE, PYTHON_TO_THREAD_EXAMPLE } from './examples';
import { text, type Localized } from './localized';

const PY = 'https://docs.python.org/3/';
const NODE = 'https://nodejs.org/';

function reason(en: string, zh: string, docs: string): GuideClaim<Localized> {
  return { text: text(en, zh), docs };
}

const REASONS = {
  isolation: {
    python: reason(
      'Only separate processes isolate failures: a crash or a leak in one cannot take down the others.',
      '只有独立的进程才能隔离故障：一个进程崩溃或泄漏不会拖垮其他进程。',
      `${PY}library/multiprocessing.html#introduction`,
    ),
    node: reason(
      'Only child processes isolate failures: each has its own memory and V8 instance.',
      '只有子进程才能隔离故障：每个子进程都有自己的内存和 V8 实例。',
      `${NODE}api/child_process.html#child_processforkmodulepath-args-options`,
    ),
  },
  cpu: {
    python: reason(
      'CPU-bound Python code holds the GIL, so threads run it one at a time; processes each have their own interpreter and GIL and use every core.',
      'CPU 密集型 Python 代码会持有 GIL，线程只能轮流执行它；每个进程都有自己的解释器和 GIL，可以用上所有核心。',
      `${PY}library/threading.html#module-threading`,
    ),
    node: reason(
      'CPU-bound JavaScript blocks the one event-loop thread; worker_threads run it in parallel on other threads.',
      'CPU 密集的 JavaScript 会阻塞唯一的事件循环线程；工作线程（worker_threads）在其他线程上并行运行它。',
      `${NODE}api/worker_threads.html#worker-threads`,
    ),
  },
  /** For CPU-bound work on 3.13 or older: what newer Pythons add. */
  newerPython: reason(
    'On Python 3.14+ there are lighter options: `InterpreterPoolExecutor` runs each task in an isolated interpreter with its own GIL, and a free-threaded build (3.14t) runs threads in parallel.',
    '在 Python 3.14+ 上有更轻量的选择：`InterpreterPoolExecutor` 让每个任务在拥有独立 GIL 的隔离解释器中运行，自由线程构建（3.14t）则让线程并行运行。',
    `${PY}whatsnew/3.14.html#whatsnew314-multiple-interpreters`,
  ),
  interpreters: reason(
    'On Python 3.14+, `InterpreterPoolExecutor` runs CPU-bound Python in parallel inside one process: each worker thread has its own interpreter and GIL, without a process\'s start-up cost.',
    '在 Python 3.14+ 上，`InterpreterPoolExecutor` 在一个进程内并行运行 CPU 密集型 Python 代码：每个工作线程都有自己的解释器和 GIL，没有进程的启动开销。',
    `${PY}library/concurrent.futures.html#interpreterpoolexecutor`,
  ),
  interpreterLimits: reason(
    'Work and results are pickled into the interpreters (functions must be importable, not defined in `__main__`), and every extension module you import must support multiple interpreters; if one does not, use processes.',
    '工作和结果会经 pickle 传入解释器（函数必须可导入，不能定义在 `__main__` 中），而且导入的每个扩展模块都必须支持多解释器；如果有不支持的，请改用进程。',
    `${PY}whatsnew/3.14.html#whatsnew314-multiple-interpreters`,
  ),
  freeThreaded: reason(
    'On a free-threaded build the GIL is off, so threads run CPU-bound Python in parallel and share memory without copying.',
    '在自由线程构建中 GIL 是关闭的，因此线程可以并行运行 CPU 密集型 Python 代码，并且无需复制就能共享内存。',
    `${PY}whatsnew/3.14.html#whatsnew314-free-threaded-now-supported`,
  ),
  freeThreadedGil: reason(
    'Check it at run time with `sys._is_gil_enabled()`: importing a C extension that is not marked free-threading-ready turns the GIL back on (with a warning), and then threads take turns again.',
    '在运行时用 `sys._is_gil_enabled()` 检查：导入未标明支持自由线程的 C 扩展会重新启用 GIL（并打印警告），这时线程又只能轮流执行。',
    `${PY}howto/free-threading-python.html#the-global-interpreter-lock-in-free-threaded-python`,
  ),
  pickling: reason(
    'Arguments and results are pickled between processes: send compact inputs and batch small tasks.',
    '参数和结果在进程之间经过 pickle 序列化：传递精简的输入，并把小任务分批。',
    `${PY}library/concurrent.futures.html#processpoolexecutor`,
  ),
  blocking: {
    python: reason(
      'A blocking call inside `async def` freezes the event loop; `asyncio.to_thread` runs it in a worker thread, and the GIL is released while it waits for I/O.',
      '在 `async def` 中进行阻塞调用会冻结事件循环；`asyncio.to_thread` 把它放到工作线程中运行，等待 I/O 时 GIL 会被释放。',
      `${PY}library/asyncio-task.html#asyncio.to_thread`,
    ),
    node: reason(
      'A synchronous library call blocks the event loop; run it in a worker thread so the main thread keeps serving.',
      '同步的库调用会阻塞事件循环；把它放到工作线程中运行，主线程才能继续响应。',
      `${NODE}en/learn/asynchronous-work/dont-block-the-event-loop#dont-block-the-event-loop`,
    ),
  },
  io: {
    python: reason(
      'I/O-bound work mostly waits; coroutines overlap the waits on one thread with no thread per unit.',
      'I/O 密集型工作大部分时间在等待；协程在一个线程上让等待相互重叠，不需要为每个单元创建线程。',
      `${PY}library/asyncio-dev.html#concurrency-and-multithreading`,
    ),
    node: reason(
      'Node\'s I/O is already asynchronous: `async`/`await` with `Promise.all` overlaps the waits on the event loop.',
      'Node 的 I/O 本来就是异步的：`async`/`await` 加上 `Promise.all` 就能在事件循环上让等待相互重叠。',
      `${NODE}en/learn/asynchronous-work/overview-of-blocking-vs-non-blocking#concurrency-and-throughput`,
    ),
  },
  manyUnits: reason(
    'Hundreds or thousands of waits cost little as coroutines; as threads each costs an OS thread and its stack.',
    '几百上千个等待用协程开销很小；用线程则每个都要一个操作系统线程和它的栈。',
    `${PY}library/asyncio-task.html#asyncio.Task`,
  ),
  manyUnitsBlocking: reason(
    'A thread pool caps how many blocking calls run at once: size `max_workers` for your load.',
    '线程池限制了同时运行的阻塞调用数量：按负载设置 `max_workers`。',
    `${PY}library/concurrent.futures.html#threadpoolexecutor`,
  ),
  sharedState: {
    coroutines: reason(
      'Shared state: no task runs between two `await`s, but guard updates that span an `await` with a lock.',
      '共享状态：两个 `await` 之间不会有其他任务运行，但跨越 `await` 的更新要用锁保护。',
      `${PY}library/asyncio-sync.html#asyncio.Lock`,
    ),
    threads: reason(
      'Shared state: protect every read-modify-write with a lock, or hand data over through a queue.',
      '共享状态：每个读-改-写操作都要用锁保护，或者通过队列传递数据。',
      `${PY}library/threading.html#lock-objects`,
    ),
    interpreters: reason(
      'Shared state: interpreters share no mutable objects; pass data through `create_queue()` queues (copied) and return results, or share a buffer through a `memoryview`.',
      '共享状态：解释器之间不共享可变对象；通过 `create_queue()` 队列传递数据（会被复制）并返回结果，或通过 `memoryview` 共享缓冲区。',
      `${PY}library/concurrent.interpreters.html#interp-object-sharing`,
    ),
    processes: reason(
      'Shared state: processes share nothing by default; use `shared_memory` for buffers or a `Manager`, or better, return results instead.',
      '共享状态：进程默认不共享任何东西；缓冲区用 `shared_memory`，或用 `Manager`，最好是直接返回结果。',
      `${PY}library/multiprocessing.html#sharing-state-between-processes`,
    ),
  },
  nodeSharedState: {
    coroutines: reason(
      'Shared state: callbacks run one at a time, but state can change across an `await`.',
      '共享状态：回调一次只运行一个，但状态可能在 `await` 前后发生变化。',
      `${NODE}en/learn/asynchronous-work/event-loop-timers-and-nexttick#what-is-the-event-loop`,
    ),
    threads: reason(
      'Shared state: Workers share only `SharedArrayBuffer`s; use `Atomics` on them, or pass messages.',
      '共享状态：Worker 之间只共享 `SharedArrayBuffer`；对它使用 `Atomics`，或者传递消息。',
      `${NODE}api/worker_threads.html#worker-threads`,
    ),
    processes: reason(
      'Shared state: child processes share nothing; exchange messages over IPC or pipes.',
      '共享状态：子进程不共享任何东西；通过 IPC 或管道交换消息。',
      `${NODE}api/child_process.html#subprocesssendmessage-sendhandle-options-callback`,
    ),
  },
} as const;

/** The model for CPU-bound Python, by the Python that runs it. */
const PYTHON_CPU_MODEL = { gil: 'processes', py314: 'interpreters', freeThreaded: 'threads' } as const;

function chooseModel(language: GuideLanguage, answers: DecisionAnswers): ConcurrencyModel {
  if (answers.isolation) return 'processes';
  if (answers.workload === 'cpu') return language === 'python' ? PYTHON_CPU_MODEL[answers.python] : 'threads';
  return answers.blockingLibrary ? 'threads' : 'coroutines';
}

/** Why CPU-bound Python goes to `model`. */
function pythonCpuReasons(model: ConcurrencyModel, answers: DecisionAnswers): GuideClaim<Localized>[] {
  if (model === 'interpreters') return [REASONS.cpu.python, REASONS.interpreters, REASONS.interpreterLimits];
  if (model === 'threads') return [REASONS.freeThreaded, REASONS.freeThreadedGil];
  return answers.python === 'gil' ? [REASONS.cpu.python, REASONS.newerPython] : [REASONS.cpu.python];
}

function sharedStateReason(language: GuideLanguage, model: ConcurrencyModel): GuideClaim<Localized> {
  if (language === 'python') return REASONS.sharedState[model];
  // Node has no interpreters; a Worker is its nearest equivalent.
  return REASONS.nodeSharedState[model === 'interpreters' ? 'threads' : model];
}

function reasonsFor(language: GuideLanguage, model: ConcurrencyModel, answers: DecisionAnswers): GuideClaim<Localized>[] {
  const reasons: GuideClaim<Localized>[] = [];
  if (answers.isolation) reasons.push(REASONS.isolation[language]);
  if (answers.workload === 'cpu') {
    reasons.push(...(language === 'python' ? pythonCpuReasons(model, answers) : [REASONS.cpu.node]));
  } else if (answers.blockingLibrary) {
    reasons.push(REASONS.blocking[language]);
    if (answers.units === 'many' && language === 'python') reasons.push(REASONS.manyUnitsBlocking);
  } else {
    reasons.push(REASONS.io[language]);
    if (answers.units === 'many' && language === 'python') reasons.push(REASONS.manyUnits);
  }
  if (language === 'python' && model === 'processes') reasons.push(REASONS.pickling);
  if (answers.sharedState) reasons.push(sharedStateReason(language, model));
  return reasons;
}

function exampleFor(language: GuideLanguage, model: ConcurrencyModel, answers: DecisionAnswers): GuideExample<Localized> {
  if (language === 'python' && model === 'threads' && answers.workload === 'cpu') {
    return {
      ...PYTHON_FREE_THREADED_EXAMPLE,
      note: text('Four CPU-bound calls run in four threads at once when the GIL is off.', 'GIL 关闭时，四个 CPU 密集型调用在四个线程中同时运行。'),
      docs: `${PY}howto/free-threading-python.html#identifying-free-threaded-python`,
    };
  }
  if (language === 'python' && model === 'threads' && answers.blockingLibrary) {
    return {
      ...PYTHON_TO_THREAD_EXAMPLE,
      note: text('Blocking calls run in threads while the event loop stays free.', '阻塞调用在线程中运行，事件循环保持空闲。'),
      docs: `${PY}library/asyncio-task.html#asyncio.to_thread`,
    };
  }
  const topic = topicOf(GUIDE_CONTENT, language, model);
  if (!topic) throw new Error(`no ${model} topic for ${language}`);
  return topic.example;
}

export function decide(language: GuideLanguage, answers: DecisionAnswers): Decision<Localized> {
  const model = chooseModel(language, answers);
  return { model, reasons: reasonsFor(language, model, answers), example: exampleFor(language, model, answers) };
}
