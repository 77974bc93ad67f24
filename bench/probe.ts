// `npm run bench:probe`: the Python probe's overhead, then the Node probe's (bench/probeNode.ts).
// Each workload runs without and with the probe, back to back, RUNS times (alternating which
// goes first), under every Python 3.8–3.13 present (or those given as arguments, e.g.
// `npm run bench:probe -- 3.12`); the probed runs report to a real ProbeServer feeding a
// RunModel, as in the extension. Each workload prints its own wall time and CPU time (all its
// threads, and its pool's workers). The overhead is the median of the pairs' overheads on CPU
// time (`…overhead_pct`; see bench/measure.ts `alternate`), wall time beside it
// (`…overhead_wall_pct`); the medians of each side are printed too.
// Names: `RESULT probe.python.<workload>.…` for 3.12, `probe.python3_N.<workload>.…` for others.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ProbeServer } from '../src/core/probe/server';
import { RunModel } from '../src/core/runs/runModel';
import { pythonLaunchSpec } from '../src/core/runs/launchSpec';
import { type Timing, alternate, compareTimings, runForOutput, timing } from './measure';
import { nodeProbeOverhead } from './probeNode';

const RUNS = 21;
const WORKLOADS = ['asyncio_tasks', 'threads', 'process_pool'] as const;
const root = path.resolve(__dirname, '..');
const quietLogger = { info: () => undefined, warn: (message: string) => console.error(message), error: (message: string) => console.error(message) };

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
  const wanted = process.argv.slice(2);
  return wanted.length ? new Map([...found].filter(([version]) => wanted.includes(version))) : found;
}

async function main(): Promise<void> {
  for (const [version, python] of pythons()) {
    const fullVersion = execFileSync(python, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
    console.log(`\nPython ${fullVersion} (${python}), ${RUNS} runs each:`);
    for (const workload of WORKLOADS) {
      const script = path.join(root, 'bench', 'python', `${workload}.py`);
      let frames = 0;
      const probedRun = async (): Promise<Timing> => {
        const server = await ProbeServer.start({ logger: quietLogger });
        const model = new RunModel();
        server.onHello((connection) => model.addProcess(connection.hello));
        server.onFrame(({ connection, frame }) => {
          frames += 1;
          model.apply(connection.hello.pid, frame);
        });
        const spec = pythonLaunchSpec({
          interpreter: python, script, cwd: root, probeRoot: path.join(root, 'probes', 'python'),
          baseEnv: process.env, probeEnv: server.environment, blockedThresholdMs: 100,
        });
        // Asynchronous spawn: the server must keep reading while the program runs.
        const result = timing(await runForOutput(spec.command, [...spec.args], { ...process.env, ...spec.env }));
        await server.dispose();
        return result;
      };
      const { plain, probed } = await alternate(RUNS, () => Promise.resolve(timing(execFileSync(python, [script], { encoding: 'utf8' }))), probedRun);
      const name = version === '3.12' ? 'probe.python' : `probe.python${version.replace('.', '_')}`;
      const overhead = compareTimings(workload, plain, probed);
      console.log(`  ${workload.padEnd(22)} ${Math.round(frames / RUNS)} frames per probed run`);
      console.log(`RESULT ${name}.${workload}.overhead_pct=${overhead.cpu.toFixed(1)}`);
      console.log(`RESULT ${name}.${workload}.overhead_wall_pct=${overhead.wall.toFixed(1)}`);
    }
    console.log(`RESULT ${version === '3.12' ? 'probe.python' : `probe.python${version.replace('.', '_')}`}.version=${fullVersion}`);
  }
  console.log('');
  await nodeProbeOverhead();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
