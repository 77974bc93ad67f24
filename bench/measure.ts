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

/** What a benchmark workload prints about itself: `ELAPSED <s>` (wall) and `CPU <s>` (all its threads). */
export interface Timing {
  wall: number;
  cpu: number;
}

export function timing(output: string): Timing {
  const wall = /^ELAPSED ([\d.]+)$/m.exec(output);
  const cpu = /^CPU ([\d.]+)$/m.exec(output);
  if (!wall || !cpu) throw new Error(`no ELAPSED/CPU lines in: ${output}`);
  return { wall: Number(wall[1]), cpu: Number(cpu[1]) };
}

/**
 * Prints the medians with and without a probe side by side, CPU and wall, and returns the
 * overheads in percent. The machine may be shared: CPU time is the steadier of the two.
 */
export function compareTimings(label: string, plain: readonly Timing[], probed: readonly Timing[]): { cpu: number; wall: number } {
  const overhead = (field: keyof Timing): number => {
    const without = median(plain.map((run) => run[field]));
    const withProbe = median(probed.map((run) => run[field]));
    const percent = ((withProbe - without) / without) * 100;
    console.log(`  ${label.padEnd(22)} ${field.padEnd(4)} without ${without.toFixed(3)} s   with ${withProbe.toFixed(3)} s   overhead ${percent.toFixed(1)} %`);
    return percent;
  };
  return { cpu: overhead('cpu'), wall: overhead('wall') };
}
