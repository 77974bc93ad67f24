// `npm run bench:probe:node`: the Node probe's cost (also run by `npm run bench:probe`). Steady
// state, paired and alternating as bench/probe.ts says (BENCH_SECONDS, BENCH_PAIRS, at least 25
// samples per probed run, printed beside each figure): `RESULT probe.node.<workload>.overhead_pct`
// (CPU per unit of work), `…overhead_wall_pct` and `…cpu_ms_per_s` (the probe's CPU per wall second:
// on a program mostly idle a small cost is a large share), the optional promise detail mode,
// `probe.node.startup_ms` (a hello-world with vs without the probe) and
// `probe.node.trace_mode.overhead_pct` (trace mode vs no probe, wall time per unit of work).
// The timeline's drawing cost is `npm run bench:timeline` (bench/timeline.ts).
import * as path from 'node:path';
import { ENV_TRACE } from '../src/core/probe/endpoint';
import { nodeLaunchSpec } from '../src/core/runs/launchSpec';
import { runForOutput, timing } from './measure';
import { PAIRS, probedRun, startupMs, steadyOverhead } from './probedRuns';

const root = path.resolve(__dirname, '..');

const launch = (script: string) => (probeEnv: Readonly<Record<string, string>>) => nodeLaunchSpec({
  node: process.execPath, script, cwd: root, probePath: path.join(root, 'probes', 'node', 'probe.cjs'), baseEnv: process.env, probeEnv, blockedThresholdMs: 100,
})!;

/** The Node workloads with and without the probe, side by side. */
export async function nodeProbeOverhead(): Promise<void> {
  console.log(`Node ${process.version}, ${PAIRS} pairs each:`);
  const hello = path.join(root, 'bench', 'node', 'hello.mjs');
  console.log(`RESULT probe.node.startup_ms=${(await startupMs('startup', () => ({ command: process.execPath, args: [hello], env: process.env }), launch(hello))).toFixed(1)}`);
  // The awaits workload turns the loop only every 10,000 awaits, so its probe samples less often: it runs 10 s.
  const workloads: { name: string; script: string; env: Record<string, string> }[] = [
    { name: 'awaits', script: 'awaits.mjs', env: { BENCH_SECONDS: '10' } },
    { name: 'worker_pool', script: 'worker_pool.mjs', env: {} },
    { name: 'steady_loop', script: 'steady_loop.mjs', env: {} },
    { name: 'timers', script: 'timers.mjs', env: {} },
    // Only waits: the probe's fixed cost per second (its share of the program's CPU means nothing here).
    { name: 'idle', script: 'idle.mjs', env: {} },
    { name: 'awaits_promise_detail', script: 'awaits.mjs', env: { BENCH_SECONDS: '10', CONCURRENCY_LENS_NODE_PROMISES: '1' } },
  ];
  for (const workload of workloads) {
    const script = path.join(root, 'bench', 'node', workload.script);
    const overhead = await steadyOverhead(workload.name, async () => timing(await runForOutput(process.execPath, [script], { ...process.env, ...workload.env })), () => probedRun(launch(script), workload.env));
    if (workload.name !== 'idle') {
      console.log(`RESULT probe.node.${workload.name}.overhead_pct=${overhead.cpu.toFixed(1)}`);
      console.log(`RESULT probe.node.${workload.name}.overhead_wall_pct=${overhead.wall.toFixed(1)}`);
    }
    console.log(`RESULT probe.node.${workload.name}.cpu_ms_per_s=${overhead.cpuMsPerSecond.toFixed(1)}`);
  }
  // Trace mode on the loop that runs callbacks (every turn timed), on the promise-heavy micro-benchmark
  // (trivial awaits) and on awaits that each do ~50 µs of work (a realistic promise-driven program).
  for (const [label, script] of [['trace_mode', 'steady_loop.mjs'], ['trace_mode_awaits', 'awaits.mjs'], ['trace_mode_awaits_work', 'awaits_work.mjs']] as const) {
    const file = path.join(root, 'bench', 'node', script);
    const trace = await steadyOverhead(label, async () => timing(await runForOutput(process.execPath, [file], process.env)), () => probedRun(launch(file), { [ENV_TRACE]: '1' }), 0);
    console.log(`RESULT probe.node.${label}.overhead_pct=${trace.wall.toFixed(1)}`);
    console.log(`RESULT probe.node.${label}.overhead_cpu_pct=${trace.cpu.toFixed(1)}`);
  }
}

// `npm run bench:probe` runs these workloads after the Python ones; this file alone runs only them.
if (require.main === module) {
  nodeProbeOverhead().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
