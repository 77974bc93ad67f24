'use strict';
/** Exact trace mode and the optional promise counts: both hook every promise, so both are opt-in. */
// Node's own clock, never the global `performance`, which a program may replace (fake timers in its tests).
const { performance: perf } = require('node:perf_hooks');
const { creationLine, round } = require('./util.cjs');

/** Callbacks recorded between two samples at most (beyond, the oldest are dropped). */
const MAX_TRACED_CALLBACKS = 200000;
/** A callback that held the loop this long (ms) is listed with its creation line. */
const SLOW_CALLBACK_MS = 10;
const SLOWEST_PER_FRAME = 20;
/** A promise reaction starting this soon (ms) after a callback ended belongs to that callback's turn. */
const COALESCE_MS = 0.05;
/**
 * Trace mode (CONCURRENCY_LENS_TRACE=1, opt-in): async_hooks times every callback the main loop runs
 * (the outermost `before`/`after` of each turn), sent as `trace` frames at each sample, with the
 * slowest callbacks named by resource type and the line that created them (captured for every
 * resource but promises; formatted only for a slow one). Promises are counted pending.
 */
function startTracer({ transport, state, own }) {
  const asyncHooks = require('node:async_hooks');
  const epoch = perf.timeOrigin;
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
  /** The last recorded callback (perf.now): promise reactions that follow it at once extend it. */
  let lastStart = 0;
  let lastEnd = -Infinity;
  const hook = asyncHooks.createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      if (own.creating || own.busy) {
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
      turnStart = perf.now();
      turnId = asyncId;
      turnResource = resource;
    },
    after(asyncId) {
      if (--depth > 0 || turnStart === 0 || asyncId !== turnId) return;
      const now = perf.now();
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
    drain: own.work(() => {
      if (start.length === 0) return;
      const slowest = slow.sort((a, b) => b[0] - a[0]).slice(0, SLOWEST_PER_FRAME).map(([ms, at, resource]) => {
        const location = resource ? creationLine(resource[1]) : undefined;
        return { durationMs: round(ms, 3), start: at, callback: resource ? resource[0] : 'callback', ...(location ? { location } : {}) };
      });
      transport.enqueue(transport.frame('trace', { loopId: state.mainLoop.id, threadId: state.mainThread.id, start, duration, task: start.map(() => ''), ...(slowest.length ? { slow: slowest } : {}) }));
      start = [];
      duration = [];
      slow = [];
    }),
  };
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

module.exports = { startTracer, countPromises };
