'use strict';
/**
 * What keeps the process alive.
 * Once the main script has run (a CommonJS entry point has loaded; an ES module's loop has started)
 * and the loop has only waited for IDLE_MS (its thread on a CPU less than IDLE_UTILIZATION of every sample,
 * the probe's own work left out), the loop
 * entity lists what keeps the process alive: each referenced handle Node lists
 * (`process._getActiveHandles()`: servers, sockets, child processes, Workers, message ports…) and
 * the long timers, with the line that created each. Lines cost a stack capture
 * (~2–25 µs, formatted only when reported; at most SITES_PER_SAMPLE a sample, TIMER_SITES_PER_SAMPLE
 * of them for timers) and are taken only
 * where a handle can outlive its turn: `server.listen`, `socket.connect`, spawning a child,
 * `new Worker`, `new MessageChannel`, every `setInterval` and each `setTimeout` of LONG_TIMER_MS or
 * more. Shorter timers are counted only.
 * The timers are Node's own: each duration has a list of its pending timers (a `TimersList`, the
 * `_idlePrev` of a timer just created), and the probe remembers the lists its long timers went
 * into, not the timers. So `clearTimeout` is not wrapped and a cleared timer is never held: a
 * program creating and clearing timers by the hundred thousand a second (request timeouts) pays
 * one call and one comparison per timer. Nothing else runs while the loop is busy.
 * A child kept alive whose output the program never reads (its stream paused with a full buffer,
 * so its pipe fills and the child blocks writing) cannot end: when such children are all that keeps
 * the process alive, the main thread is said to wait for one with its pipe full, as the Python
 * probe says of `Popen.wait()`, and the run sees the cycle.
 */
const net = require('node:net');
// Node's own clock, never the global `performance`, which a program may replace (fake timers in its tests).
const { performance: perf } = require('node:perf_hooks');
const workerThreads = require('node:worker_threads');
const { creationLine, MAX_TEXT, truncate, wrapFunction } = require('./util.cjs');
const { describeCommand } = require('./children.cjs');

const IDLE_UTILIZATION = 0.1;
const IDLE_MS = 1000;
const LONG_TIMER_MS = 1000;
/** Timer lists remembered (one per duration the program's long timers use) and timers read from them at most. */
const MAX_TIMER_LISTS = 200;
const MAX_LISTED_TIMERS = 2000;
const MAX_KEPT_ALIVE = 50;
const SITES_PER_SAMPLE = 50;
/**
 * Of those, for timers: a program creating long timers by the thousand (request timeouts, nearly all
 * cleared at once) spent 50 captures a sample on timers that never kept it alive, ~5 ms of CPU a
 * second on a loaded machine; servers, sockets, children, Workers and ports are rarer.
 */
const TIMER_SITES_PER_SAMPLE = 10;
/** The call named in the main thread's wait for a child whose output pipe is full (see above). */
const FULL_PIPE_CALL = 'child process (its output never read)';

