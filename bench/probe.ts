// `npm run bench:probe`: the Python probe's overhead. Each workload runs with and without the
// probe, alternately, RUNS times each, under every Python 3.8–3.13 present (or those given as
// arguments, e.g. `npm run bench:probe -- 3.12`); the probed runs report to a real ProbeServer
// feeding a RunModel, as in the extension. Prints the medians side by side and
// `RESULT probe.python.<workload>.overhead_pct=<x>` (3.12; other versions as probe.python3_N.…).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ProbeServer } from '../src/core/probe/server';
import { RunModel } from '../src/core/runs/runModel';
import { pythonLaunchSpec } from '../src/core/runs/launchSpec';

const RUNS = 5;
const WORKLOADS = ['asyncio_tasks', 'threads', 'process_pool'] as const;
const root = path.resolve(import.meta.dirname, '..');
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

function elapsed(output: string): number {
  const match = /^ELAPSED ([\d.]+)$/m.exec(output);
  if (!match) throw new Error(`no ELAPSED line in: ${output}`);
  return Number(match[1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  for (const [version, python] of pythons()) {
    const fullVersion = execFileSync(python, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
    console.log(`\nPython ${fullVersion} (${python}), ${RUNS} runs each, medians:`);
    for (const workload of WORKLOADS) {
      const script = path.join(root, 'bench', 'python', `${workload}.py`);
      const plain: number[] = [];
      const probed: number[] = [];
      let frames = 0;
      for (let run = 0; run < RUNS; run += 1) {
        plain.push(elapsed(execFileSync(python, [script], { encoding: 'utf8' })));
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
        probed.push(elapsed(await runAsync(spec.command, [...spec.args], spec.env)));
        await server.dispose();
      }
      const overhead = ((median(probed) - median(plain)) / median(plain)) * 100;
      console.log(`  ${workload.padEnd(14)} without ${median(plain).toFixed(3)} s   with ${median(probed).toFixed(3)} s   overhead ${overhead.toFixed(1)} %   (${Math.round(frames / RUNS)} frames/run)`);
      const name = version === '3.12' ? 'probe.python' : `probe.python${version.replace('.', '_')}`;
      console.log(`RESULT ${name}.${workload}.overhead_pct=${overhead.toFixed(1)}`);
    }
    console.log(`RESULT ${version === '3.12' ? 'probe.python' : `probe.python${version.replace('.', '_')}`}.version=${fullVersion}`);
  }
}

async function runAsync(command: string, args: string[], env: Readonly<Record<string, string>>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}`))));
  });
}

await main();
