'use strict';
/**
 * The main thread's event loop: one heartbeat measures its lag and finds its blocks, and each
 * sample sends the process's state (the loop's lag and utilization, its resources, its Workers'
 * load, what keeps it alive).
 */
// Node's own clock, never the global `performance`, which a program may replace (fake timers in its tests).
const { performance: perf } = require('node:perf_hooks');
// Node's own timer, taken before the probe wraps the global ones (and whatever a program's fake timers replace).
const { setTimeout: startTimer } = require('node:timers');
const { clamp01, round } = require('./util.cjs');
const { startProfiler } = require('./profiler.cjs');

/** A stretch in which the program kept the loop busy less than this share of the time is idle: the next beat comes later. */
const IDLE_SHARE = 0.25;

/**
 * One measure backs both the loop's lag and its blocks: a heartbeat timer notes how late it runs.
 * Each sample reports the largest lateness since the previous one; a lateness above the threshold
 * while the program kept the loop busy is a block.
 * Each beat wakes the thread (a tenth to a third of a millisecond of CPU on a loaded machine, more
 * than the beat's own work), so the beat comes often only while the program works: every quarter
 * of the threshold (5–50 ms) after a stretch in which the process was on a CPU a quarter of the
 * time or more, else every threshold (at most every sample). A block that began in an idle stretch
 * may have begun well before the beat was due: a beat of an idle stretch late by more than a
 * quarter of the threshold asks the profiler when the loop last waited (its `(idle)` samples), and
 * the block began there. So a block of the threshold plus a quarter is found either way, and an
 * idle program's thread wakes ten times a second for the beat, not forty.
 * A late beat while the loop idled, or while the thread hardly ran nor sat in a system call but
 * waited for a CPU (a loaded machine preempting a short callback; Linux tells:
 * /proc/thread-self/schedstat), is lag but not the program's block. The probe's own work is never
 * the program's lag: the time spent in the probe's callbacks is subtracted. Loading modules is
 * start-up, not a block: a late beat whose samples show Node's module loader at the bottom of the
 * stack (the entry point, `--import` and `--require` preloads, a dynamic import being evaluated)
 * counts neither as lag nor as a block.
 */
