/**
 * What the probe benchmarks share: a probed run reporting to a real ProbeServer feeding a RunModel
 * (as in the extension) that counts the samples its root process sent, the paired comparison of a
 * steady-state workload (failing when a probed run took fewer than MIN_SAMPLES samples), and the
 * start-up cost of a hello-world.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ProbeServer } from '../src/core/probe/server';
import type { LaunchSpec } from '../src/core/runs/launchSpec';
import { type ProbeCost, RunModel } from '../src/core/runs/runModel';
import { type Timing, alternate, compareTimings, median, runForOutput, timing } from './measure';

// Each workload runs this long (s) unless told otherwise: 5 Hz sampling gives 35 samples, 25 even on a loaded machine.
process.env.BENCH_SECONDS ??= '7';
/** Runs per side of each steady-state comparison (paired, alternating): each run lasts BENCH_SECONDS. */
export const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
/** A probed run must have been sampled this often, or the figure measures start-up, not observation. */
export const MIN_SAMPLES = 25;
const STARTUP_PAIRS = 11;
const quietLogger = { info: () => undefined, warn: (message: string) => console.error(message), error: (message: string) => console.error(message) };

export interface ProbedTiming {
  readonly timing: Timing;
  /** Samples (snapshot and delta frames) the program's own process sent. */
  readonly samples: number;
  readonly frames: number;
  /** The probes' own CPU time and the processes' (ms), summed over the processes whose probe counted it (see ProbeCost). */
  readonly probeCost?: ProbeCost;
}

/** Runs the spec `launch` builds for a fresh endpoint, to completion. */
export async function probedRun(launch: (probeEnv: Readonly<Record<string, string>>) => LaunchSpec, extraEnv: Record<string, string> = {}): Promise<ProbedTiming> {
  const server = await ProbeServer.start({ logger: quietLogger });
  const model = new RunModel();
  let root: number | undefined;
  let samples = 0;
  let frames = 0;
  server.onHello((connection) => {
    root ??= connection.hello.pid;
    model.addProcess(connection.hello);
  });
  server.onFrame(({ connection, frame }) => {
    frames += 1;
    if (connection.hello.pid === root && (frame.kind === 'snapshot' || frame.kind === 'delta')) samples += 1;
    model.apply(connection.hello.pid, frame);
  });
  const spec = launch(server.environment);
  try {
    const result = timing(await runForOutput(spec.command, [...spec.args], { ...process.env, ...spec.env, ...extraEnv }));
    await connectionsClosed(server);
    const costs = model.processes().flatMap((record) => (record.probeCost ? [record.probeCost] : []));
    const probeCost = costs.length > 0 ? { probeCpuMs: sum(costs.map((cost) => cost.probeCpuMs)), cpuMs: sum(costs.map((cost) => cost.cpuMs)) } : undefined;
    return { timing: result, samples, frames, ...(probeCost ? { probeCost } : {}) };
  } finally {
    await server.dispose();
  }
}

/**
 * Compares `without` and `withProbe` (paired, alternating), prints the samples of each probed run
 * beside the figures, and throws when one took fewer than `minSamples` (trace mode's own frames
 * carry what it observes: its samples are only printed). Returns the overheads (%), the probe's
 * CPU per wall second (ms/s: a program mostly idle reads a large % of little CPU) and, where the
 * probe counts its own work, its share of the program's CPU by that count (the median of the
 * probed runs): unlike the difference of two runs, it does not move with the machine's speed,
 * which on a shared machine drifts by more than the budget between runs and even within one.
 */
