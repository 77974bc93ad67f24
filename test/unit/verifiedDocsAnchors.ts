/**
 * Every docs.python.org and nodejs.org anchor the guide, the decision helper and the knowledge base
 * link to, checked against the docs' sources (the CPython Doc/*.rst of 3.14 and the Node.js
 * doc/api/*.md and rendered pages, read with the search tool; see the note beside each page).
 * The unit test fails for any link whose page or anchor is not listed here: a new or changed link
 * needs its anchor checked against the current docs and added, with its source.
 */
export const VERIFIED_DOCS_ANCHORS: Readonly<Record<string, readonly string[]>> = {
  // Doc/glossary.rst (term-global-interpreter-lock)
  'https://docs.python.org/3/glossary.html': ['term-global-interpreter-lock'],
  // Doc/howto/free-threading-python.rst, 3.14 text ("Identifying free-threaded Python", "The global interpreter lock in free-threaded Python")
  'https://docs.python.org/3/howto/free-threading-python.html': ['identifying-free-threaded-python', 'the-global-interpreter-lock-in-free-threaded-python'],
  // Doc/howto/isolating-extensions.rst label isolating-extensions-howto (linked so from whatsnew/3.14)
  'https://docs.python.org/3/howto/isolating-extensions.html': ['isolating-extensions-howto'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-dev.html': ['concurrency-and-multithreading', 'debug-mode', 'detect-never-awaited-coroutines', 'running-blocking-code'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-eventloop.html': ['asyncio.get_event_loop', 'asyncio.get_running_loop', 'asyncio.loop.call_later', 'asyncio.loop.call_soon', 'asyncio.loop.call_soon_threadsafe', 'asyncio.loop.run_in_executor', 'asyncio.loop.run_until_complete', 'asyncio.new_event_loop'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-exceptions.html': ['asyncio.CancelledError', 'asyncio.TimeoutError'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-future.html': ['asyncio.Future', 'asyncio.ensure_future', 'asyncio.wrap_future'],
  // Doc/library/asyncio-graph.rst (3.14): capture_call_graph, print_call_graph
  'https://docs.python.org/3/library/asyncio-graph.html': ['asyncio.capture_call_graph', 'asyncio.print_call_graph'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-queue.html': ['asyncio.LifoQueue', 'asyncio.PriorityQueue', 'asyncio.Queue', 'asyncio.QueueEmpty', 'asyncio.QueueFull', 'asyncio.QueueShutDown'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-runner.html': ['asyncio.Runner', 'asyncio.run'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-stream.html': ['asyncio.StreamWriter', 'asyncio.open_connection', 'asyncio.start_server'],
  // rendered Node.js v25.2.1 process TOC; doc/api/process.md heading "When to use queueMicrotask() vs. process.nextTick()"
  'https://docs.python.org/3/library/asyncio-subprocess.html': ['asyncio.create_subprocess_exec', 'asyncio.create_subprocess_shell', 'asyncio.subprocess.Process'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-sync.html': ['asyncio.Barrier', 'asyncio.BoundedSemaphore', 'asyncio.Condition', 'asyncio.Event', 'asyncio.Lock', 'asyncio.Semaphore'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio-task.html': ['asyncio.Task', 'asyncio.Task.cancel', 'asyncio.TaskGroup', 'asyncio.Timeout', 'asyncio.all_tasks', 'asyncio.as_completed', 'asyncio.create_task', 'asyncio.current_task', 'asyncio.eager_task_factory', 'asyncio.gather', 'asyncio.run_coroutine_threadsafe', 'asyncio.shield', 'asyncio.sleep', 'asyncio.timeout', 'asyncio.timeout_at', 'asyncio.to_thread', 'asyncio.wait', 'asyncio.wait_for', 'coroutines'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/asyncio.html': ['module-asyncio'],
  // Doc/library/concurrent.futures.rst (3.14): InterpreterPoolExecutor section, Executor.map(buffersize), terminate_workers/kill_workers
  'https://docs.python.org/3/library/concurrent.futures.html': ['concurrent.futures.BrokenExecutor', 'concurrent.futures.Executor.map', 'concurrent.futures.Executor.shutdown', 'concurrent.futures.Executor.submit', 'concurrent.futures.Future', 'concurrent.futures.Future.result', 'concurrent.futures.InterpreterPoolExecutor', 'concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.ProcessPoolExecutor.kill_workers', 'concurrent.futures.ProcessPoolExecutor.terminate_workers', 'concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.as_completed', 'concurrent.futures.wait', 'interpreterpoolexecutor', 'processpoolexecutor', 'processpoolexecutor-example', 'threadpoolexecutor', 'threadpoolexecutor-example'],
  // Doc/library/concurrent.interpreters.rst (3.14): labels interp-isolation, interp-concurrency, interp-object-sharing; object anchors
  'https://docs.python.org/3/library/concurrent.interpreters.html': ['concurrent.interpreters.ExecutionFailed', 'concurrent.interpreters.Interpreter', 'concurrent.interpreters.Interpreter.call', 'concurrent.interpreters.Interpreter.call_in_thread', 'concurrent.interpreters.Interpreter.close', 'concurrent.interpreters.Interpreter.exec', 'concurrent.interpreters.Interpreter.prepare_main', 'concurrent.interpreters.NotShareableError', 'concurrent.interpreters.Queue', 'concurrent.interpreters.create', 'concurrent.interpreters.create_queue', 'concurrent.interpreters.get_current', 'concurrent.interpreters.list_all', 'interp-concurrency', 'interp-isolation', 'interp-object-sharing', 'key-details', 'module-concurrent.interpreters'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/contextvars.html': ['contextvars.ContextVar', 'contextvars.copy_context'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/multiprocessing.html': ['contexts-and-start-methods', 'exchanging-objects-between-processes', 'introduction', 'multiprocessing.Array', 'multiprocessing.Barrier', 'multiprocessing.Condition', 'multiprocessing.Event', 'multiprocessing.JoinableQueue', 'multiprocessing.Lock', 'multiprocessing.Manager', 'multiprocessing.Pipe', 'multiprocessing.Process', 'multiprocessing.Process.daemon', 'multiprocessing.Queue', 'multiprocessing.RLock', 'multiprocessing.Semaphore', 'multiprocessing.SimpleQueue', 'multiprocessing.Value', 'multiprocessing.active_children', 'multiprocessing.cpu_count', 'multiprocessing.current_process', 'multiprocessing.freeze_support', 'multiprocessing.get_context', 'multiprocessing.get_start_method', 'multiprocessing.pool.Pool', 'multiprocessing.pool.Pool.apply_async', 'multiprocessing.pool.Pool.imap_unordered', 'multiprocessing.pool.Pool.map', 'multiprocessing.pool.ThreadPool', 'multiprocessing.set_forkserver_preload', 'multiprocessing.set_start_method', 'programming-guidelines', 'sharing-state-between-processes', 'the-spawn-and-forkserver-start-methods'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/multiprocessing.shared_memory.html': ['module-multiprocessing.shared_memory', 'multiprocessing.shared_memory.ShareableList', 'multiprocessing.shared_memory.SharedMemory'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/os.html': ['os.fork', 'os.process_cpu_count'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/pickle.html': ['what-can-be-pickled-and-unpickled'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/queue.html': ['module-queue', 'queue.Empty', 'queue.Full', 'queue.LifoQueue', 'queue.PriorityQueue', 'queue.Queue', 'queue.ShutDown', 'queue.SimpleQueue'],
  // rendered Node.js v25.2.1 process TOC; doc/api/process.md heading "When to use queueMicrotask() vs. process.nextTick()"
  'https://docs.python.org/3/library/subprocess.html': ['module-subprocess', 'subprocess.CalledProcessError', 'subprocess.DEVNULL', 'subprocess.PIPE', 'subprocess.Popen', 'subprocess.Popen.communicate', 'subprocess.TimeoutExpired', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.run'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/sys.html': ['sys._is_gil_enabled', 'sys.flags.thread_inherit_context', 'sys.remote_exec', 'sys.setswitchinterval'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/threading.html': ['lock-objects', 'module-threading', 'threading.Barrier', 'threading.BoundedSemaphore', 'threading.Condition', 'threading.Event', 'threading.Lock', 'threading.RLock', 'threading.Semaphore', 'threading.Thread', 'threading.Thread.daemon', 'threading.Thread.join', 'threading.Thread.start', 'threading.Timer', 'threading.active_count', 'threading.current_thread', 'threading.excepthook', 'threading.get_ident', 'threading.local', 'threading.main_thread', 'threading.stack_size', 'using-locks-conditions-and-semaphores-in-the-with-statement'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/library/time.html': ['time.sleep'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/reference/compound_stmts.html': ['async-for', 'async-with', 'coroutine-function-definition'],
  // CPython Doc/ sources: object anchors from .. function::/.. class::/.. method:: directives, section anchors from headings
  'https://docs.python.org/3/reference/expressions.html': ['await'],
  // rendered whatsnew/3.14 summary anchors (whatsnew314-*)
  'https://docs.python.org/3/whatsnew/3.14.html': ['whatsnew314-asyncio-introspection', 'whatsnew314-free-threaded-cpython', 'whatsnew314-free-threaded-now-supported', 'whatsnew314-multiple-interpreters'],
  // doc/api/async_context.md heading "Class: AsyncLocalStorage"
  'https://nodejs.org/api/async_context.html': ['class-asynclocalstorage'],
  // rendered Node.js v25.2.1 process TOC; doc/api/process.md heading "When to use queueMicrotask() vs. process.nextTick()"
  'https://nodejs.org/api/child_process.html': ['child-process', 'child_processexeccommand-options-callback', 'child_processexecfilefile-args-options-callback', 'child_processexecfilesyncfile-args-options', 'child_processexecsynccommand-options', 'child_processforkmodulepath-args-options', 'child_processspawncommand-args-options', 'child_processspawnsynccommand-args-options', 'event-error', 'optionsdetached', 'subprocesssendmessage-sendhandle-options-callback'],
  // doc/api/*.md headings (already module-prefixed, unchanged through v25)
  'https://nodejs.org/api/cli.html': ['--unhandled-rejectionsmode', 'uv_threadpool_sizesize'],
  // doc/api/*.md headings (already module-prefixed, unchanged through v25)
  'https://nodejs.org/api/cluster.html': ['cluster', 'clusterforkenv', 'clusterisprimary'],
  // doc/api/*.md headings (already module-prefixed, unchanged through v25)
  'https://nodejs.org/api/events.html': ['class-eventemitter', 'eventsonceemitter-name-options', 'eventsonemitter-eventname-options'],
  // doc/api/*.md headings (already module-prefixed, unchanged through v25)
  'https://nodejs.org/api/globals.html': ['class-abortcontroller', 'class-abortsignal', 'queuemicrotaskcallback', 'static-method-abortsignalanysignals', 'static-method-abortsignaltimeoutdelay'],
  // doc/api/*.md headings (already module-prefixed, unchanged through v25)
  'https://nodejs.org/api/os.html': ['osavailableparallelism'],
  // rendered Node.js v25.2.1 permissions TOC
  'https://nodejs.org/api/permissions.html': ['permission-model'],
  // rendered Node.js v25.2.1 process TOC; doc/api/process.md heading "When to use queueMicrotask() vs. process.nextTick()"
  'https://nodejs.org/api/process.html': ['processpermissionhasscope-reference', 'when-to-use-queuemicrotask-vs-processnexttick'],
  // doc/api/stream.md heading "Streams Promises API" (stable; the per-function headings under it differ between versions)
  'https://nodejs.org/api/stream.html': ['streams-promises-api'],
  // rendered Node.js v25.2.1 timers TOC
  'https://nodejs.org/api/timers.html': ['cleartimeouttimeout', 'setimmediatecallback-args', 'setintervalcallback-delay-args', 'settimeoutcallback-delay-args', 'timerspromisesschedulerwaitdelay-options', 'timerspromisesscheduleryield', 'timerspromisessetimmediatevalue-options', 'timerspromisessetintervaldelay-value-options', 'timerspromisessettimeoutdelay-value-options'],
  // doc/api/*.md headings (already module-prefixed, unchanged through v25)
  'https://nodejs.org/api/util.html': ['utilpromisifyoriginal'],
  // rendered Node.js v25.2.1 worker_threads TOC (module-level headings renamed to worker_threads.*)
  'https://nodejs.org/api/worker_threads.html': ['class-broadcastchannel-extends-eventtarget', 'class-messagechannel', 'class-messageport', 'class-worker', 'considerations-when-cloning-objects-with-prototypes-classes-and-accessors', 'event-error', 'new-workerfilename-options', 'portpostmessagevalue-transferlist', 'worker-threads', 'worker_threadsgetenvironmentdatakey', 'worker_threadsismainthread', 'worker_threadslocks', 'worker_threadsmarkasuncloneableobject', 'worker_threadsparentport', 'worker_threadspostmessagetothreadthreadid-value-transferlist-timeout', 'worker_threadsreceivemessageonportport', 'worker_threadsresourcelimits', 'worker_threadssetenvironmentdatakey-value', 'worker_threadsshare_env', 'worker_threadsthreadid', 'worker_threadsthreadname', 'worker_threadsworkerdata', 'workersymbolasyncdispose'],
  // nodejs/nodejs.org learn pages (headings)
  'https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop': ['dont-block-the-event-loop'],
  // nodejs/nodejs.org learn pages (headings)
  'https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick': ['event-loop-explained', 'processnexttick', 'what-is-the-event-loop'],
  // nodejs/nodejs.org learn pages (headings)
  'https://nodejs.org/en/learn/asynchronous-work/overview-of-blocking-vs-non-blocking': ['concurrency-and-throughput'],
};
