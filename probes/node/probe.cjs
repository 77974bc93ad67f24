'use strict';
/*
 * Concurrency Lens — the Node.js probe. Plain CommonJS, no dependencies, shipped in the extension.
 *
 * Preloaded with NODE_OPTIONS="--require <abs path>/probe.cjs", so it runs before CommonJS and ESM
 * entry points alike, and is inherited by child Node processes (fork/spawn keep the environment) and
 * by worker_threads Workers. It connects to CONCURRENCY_LENS_ADDRESS, authenticates with
 * CONCURRENCY_LENS_TOKEN and streams newline-delimited JSON frames (docs/probe-protocol.md).
 *
 * This file wires the parts together; each concern is a module of its own in lib/ (transport, state,
 * workers, children, keptAlive, loop + profiler, trace, ownTime, util).
 *
 * Design, chosen for low overhead (no async_hooks in the default mode):
 * - Workers are observed from the thread that created them (diagnostics_channel `worker_threads`,
 *   `online`/`exit` events, `worker.performance.eventLoopUtilization()`). Inside a Worker the probe
 *   only tells the main thread, over a BroadcastChannel, about the Workers that Worker starts.
 * - Child processes through diagnostics_channel `child_process` plus `spawn`/`exit` events.
 * - One heartbeat timer (unref'd; every quarter of the threshold while the program works, every
 *   threshold while it idles) measures the loop's lag: each sample (a few times a second) reports
 *   the largest lag since the previous one, with the loop's utilisation and active resources. A beat
 *   that comes late while the loop was busy is a block; its stack comes from V8's sampling profiler
 *   (every quarter of the threshold, at most 25 ms; in-process inspector session), whose samples
 *   taken during the block show where the loop was stuck, down to the line.
 * - Trace mode (CONCURRENCY_LENS_TRACE=1, opt-in): async_hooks times every callback the main loop
 *   runs (the outermost `before`/`after` of each turn), sent as `trace` frames at each sample, with
 *   the slowest callbacks named by resource type and the line that created them (captured for
 *   every resource but promises; formatted only for a slow one). Promises are counted pending.
 * - It never blocks or changes the program: its own work is kept short and never counted as the
 *   program's lag, a bounded queue drops the oldest frames (and counts them),
 *   the socket is unref'd once connected, no listener that changes default behaviour (no 'error',
 *   'uncaughtException', 'unhandledRejection' or signal handlers), and nothing is printed.
 */
(function startProbe() {
  const GUARD = Symbol.for('concurrencyLens.nodeProbe');
  if (globalThis[GUARD]) return;
  globalThis[GUARD] = true;

  // Every require is inside the try: even a lib file missing from a damaged install never breaks the program.
  try {
    const { parseAddress, positiveNumber } = require('./lib/util.cjs');
    const endpoint = parseAddress(process.env.CONCURRENCY_LENS_ADDRESS ?? '');
    const token = process.env.CONCURRENCY_LENS_TOKEN;
    if (!endpoint || !token) return;
    const workerThreads = require('node:worker_threads');
    const workers = require('./lib/workers.cjs');
    if (!workerThreads.isMainThread) {
      workers.startInWorker();
      return;
    }

    const diagnosticsChannel = require('node:diagnostics_channel');
    const { createOwnTime } = require('./lib/ownTime.cjs');
    const { createTransport } = require('./lib/transport.cjs');
    const { createState, KEEPALIVE_MS } = require('./lib/state.cjs');
    const { createChildWatch } = require('./lib/children.cjs');
    const { createKeptAliveWatch } = require('./lib/keptAlive.cjs');
    const { startLoopWatch } = require('./lib/loop.cjs');

    const sampleMs = positiveNumber(process.env.CONCURRENCY_LENS_SAMPLE_MS, 200);
    const thresholdMs = positiveNumber(process.env.CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS, 100);
    /** Trace mode (opt-in): every callback the loop runs, timed (async_hooks before/after), and promise activity. */
    const trace = process.env.CONCURRENCY_LENS_TRACE === '1';
    const promiseDetail = process.env.CONCURRENCY_LENS_NODE_PROMISES === '1';
    const startedAt = Math.round(Date.now() - process.uptime() * 1000);

    const own = createOwnTime();
    const transport = createTransport({ endpoint, token, startedAt, own, silentAtMostMs: KEEPALIVE_MS });
    const state = createState({ transport, own, startedAt });
    const workerWatch = workers.createWorkerWatch({ state });
    const childWatch = createChildWatch({ state });
    const keptAlive = createKeptAliveWatch({ state, own, workers: workerWatch });
    // Trace mode counts promises with its own hooks (one set of promise hooks, not two).
    // (Loaded only then: each file a process loads is start-up time.)
    const promiseCounts = promiseDetail && !trace ? require('./lib/trace.cjs').countPromises() : undefined;
    const tracer = trace ? require('./lib/trace.cjs').startTracer({ transport, state, own }) : undefined;
    const syncCalls = require('./lib/syncCalls.cjs').watchSyncCalls({ state });
    const loopWatch = startLoopWatch({ sampleMs, thresholdMs, transport, state, own, workers: workerWatch, keptAlive, tracer, promiseCounts, syncCalls });

    diagnosticsChannel.subscribe('worker_threads', own.work(({ worker }) => {
      if (workers.isNodeInternal(worker)) return;
      keptAlive.noteCreation(keptAlive.noteCreation, 16, worker);
      workerWatch.watch(worker);
    }));
    diagnosticsChannel.subscribe('child_process', own.work((message) => {
      keptAlive.noteCreation(keptAlive.noteCreation, 16, message.process);
      childWatch.watch(message.process);
    }));
    keptAlive.wrapCreators();
    // Loaded into a running process (src/core/attach): the attacher hands over the Workers already running.
    const attachedWorkers = globalThis[Symbol.for('concurrencyLens.attachedWorkers')];
    delete globalThis[Symbol.for('concurrencyLens.attachedWorkers')];
    if (Array.isArray(attachedWorkers)) for (const worker of attachedWorkers) if (!workers.isNodeInternal(worker)) workerWatch.watch(worker)();
    workerWatch.watchNested();
    transport.connect();
    state.publish();
    process.on('exit', (exitCode) => {
      try {
        // An ES module entry point whose top-level await nothing can settle: Node's own 'exit' listener
        // (registered after this one, so not run yet) is still there and will set exit code 13.
        const unsettledTopLevelAwait = process.exitCode === undefined && process.listeners('exit').some((listener) => listener.name === 'handleProcessExit');
        if (unsettledTopLevelAwait) Object.assign(state.mainThread, { state: 'waiting', wait: { kind: 'top-level-await', call: 'await', since: Date.now() } });
        loopWatch.finish();
        transport.enqueue(transport.frame('exit', { exitCode: unsettledTopLevelAwait ? 13 : exitCode }));
      } catch {
        // The program is ending anyway.
      }
    });
  } catch {
    // The probe must never break the program it observes.
  }
})();
