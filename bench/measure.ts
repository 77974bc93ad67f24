/** What every benchmark needs: medians, and child programs whose stdout carries their figures. */
import { spawn } from 'node:child_process';

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs a program to completion and resolves with its stdout (stderr passes through). */
export function runForOutput(command: string, args: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}`))));
  });
}

/**
 * What a benchmark workload prints about itself: `ELAPSED <s>` (wall), `CPU <s>` (all its threads)
 * and, for a workload that runs for a set time, `WORK <n>` (how much it did: compared per unit).
 */
export interface Timing {
  wall: number;
  cpu: number;
  work: number;
}

export function timing(output: string): Timing {
  const wall = /^ELAPSED ([\d.]+)$/m.exec(output);
  const cpu = /^CPU ([\d.]+)$/m.exec(output);
  const work = /^WORK (\d+)$/m.exec(output);
  if (!wall || !cpu) throw new Error(`no ELAPSED/CPU lines in: ${output}`);
  return { wall: Number(wall[1]), cpu: Number(cpu[1]), work: work ? Number(work[1]) : 1 };
}

/**
 * Runs a workload without and with a probe, back to back, `runs` times, alternating which of the
 * two goes first. This machine's speed drifts (memory-bound programs run up to 70% slower for
 * seconds at a time), and the two runs of a pair share their moment.
 */
export async function alternate(runs: number, without: () => Promise<Timing>, withProbe: () => Promise<Timing>): Promise<{ plain: Timing[]; probed: Timing[] }> {
  const plain: Timing[] = [];
  const probed: Timing[] = [];
  for (let run = 0; run < runs; run += 1) {
    if (run % 2 === 0) {
      plain.push(await without());
      probed.push(await withProbe());
    } else {
      probed.push(await withProbe());
      plain.push(await without());
    }
  }
  return { plain, probed };
}

/**
 * Prints the medians with and without a probe side by side, CPU and wall, and returns the
 * overheads in percent: the median of the pairs' overheads (see `alternate`); the overhead of
 * the two medians is printed beside it. CPU time is the steadier of the two.
 */
export function compareTimings(label: string, plain: readonly Timing[], probed: readonly Timing[]): { cpu: number; wall: number } {
  // Per unit of work: a workload that runs for a set time does less of it when a probe costs.
  const perWork = (run: Timing, field: 'cpu' | 'wall') => run[field] / run.work;
  const overhead = (field: 'cpu' | 'wall'): number => {
    const without = median(plain.map((run) => perWork(run, field)));
    const withProbe = median(probed.map((run) => perWork(run, field)));
    const ofMedians = ((withProbe - without) / without) * 100;
    const paired = median(plain.map((run, index) => ((perWork(probed[index]!, field) - perWork(run, field)) / perWork(run, field)) * 100));
    console.log(
      `  ${label.padEnd(22)} ${field.padEnd(4)} without ${formatPerWork(without, plain)}   with ${formatPerWork(withProbe, probed)}   ` +
        `overhead ${paired.toFixed(1)} % (median of pairs; of the medians ${ofMedians.toFixed(1)} %)`,
    );
    return paired;
  };
  return { cpu: overhead('cpu'), wall: overhead('wall') };
}

/** Seconds, or µs per unit of work for a workload that reports its work. */
function formatPerWork(value: number, runs: readonly Timing[]): string {
  return runs.every((run) => run.work === 1) ? `${value.toFixed(3)} s` : `${(value * 1e6).toFixed(3)} µs/unit`;
}
