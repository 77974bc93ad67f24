// `npm run bench:probe`: the Python probe's cost, then the Node probe's (bench/probeNode.ts), under
// every Python 3.8–3.13 present (or those given as arguments, e.g. `npm run bench:probe -- 3.12`).
// Steady state: each workload runs for BENCH_SECONDS (default 7; the asyncio one 10) doing as much as it can, and
// prints its wall time, CPU time (all its threads, and its pool's workers) and work; figures are per
// unit of work. Each runs without and with the probe, back to back, BENCH_PAIRS times (default 3),
// alternating which goes first; a probed run must send at least 25 samples (printed beside each
// figure) or the benchmark fails. The overhead is the median of the pairs' overheads on CPU time
// (`…overhead_pct`; see bench/measure.ts `alternate`), wall time beside it (`…overhead_wall_pct`),
// and the probe's own work as it counts it, a share of the program's CPU (`…own_cpu_pct`, the
// median of the probed runs: its thread, the loops' beats and their samples, from its exit frame),
// which the machine's speed does not move: on this shared machine that drifts by ±15% between runs.
// Also: `…startup_ms` (a hello-world with vs without the probe), `…waker_10hz.overhead_pct` (the
// asyncio workload beside a thread that only wakes 10 times a second, vs alone: the floor of any
// thread's wakes, the probe's included), `…trace_mode.overhead_pct` (trace
// mode vs no probe, wall time: the budget is 1.5×, +50%; `…trace_mode_work.overhead_pct` the same on
// tasks doing ~50 µs of work each: asyncio_tasks.py with BENCH_STEP_US=25) and `…task_factory.overhead_pct` (the
// opt-in task factory vs the default probe, on the asyncio workload).
// Names: `RESULT probe.python.<workload>.…` for 3.12, `probe.python3_N.<workload>.…` for others.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { ENV_TASK_LIFECYCLE, ENV_TRACE } from '../src/core/probe/endpoint';
import { pythonLaunchSpec } from '../src/core/runs/launchSpec';
import { runForOutput, timing } from './measure';
import { nodeProbeOverhead } from './probeNode';
import { PAIRS, probedRun, startupMs, steadyOverhead } from './probedRuns';

const WORKLOADS = ['asyncio_tasks', 'threads', 'process_pool'] as const;
/**
 * Seconds per run where 5 is not enough for 25 samples: the probe's 1% budget samples a loop with
 * many live tasks less often (about 3 times a second with these batches on a loaded machine).
 */
const SECONDS: Partial<Record<(typeof WORKLOADS)[number], string>> = { asyncio_tasks: '10' };
const root = path.resolve(__dirname, '..');

function pythons(): Map<string, string> {
  const found = new Map<string, string>();
  const versions = '/root/.pyenv/versions';
  const dirs = existsSync(versions) ? readdirSync(versions) : [];
  for (const dir of dirs) {
    const executable = path.join(versions, dir, 'bin', 'python3');
    const minor = /^3\.(\d+)\./.exec(dir)?.[1];
    if (minor && Number(minor) >= 8 && Number(minor) <= 13 && existsSync(executable)) found.set(`3.${minor}`, executable);
  }
  if (found.size === 0) found.set('python3', 'python3');
  const wanted = process.argv.slice(2).filter((arg) => arg !== 'node');
  return wanted.length ? new Map([...found].filter(([version]) => wanted.includes(version))) : found;
}

async function main(): Promise<void> {
  console.log(`load average at the start: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  for (const [version, python] of pythons()) {
    const fullVersion = execFileSync(python, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
    const name = version === '3.12' ? 'probe.python' : `probe.python${version.replace('.', '_')}`;
    console.log(`\nPython ${fullVersion} (${python}), ${PAIRS} pairs each:`);
    const launch = (script: string) => (probeEnv: Readonly<Record<string, string>>) => pythonLaunchSpec({
      interpreter: python, script, cwd: root, probeRoot: path.join(root, 'probes', 'python'), baseEnv: process.env, probeEnv, blockedThresholdMs: 100,
    });
    const plain = (script: string, env: Record<string, string>) => async () => timing(await runForOutput(python, [script], { ...process.env, ...env }));
    const hello = path.join(root, 'bench', 'python', 'hello.py');
    console.log(`RESULT ${name}.startup_ms=${(await startupMs('startup', () => ({ command: python, args: [hello], env: process.env }), launch(hello))).toFixed(1)}`);
    for (const workload of WORKLOADS) {
      const script = path.join(root, 'bench', 'python', `${workload}.py`);
      const env: Record<string, string> = SECONDS[workload] ? { BENCH_SECONDS: SECONDS[workload] } : {};
      const overhead = await steadyOverhead(workload, plain(script, env), () => probedRun(launch(script), env));
      console.log(`RESULT ${name}.${workload}.overhead_pct=${overhead.cpu.toFixed(1)}`);
      console.log(`RESULT ${name}.${workload}.overhead_wall_pct=${overhead.wall.toFixed(1)}`);
      if (overhead.ownCpuPct !== undefined) console.log(`RESULT ${name}.${workload}.own_cpu_pct=${overhead.ownCpuPct.toFixed(2)}`);
    }
    const tasks = path.join(root, 'bench', 'python', 'asyncio_tasks.py');
    const tasksEnv = { BENCH_SECONDS: SECONDS.asyncio_tasks ?? '5' };
    // The floor of any thread's wakes (the probe's included): a thread that only wakes 10 times a second, vs none (no probe either).
    const waker = await steadyOverhead('waker_10hz', plain(tasks, tasksEnv), async () => ({ timing: await plain(tasks, { ...tasksEnv, BENCH_WAKER_HZ: '10' })(), samples: 0, frames: 0 }), 0);
    console.log(`RESULT ${name}.waker_10hz.overhead_pct=${waker.cpu.toFixed(1)}`);
    const trace = await steadyOverhead('trace_mode', plain(tasks, tasksEnv), () => probedRun(launch(tasks), { ...tasksEnv, [ENV_TRACE]: '1' }), 0);
    console.log(`RESULT ${name}.trace_mode.overhead_pct=${trace.wall.toFixed(1)}`);
    console.log(`RESULT ${name}.trace_mode.overhead_cpu_pct=${trace.cpu.toFixed(1)}`);
    // The same on tasks doing ~50 µs of work each: the 1.5× budget is for programs whose callbacks work.
    const workingEnv = { ...tasksEnv, BENCH_STEP_US: '25' };
    const workingTrace = await steadyOverhead('trace_mode_work', plain(tasks, workingEnv), () => probedRun(launch(tasks), { ...workingEnv, [ENV_TRACE]: '1' }), 0);
    console.log(`RESULT ${name}.trace_mode_work.overhead_pct=${workingTrace.wall.toFixed(1)}`);
    const factory = await steadyOverhead('task_factory', async () => (await probedRun(launch(tasks), tasksEnv)).timing, () => probedRun(launch(tasks), { ...tasksEnv, [ENV_TASK_LIFECYCLE]: '1' }), 0);
    console.log(`RESULT ${name}.task_factory.overhead_pct=${factory.cpu.toFixed(1)}`);
    console.log(`RESULT ${name}.version=${fullVersion}`);
  }
  console.log('');
  await nodeProbeOverhead();
  console.log(`load average at the end: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
