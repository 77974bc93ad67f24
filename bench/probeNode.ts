// `npm run bench:probe:node`: the Node probe's overhead.
// Each workload runs with and without the probe, alternately, RUNS times each; the probed runs
// report to a real ProbeServer feeding a RunModel, as in the extension. Prints the medians side by
// side and `RESULT probe.node.<workload>.overhead_pct=<x>` (plus the optional promise detail mode).
// The timeline's drawing cost is `npm run bench:timeline` (bench/timeline.ts).
import * as path from 'node:path';
import { ProbeServer } from '../src/core/probe/server';
import { nodeLaunchSpec } from '../src/core/runs/launchSpec';
import { RunModel } from '../src/core/runs/runModel';
import { median, runForOutput } from './measure';

const RUNS = 5;
const root = path.resolve(__dirname, '..');
const quietLogger = { info: () => undefined, warn: (message: string) => console.error(message), error: (message: string) => console.error(message) };

function elapsed(output: string): number {
  const match = /^ELAPSED ([\d.]+)$/m.exec(output);
  if (!match) throw new Error(`no ELAPSED line in: ${output}`);
  return Number(match[1]);
}

async function probedRun(script: string, extraEnv: Record<string, string>): Promise<{ seconds: number; frames: number }> {
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
  const seconds = elapsed(await runForOutput(spec.command, [...spec.args], spec.env));
  await server.dispose();
  return { seconds, frames };
}

async function probeOverhead(): Promise<void> {
  console.log(`Node ${process.version}, ${RUNS} runs each, medians:`);
  const workloads: { name: string; script: string; env: Record<string, string> }[] = [
    { name: 'awaits', script: 'awaits.mjs', env: {} },
    { name: 'worker_pool', script: 'worker_pool.mjs', env: {} },
    { name: 'awaits_promise_detail', script: 'awaits.mjs', env: { CONCURRENCY_LENS_NODE_PROMISES: '1' } },
  ];
  for (const workload of workloads) {
    const script = path.join(root, 'bench', 'node', workload.script);
    const plain: number[] = [];
    const probed: number[] = [];
    let frames = 0;
    for (let index = 0; index < RUNS; index += 1) {
      plain.push(elapsed(await runForOutput(process.execPath, [script], process.env)));
      const result = await probedRun(script, workload.env);
      probed.push(result.seconds);
      frames += result.frames;
    }
    const overhead = ((median(probed) - median(plain)) / median(plain)) * 100;
    console.log(`  ${workload.name.padEnd(22)} without ${median(plain).toFixed(3)} s   with ${median(probed).toFixed(3)} s   overhead ${overhead.toFixed(1)} %   (${Math.round(frames / RUNS)} frames/run)`);
    console.log(`RESULT probe.node.${workload.name}.overhead_pct=${overhead.toFixed(1)}`);
  }
}

async function main(): Promise<void> {
  await probeOverhead();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
