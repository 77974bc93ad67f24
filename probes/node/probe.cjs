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
  /** In a Worker: its channel to the main thread's probe (see tellMainThread). */
  let toMainThread;
  if (!workerThreads.isMainThread) {
    try {
      reportNestedWorkers();
      reportAtomicsWaits();
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
  /** The same since the last sample: the loop's busy time minus this is the program's. */
  let ownWorkSinceSampleMs = 0;
  let ownWorkDepth = 0;

  /** `callback`, its running time counted as the probe's own work (once, when calls nest). */
  function ownWork(callback) {
    return (...args) => {
      const started = ownWorkDepth++ === 0 ? performance.now() : undefined;
      try {
        return callback(...args);
      } finally {
        ownWorkDepth -= 1;
        if (started !== undefined) {
          const spent = performance.now() - started;
          ownWorkMs += spent;
          ownWorkSinceSampleMs += spent;
        }
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

  /** In a Worker: the channel to the main thread's probe, opened on first need. */
  function tellMainThread(message) {
    if (!toMainThread) {
      toMainThread = new workerThreads.BroadcastChannel(NESTED_WORKERS_CHANNEL);
      toMainThread.unref();
    }
    toMainThread.postMessage(message);
  }

  /** In a Worker: announces each Worker it starts. */
  function reportNestedWorkers() {
    diagnosticsChannel.subscribe('worker_threads', ({ worker }) => {
      if (isNodeInternal(worker)) return;
      const threadId = worker.threadId; // -1 once the Worker has exited
      const send = (event) => tellMainThread({ ...event, threadId, parentThreadId: workerThreads.threadId, at: Date.now() });
      send({ type: 'start' });
      worker.on('online', () => send({ type: 'online', resourceLimits: numericRecord(worker.resourceLimits) }));
      worker.on('exit', (exitCode) => send({ type: 'exit', exitCode }));
    });
  }

  /**
   * In a Worker: marks each `Atomics.wait` in memory the main thread reads (a SharedArrayBuffer: when
   * the wait began, which line, and whether it has a timeout), so the main thread can say that this
   * Worker waits there while it cannot answer anything, and whether it can wake by itself (a wait
   * with no timeout ends only by another thread's `Atomics.notify`). Per call: the calling line (a one-frame stack, ~2 µs) and three stores;
   * a line is sent to the main thread the first time it waits, the buffer on the first wait.
   * The wait itself is the runtime's, called once with the same arguments (it never wakes early).
   */
  function reportAtomicsWaits() {
    const lines = new Map();
    let marks;
    wrapFunction(Atomics, 'wait', (originalWait) => function wait() {
      if (!marks) {
        marks = new Float64Array(new SharedArrayBuffer(3 * Float64Array.BYTES_PER_ELEMENT));
        tellMainThread({ type: 'atomics', threadId: workerThreads.threadId, marks });
      }
      const at = callerLine(wait);
      const key = at ? `${at.file}:${at.line}` : '';
      let line = lines.get(key);
      if (line === undefined) {
        line = lines.size + 1;
        lines.set(key, line);
        if (at) tellMainThread({ type: 'atomics-line', threadId: workerThreads.threadId, line, at });
      }
      marks[1] = at ? line : 0;
      // Atomics.wait reads a missing, undefined, NaN or +Infinity timeout as none; anything else
      // (not converted here: a valueOf would run twice) counts as a timeout, so it is never called stuck.
      const timeout = arguments[3];
      marks[2] = timeout === undefined || timeout === Infinity || Number.isNaN(timeout) ? 0 : 1;
      marks[0] = Date.now();
      try {
        return Reflect.apply(originalWait, Atomics, arguments);
      } finally {
        marks[0] = 0;
      }
    });
  }

  /** The file and line that called `callee` (structured call sites: no stack text is formatted). */
  function callerLine(callee) {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    const holder = {};
    try {
      Error.prepareStackTrace = (_, callSites) => callSites;
      Error.stackTraceLimit = 1;
      Error.captureStackTrace(holder, callee);
      const site = holder.stack?.[0];
      const file = site?.getFileName();
      const line = site?.getLineNumber();
      return file && line ? { file: fileOf(file), line, function: site.getFunctionName() || '(anonymous)' } : undefined;
    } catch {
      return undefined;
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = limit;
    }
  }

  /** In the main thread: Workers started inside Workers, as the Worker that started each reports them. */
  function watchNestedWorkers() {
    const channel = new workerThreads.BroadcastChannel(NESTED_WORKERS_CHANNEL);
    channel.onmessage = ({ data }) => {
      if (data?.type === 'atomics' || data?.type === 'atomics-line') {
        noteAtomicsWaits(data);
        return;
      }
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

  // ── what keeps the process alive ─────────────────────────────────────────────────────────────
  /**
   * Once the main script has run (a CommonJS entry point has loaded; an ES module's loop has started)
   * and the loop has only waited for IDLE_MS (its thread on a CPU less than IDLE_UTILIZATION of every sample,
   * the probe's own work left out), the loop
   * entity lists what keeps the process alive: each referenced handle Node lists
   * (`process._getActiveHandles()`: servers, sockets, child processes, Workers, message ports…) and
   * the long timers, with the line that created each. Lines cost a stack capture
   * (~2–12 µs, formatted only when reported; at most SITES_PER_SAMPLE a sample) and are taken only
   * where a handle can outlive its turn: `server.listen`, `socket.connect`, spawning a child,
   * `new Worker`, `new MessageChannel`, every `setInterval` and each `setTimeout` of LONG_TIMER_MS or
   * more. Shorter timers are counted only.
   * The timers are Node's own: each duration has a list of its pending timers (a `TimersList`, the
   * `_idlePrev` of a timer just created), and the probe remembers the lists its long timers went
   * into, not the timers. So `clearTimeout` is not wrapped and a cleared timer is never held: a
   * program creating and clearing timers by the hundred thousand a second (request timeouts) pays
   * one call and one comparison per timer. Nothing else runs while the loop is busy.
   */
  const IDLE_UTILIZATION = 0.1;
  const IDLE_MS = 1000;
  const LONG_TIMER_MS = 1000;
  /** Timer lists remembered (one per duration the program's long timers use) and timers read from them at most. */
  const MAX_TIMER_LISTS = 200;
  const MAX_LISTED_TIMERS = 2000;
  const MAX_KEPT_ALIVE = 50;
  const SITES_PER_SAMPLE = 50;
  let sitesLeft = SITES_PER_SAMPLE;
  /** A Worker in Atomics.wait this long (ms) is said to wait there (shorter waits are not news). */
  const ATOMICS_WAIT_SHOWN_MS = 100;
  /** handle → its creation stack (an object whose `stack` V8 formats on first read). */
  const creationSites = new WeakMap();
  /** Node's lists of pending timers (one per duration) that long timers went into: see above. */
  const timerLists = new Set();
  let lastTimerList;
  /** Workers' Atomics.wait marks by thread id: `{ marks, lines }` (see reportAtomicsWaits). */
  const atomicsWaits = new Map();
  let quietSince;

  /**
   * Remembers where `handles` were created: `depth` frames of the stack above `callee`. A capture
   * costs 2–12 µs (more under an async function, whose awaiting callers V8 walks too): at most
   * SITES_PER_SAMPLE a sample, so a program that creates handles by the thousand pays a bounded
   * cost, and a handle created past the budget is listed without its line.
   */
  function noteCreation(callee, depth, ...handles) {
    if (creatingOwn || sitesLeft <= 0) return;
    sitesLeft -= 1;
    const site = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = depth;
    Error.captureStackTrace(site, callee);
    Error.stackTraceLimit = limit;
    for (const handle of handles) if (handle && typeof handle === 'object') creationSites.set(handle, site);
  }

  /** The program's line that created a handle, formatted once. */
  function createdAt(handle) {
    const site = creationSites.get(handle);
    if (!site) return undefined;
    if (!('location' in site)) site.location = creationLine(site);
    return site.location;
  }

  /** Replaces `owner[name]` by `wrap(original)`, keeping the original's name, length and other properties. */
  function wrapFunction(owner, name, wrap) {
    const original = owner[name];
    if (typeof original !== 'function') return;
    const wrapper = wrap(original);
    for (const key of Reflect.ownKeys(original)) {
      if (key !== 'prototype') Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(original, key));
    }
    owner[name] = wrapper;
    return wrapper;
  }

  function wrapCreators() {
    const timers = require('node:timers');
    for (const name of ['setTimeout', 'setInterval']) {
      const repeats = name === 'setInterval';
      const original = timers[name];
      // Called directly when it can be (no `arguments` object, no Reflect.apply): this runs for every timer.
      const wrapper = wrapFunction(timers, name, (setTimer) => function timer(callback, delay) {
        const handle = arguments.length <= 2 ? setTimer(callback, delay) : Reflect.apply(setTimer, this, arguments);
        if (repeats || delay >= LONG_TIMER_MS) noteTimer(timer, handle);
        return handle;
      });
      if (wrapper && globalThis[name] === original) globalThis[name] = wrapper;
    }
    const listen = (original) => function listen() {
      noteCreation(listen, 10, this);
      return Reflect.apply(original, this, arguments);
    };
    wrapFunction(net.Server.prototype, 'listen', listen);
    const connect = (original) => function connect() {
      noteCreation(connect, 10, this);
      return Reflect.apply(original, this, arguments);
    };
    wrapFunction(net.Socket.prototype, 'connect', connect);
    const OriginalChannel = workerThreads.MessageChannel;
    if (typeof OriginalChannel === 'function') {
      const MessageChannel = class MessageChannel extends OriginalChannel {
        constructor() {
          super();
          noteCreation(MessageChannel, 10, this.port1, this.port2);
        }
      };
      workerThreads.MessageChannel = MessageChannel;
      if (globalThis.MessageChannel === OriginalChannel) globalThis.MessageChannel = MessageChannel;
    }
  }

  /** A long timer just created: the list it went into, and the line that created it. */
  function noteTimer(callee, handle) {
    const list = handle?._idlePrev;
    if (list !== lastTimerList && list?._idleNext !== undefined && timerLists.size < MAX_TIMER_LISTS) {
      lastTimerList = list;
      timerLists.add(list);
    }
    noteCreation(callee, 10, handle);
  }

  /** Lets go of the timer lists Node has let go of (emptied: a list is never reused once empty). */
  function pruneTimerLists() {
    for (const list of timerLists) if (list._idleNext === list || list._idleNext == null) timerLists.delete(list);
  }

  /** The pending timers of the remembered lists (at most MAX_LISTED_TIMERS). */
  function longTimers() {
    const found = [];
    for (const list of timerLists) {
      for (let timer = list._idleNext; timer && timer !== list && found.length < MAX_LISTED_TIMERS; timer = timer._idleNext) found.push(timer);
    }
    return found;
  }

  /** Main thread: a Worker's Atomics.wait marks, or a line it waits on (reportAtomicsWaits). */
  function noteAtomicsWaits(data) {
    if (!Number.isInteger(data.threadId)) return;
    if (data.type === 'atomics' && data.marks instanceof Float64Array && data.marks.length >= 2) {
      const known = atomicsWaits.get(data.threadId);
      atomicsWaits.set(data.threadId, { marks: data.marks, lines: known?.lines ?? new Map() });
    } else if (data.type === 'atomics-line' && Number.isInteger(data.line) && typeof data.at?.file === 'string' && Number.isInteger(data.at.line) && data.at.line > 0) {
      const known = atomicsWaits.get(data.threadId) ?? { marks: undefined, lines: new Map() };
      known.lines.set(data.line, { file: truncate(data.at.file, 4096), line: data.at.line, function: truncate(String(data.at.function ?? '(anonymous)'), MAX_TEXT) });
      atomicsWaits.set(data.threadId, known);
    }
  }

  /** At each sample: each Worker in a long Atomics.wait waits there (`wait`, and its line as `location`). */
  function updateAtomicsWaits(now) {
    for (const [threadId, { marks, lines }] of atomicsWaits) {
      const thread = threads.get(`worker-${threadId}`);
      if (thread?.state === 'exited') {
        atomicsWaits.delete(threadId);
        delete thread.wait;
        delete thread.location;
        continue;
      }
      if (!thread || !marks) continue;
      const since = marks[0];
      if (since > 0 && now - since >= ATOMICS_WAIT_SHOWN_MS) {
        const at = lines.get(marks[1]);
        thread.state = 'waiting';
        const timed = marks.length > 2 && marks[2] === 1;
        thread.wait = { kind: 'atomics', call: 'Atomics.wait', since: Math.round(since), ...(timed ? { timed } : {}), ...(at ? { at } : {}) };
        if (at) thread.location = at;
        else delete thread.location;
      } else {
        delete thread.wait;
        delete thread.location;
      }
    }
  }

  /** At each sample: what keeps the process alive, once its main script has run and its loop only waits. */
  function updateKeptAlive(now, programBusy) {
    quietSince = programBusy < IDLE_UTILIZATION ? quietSince ?? now : undefined;
    const mainScriptRan = performance.nodeTiming.loopStart > 0 && (process.mainModule === undefined || process.mainModule.loaded);
    if (!mainScriptRan || quietSince === undefined || now - quietSince < IDLE_MS) {
      delete mainLoop.keptAliveBy;
      delete mainLoop.keptAliveByMore;
      delete mainLoop.idleSince;
      return;
    }
    const handles = keptAliveBy();
    mainLoop.idleSince = quietSince;
    mainLoop.keptAliveBy = handles.slice(0, MAX_KEPT_ALIVE);
    if (handles.length > MAX_KEPT_ALIVE) mainLoop.keptAliveByMore = handles.length - MAX_KEPT_ALIVE;
    else delete mainLoop.keptAliveByMore;
  }

  /** The referenced handles and timers of the main thread, described. */
  function keptAliveBy() {
    const { ChildProcess } = require('node:child_process');
    // Ref'd handles (not all of them active: the program's own stdout and stderr never keep it alive).
    const handles = (process._getActiveHandles?.() ?? []).filter((handle) => handle !== process.stdout && handle !== process.stderr);
    const childByPipe = new Map();
    for (const handle of handles) if (handle instanceof ChildProcess) for (const pipe of handle.stdio ?? []) if (pipe) childByPipe.set(pipe, handle);
    const workerPorts = new Set();
    const listed = [];
    // A Worker is no handle Node lists: each running one the program has not unref'd keeps it alive.
    for (const [id, { worker, elu }] of watchedWorkers) {
      for (const symbol of Object.getOwnPropertySymbols(worker)) {
        if (symbol.description === 'kPort' || symbol.description === 'kPublicPort') workerPorts.add(worker[symbol]);
      }
      const handle = Object.getOwnPropertySymbols(worker).find((symbol) => symbol.description === 'kHandle');
      if (elu && worker[handle]?.hasRef?.() !== false) listed.push(located({ kind: 'worker', threadId: id }, createdAt(worker)));
    }
    for (const handle of handles) {
      if (workerPorts.has(handle)) continue;
      const entry = describeHandle(handle, childByPipe, handles);
      if (entry) listed.push(entry);
    }
    let timersDescribed = 0;
    for (const timer of longTimers()) {
      if (typeof timer.hasRef !== 'function' || !timer.hasRef()) continue;
      timersDescribed += 1;
      listed.push(located({ kind: timer._repeat ? 'interval' : 'timer', delayMs: Math.max(0, Number(timer._idleTimeout) || 0) }, createdAt(timer)));
    }
    const otherTimers = (mainLoop.resources.Timeout ?? 0) - timersDescribed;
    if (otherTimers > 0) listed.push({ kind: 'timer', count: otherTimers });
    return listed;
  }

  function located(entry, at) {
    return at ? { ...entry, at } : entry;
  }

  function describeHandle(handle, childByPipe, handles) {
    const { ChildProcess } = require('node:child_process');
    const at = createdAt(handle);
    if (handle instanceof ChildProcess) {
      return located({ kind: 'child', ...(handle.pid ? { pid: handle.pid } : {}), command: truncate(describeCommand(handle), MAX_TEXT) }, at);
    }
    if (handle instanceof net.Server) return located({ kind: 'server', ...addressOf(handle.address?.()) }, at);
    if (handle instanceof net.Socket) {
      if (handle === process.stdin) return { kind: 'stdin' };
      const child = childByPipe.get(handle);
      // A pipe to a child that is listed itself is part of it.
      if (child) return handles.includes(child) ? undefined : located({ kind: 'socket', ...(child.pid ? { pid: child.pid } : {}), command: truncate(describeCommand(child), MAX_TEXT) }, createdAt(child));
      const peer = handle.remoteAddress ? { address: truncate(`${handle.remoteAddress}:${handle.remotePort}`, MAX_TEXT) } : {};
      return located({ kind: 'socket', ...peer }, at ?? createdAt(handle.server));
    }
    if (handle?.constructor?.name === 'MessagePort') return located({ kind: 'message-port' }, at);
    return located({ kind: 'other', type: truncate(String(handle?.constructor?.name ?? typeof handle), 200) }, at);
  }

  /** A server's address: `host:port` or a pipe's path. */
  function addressOf(address) {
    if (typeof address === 'string') return { address: truncate(address, MAX_TEXT) };
    if (address && typeof address === 'object') {
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { address: truncate(`${host}:${address.port}`, MAX_TEXT) };
    }
    return {};
  }

  // ── event loop ───────────────────────────────────────────────────────────────────────────────
  let lastUtilization = performance.eventLoopUtilization();
  // Trace mode counts promises with its own hooks (one set of promise hooks, not two).
  const promiseCounts = PROMISE_DETAIL && !TRACE ? countPromises() : undefined;

  /**
   * Sends the state of the process; `lagMs` is the loop's largest lag since the previous sample,
   * `cpuMs` the main thread's time on a CPU since then (NaN when unknown).
   */
  function sample(lagMs, cpuMs) {
    const utilization = performance.eventLoopUtilization(lastUtilization);
    lastUtilization = performance.eventLoopUtilization();
    mainLoop.lagMs = round(lagMs, 1);
    mainLoop.utilization = round(clamp01(utilization.utilization), 2);
    // The program's own share of the stretch: its CPU time where known (on a loaded machine an idle
    // loop reads busy while its beats wait for a CPU), else the loop's busy time; the probe's work left out.
    const busyMs = Number.isFinite(cpuMs) ? cpuMs : utilization.active;
    const programBusy = clamp01((busyMs - ownWorkSinceSampleMs) / (utilization.active + utilization.idle));
    ownWorkSinceSampleMs = 0;
    mainLoop.resources = activeResources();
    mainThread.state = mainLoop.utilization >= 0.5 ? 'running' : 'waiting';
    for (const [id, watched] of watchedWorkers) {
      if (!watched.elu) continue;
      const now = watched.worker.performance.eventLoopUtilization();
      const busy = clamp01(watched.worker.performance.eventLoopUtilization(now, watched.elu).utilization);
      watched.elu = now;
      threads.get(id).state = busy >= 0.5 ? 'running' : 'waiting';
    }
    const now = Date.now();
    updateAtomicsWaits(now);
    updateKeptAlive(now, programBusy);
    pruneTimerLists();
    sitesLeft = SITES_PER_SAMPLE;
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
    /**
     * Resource → [type, creation stack holder], or OWN for the probe's own (promises: nothing). Keyed
     * by the resource, not its asyncId, so that no `destroy` hook is needed: Node tracks a destroy
     * hook per promise with a weak callback each, which multiplied a promise-heavy program's time.
     */
    const resources = new WeakMap();
    const OWN = [];
    const promises = { created: 0, settled: 0 };
    let start = [];
    let duration = [];
    let slow = [];
    let depth = 0;
    let turnStart = 0;
    let turnId = 0;
    let turnResource;
    /** The last recorded callback (performance.now): promise reactions that follow it at once extend it. */
    let lastStart = 0;
    let lastEnd = -Infinity;
    const hook = asyncHooks.createHook({
      init(asyncId, type, triggerAsyncId, resource) {
        if (creatingOwn || ownWorkDepth > 0) {
          if (resource !== null && typeof resource === 'object') resources.set(resource, OWN);
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
        if (resource !== null && typeof resource === 'object') resources.set(resource, [type, site]);
      },
      before(asyncId) {
        if (depth++ > 0) return;
        const resource = resources.get(asyncHooks.executionAsyncResource());
        if (resource === OWN) return;
        turnStart = performance.now();
        turnId = asyncId;
        turnResource = resource;
      },
      after(asyncId) {
        if (--depth > 0 || turnStart === 0 || asyncId !== turnId) return;
        const now = performance.now();
        const begun = turnStart;
        turnStart = 0;
        const resource = turnResource;
        turnResource = undefined;
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
  /** A beat after the loop was busy this long (ms) since the previous one reads the thread's CPU time (see the beat). */
  const SCHEDULE_AFTER_BUSY_MS = 0.5;

  function startLoopWatch() {
    const beatMs = Math.max(5, Math.min(50, BLOCK_THRESHOLD_MS / 4));
    const profiler = startProfiler();
    const readSchedule = threadSchedule();
    let lastBeatAt = performance.now();
    let lastBeatUtilization = performance.eventLoopUtilization();
    let lastSchedule = readSchedule();
    /** The loop's busy time since `lastSchedule` was read. */
    let busySinceScheduleMs = 0;
    let lastSampleAt = lastBeatAt;
    let peakLagMs = 0;
    /** The main thread's time on a CPU since the last sample (NaN where Linux does not tell it). */
    let cpuSinceSampleMs = 0;

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
      busySinceScheduleMs += busyMs;
      const sampleDue = final || now - lastSampleAt >= SAMPLE_MS;
      const late = lateBy > BLOCK_THRESHOLD_MS;
      let preempted = false;
      // Reading /proc costs tens of µs on the wake-up of an idle loop: it is read when a sample is
      // due, a beat is late, or the loop worked since the last beat. Skipped stretches were idle, so
      // a late stretch's reading still starts where its CPU time does.
      if (sampleDue || late || busyMs >= SCHEDULE_AFTER_BUSY_MS) {
        const schedule = readSchedule();
        // The program's own part of a late stretch: time on a CPU, or busy off one (in a system call).
        // Far below the threshold, the thread was waiting for a CPU: the machine preempted a short callback.
        preempted = schedule !== undefined && lastSchedule !== undefined
          && Math.max(schedule.cpuMs - lastSchedule.cpuMs, busySinceScheduleMs - (schedule.waitMs - lastSchedule.waitMs)) < BLOCK_THRESHOLD_MS / 10;
        if (schedule !== undefined && lastSchedule !== undefined) cpuSinceSampleMs += schedule.cpuMs - lastSchedule.cpuMs;
        else cpuSinceSampleMs = NaN;
        lastSchedule = schedule;
        busySinceScheduleMs = 0;
      }
      if (late && busyMs > lateBy / 2) {
        const block = profiler?.blockBetween(blockStartedAt, now) ?? { loading: false, stack: [] };
        if (!block.loading) peakLagMs = Math.max(peakLagMs, lateBy);
        if (!block.loading && !preempted) {
          enqueue(frame('blocked', { loopId: mainLoop.id, threadId: mainThread.id, durationMs: Math.round(lateBy), stack: block.stack }));
        }
      } else {
        peakLagMs = Math.max(peakLagMs, lateBy);
        profiler?.rotate();
      }
      if (sampleDue) {
        lastSampleAt = now;
        sample(peakLagMs, cpuSinceSampleMs);
        peakLagMs = 0;
        cpuSinceSampleMs = 0;
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
        // Checked first, as it runs at every beat: nothing is due before the younger profile is a window old.
        if (now - Math.max(protocolSlot.startedAt ?? -Infinity, consoleSlot.startedAt ?? -Infinity) < PROFILE_WINDOW_MS) return;
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
      if (isNodeInternal(worker)) return;
      noteCreation(noteCreation, 16, worker);
      watchWorker(worker);
    }));
    diagnosticsChannel.subscribe('child_process', ownWork((message) => {
      noteCreation(noteCreation, 16, message.process);
      watchChild(message.process);
    }));
    wrapCreators();
    // Loaded into a running process (src/core/attach): the attacher hands over the Workers already running.
    const attachedWorkers = globalThis[Symbol.for('concurrencyLens.attachedWorkers')];
    delete globalThis[Symbol.for('concurrencyLens.attachedWorkers')];
    if (Array.isArray(attachedWorkers)) for (const worker of attachedWorkers) if (!isNodeInternal(worker)) watchWorker(worker)();
    watchNestedWorkers();
    connect();
    publishState();
    process.on('exit', (exitCode) => {
      try {
        // An ES module entry point whose top-level await nothing can settle: Node's own 'exit' listener
        // (registered after this one, so not run yet) is still there and will set exit code 13.
        const unsettledTopLevelAwait = process.exitCode === undefined && process.listeners('exit').some((listener) => listener.name === 'handleProcessExit');
        if (unsettledTopLevelAwait) Object.assign(mainThread, { state: 'waiting', wait: { kind: 'top-level-await', call: 'await', since: Date.now() } });
        loopWatch.finish();
        enqueue(frame('exit', { exitCode: unsettledTopLevelAwait ? 13 : exitCode }));
      } catch {
        // The program is ending anyway.
      }
    });
  } catch {
    // The probe must never break the program it observes.
  }
})();
