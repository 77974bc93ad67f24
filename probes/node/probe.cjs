'use strict';
/*
 * Concurrency Lens — the Node.js probe. Plain CommonJS, no dependencies, shipped in the extension.
 *
 * Preloaded with NODE_OPTIONS="--require <abs path>/probe.cjs", so it runs before CommonJS and ESM
 * entry points alike, and is inherited by child Node processes (fork/spawn keep the environment) and
 * by worker_threads Workers. It connects to CONCURRENCY_LENS_ADDRESS, authenticates with
 * CONCURRENCY_LENS_TOKEN and streams newline-delimited JSON frames (docs/probe-protocol.md).
 *
 * Design, chosen for low overhead (no async_hooks in the default mode):
 * - Workers are observed from the thread that created them (diagnostics_channel `worker_threads`,
 *   `online`/`exit` events, `worker.performance.eventLoopUtilization()`); inside a Worker the probe
 *   does nothing.
 * - Child processes through diagnostics_channel `child_process` plus `spawn`/`exit` events.
 * - A timer (unref'd) samples event-loop delay and utilisation and active resources a few times a second.
 * - A blocked loop is noticed by a watchdog Worker watching a heartbeat in shared memory. When the
 *   heartbeat stops it starts V8's CPU profiler on the main thread through the inspector (this never
 *   pauses the program) and, once the loop is back, reports the most-sampled stack.
 * - It never blocks or changes the program: a bounded queue drops the oldest frames (and counts them),
 *   the socket is unref'd once connected, no listener that changes default behaviour (no 'error',
 *   'uncaughtException', 'unhandledRejection' or signal handlers), and nothing is printed.
 */
