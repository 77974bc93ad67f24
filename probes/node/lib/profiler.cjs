'use strict';
/** Where a blocked loop was: V8's sampling profiler, read only when a block has ended. */
// Node's own clock, never the global `performance`, which a program may replace (fake timers in its tests).
const { performance: perf } = require('node:perf_hooks');
const { fileOf, isProbeFile } = require('./util.cjs');

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
const PROFILE_WINDOW_MS = 1000;
const LONE_PROFILE_WINDOW_MS = 30_000;
const CONSOLE_PROFILE_TITLE = `concurrency-lens-${process.pid}`;

function startProfiler(thresholdMs) {
  const sampleUs = Math.round(Math.min(25, Math.max(1, thresholdMs / 4)) * 1000);
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
    slot.startedAt = perf.now();
  };
  const stop = (slot) => {
    const profile = slot.stop();
    slot.startedAt = undefined;
    return profile;
  };
  const running = () => slots.filter((slot) => slot.startedAt !== undefined);
  const overlapAllowed = () => !inspector.url() && !/--cpu-prof\b/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);

  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: sampleUs });
  start(protocolSlot);
  return {
    /** Keeps the profiles short: restarts the older one when the younger is a window old. */
    rotate() {
      const now = perf.now();
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
    /**
     * Where the loop was between two `perf.now()` times: stops the profile that covers it and starts
     * it anew. With `trailing`, `from` is only the earliest the block can have begun: it began where
     * the loop last waited (an `(idle)` sample) before `to`, and `startedAt` says when (`perf.now()` time).
     */
    blockBetween(from, to, trailing = false) {
      const live = running();
      const covering = live.filter((slot) => slot.startedAt <= from);
      const candidates = covering.length > 0 ? covering : live;
      const slot = candidates.reduce((youngest, candidate) => (candidate.startedAt > youngest.startedAt ? candidate : youngest), candidates[0]);
      const stoppedAt = perf.now();
      const profile = slot && stop(slot);
      if (overlapAllowed()) start(slot ?? protocolSlot);
      else if (protocolSlot.startedAt === undefined) start(protocolSlot);
      if (!profile) return { loading: false, stack: [], startedAt: to };
      const toProfileTime = (time) => profile.endTime - (stoppedAt - time) * 1000;
      const toUs = toProfileTime(to);
      const startUs = trailing ? busySince(profile, toProfileTime(from), toUs) : toProfileTime(from);
      let block = describeBlock(profile, startUs, toUs);
      // No work found after the loop's last wait before the late beat (seen in ~1 run in 16): the
      // whole stretch, whose idle samples do not count anyway, rather than no line at all.
      if (trailing && block.stack.length === 0 && !block.loading) block = describeBlock(profile, toProfileTime(from), toUs);
      return { ...block, startedAt: stoppedAt - (profile.endTime - startUs) / 1000 };
    },
  };
}

/**
 * When the loop last began to work before `toUs` (profile times, µs, at the earliest `fromUs`):
 * halfway between its last `(idle)` sample and the next sample. Node marks the samples taken while
 * the loop waits for events as idle, so the samples since are one stretch of work with no wait.
 */
function busySince(profile, fromUs, toUs) {
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  let idleAt = fromUs;
  let busyAt;
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length && time <= toUs; index += 1) {
    time += profile.timeDeltas[index] ?? 0;
    if (time < fromUs || time > toUs) continue;
    if (idle.has(profile.samples[index])) {
      idleAt = time;
      busyAt = undefined;
    } else busyAt ??= time;
  }
  return busyAt === undefined ? toUs : (idleAt + busyAt) / 2;
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
  if (!url || functionName.startsWith('(') || isProbeFile(url)) return 'other';
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

module.exports = { startProfiler };