function createKeptAliveWatch({ state, own, workers }) {
  let sitesLeft = SITES_PER_SAMPLE;
  let timerSitesLeft = TIMER_SITES_PER_SAMPLE;
  /** handle → its creation stack (an object whose `stack` V8 formats on first read). */
  const creationSites = new WeakMap();
  /** Node's lists of pending timers (one per duration) that long timers went into: see above. */
  const timerLists = new Set();
  let lastTimerList;
  let quietSince;
  /** The child whose full output pipe the main thread is said to wait on, and since when. */
  let fullPipe;

  /**
   * Remembers where `handles` were created: `depth` frames of the stack above `callee`. A capture
   * costs 2–12 µs (more under an async function, whose awaiting callers V8 walks too): at most
   * SITES_PER_SAMPLE a sample, so a program that creates handles by the thousand pays a bounded
   * cost, and a handle created past the budget is listed without its line.
   */
  function noteCreation(callee, depth, ...handles) {
    if (own.creating || sitesLeft <= 0) return;
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
    if (timerSitesLeft <= 0) return;
    timerSitesLeft -= 1;
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

  /** At each sample: what keeps the process alive, once its main script has run and its loop only waits. */
  function updateKeptAlive(now, programBusy) {
    quietSince = programBusy < IDLE_UTILIZATION ? quietSince ?? now : undefined;
    const mainScriptRan = perf.nodeTiming.loopStart > 0 && (process.mainModule === undefined || process.mainModule.loaded);
    if (!mainScriptRan || quietSince === undefined || now - quietSince < IDLE_MS) {
      delete state.mainLoop.keptAliveBy;
      delete state.mainLoop.keptAliveByMore;
      delete state.mainLoop.idleSince;
      waitForFullPipe(undefined, now);
      return;
    }
    const handles = keptAliveBy();
    // Only while nothing else could wake the loop (a timer, a server, a request in flight…): the program may read the pipe then.
    const inFlight = Object.keys(state.mainLoop.resources ?? {}).some((type) => /Req/.test(type));
    waitForFullPipe(!inFlight && handles.every((handle) => handle.pipeFull) ? handles[0] : undefined, now);
    state.mainLoop.idleSince = quietSince;
    state.mainLoop.keptAliveBy = handles.slice(0, MAX_KEPT_ALIVE);
    if (handles.length > MAX_KEPT_ALIVE) state.mainLoop.keptAliveByMore = handles.length - MAX_KEPT_ALIVE;
    else delete state.mainLoop.keptAliveByMore;
  }

  /** The referenced handles and timers of the main thread, described. */
  function keptAliveBy() {
    const { ChildProcess } = require('node:child_process');
    // Ref'd handles (not all of them active: the program's own stdout and stderr never keep it alive).
    const handles = (process._getActiveHandles?.() ?? []).filter((handle) => { const fd = standardDescriptor(handle); return fd !== 1 && fd !== 2; });
    const childByPipe = new Map();
    for (const handle of handles) if (handle instanceof ChildProcess) for (const pipe of handle.stdio ?? []) if (pipe) childByPipe.set(pipe, handle);
    const workerPorts = new Set();
    const listed = [];
    // A Worker is no handle Node lists: each running one the program has not unref'd keeps it alive.
    for (const [id, { worker, elu }] of workers.watched) {
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
    const otherTimers = (state.mainLoop.resources.Timeout ?? 0) - timersDescribed;
    if (otherTimers > 0) listed.push({ kind: 'timer', count: otherTimers });
    return listed;
  }

  /** Says (or stops saying) that the main thread waits for `child`, a kept-alive entry whose output pipe is full. */
  function waitForFullPipe(child, now) {
    const main = state.mainThread;
    if (!child?.pid) {
      fullPipe = undefined;
      if (main.wait?.call === FULL_PIPE_CALL) delete main.wait;
      return;
    }
    if (fullPipe?.pid !== child.pid) fullPipe = { pid: child.pid, since: now };
    main.wait = { kind: 'subprocess', call: FULL_PIPE_CALL, pid: child.pid, pipeFull: true, since: fullPipe.since, ...(child.at ? { at: child.at } : {}) };
  }

  /** Whether a child's output reaches a stream the program does not read (paused, its buffer full): its pipe fills and the child blocks writing. */
  function outputPipeFull(child) {
    return [child.stdout, child.stderr].some((pipe) => pipe && !pipe.destroyed && pipe.readableFlowing !== true && pipe.readableLength >= pipe.readableHighWaterMark);
  }

  function located(entry, at) {
    return at ? { ...entry, at } : entry;
  }

  function describeHandle(handle, childByPipe, handles) {
    const { ChildProcess } = require('node:child_process');
    const at = createdAt(handle);
    if (handle instanceof ChildProcess) {
      return located({ kind: 'child', ...(handle.pid ? { pid: handle.pid } : {}), command: truncate(describeCommand(handle), MAX_TEXT), ...(outputPipeFull(handle) ? { pipeFull: true } : {}) }, at);
    }
    if (handle instanceof net.Server) return located({ kind: 'server', ...addressOf(handle.address?.()) }, at);
    if (handle instanceof net.Socket) {
      if (standardDescriptor(handle) === 0) return { kind: 'stdin' };
      const child = childByPipe.get(handle);
      // A pipe to a child that is listed itself is part of it.
      if (child) return handles.includes(child) ? undefined : located({ kind: 'socket', ...(child.pid ? { pid: child.pid } : {}), command: truncate(describeCommand(child), MAX_TEXT) }, createdAt(child));
      const peer = handle.remoteAddress ? { address: truncate(`${handle.remoteAddress}:${handle.remotePort}`, MAX_TEXT) } : {};
      return located({ kind: 'socket', ...peer }, at ?? createdAt(handle.server));
    }
    if (handle?.constructor?.name === 'MessagePort') return located({ kind: 'message-port' }, at);
    return located({ kind: 'other', type: truncate(String(handle?.constructor?.name ?? typeof handle), 200) }, at);
  }

  /**
   * The descriptor of a stream of the process's own stdin, stdout or stderr (0, 1, 2), else undefined.
   * Not `handle === process.stdin`: reading `process.stdin` creates that stream (a pipe's then keeps
   * the process alive), and the probe must change nothing.
   */
  function standardDescriptor(handle) {
    const fd = handle?.fd ?? handle?._handle?.fd;
    return fd === 0 || fd === 1 || fd === 2 ? fd : undefined;
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

  /** At each sample: what keeps the process alive, and a new budget of creation lines. */
  function sample(now, programBusy) {
    updateKeptAlive(now, programBusy);
    pruneTimerLists();
    sitesLeft = SITES_PER_SAMPLE;
    timerSitesLeft = TIMER_SITES_PER_SAMPLE;
  }

  return { noteCreation, wrapCreators, sample };
}

module.exports = { createKeptAliveWatch };
