// `npm run bench:attach`: how long "Attach Monitor to Process…" takes to show a running program,
// from the pick to the first frame of its probe in the run's model (`attach.<runtime>.first_frame_ms`,
// median of ATTACHES attaches, each to a fresh target: a process can be attached once).
// Node.js: the target runs two Workers; the attach opens its inspector with SIGUSR1, loads the probe
// and closes the inspector again. Python: the target runs two waiting threads and an event loop in a
// third; gdb has its waiting main thread start the probe. Printed with how long the attach call
// itself took, and the frames, threads and processes each run observed in the second after.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { attachNodeProbe } from '../src/core/attach/attachNode';
import { attachPythonProbe } from '../src/core/attach/attachPython';
import { ProbeServer } from '../src/core/probe/server';
import { probeInstall } from '../src/core/runs/launchSpec';
import { RunSession } from '../src/core/runs/runSession';
import { median } from './measure';

const root = path.resolve(__dirname, '..');
const install = probeInstall(path.join(root, 'probes'));

interface Target {
  readonly runtime: 'node' | 'python';
  readonly argv: readonly string[];
  /** What the run shows of it once attached. */
  readonly shows: string;
  attach(pid: number, env: Record<string, string>): Promise<{ ok: boolean; reason?: string; detail?: string }>;
}

const TARGETS: readonly Target[] = [
  {
    runtime: 'node', argv: [process.execPath, path.join(root, 'bench', 'node', 'attach_target.mjs')], shows: 'threads (main + 2 Workers)',
    attach: (pid, env) => attachNodeProbe({ pid, install, env }),
  },
  {
    runtime: 'python', argv: ['python3', path.join(root, 'bench', 'python', 'attach_target.py')], shows: 'threads (main, 2 waiting, 1 running an event loop)',
    attach: (pid, env) => attachPythonProbe({ pid, install, env }),
  },
];
const ATTACHES = 11;
const OBSERVE_MS = 1000;
const quietLogger = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };

async function startTarget(target: Target): Promise<ChildProcess> {
  const child = spawn(target.argv[0]!, target.argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
  });
  return child;
}

interface Attach {
  firstFrameMs: number;
  attachMs: number;
  frames: number;
  threads: number;
  processes: number;
}

async function attachOnce(runtime: Target): Promise<Attach> {
  const target = await startTarget(runtime);
  const server = await ProbeServer.start({ logger: quietLogger });
  const session = new RunSession(server, { logger: quietLogger, ownsProcesses: false });
  try {
    let frames = 0;
    let firstFrameAt: number | undefined;
    server.onFrame(({ connection }) => {
      if (connection.hello.pid !== target.pid) return;
      frames += 1;
      firstFrameAt ??= performance.now();
    });
    const picked = performance.now();
    session.adoptRoot(target.pid!, runtime.argv, undefined, Date.now());
    const result = await runtime.attach(target.pid!, server.environment);
    const attachMs = performance.now() - picked;
    if (!result.ok) throw new Error(`attach failed: ${result.reason}: ${result.detail}`);
    const deadline = performance.now() + 10_000;
    while (firstFrameAt === undefined && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    if (firstFrameAt === undefined) throw new Error('no frame within 10 s of the attach');
    await new Promise((resolve) => setTimeout(resolve, OBSERVE_MS));
    const threads = session.model.process(target.pid!)?.entities.thread.size ?? 0;
    return { firstFrameMs: firstFrameAt - picked, attachMs, frames, threads, processes: session.model.processes().length };
  } finally {
    target.kill('SIGKILL');
    session.dispose();
  }
}

async function main(): Promise<void> {
  for (const target of TARGETS) {
    const runs: Attach[] = [];
    for (let index = 0; index < ATTACHES; index += 1) runs.push(await attachOnce(target));
    const mean = (pick: (run: Attach) => number) => (runs.reduce((sum, run) => sum + pick(run), 0) / runs.length).toFixed(1);
    const firstFrame = runs.map((run) => run.firstFrameMs);
    console.log(`Attach to a running ${target.runtime === 'node' ? 'Node.js' : 'Python'} process, ${ATTACHES} attaches, each to a fresh process:`);
    console.log(`  pick → first frame: median ${median(firstFrame).toFixed(0)} ms (min ${Math.min(...firstFrame).toFixed(0)}, max ${Math.max(...firstFrame).toFixed(0)})`);
    console.log(`  the attach call: median ${median(runs.map((run) => run.attachMs)).toFixed(0)} ms`);
    console.log(`  observed per attach in the ${OBSERVE_MS} ms after: ${mean((run) => run.frames)} frames, ${mean((run) => run.threads)} ${target.shows}, ${mean((run) => run.processes)} process(es)`);
    console.log(`RESULT attach.${target.runtime}.first_frame_ms=${median(firstFrame).toFixed(0)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
