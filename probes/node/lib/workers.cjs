'use strict';
/**
 * Workers. Each is observed from the thread that created it (diagnostics_channel `worker_threads`,
 * `online`/`exit` events, `worker.performance.eventLoopUtilization()`). Inside a Worker the probe
 * only tells the main thread's probe, over a BroadcastChannel, about the Workers that Worker starts
 * and where it waits in `Atomics.wait`.
 */
const workerThreads = require('node:worker_threads');
const diagnosticsChannel = require('node:diagnostics_channel');
const { callerLine, MAX_TEXT, numericRecord, truncate, wrapFunction } = require('./util.cjs');

/** Carries the lifecycle of Workers started inside Workers to the main thread's probe. */
const NESTED_WORKERS_CHANNEL = 'concurrencyLens.nestedWorkers';
/** A Worker in Atomics.wait this long (ms) is said to wait there (shorter waits are not news). */
const ATOMICS_WAIT_SHOWN_MS = 100;

/** Node's own module-loader thread (started by `module.register`, e.g. by `--import tsx`) is not the program's. */
function isNodeInternal(worker) {
  return worker.constructor?.name === 'InternalWorker';
}

// ── inside a Worker ─────────────────────────────────────────────────────────────────────────────
/** In a Worker: what the main thread's probe is told. */
function startInWorker() {
  let toMainThread;
  /** The channel to the main thread's probe, opened on first need. */
  function tellMainThread(message) {
    if (!toMainThread) {
      toMainThread = new workerThreads.BroadcastChannel(NESTED_WORKERS_CHANNEL);
      toMainThread.unref();
    }
    toMainThread.postMessage(message);
  }

  /** Announces each Worker this Worker starts. */
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
   * Marks each `Atomics.wait` in memory the main thread reads (a SharedArrayBuffer: when the wait
   * began, which line, and whether it has a timeout), so the main thread can say that this Worker
   * waits there while it cannot answer anything, and whether it can wake by itself (a wait with no
   * timeout ends only by another thread's `Atomics.notify`). Per call: the calling line (a one-frame
   * stack, ~2 µs) and three stores; a line is sent to the main thread the first time it waits, the
   * buffer on the first wait. The wait itself is the runtime's, called once with the same arguments
   * (it never wakes early).
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

  reportNestedWorkers();
  reportAtomicsWaits();
}

// ── in the main thread ──────────────────────────────────────────────────────────────────────────
function createWorkerWatch({ state }) {
  const { threads } = state;
  /** The Workers this thread started, by thread entity id: `{ worker, elu }` (its utilization once online). */
  const watched = new Map();
  /** Workers' Atomics.wait marks by thread id: `{ marks, lines }` (see reportAtomicsWaits). */
  const atomicsWaits = new Map();

  /** Returns what to call once the Worker is online (a Worker already running when the probe was attached is). */
  function watch(worker) {
    const id = `worker-${worker.threadId}`;
    const thread = { id, kind: 'worker', name: `Worker ${worker.threadId}`, state: 'waiting', nativeId: worker.threadId, startedAt: Date.now() };
    threads.set(id, thread);
    watched.set(id, { worker, elu: undefined });
    const online = () => {
      thread.state = 'running';
      const limits = numericRecord(worker.resourceLimits);
      if (limits) thread.resourceLimits = limits;
      watched.get(id).elu = worker.performance.eventLoopUtilization();
      state.publish();
    };
    worker.on('online', online);
    worker.on('exit', (exitCode) => {
      watched.delete(id);
      thread.state = 'exited';
      thread.endedAt = Date.now();
      thread.exitCode = exitCode;
      state.publish();
    });
    return online;
  }

  /** Workers started inside Workers, as the Worker that started each reports them, and Workers' Atomics waits. */
  function watchNested() {
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
      state.publish();
    };
    channel.unref(); // after the listener, which refs the channel again
  }

  /** A Worker's Atomics.wait marks, or a line it waits on (reportAtomicsWaits). */
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

  return { watched, watch, watchNested, updateAtomicsWaits };
}

module.exports = { isNodeInternal, startInWorker, createWorkerWatch };
