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
 * - One heartbeat timer (unref'd) measures the loop's lag: each sample (a few times a second) reports
 *   the largest lag since the previous one, with event-loop utilisation and active resources. A beat
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
  const { performance } = require('node:perf_hooks');

  const PROTOCOL_VERSION = 1;
  const SAMPLE_MS = positiveNumber(process.env.CONCURRENCY_LENS_SAMPLE_MS, 200);
  const BLOCK_THRESHOLD_MS = positiveNumber(process.env.CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS, 100);
  /** Trace mode (opt-in): every callback the loop runs, timed (async_hooks before/after), and promise activity. */
  const TRACE = process.env.CONCURRENCY_LENS_TRACE === '1';
  const PROMISE_DETAIL = process.env.CONCURRENCY_LENS_NODE_PROMISES === '1';
  const MAX_QUEUED_FRAMES = 1000;
  const MAX_SOCKET_BACKLOG_BYTES = 1024 * 1024;
  const MAX_TEXT = 4000;

  const startedAt = Math.round(Date.now() - process.uptime() * 1000);
  const mainThread = { id: 'main', kind: 'main', name: 'main', state: 'running', startedAt };
  const mainLoop = { id: 'loop-main', threadId: 'main', lagMs: 0, utilization: 0, resources: {} };
  /** Entities by set, and the JSON last sent for each (to send only what changed). */
  const threads = new Map([[mainThread.id, mainThread]]);
  const children = new Map();
  const watchedWorkers = new Map();
  const lastSent = new Map();

  // ── the probe's own time ─────────────────────────────────────────────────────────────────────
  /** Time spent in the probe's own callbacks since the last heartbeat: never the program's lag. */
  let ownWorkMs = 0;
  let ownWorkDepth = 0;

  /** `callback`, its running time counted as the probe's own work (once, when calls nest). */
  function ownWork(callback) {
    return (...args) => {
      const started = ownWorkDepth++ === 0 ? performance.now() : undefined;
      try {
        return callback(...args);
      } finally {
        ownWorkDepth -= 1;
        if (started !== undefined) ownWorkMs += performance.now() - started;
      }
    };
  }

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

  const flush = ownWork(() => {
    if (!connected) return;
    while (queue.length > 0 && socket.writableLength < MAX_SOCKET_BACKLOG_BYTES) write(queue.shift());
  });

  function write(value) {
    value.seq = seq++;
    if (dropped > 0) {
      value.dropped = dropped;
      dropped = 0;
    }
    socket.write(JSON.stringify(value) + '\n');
  }

  function connect() {
    creatingOwn = true;
    socket = net.createConnection(endpoint);
    creatingOwn = false;
    socket.setNoDelay?.(true);
    // Stay referenced only until connected (a millisecond on loopback) so that even a program that
    // ends at once is seen; from then on the connection never keeps the program alive.
    socket.on('connect', ownWork(() => {
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
    }));
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

  const publishState = ownWork(() => {
    if (needSnapshot) {
      needSnapshot = false;
      enqueue(snapshotFrame());
      return;
    }
    const delta = deltaFrame();
    if (delta) enqueue(delta);
  });

  // ── workers ──────────────────────────────────────────────────────────────────────────────────
  /** Returns what to call once the Worker is online (a Worker already running when the probe was attached is). */
  function watchWorker(worker) {
    const id = `worker-${worker.threadId}`;
    const thread = { id, kind: 'worker', name: `Worker ${worker.threadId}`, state: 'waiting', nativeId: worker.threadId, startedAt: Date.now() };
    threads.set(id, thread);
    watchedWorkers.set(id, { worker, elu: undefined });
    const online = () => {
      thread.state = 'running';
      const limits = numericRecord(worker.resourceLimits);
      if (limits) thread.resourceLimits = limits;
      watchedWorkers.get(id).elu = worker.performance.eventLoopUtilization();
      publishState();
    };
    worker.on('online', online);
    worker.on('exit', (exitCode) => {
      watchedWorkers.delete(id);
      thread.state = 'exited';
      thread.endedAt = Date.now();
      thread.exitCode = exitCode;
      publishState();
    });
    return online;
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
  let lastUtilization = performance.eventLoopUtilization();
  // Trace mode counts promises with its own hooks (one set of promise hooks, not two).
  const promiseCounts = PROMISE_DETAIL && !TRACE ? countPromises() : undefined;

  /** Sends the state of the process; `lagMs` is the loop's largest lag since the previous sample. */
  function sample(lagMs) {
    const utilization = performance.eventLoopUtilization(lastUtilization);
    lastUtilization = performance.eventLoopUtilization();
    mainLoop.lagMs = round(lagMs, 1);
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
    tracer?.drain();
    publishState();
  }

  /** Active handles and requests by type, without the probe's own socket. */
  function activeResources() {
    const counts = {};
    for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
    const promises = promiseCounts ?? tracer?.promises;
    if (promises) counts.Promise = promises.created - promises.settled;
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

  // ── trace mode ───────────────────────────────────────────────────────────────────────────────
  /** Callbacks recorded between two samples at most (beyond, the oldest are dropped). */
  const MAX_TRACED_CALLBACKS = 200000;
  /** A callback that held the loop this long (ms) is listed with its creation line. */
  const SLOW_CALLBACK_MS = 10;
  const SLOWEST_PER_FRAME = 20;
  /** A promise reaction starting this soon (ms) after a callback ended belongs to that callback's turn. */
  const COALESCE_MS = 0.05;
  /** Set while the probe creates its own timers and sockets: they are not the program's callbacks. */
  let creatingOwn = false;
  const tracer = TRACE ? startTracer() : undefined;

  function startTracer() {
    const asyncHooks = require('node:async_hooks');
    const epoch = performance.timeOrigin;
    /** asyncId → [type, creation stack holder or undefined] of live resources (promises: type only). */
    const resources = new Map();
    const own = new Set();
    const promises = { created: 0, settled: 0 };
    let start = [];
    let duration = [];
    let slow = [];
    let depth = 0;
    let turnStart = 0;
    let turnId = 0;
    /** The last recorded callback (performance.now): promise reactions that follow it at once extend it. */
    let lastStart = 0;
    let lastEnd = -Infinity;
    const hook = asyncHooks.createHook({
      init(asyncId, type) {
        if (creatingOwn || ownWorkDepth > 0) {
          own.add(asyncId);
          return;
        }
        if (type === 'PROMISE') {
          promises.created += 1;
          return;
        }
        const site = {};
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 10;
        Error.captureStackTrace(site);
        Error.stackTraceLimit = limit;
        resources.set(asyncId, [type, site]);
      },
      before(asyncId) {
        if (depth++ > 0 || own.has(asyncId)) return;
        turnStart = performance.now();
        turnId = asyncId;
      },
      after(asyncId) {
        if (--depth > 0 || turnStart === 0 || asyncId !== turnId) return;
        const now = performance.now();
        const begun = turnStart;
        turnStart = 0;
        const resource = resources.get(asyncId);
        if (resource === undefined && start.length > 0 && begun - lastEnd < COALESCE_MS) {
          // A promise reaction right after the previous callback: the same turn of the loop (its microtasks).
          duration[duration.length - 1] = round(now - lastStart, 3);
          lastEnd = now;
          return;
        }
        if (start.length >= MAX_TRACED_CALLBACKS) return;
        lastStart = begun;
        lastEnd = now;
        start.push(round(epoch + begun, 3));
        duration.push(round(now - begun, 3));
        if (now - begun >= SLOW_CALLBACK_MS) slow.push([now - begun, round(epoch + begun, 3), resource]);
      },
      promiseResolve() {
        promises.settled += 1;
      },
      destroy(asyncId) {
        resources.delete(asyncId);
        own.delete(asyncId);
      },
    });
    hook.enable();
    return {
      promises,
      drain: ownWork(() => {
        if (start.length === 0) return;
        const slowest = slow.sort((a, b) => b[0] - a[0]).slice(0, SLOWEST_PER_FRAME).map(([ms, at, resource]) => {
          const location = resource ? creationLine(resource[1]) : undefined;
          return { durationMs: round(ms, 3), start: at, callback: resource ? resource[0] : 'callback', ...(location ? { location } : {}) };
        });
        enqueue(frame('trace', { loopId: mainLoop.id, threadId: mainThread.id, start, duration, task: start.map(() => ''), ...(slowest.length ? { slow: slowest } : {}) }));
        start = [];
        duration = [];
        slow = [];
      }),
    };
  }

  /** The first frame of the program's own code in a resource's creation stack. */
  function creationLine(site) {
    for (const line of String(site.stack ?? '').split('\n').slice(1)) {
      const match = /(?:\(|^at )((?:file:\/\/)?\/[^()]*?):(\d+):\d+\)?$/.exec(line.trim());
      if (!match || /node:|\/probes\/node\/probe\.cjs|node_modules/.test(match[1])) continue;
      return { file: fileOf(match[1]), line: Number(match[2]) };
    }
    return undefined;
  }

  // ── lag and blocks: one heartbeat ────────────────────────────────────────────────────────────
  /**
   * One measure backs both the loop's lag and its blocks: a heartbeat timer every quarter of the
   * threshold (5–50 ms) notes how late it runs. Each sample reports the largest lateness since the
   * previous one; a lateness above the threshold while the program kept the loop busy is a block.
   * A late beat while the loop idled, or while the thread hardly ran nor sat in a system call but
   * waited for a CPU (a loaded machine preempting a short callback; Linux tells:
   * /proc/thread-self/schedstat), is lag but not the program's block. The probe's own work is never the program's lag: the time spent in the probe's
   * callbacks is subtracted. Loading modules is start-up,
   * not a block: a late beat whose samples show Node's module loader at the bottom of the stack (the
   * entry point, `--import` and `--require` preloads, a dynamic import being evaluated) counts
   * neither as lag nor as a block.
   */
  function startLoopWatch() {
    const beatMs = Math.max(5, Math.min(50, BLOCK_THRESHOLD_MS / 4));
    const profiler = startProfiler();
    const readSchedule = threadSchedule();
    let lastBeatAt = performance.now();
    let lastBeatUtilization = performance.eventLoopUtilization();
    let lastSchedule = readSchedule();
    let lastSampleAt = lastBeatAt;
    let peakLagMs = 0;

    const beat = ownWork((final) => {
      const now = performance.now();
      // Before the loop starts, the program is starting (preloads and a CommonJS entry point run then).
      const dueAt = Math.max(lastBeatAt + beatMs, performance.nodeTiming.loopStart);
      const lateBy = now - dueAt - ownWorkMs;
      ownWorkMs = 0;
      const blockStartedAt = now - lateBy;
      lastBeatAt = now;
      const utilization = performance.eventLoopUtilization();
      const busyMs = performance.eventLoopUtilization(utilization, lastBeatUtilization).active;
      lastBeatUtilization = utilization;
      const schedule = readSchedule();
      // The program's own part of a late stretch: time on a CPU, or busy off one (in a system call).
      // Far below the threshold, the thread was waiting for a CPU: the machine preempted a short callback.
      const preempted = schedule !== undefined && lastSchedule !== undefined
        && Math.max(schedule.cpuMs - lastSchedule.cpuMs, busyMs - (schedule.waitMs - lastSchedule.waitMs)) < BLOCK_THRESHOLD_MS / 10;
      lastSchedule = schedule;
      if (lateBy > BLOCK_THRESHOLD_MS && busyMs > lateBy / 2) {
        const block = profiler?.blockBetween(blockStartedAt, now) ?? { loading: false, stack: [] };
        if (!block.loading) peakLagMs = Math.max(peakLagMs, lateBy);
        if (!block.loading && !preempted) {
          enqueue(frame('blocked', { loopId: mainLoop.id, threadId: mainThread.id, durationMs: Math.round(lateBy), stack: block.stack }));
        }
      } else {
        peakLagMs = Math.max(peakLagMs, lateBy);
        profiler?.rotate();
      }
      if (final || now - lastSampleAt >= SAMPLE_MS) {
        lastSampleAt = now;
        sample(peakLagMs);
        peakLagMs = 0;
      }
    });
    creatingOwn = true;
    setInterval(() => {
      try {
        beat(false);
      } catch {
        // A failing beat must never reach the program.
      }
    }, beatMs).unref();
    creatingOwn = false;
    /** At exit: the last stretch of the loop and a final sample. */
    return { finish: () => beat(true) };
  }

  /**
   * Reads the main thread's total time on a CPU and waiting for one (ms), where Linux tells it
   * (/proc/thread-self/schedstat, opened from this thread: the file stays this thread's); else undefined.
   */
  function threadSchedule() {
    try {
      const fs = require('node:fs');
      const fd = fs.openSync('/proc/thread-self/schedstat', 'r');
      const buffer = Buffer.alloc(96);
      return () => {
        try {
          // "<ns on a CPU> <ns waiting for one> <time slices>"
          const [cpuNs, waitNs] = buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, buffer.length, 0)).split(' ').map(Number);
          return Number.isFinite(cpuNs) && Number.isFinite(waitNs) ? { cpuMs: cpuNs / 1e6, waitMs: waitNs / 1e6 } : undefined;
        } catch {
          return undefined;
        }
      };
    } catch {
      return () => undefined;
    }
  }

  /**
   * V8's sampling profiler on this thread through an in-process inspector session (a sample every
   * quarter of the threshold, at most 25 ms), or undefined where the inspector is unavailable. Its
   * samples are read only when a block has ended, which means stopping a profile. Starting the
   * profiler from nothing walks the heap (10–100 ms in a big program), so two profiles overlap: the
   * protocol's own and a console profile of the same session. Every PROFILE_WINDOW_MS the older one
   * is restarted while the other keeps the profiler running, which costs a fraction of a millisecond;
   * a block is read from the younger profile that began before it. While another inspector client
   * may be listening (an open inspector port, `--cpu-prof`), console profiles would reach it too:
   * then one profile is used and restarted rarely, its start-up cost left out of the lag.
   */
  const PROFILE_SAMPLE_US = Math.round(Math.min(25, Math.max(1, BLOCK_THRESHOLD_MS / 4)) * 1000);
  const PROFILE_WINDOW_MS = 1000;
  const LONE_PROFILE_WINDOW_MS = 30_000;
  const CONSOLE_PROFILE_TITLE = `concurrency-lens-${process.pid}`;

  function startProfiler() {
    let inspector;
    let session;
    try {
      inspector = require('node:inspector');
      session = new inspector.Session();
      session.connect();
    } catch {
      return undefined;
    }
    // A session on its own thread answers synchronously, events included.
    const post = (method, params) => {
      let answer;
      session.post(method, params ?? {}, (error, result) => {
        answer = error ? undefined : result;
      });
      return answer;
    };
    let finishedConsoleProfile;
    session.on('Profiler.consoleProfileFinished', ({ params }) => {
      if (params.title !== CONSOLE_PROFILE_TITLE) return;
      finishedConsoleProfile = params.profile;
      consoleSlot.startedAt = undefined; // also when the program's own console.profileEnd() took it
    });
    const protocolSlot = {
      startedAt: undefined,
      start: () => post('Profiler.start'),
      stop: () => post('Profiler.stop')?.profile,
    };
    const consoleSlot = {
      startedAt: undefined,
      start: () => inspector.console.profile(CONSOLE_PROFILE_TITLE),
      stop: () => {
        finishedConsoleProfile = undefined;
        inspector.console.profileEnd(CONSOLE_PROFILE_TITLE);
        return finishedConsoleProfile;
      },
    };
    const slots = [protocolSlot, consoleSlot];
    const start = (slot) => {
      slot.start();
      slot.startedAt = performance.now();
    };
    const stop = (slot) => {
      const profile = slot.stop();
      slot.startedAt = undefined;
      return profile;
    };
    const running = () => slots.filter((slot) => slot.startedAt !== undefined);
    const overlapAllowed = () => !inspector.url() && !/--cpu-prof\b/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);

    post('Profiler.enable');
    post('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLE_US });
    start(protocolSlot);
    return {
      /** Keeps the profiles short: restarts the older one when the younger is a window old. */
      rotate() {
        const now = performance.now();
        const live = running();
        const newest = Math.max(...live.map((slot) => slot.startedAt));
        if (!overlapAllowed()) {
          if (consoleSlot.startedAt !== undefined) stop(consoleSlot);
          if (protocolSlot.startedAt === undefined || now - protocolSlot.startedAt > LONE_PROFILE_WINDOW_MS) {
            if (protocolSlot.startedAt !== undefined) stop(protocolSlot);
            start(protocolSlot);
          }
          return;
        }
        if (live.length > 0 && now - newest < PROFILE_WINDOW_MS) return;
        const idle = slots.find((slot) => slot.startedAt === undefined);
        if (idle) return start(idle);
        const oldest = live.reduce((older, slot) => (slot.startedAt < older.startedAt ? slot : older));
        stop(oldest);
        start(oldest);
      },
      /** Where the loop was between two `performance.now()` times: stops the profile that covers it and starts it anew. */
      blockBetween(from, to) {
        const live = running();
        const covering = live.filter((slot) => slot.startedAt <= from);
        const candidates = covering.length > 0 ? covering : live;
        const slot = candidates.reduce((youngest, candidate) => (candidate.startedAt > youngest.startedAt ? candidate : youngest), candidates[0]);
        const stoppedAt = performance.now();
        const profile = slot && stop(slot);
        if (overlapAllowed()) start(slot ?? protocolSlot);
        else if (protocolSlot.startedAt === undefined) start(protocolSlot);
        if (!profile) return { loading: false, stack: [] };
        const toProfileTime = (time) => profile.endTime - (stoppedAt - time) * 1000;
        return describeBlock(profile, toProfileTime(from), toProfileTime(to));
      },
    };
  }

  /**
   * What the loop did between two profile times (µs). Each sample is attributed to its innermost
   * frame of the program's code (not Node's internals); the most frequent such frame wins, and the
   * stack runs from the outermost frame to it, then on through the internal frames it was in most
   * often (e.g. `readFileSync`), so a block inside Node's internals is attributed to the nearest
   * program frame. Samples with no program frame at all leave a stack of internal frames only, or
   * the garbage collector's pseudo-frame.
   * A sample whose stack has Node's module loader below any program frame is loading: when most
   * samples are, the late beat was start-up (or a dynamic import) and `loading` is true.
   */
  function describeBlock(profile, fromUs, toUs) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
    const attributed = new Map(); // program frame (or internal leaf) → { count, leaves: leaf → count }
    let loadingSamples = 0;
    let samples = 0;
    let time = profile.startTime;
    for (let index = 0; index < profile.samples.length; index += 1) {
      time += profile.timeDeltas[index] ?? 0;
      if (time < fromUs || time > toUs) continue;
      const leaf = nodes.get(profile.samples[index]);
      if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
      samples += 1;
      let outermostKind;
      let program;
      let innermostCode;
      for (let node = leaf; node; node = parents.get(node.id)) {
        const kind = frameKind(node.callFrame);
        if (kind === 'program') program ??= node;
        if (kind !== 'other') {
          innermostCode ??= node;
          outermostKind = kind;
        }
      }
      if (outermostKind === 'loader') {
        loadingSamples += 1;
        continue;
      }
      const owner = program ?? innermostCode ?? leaf;
      const entry = attributed.get(owner) ?? { count: 0, leaves: new Map() };
      entry.count += 1;
      entry.leaves.set(leaf, (entry.leaves.get(leaf) ?? 0) + 1);
      attributed.set(owner, entry);
    }
    if (samples > 0 && loadingSamples * 2 > samples) return { loading: true, stack: [] };
    const owners = [...attributed];
    const owner = mostFrequent(owners.filter(([node]) => frameKind(node.callFrame) === 'program')) ?? mostFrequent(owners);
    if (!owner) return { loading: false, stack: [] };
    if (owner.callFrame.functionName === '(garbage collector)') return { loading: false, stack: [GARBAGE_COLLECTION] };
    const leaf = mostFrequent([...attributed.get(owner).leaves].map(([node, count]) => [node, { count }]));
    const stack = [];
    for (let node = leaf; node; node = parents.get(node.id)) {
      const location = sourceLocation(node);
      if (location) stack.unshift(location);
    }
    return { loading: false, stack: stack.slice(-200) };
  }

  /** A block spent collecting garbage: V8's pseudo-frame, named as a location that is no file. */
  const GARBAGE_COLLECTION = { file: '<garbage collection>', line: 1, function: '(garbage collector)' };

  /** `program` (the program's code and its packages), `loader` (Node's module loader and bootstrap), `internal` (the rest of Node), `other` (V8's pseudo-frames, native code, the probe). */
  function frameKind({ url, functionName }) {
    if (!url || functionName.startsWith('(') || url.endsWith(__filename)) return 'other';
    if (!url.startsWith('node:')) return 'program';
    return url.startsWith('node:internal/modules/') || url.startsWith('node:internal/main/') ? 'loader' : 'internal';
  }

  /** The key of the `[key, { count }]` entry with the highest count. */
  function mostFrequent(entries) {
    let best;
    for (const [key, value] of entries) if (!best || value.count > best[1].count) best = [key, value];
    return best?.[0];
  }

  /**
   * A profile node as `{file, line, function}`. The line is the one that was running: the line the
   * node's own samples were on most (`positionTicks`) — for the innermost frame that is where the
   * loop was stuck, for a caller a line it ran itself (often the call, when it calls in a loop) —
   * else the function's first line. Transpiled code (`--import tsx`) is mapped back through the
   * source map Node has for it; a generated line that holds several source lines (tsx writes a
   * module on one line) can only say which function ran. A frame with no line at all (a module's
   * top level with no samples of its own) is left out.
   */
  function sourceLocation(node) {
    const { url, lineNumber, columnNumber, functionName } = node.callFrame;
    if (frameKind(node.callFrame) === 'other') return undefined;
    const location = (file, line) => ({ file, line: line + 1, function: functionName || '(anonymous)' });
    const map = sourceMapOf(url);
    const hottestLine = mostTicked(node.positionTicks);
    if (hottestLine !== undefined) {
      if (!map) return location(fileOf(url), hottestLine - 1);
      const original = originalLine(map, hottestLine - 1);
      if (original) return location(original.file, original.line);
    }
    if (lineNumber < 0) return undefined;
    const entry = map?.findEntry(lineNumber, columnNumber);
    return entry?.generatedLine === lineNumber && typeof entry.originalSource === 'string'
      ? location(fileOf(entry.originalSource), entry.originalLine)
      : location(fileOf(url), lineNumber);
  }

  function mostTicked(positionTicks) {
    let best;
    for (const { line, ticks } of positionTicks ?? []) if (!best || ticks > best.ticks) best = { line, ticks };
    return best?.line;
  }

  /** Node's source map of a script (loaded with source maps enabled, as tsx does), if any. */
  function sourceMapOf(url) {
    if (url.startsWith('node:')) return undefined;
    try {
      const { findSourceMap } = require('node:module');
      return findSourceMap?.(url) ?? findSourceMap?.(fileOf(url));
    } catch {
      return undefined;
    }
  }

  /** The source line a 0-based generated line came from, when all of its mappings agree on one. */
  function originalLine(map, line) {
    const last = map.findEntry(line, Number.MAX_SAFE_INTEGER);
    if (last?.generatedLine !== line || typeof last.originalSource !== 'string') return undefined;
    // The line's first mapping: the smallest column that finds an entry on this line.
    let low = 0;
    let high = last.generatedColumn;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (map.findEntry(line, middle)?.generatedLine === line) high = middle;
      else low = middle + 1;
    }
    const first = map.findEntry(line, low);
    return first.originalSource === last.originalSource && first.originalLine === last.originalLine
      ? { file: fileOf(last.originalSource), line: last.originalLine }
      : undefined;
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
    const loopWatch = startLoopWatch();
    diagnosticsChannel.subscribe('worker_threads', ownWork(({ worker }) => {
      if (!isNodeInternal(worker)) watchWorker(worker);
    }));
    diagnosticsChannel.subscribe('child_process', ownWork((message) => watchChild(message.process)));
    // Loaded into a running process (src/core/attach): the attacher hands over the Workers already running.
    const attachedWorkers = globalThis[Symbol.for('concurrencyLens.attachedWorkers')];
    delete globalThis[Symbol.for('concurrencyLens.attachedWorkers')];
    if (Array.isArray(attachedWorkers)) for (const worker of attachedWorkers) if (!isNodeInternal(worker)) watchWorker(worker)();
    watchNestedWorkers();
    connect();
    publishState();
    process.on('exit', (exitCode) => {
      try {
        loopWatch.finish();
        enqueue(frame('exit', { exitCode }));
      } catch {
        // The program is ending anyway.
      }
    });
  } catch {
    // The probe must never break the program it observes.
  }
})();