(function startProbe() {
  const GUARD = Symbol.for('concurrencyLens.nodeProbe');
  if (globalThis[GUARD]) return;
  globalThis[GUARD] = true;

  const workerThreads = require('node:worker_threads');
  if (!workerThreads.isMainThread) return;
  const endpoint = parseAddress(process.env.CONCURRENCY_LENS_ADDRESS ?? '');
  const token = process.env.CONCURRENCY_LENS_TOKEN;
  if (!endpoint || !token) return;

  const net = require('node:net');
  const diagnosticsChannel = require('node:diagnostics_channel');
  const { monitorEventLoopDelay, performance } = require('node:perf_hooks');

  const PROTOCOL_VERSION = 1;
  const SAMPLE_MS = positiveNumber(process.env.CONCURRENCY_LENS_SAMPLE_MS, 200);
  const BLOCK_THRESHOLD_MS = positiveNumber(process.env.CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS, 100);
  const PROMISE_DETAIL = process.env.CONCURRENCY_LENS_NODE_PROMISES === '1';
  const MAX_QUEUED_FRAMES = 1000;
  const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;
  const LOOP_DELAY_RESOLUTION_MS = 10;
  const MAX_TEXT = 4000;

  const startedAt = Math.round(Date.now() - process.uptime() * 1000);
  const mainThread = { id: 'main', kind: 'main', name: 'main', state: 'running', startedAt };
  const mainLoop = { id: 'loop-main', threadId: 'main', lagMs: 0, utilization: 0, resources: {} };
  /** Entities by set, and the JSON last sent for each (to send only what changed). */
  const threads = new Map([[mainThread.id, mainThread]]);
  const children = new Map();
  const watchedWorkers = new Map();
  const lastSent = new Map();

  // ── transport ────────────────────────────────────────────────────────────────────────────────
  let socket;
  let connected = false;
  let seq = 0;
  let dropped = 0;
  let needSnapshot = true;
  const queue = [];

  /** `seq` is assigned when the frame is written, so it counts frames on this connection. */
  function frame(kind, body) {
    return { kind, seq: 0, t: Date.now(), ...body };
  }

  function enqueue(value) {
    queue.push(value);
    if (queue.length > MAX_QUEUED_FRAMES) {
      queue.shift();
      dropped += 1;
      needSnapshot = true;
    }
    flush();
  }

  function flush() {
    if (!connected) return;
    while (queue.length > 0 && socket.writableLength < MAX_SOCKET_BACKLOG_BYTES) write(queue.shift());
  }

  function write(value) {
    value.seq = seq++;
    if (dropped > 0) {
      value.dropped = dropped;
      dropped = 0;
    }
    socket.write(JSON.stringify(value) + '\n');
  }

  function connect() {
    socket = net.createConnection(endpoint);
    socket.setNoDelay?.(true);
    // Stay referenced only until connected (a millisecond on loopback) so that even a program that
    // ends at once is seen; from then on the connection never keeps the program alive.
    socket.on('connect', () => {
      connected = true;
      socket.unref();
      write(frame('hello', {
        token,
        protocol: PROTOCOL_VERSION,
        pid: process.pid,
        ppid: process.ppid,
        runtime: { name: 'node', version: process.versions.node, implementation: `V8 ${process.versions.v8}`, executable: process.execPath },
        argv: process.argv.slice(0, 1000).map((arg) => truncate(arg, 4096)),
        cwd: process.cwd(),
        startedAt,
      }));
      flush();
    });
    socket.on('drain', flush);
    socket.on('error', () => {
      connected = false;
      queue.length = 0;
      socket.destroy();
    });
    socket.on('close', () => {
      connected = false;
    });
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────────
  function entityKey(set, entity) {
    return `${set}:${entity.id}`;
  }

  function snapshotFrame() {
    const body = { threads: [...threads.values()], loops: [mainLoop], children: [...children.values()] };
    for (const [set, list] of Object.entries(body)) for (const entity of list) lastSent.set(entityKey(set, entity), JSON.stringify(entity));
    return frame('snapshot', body);
  }

  /** A delta of the entities whose JSON changed since last sent, or undefined when none did. */
  function deltaFrame() {
    const upsert = {};
    let changes = 0;
    for (const [set, list] of [['threads', threads.values()], ['loops', [mainLoop]], ['children', children.values()]]) {
      for (const entity of list) {
        const json = JSON.stringify(entity);
        const key = entityKey(set, entity);
        if (lastSent.get(key) === json) continue;
        lastSent.set(key, json);
        (upsert[set] ??= []).push(entity);
        changes += 1;
      }
    }
    return changes > 0 ? frame('delta', { upsert }) : undefined;
  }

  function publishState() {
    if (needSnapshot) {
      needSnapshot = false;
      enqueue(snapshotFrame());
      return;
    }
    const delta = deltaFrame();
    if (delta) enqueue(delta);
  }

  // ── workers ──────────────────────────────────────────────────────────────────────────────────
  function watchWorker(worker) {
    const id = `worker-${worker.threadId}`;
    const thread = { id, kind: 'worker', name: `Worker ${worker.threadId}`, state: 'waiting', nativeId: worker.threadId, startedAt: Date.now() };
    threads.set(id, thread);
    watchedWorkers.set(id, { worker, elu: undefined });
    worker.on('online', () => {
      thread.state = 'running';
      const limits = numericRecord(worker.resourceLimits);
      if (limits) thread.resourceLimits = limits;
      watchedWorkers.get(id).elu = worker.performance.eventLoopUtilization();
      publishState();
    });
    worker.on('exit', (exitCode) => {
      watchedWorkers.delete(id);
      thread.state = 'exited';
      thread.endedAt = Date.now();
      thread.exitCode = exitCode;
      publishState();
    });
  }

  // ── child processes ──────────────────────────────────────────────────────────────────────────
  let childCount = 0;
  function watchChild(child) {
    childCount += 1;
    // The channel publishes from the constructor: command and pid are known from 'spawn' on.
    const entity = { id: `child-${childCount}`, command: '', startedAt: Date.now() };
    children.set(entity.id, entity);
    const describe = () => {
      entity.command ||= truncate(describeCommand(child), MAX_TEXT);
      if (child.pid) entity.pid = child.pid;
    };
    const finish = (exitCode, signal) => {
      if (entity.endedAt !== undefined) return;
      describe();
      entity.endedAt = Date.now();
      if (typeof exitCode === 'number') entity.exitCode = exitCode;
      if (signal) entity.signal = signal;
      publishState();
    };
    // Only events whose listeners change nothing: an 'error' listener would swallow spawn errors.
    child.on('spawn', () => {
      describe();
      publishState();
    });
    child.on('exit', finish);
    child.on('close', finish);
  }

  function describeCommand(child) {
    const args = Array.isArray(child.spawnargs) ? child.spawnargs : [];
    return args.length > 0 ? args.join(' ') : String(child.spawnfile ?? '');
  }

  // ── event loop ───────────────────────────────────────────────────────────────────────────────
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  let lastUtilization = performance.eventLoopUtilization();
  const promiseCounts = PROMISE_DETAIL ? countPromises() : undefined;

  function sample() {
    // Each sample of the histogram is the time between two ticks of a timer set to the resolution.
    const lag = loopDelay.mean / 1e6 - LOOP_DELAY_RESOLUTION_MS;
    loopDelay.reset();
    const utilization = performance.eventLoopUtilization(lastUtilization);
    lastUtilization = performance.eventLoopUtilization();
    mainLoop.lagMs = round(Math.max(0, Number.isFinite(lag) ? lag : 0), 1);
    mainLoop.utilization = round(clamp01(utilization.utilization), 2);
    mainLoop.resources = activeResources();
    mainThread.state = mainLoop.utilization >= 0.5 ? 'running' : 'waiting';
    for (const [id, watched] of watchedWorkers) {
      if (!watched.elu) continue;
      const now = watched.worker.performance.eventLoopUtilization();
      const busy = clamp01(watched.worker.performance.eventLoopUtilization(now, watched.elu).utilization);
      watched.elu = now;
      threads.get(id).state = busy >= 0.5 ? 'running' : 'waiting';
    }
    publishState();
  }

  /** Active handles and requests by type, without the probe's own socket. */
  function activeResources() {
    const counts = {};
    for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
    if (promiseCounts) counts.Promise = promiseCounts.created - promiseCounts.settled;
    return counts;
  }

  /** Optional detail mode: counts pending promises with V8's promise hooks (costly: see README). */
  function countPromises() {
    const counts = { created: 0, settled: 0 };
    const { promiseHooks } = require('node:v8');
    promiseHooks.onInit(() => {
      counts.created += 1;
    });
    promiseHooks.onSettled(() => {
      counts.settled += 1;
    });
    return counts;
  }

  // ── blocked-loop watchdog ────────────────────────────────────────────────────────────────────
  /** Blocks noticed by the main thread, awaiting the watchdog's stack, by heartbeat value. */
  const pendingBlocks = new Map();
  const reportedBlocks = new Set();

  function reportBlock(beatValue, durationMs, stack) {
    const pending = pendingBlocks.get(beatValue);
    if (pending) clearTimeout(pending.timer);
    pendingBlocks.delete(beatValue);
    if (reportedBlocks.has(beatValue)) return;
    reportedBlocks.add(beatValue);
    if (reportedBlocks.size > 100) reportedBlocks.delete(reportedBlocks.values().next().value);
    enqueue(frame('blocked', { loopId: mainLoop.id, threadId: mainThread.id, durationMs: Math.round(durationMs), stack }));
  }

  function flushPendingBlocks() {
    for (const [beatValue, pending] of pendingBlocks) reportBlock(beatValue, pending.durationMs, []);
  }

  /**
   * The main thread beats a heartbeat into shared memory. A late beat is a block it reports itself;
   * the watchdog, seeing the heartbeat stop, profiles the thread meanwhile and sends the stack,
   * which the report waits for briefly (the watchdog may start too late to see an early block).
   */
  function startWatchdog() {
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    const beatMs = Math.max(5, Math.min(50, BLOCK_THRESHOLD_MS / 4));
    let lastBeatAt = Date.now();
    let lastBeatUtilization = performance.eventLoopUtilization();
    const beat = () => {
      const now = Date.now();
      const previous = Atomics.load(heartbeat, 0);
      const lateBy = now - lastBeatAt - beatMs;
      lastBeatAt = now;
      Atomics.store(heartbeat, 0, now - startedAt);
      const utilization = performance.eventLoopUtilization();
      // A late beat while the loop was idle is the OS not scheduling the program, not a block.
      const busyMs = performance.eventLoopUtilization(utilization, lastBeatUtilization).active;
      lastBeatUtilization = utilization;
      if (lateBy > BLOCK_THRESHOLD_MS && busyMs > lateBy / 2 && !reportedBlocks.has(previous)) {
        const timer = setTimeout(() => reportBlock(previous, lateBy, []), 500);
        timer.unref();
        pendingBlocks.set(previous, { durationMs: lateBy, timer });
      }
    };
    Atomics.store(heartbeat, 0, lastBeatAt - startedAt);
    setInterval(beat, beatMs).unref();
    let watchdog;
    try {
      watchdog = new workerThreads.Worker(`(${watchdogMain.toString()})()`, {
        eval: true,
        workerData: { heartbeat: heartbeat.buffer, startedAt, thresholdMs: BLOCK_THRESHOLD_MS, probeFile: __filename },
        env: {},
      });
    } catch {
      return;
    }
    watchdog.on('error', () => undefined); // the watchdog is ours: its failure must never reach the program
    watchdog.on('message', (report) => reportBlock(report.beat, report.durationMs, report.stack));
    watchdog.unref(); // after adding listeners: a 'message' listener refs the port again
  }

  /** Runs in the watchdog Worker: notices a stopped heartbeat and profiles the main thread meanwhile. */
  function watchdogMain() {
    const { workerData, parentPort } = require('node:worker_threads');
    const { fileURLToPath } = require('node:url');
    const inspector = require('node:inspector');
    const heartbeat = new Int32Array(workerData.heartbeat);
    const probeFile = workerData.probeFile;
    const now = () => Date.now() - workerData.startedAt;
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const session = new inspector.Session();
    let profiling = false;
    try {
      session.connectToMainThread();
    } catch {
      return;
    }
    const post = (method, params) => new Promise((resolve) => session.post(method, params ?? {}, (error, result) => resolve(error ? undefined : result)));
    const pollMs = Math.max(5, Math.min(50, workerData.thresholdMs / 4));
    const PROFILE_WINDOW_MS = 100;
    // Inspector replies do not keep a thread alive: without a handle this Worker would end while
    // awaiting one. (The Worker itself is unref'd, so this never keeps the program alive.)
    setInterval(() => undefined, 1 << 30);

    async function watch() {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        const lastBeat = Atomics.load(heartbeat, 0);
        if (now() - lastBeat <= workerData.thresholdMs) continue;
        // Blocked: sample the main thread's stack until its heartbeat comes back.
        profiling = true;
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 5000 }); // µs: enough samples, little cost
        await post('Profiler.start');
        // Profiling has a cost: sample a short window, which is enough to find the hot stack.
        const profileUntil = Date.now() + PROFILE_WINDOW_MS;
        while (Atomics.load(heartbeat, 0) === lastBeat && Date.now() < profileUntil) sleep(pollMs);
        const result = await post('Profiler.stop');
        await post('Profiler.disable');
        profiling = false;
        while (Atomics.load(heartbeat, 0) === lastBeat) sleep(pollMs);
        const durationMs = Math.max(0, Atomics.load(heartbeat, 0) - lastBeat);
        parentPort.postMessage({ beat: lastBeat, durationMs, stack: result ? hottestStack(result.profile) : [] });
      }
    }

    /** The stack (outermost first) of the most-sampled frame in a CPU profile, the program's own code first. */
    function hottestStack(profile) {
      const parents = new Map();
      for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
      const hottestOf = (accept) => {
        let hottest;
        for (const node of profile.nodes) {
          const { url } = node.callFrame;
          if (node.callFrame.functionName.startsWith('(') || !url || url.endsWith(probeFile) || !accept(url)) continue;
          if (!hottest || (node.hitCount ?? 0) > (hottest.hitCount ?? 0)) hottest = node;
        }
        return hottest;
      };
      const hottest = hottestOf((url) => !url.startsWith('node:')) ?? hottestOf(() => true);
      const stack = [];
      for (let node = hottest; node && node.callFrame.functionName !== '(root)'; node = parents.get(node.id)) {
        const { url, lineNumber, functionName } = node.callFrame;
        if (!url || lineNumber < 0) continue;
        let file = url;
        try {
          if (url.startsWith('file:')) file = fileURLToPath(url);
        } catch {
          // keep the URL as it is
        }
        stack.unshift({ file, line: lineNumber + 1, function: functionName || '(anonymous)' });
      }
      return stack.slice(-200);
    }

    watch().catch(() => {
      if (profiling) session.post('Profiler.stop', () => undefined);
    });
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────
  /** CONCURRENCY_LENS_ADDRESS is `unix:<socket path>` or `tcp:127.0.0.1:<port>` (docs/probe-protocol.md). */
  function parseAddress(text) {
    if (text.startsWith('unix:') && text.length > 5) return { path: text.slice(5) };
    const tcp = /^tcp:(127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(text);
    return tcp ? { host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]) } : undefined;
  }

  function positiveNumber(text, fallback) {
    const value = Number(text);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  }

  function truncate(text, max) {
    return text.length > max ? text.slice(0, max) : text;
  }

  function round(value, digits) {
    const scale = 10 ** digits;
    return Math.round(value * scale) / scale;
  }

  function clamp01(value) {
    return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  }

  function numericRecord(record) {
    if (!record || typeof record !== 'object') return undefined;
    const entries = Object.entries(record).filter(([, value]) => typeof value === 'number' && Number.isFinite(value));
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }

  // ── start ────────────────────────────────────────────────────────────────────────────────────
  try {
    // The watchdog starts before we subscribe, so it never shows up as one of the program's Workers.
    startWatchdog();
    diagnosticsChannel.subscribe('worker_threads', (message) => watchWorker(message.worker));
    diagnosticsChannel.subscribe('child_process', (message) => watchChild(message.process));
    connect();
    publishState();
    setInterval(() => {
      try {
        sample();
      } catch {
        // A sampling failure must never reach the program.
      }
    }, SAMPLE_MS).unref();
    process.on('exit', (exitCode) => {
      try {
        flushPendingBlocks();
        sample();
        enqueue(frame('exit', { exitCode }));
      } catch {
        // The program is ending anyway.
      }
    });
  } catch {
    // The probe must never break the program it observes.
  }
})();