function startLoopWatch({ sampleMs, thresholdMs, transport, state, own, workers, keptAlive, tracer, promiseCounts, syncCalls }) {
  let lastUtilization = perf.eventLoopUtilization();

  /**
   * Sends the state of the process; `lagMs` is the loop's largest lag since the previous sample,
   * `cpuMs` the main thread's time on a CPU since then (NaN when unknown), `stalledMs` the time its
   * beats came late since then.
   */
  function sample(lagMs, cpuMs, stalledMs) {
    const utilization = perf.eventLoopUtilization(lastUtilization);
    lastUtilization = perf.eventLoopUtilization();
    state.mainLoop.lagMs = round(lagMs, 1);
    // The program's share of the stretch, the probe's work left out: the main thread's time on a CPU,
    // or stuck off one (a synchronous system call makes the beats late), where Linux tells it. Not the
    // loop's busy time: while the profiler runs, libuv loses the idle time before each of its signals
    // (an idle loop reads 60–90% busy); that is only the fallback.
    const busyMs = Number.isFinite(cpuMs) ? Math.max(cpuMs, stalledMs) : utilization.active;
    const programBusy = clamp01((busyMs - own.sinceSampleMs) / (utilization.active + utilization.idle));
    own.sinceSampleMs = 0;
    state.mainLoop.utilization = round(programBusy, 2);
    state.mainLoop.resources = activeResources();
    state.mainThread.state = state.mainLoop.utilization >= 0.5 ? 'running' : 'waiting';
    for (const [id, watched] of workers.watched) {
      if (!watched.elu) continue;
      const now = watched.worker.performance.eventLoopUtilization();
      const busy = clamp01(watched.worker.performance.eventLoopUtilization(now, watched.elu).utilization);
      watched.elu = now;
      state.threads.get(id).state = busy >= 0.5 ? 'running' : 'waiting';
    }
    const now = Date.now();
    workers.updateAtomicsWaits(now);
    keptAlive.sample(now, programBusy);
    syncCalls.check();
    tracer?.drain();
    state.publish();
  }

  /** Active handles and requests by type, without the probe's own socket. */
  function activeResources() {
    const counts = {};
    for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
    const promises = promiseCounts ?? tracer?.promises;
    if (promises) counts.Promise = promises.created - promises.settled;
    return counts;
  }

  /** The beat's period after a busy stretch and after an idle one (see startLoopWatch). */
  const busyBeatMs = Math.max(5, Math.min(50, thresholdMs / 4));
  const idleBeatMs = Math.max(busyBeatMs, Math.min(thresholdMs, sampleMs));
  /**
   * Reading /proc costs 30–100 µs: it is read when a sample is due, a beat is late, or the process
   * has been on a CPU this long since the last reading (the probe's work left out). A stretch read
   * later adds at most this much to a late stretch's CPU time: half the margin the preemption test
   * allows (see the beat).
   */
  const readScheduleAfterCpuMs = thresholdMs / 20;
  const profiler = startProfiler(thresholdMs);
  const readSchedule = threadSchedule();
  let beatMs = busyBeatMs;
  let lastBeatAt = perf.now();
  let lastBeatUtilization = perf.eventLoopUtilization();
  let lastSchedule = readSchedule();
  /** The loop's busy time, and the process's time on a CPU without the probe's, since `lastSchedule` was read. */
  let busySinceScheduleMs = 0;
  let cpuSinceScheduleMs = 0;
  /**
   * The process's CPU time (all its threads: a cheap upper bound of the main thread's; Linux's exact
   * one is the costly /proc read), which tells an idle stretch. Not the loop's busy time: while the
   * profiler runs, libuv loses the idle time before each of its signals, so the loop reads busy.
   */
  let lastBeatCpu = process.cpuUsage();
  let lastSampleAt = lastBeatAt;
  let peakLagMs = 0;
  /** The main thread's time on a CPU since the last sample (NaN where Linux does not tell it), and its beats' lateness. */
  let cpuSinceSampleMs = 0;
  let stalledSinceSampleMs = 0;

  const beat = own.work((final) => {
    const now = perf.now();
    const stretchMs = now - lastBeatAt;
    // Before the loop starts, the program is starting (preloads and a CommonJS entry point run then).
    const dueAt = Math.max(lastBeatAt + beatMs, perf.nodeTiming.loopStart);
    const ownMs = own.sinceBeatMs;
    const lateBy = now - dueAt - ownMs;
    own.sinceBeatMs = 0;
    lastBeatAt = now;
    const utilization = perf.eventLoopUtilization();
    const busyMs = perf.eventLoopUtilization(utilization, lastBeatUtilization).active;
    lastBeatUtilization = utilization;
    busySinceScheduleMs += busyMs;
    const cpu = process.cpuUsage();
    const programCpuMs = Math.max(0, (cpu.user + cpu.system - lastBeatCpu.user - lastBeatCpu.system) / 1000 - ownMs);
    lastBeatCpu = cpu;
    cpuSinceScheduleMs += programCpuMs;
    // A beat of an idle stretch late by more than a busy one's period: the block may have begun well
    // before the beat was due (see startLoopWatch).
    const idleStretchLate = beatMs === idleBeatMs && lateBy > busyBeatMs;
    beatMs = programCpuMs < stretchMs * IDLE_SHARE ? idleBeatMs : busyBeatMs;
    const sampleDue = final || now - lastSampleAt >= sampleMs;
    let preempted = false;
    /** The thread's time on a CPU and waiting for one since the previous reading (0 where unknown). */
    let ranMs = 0;
    let waitedForCpuMs = 0;
    // Skipped stretches were (nearly) idle, so a late stretch's reading still starts where its CPU time does.
    if (sampleDue || idleStretchLate || lateBy > thresholdMs || cpuSinceScheduleMs >= readScheduleAfterCpuMs) {
      const schedule = readSchedule();
      // The program's own part of a late stretch: time on a CPU, or busy off one (in a system call).
      // Far below the threshold, the thread was waiting for a CPU: the machine preempted a short callback.
      preempted = schedule !== undefined && lastSchedule !== undefined
        && Math.max(schedule.cpuMs - lastSchedule.cpuMs, busySinceScheduleMs - (schedule.waitMs - lastSchedule.waitMs)) < thresholdMs / 10;
      if (schedule !== undefined && lastSchedule !== undefined) {
        ranMs = schedule.cpuMs - lastSchedule.cpuMs;
        cpuSinceSampleMs += ranMs;
        waitedForCpuMs = schedule.waitMs - lastSchedule.waitMs;
      } else cpuSinceSampleMs = NaN;
      lastSchedule = schedule;
      busySinceScheduleMs = 0;
      cpuSinceScheduleMs = 0;
    }
    // Where the profile last saw the loop wait, unless the thread hardly ran and spent most of the
    // lateness waiting for a CPU (a loaded machine woke an idle loop late: no block, and reading the
    // profile costs milliseconds). A block on a loaded machine runs less than it waits, but runs.
    const onlyWaitedForCpu = ranMs < thresholdMs / 10 && waitedForCpuMs >= lateBy / 2;
    const block = idleStretchLate && !onlyWaitedForCpu ? profiler?.blockBetween(now - stretchMs, now, true) : undefined;
    const stalledMs = Math.max(lateBy, block ? now - block.startedAt : 0);
    stalledSinceSampleMs += Math.max(0, stalledMs);
    const late = stalledMs > thresholdMs;
    if (late && busyMs > stalledMs / 2) {
      const { loading, stack } = block ?? profiler?.blockBetween(now - stalledMs, now) ?? { loading: false, stack: [] };
      if (!loading) peakLagMs = Math.max(peakLagMs, stalledMs);
      if (!loading && !preempted) {
        transport.enqueue(transport.frame('blocked', { loopId: state.mainLoop.id, threadId: state.mainThread.id, durationMs: Math.round(stalledMs), stack }));
      }
    } else {
      peakLagMs = Math.max(peakLagMs, stalledMs);
      profiler?.rotate();
    }
    if (sampleDue) {
      lastSampleAt = now;
      sample(peakLagMs, cpuSinceSampleMs, stalledSinceSampleMs);
      peakLagMs = 0;
      cpuSinceSampleMs = 0;
      stalledSinceSampleMs = 0;
    }
  });
  /** One timer at a time, unref'd, set again after each beat for the period that beat chose. */
  function nextBeat() {
    own.creating = true;
    startTimer(() => {
      try {
        beat(false);
      } catch {
        // A failing beat must never reach the program.
      }
      nextBeat();
    }, beatMs).unref();
    own.creating = false;
  }
  nextBeat();
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

module.exports = { startLoopWatch };