export async function steadyOverhead(
  label: string, without: () => Promise<Timing>, withProbe: () => Promise<ProbedTiming>, minSamples = MIN_SAMPLES,
): Promise<{ cpu: number; wall: number; cpuMsPerSecond: number; ownCpuPct?: number }> {
  const samples: number[] = [];
  const ownShares: number[] = [];
  const { plain, probed } = await alternate(PAIRS, without, async () => {
    const run = await withProbe();
    samples.push(run.samples);
    if (run.probeCost && run.probeCost.cpuMs > 0) ownShares.push((run.probeCost.probeCpuMs / run.probeCost.cpuMs) * 100);
    return run.timing;
  });
  const overhead = compareTimings(label, plain, probed);
  const cpuMsPerSecond = median(plain.map((run, index) => (probed[index]!.cpu / probed[index]!.wall - run.cpu / run.wall) * 1000));
  const work = probed.map((run) => run.work);
  console.log(`  ${label.padEnd(22)} samples per probed run: ${samples.join(', ')}; work per probed run: ${work.join(', ')}; without: ${plain.map((run) => run.work).join(', ')}`);
  console.log(`  ${label.padEnd(22)} CPU per wall second: without ${median(plain.map((run) => (run.cpu / run.wall) * 1000)).toFixed(1)} ms, the probe's ${cpuMsPerSecond.toFixed(1)} ms (median of pairs; ${(cpuMsPerSecond / 10).toFixed(2)} % of a core); load ${loadAverage()}`);
  const ownCpuPct = ownShares.length === probed.length ? median(ownShares) : undefined;
  if (ownCpuPct !== undefined) console.log(`  ${label.padEnd(22)} the probe's own work, as it counted it: ${ownShares.map((share) => `${share.toFixed(2)} %`).join(', ')} of the program's CPU`);
  if (Math.min(...samples) < minSamples) throw new Error(`${label}: a probed run took only ${Math.min(...samples)} samples (at least ${minSamples} needed: make it run longer)`);
  return { ...overhead, cpuMsPerSecond, ...(ownCpuPct !== undefined ? { ownCpuPct } : {}) };
}

/** Until every probe has hung up (its last frames read: a traced run's are megabytes), 5 s at most. */
async function connectionsClosed(server: ProbeServer): Promise<void> {
  const deadline = performance.now() + 5000;
  while (server.connectionCount > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The machine's load average over 1, 5 and 15 minutes: the figures beside it are that noisy. */
export function loadAverage(): string {
  return loadavg().map((load) => load.toFixed(2)).join(' ');
}

/** Median wall time (ms) a hello-world takes more with the probe than without (paired, alternating), from spawn to exit. */
export async function startupMs(label: string, plain: () => { command: string; args: string[]; env: NodeJS.ProcessEnv }, launch: (probeEnv: Readonly<Record<string, string>>) => LaunchSpec): Promise<number> {
  const wallOf = (command: string, args: readonly string[], env: NodeJS.ProcessEnv) => new Promise<number>((resolve, reject) => {
    const started = performance.now();
    execFile(command, [...args], { env }, (error) => (error ? reject(new Error(error.message)) : resolve(performance.now() - started)));
  });
  const bare = plain();
  const asTiming = (wall: number): Timing => ({ wall, cpu: 0, work: 1 });
  const { plain: without, probed: withProbe } = await alternate(
    STARTUP_PAIRS,
    async () => asTiming(await wallOf(bare.command, bare.args, bare.env)),
    async () => {
      const server = await ProbeServer.start({ logger: quietLogger });
      let hellos = 0;
      server.onHello(() => (hellos += 1));
      const spec = launch(server.environment);
      try {
        return asTiming(await wallOf(spec.command, spec.args, { ...process.env, ...spec.env }));
      } finally {
        await server.dispose();
        if (hellos === 0) console.error(`${label}: the probed hello-world never connected`);
      }
    },
  ).then(({ plain: bareRuns, probed }) => ({ plain: bareRuns.map((run) => run.wall), probed: probed.map((run) => run.wall) }));
  const paired = median(without.map((ms, index) => withProbe[index]! - ms));
  console.log(`  ${label.padEnd(22)} hello-world: without ${median(without).toFixed(1)} ms   with ${median(withProbe).toFixed(1)} ms   start-up cost ${paired.toFixed(1)} ms (median of ${STARTUP_PAIRS} pairs)`);
  return paired;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
