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
 *   `online`/`exit` events, `worker.performance.eventLoopUtilization()`). Inside a Worker the probe
 *   only tells the main thread, over a BroadcastChannel, about the Workers that Worker starts.
 * - Child processes through diagnostics_channel `child_process` plus `spawn`/`exit` events.
 * - A timer (unref'd) samples event-loop delay and utilisation and active resources a few times a second.
 * - A blocked loop is noticed by a heartbeat timer that comes late while the loop was busy; its stack
 *   comes from V8's sampling profiler (every quarter of the threshold, at most 25 ms; in-process
 *   inspector session), whose samples taken during the block show where the loop was stuck.
 * - It never blocks or changes the program: a bounded queue drops the oldest frames (and counts them),
 *   the socket is unref'd once connected, no listener that changes default behaviour (no 'error',
 *   'uncaughtException', 'unhandledRejection' or signal handlers), and nothing is printed.
 */
(function startProbe() {
  const GUARD = Symbol.for('concurrencyLens.nodeProbe');
  if (globalThis[GUARD]) return;
  globalThis[GUARD] = true;

  const endpoint = parseAddress(process.env.CONCURRENCY_LENS_ADDRESS ?? '');
  const token = process.env.CONCURRENCY_LENS_TOKEN;
  if (!endpoint || !token) return;
  const workerThreads = require('node:worker_threads');
  const diagnosticsChannel = require('node:diagnostics_channel');
  /** Carries the lifecycle of Workers started inside Workers to the main thread's probe. */
  const NESTED_WORKERS_CHANNEL = 'concurrencyLens.nestedWorkers';
  if (!workerThreads.isMainThread) {
    try {
      reportNestedWorkers();
    } catch {
      // The probe must never break the program it observes.
    }
    return;
  }

  const net = require('node:net');
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

  /** In a Worker: announces each Worker it starts (the channel is opened on the first one). */
  function reportNestedWorkers() {
    let channel;
    diagnosticsChannel.subscribe('worker_threads', ({ worker }) => {
      if (isNodeInternal(worker)) return;
      if (!channel) {
        channel = new workerThreads.BroadcastChannel(NESTED_WORKERS_CHANNEL);
        channel.unref();
      }
      const threadId = worker.threadId; // -1 once the Worker has exited
      const send = (event) => channel.postMessage({ ...event, threadId, parentThreadId: workerThreads.threadId, at: Date.now() });
      send({ type: 'start' });
      worker.on('online', () => send({ type: 'online', resourceLimits: numericRecord(worker.resourceLimits) }));
      worker.on('exit', (exitCode) => send({ type: 'exit', exitCode }));
    });
  }

  /** In the main thread: Workers started inside Workers, as the Worker that started each reports them. */
  function watchNestedWorkers() {
    const channel = new workerThreads.BroadcastChannel(NESTED_WORKERS_CHANNEL);
    channel.onmessage = ({ data }) => {
      if (!data || !Number.isInteger(data.threadId) || !Number.isInteger(data.parentThreadId) || !Number.isFinite(data.at)) return;
      const id = `worker-${data.threadId}`;
      let thread = threads.get(id);
      if (!thread) {
        thread = { id, kind: 'worker', name: `Worker ${data.threadId}`, state: 'waiting', nativeId: data.threadId, startedAt: data.at, parentThreadId: `worker-${data.parentThreadId}` };
        threads.set(id, thread);
      }
      if (data.type === 'online') {
        thread.state = 'running';
        const limits = numericRecord(data.resourceLimits);
        if (limits) thread.resourceLimits = limits;
      } else if (data.type === 'exit') {
        thread.state = 'exited';
        thread.endedAt = data.at;
        if (Number.isInteger(data.exitCode)) thread.exitCode = data.exitCode;
      }
      publishState();
    };
    channel.unref(); // after the listener, which refs the channel again
  }

  /** Node's own module-loader thread (started by `module.register`, e.g. by `--import tsx`) is not the program's. */
  function isNodeInternal(worker) {
    return worker.constructor?.name === 'InternalWorker';
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

  // ── blocked loop ─────────────────────────────────────────────────────────────────────────────
  /**
   * The main thread beats a timer every quarter of the threshold; a beat that comes late while the
   * loop was busy is a block. Its stack comes from V8's sampling profiler, kept running on this
   * thread through an in-process inspector session: sampling four times per threshold (every 25 ms
   * by default, so a reported block holds four samples or more) costs far less than any
   * observer thread (a watchdog Worker's start-up alone slowed short programs by ~10 ms), and
   * the samples taken during the block hold the blocking stack. The profile is restarted after
   * each block and every PROFILE_WINDOW_MS, so its memory stays bounded.
   */
  const PROFILE_SAMPLE_US = Math.round(Math.min(25, Math.max(1, BLOCK_THRESHOLD_MS / 4)) * 1000);
  const PROFILE_WINDOW_MS = 30_000;

  function startBlockWatch() {
    const profiler = startProfiler();
    const beatMs = Math.max(5, Math.min(50, BLOCK_THRESHOLD_MS / 4));
    let lastBeatAt = performance.now();
    let lastBeatUtilization = performance.eventLoopUtilization();

    function checkForBlock() {
      const now = performance.now();
      const lateBy = now - lastBeatAt - beatMs;
      const blockStartedAt = lastBeatAt + beatMs;
      lastBeatAt = now;
      const utilization = performance.eventLoopUtilization();
      // A late beat while the loop was idle is the OS not scheduling the program, not a block.
      const busyMs = performance.eventLoopUtilization(utilization, lastBeatUtilization).active;
      lastBeatUtilization = utilization;
      if (lateBy > BLOCK_THRESHOLD_MS && busyMs > lateBy / 2) {
        const stack = profiler?.stackSince(blockStartedAt) ?? [];
        enqueue(frame('blocked', { loopId: mainLoop.id, threadId: mainThread.id, durationMs: Math.round(lateBy), stack }));
      } else if (profiler && now - profiler.startedAt > PROFILE_WINDOW_MS) {
        profiler.restart();
      }
    }
    setInterval(checkForBlock, beatMs).unref();
    return { checkForBlock, stop: () => profiler?.stop() };
  }

  /** V8's CPU profiler on this thread, or undefined where the inspector is unavailable. */
  function startProfiler() {
    let session;
    try {
      const inspector = require('node:inspector');
      session = new inspector.Session();
      session.connect();
    } catch {
      return undefined;
    }
    // A session on its own thread answers synchronously.
    const post = (method, params) => {
      let answer;
      session.post(method, params ?? {}, (error, result) => {
        answer = error ? undefined : result;
      });
      return answer;
    };
    const profiler = {
      startedAt: 0,
      restart() {
        post('Profiler.stop');
        begin();
      },
      stop() {
        post('Profiler.stop');
        session.disconnect();
      },
      /** The blocking stack: stops the profile, reads the samples taken since `since`, starts anew. */
      stackSince(since) {
        const stoppedAt = performance.now();
        const result = post('Profiler.stop');
        begin();
        return result ? hottestStack(result.profile, result.profile.endTime - (stoppedAt - since) * 1000) : [];
      },
    };
    function begin() {
      post('Profiler.start');
      profiler.startedAt = performance.now();
    }
    post('Profiler.enable');
    post('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLE_US });
    begin();
    return profiler;
  }

  /**
   * The stack (outermost first) where the samples taken since `sinceUs` spent most time: for each
   * sample, its innermost frame of the program's own code (else of Node's), the most frequent wins.
   */
  function hottestStack(profile, sinceUs) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
    const isCode = (node, acceptInternal) => {
      const { url, functionName } = node.callFrame;
      return url && !functionName.startsWith('(') && !url.endsWith(__filename) && (acceptInternal || !url.startsWith('node:'));
    };
    const countFrames = (acceptInternal) => {
      const counts = new Map();
      let time = profile.startTime;
      for (let index = 0; index < profile.samples.length; index += 1) {
        time += profile.timeDeltas[index] ?? 0;
        if (time < sinceUs) continue;
        let node = nodes.get(profile.samples[index]);
        while (node && !isCode(node, acceptInternal)) node = parents.get(node.id);
        if (node) counts.set(node, (counts.get(node) ?? 0) + 1);
      }
      let hottest;
      for (const [node, count] of counts) if (!hottest || count > counts.get(hottest)) hottest = node;
      return hottest;
    };
    const stack = [];
    for (let node = countFrames(false) ?? countFrames(true); node; node = parents.get(node.id)) {
      const { url, lineNumber, functionName } = node.callFrame;
      if (!url || lineNumber < 0 || url.endsWith(__filename)) continue;
      stack.unshift({ file: fileOf(url), line: lineNumber + 1, function: functionName || '(anonymous)' });
    }
    return stack.slice(-200);
  }

  function fileOf(url) {
    try {
      return url.startsWith('file:') ? require('node:url').fileURLToPath(url) : url;
    } catch {
      return url;
    }
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
    const blockWatch = startBlockWatch();
    diagnosticsChannel.subscribe('worker_threads', ({ worker }) => {
      if (!isNodeInternal(worker)) watchWorker(worker);
    });
    diagnosticsChannel.subscribe('child_process', (message) => watchChild(message.process));
    watchNestedWorkers();
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
        blockWatch.checkForBlock();
        blockWatch.stop();
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
