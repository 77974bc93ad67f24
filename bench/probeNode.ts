// `npm run bench:probe:node`: the Node probe's overhead (also run by `npm run bench:probe`).
// Each workload runs without and with the probe, back to back, RUNS times (alternating which
// goes first); the probed runs report to a real ProbeServer feeding a RunModel, as in the
// extension. Prints the medians of CPU time (every thread of the process) and wall time side by
// side, and `RESULT probe.node.<workload>.overhead_pct=<x>`: the median of the pairs' overheads
// on CPU time (see bench/measure.ts `alternate`), `…overhead_wall_pct` beside it (plus the
// optional promise detail mode).
// The timeline's drawing cost is `npm run bench:timeline` (bench/timeline.ts).
import * as path from 'node:path';
import { ProbeServer } from '../src/core/probe/server';
import { nodeLaunchSpec } from '../src/core/runs/launchSpec';
import { RunModel } from '../src/core/runs/runModel';
import { type Timing, alternate, compareTimings, runForOutput, timing } from './measure';

const RUNS = 21;
const root = path.resolve(__dirname, '..');
const quietLogger = { info: () => undefined, warn: (message: string) => console.error(message), error: (message: string) => console.error(message) };

async function probedRun(script: string, extraEnv: Record<string, string>): Promise<{ timing: Timing; frames: number }> {
  const server = await ProbeServer.start({ logger: quietLogger });
  const model = new RunModel();
  let frames = 0;
  server.onHello((connection) => model.addProcess(connection.hello));
  server.onFrame(({ connection, frame }) => {
    frames += 1;
    model.apply(connection.hello.pid, frame);
  });
  const spec = nodeLaunchSpec({
    node: process.execPath, script, cwd: root, probePath: path.join(root, 'probes', 'node', 'probe.cjs'),
    baseEnv: { ...process.env, ...extraEnv }, probeEnv: server.environment, blockedThresholdMs: 100,
  })!;
  const result = timing(await runForOutput(spec.command, [...spec.args], { ...process.env, ...spec.env }));
  await server.dispose();
  return { timing: result, frames };
}

/** The Node workloads with and without the probe, side by side. */
export async function nodeProbeOverhead(): Promise<void> {
  console.log(`Node ${process.version}, ${RUNS} runs each:`);
  const workloads: { name: string; script: string; env: Record<string, string> }[] = [
    { name: 'awaits', script: 'awaits.mjs', env: {} },
    { name: 'worker_pool', script: 'worker_pool.mjs', env: {} },
    // Seconds long: the probe's periodic work (heartbeats, samples, profile restarts) shows.
    { name: 'steady_loop', script: 'steady_loop.mjs', env: {} },
    { name: 'awaits_promise_detail', script: 'awaits.mjs', env: { CONCURRENCY_LENS_NODE_PROMISES: '1' } },
  ];
  for (const workload of workloads) {
    const script = path.join(root, 'bench', 'node', workload.script);
    let frames = 0;
    const { plain, probed } = await alternate(
      RUNS,
      async () => timing(await runForOutput(process.execPath, [script], process.env)),
      async () => {
        const result = await probedRun(script, workload.env);
        frames += result.frames;
        return result.timing;
      },
    );
    const overhead = compareTimings(workload.name, plain, probed);
    console.log(`  ${workload.name.padEnd(22)} ${Math.round(frames / RUNS)} frames per probed run`);
    console.log(`RESULT probe.node.${workload.name}.overhead_pct=${overhead.cpu.toFixed(1)}`);
    console.log(`RESULT probe.node.${workload.name}.overhead_wall_pct=${overhead.wall.toFixed(1)}`);
  }
}

// `npm run bench:probe` runs these workloads after the Python ones; this file alone runs only them.
if (require.main === module) {
  nodeProbeOverhead().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
