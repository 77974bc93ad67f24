// `npm run bench:run`: what a monitored run costs the program it runs, as the editor starts it (our
// supervisor in a terminal, the probes reporting to a run session).
//
// 1. Output throughput: a program printing 200,000 lines into a real terminal (a pseudo-terminal
//    from util-linux's `script`, read as fast as it writes), plain and monitored, in back-to-back
//    pairs (alternating which goes first). `run.output_200k_lines_ratio` is the median of the pairs'
//    monitored ÷ plain wall times (goal ≤ 1.1), for Python and for Node.js.
// 2. Time to first structure: from starting the supervisor (as the terminal does) to the run's model
//    holding the program's root process (`run.root_visible_ms`), its first sample — its threads
//    (`run.first_structure_ms`, goal ≤ 300) — and what it set up (`run.first_tasks_ms` / Node
//    `run.node.first_workers_ms`), medians over RUNS runs of a program that starts threads, a loop
//    with tasks and a spawn process pool (Python) or Workers and a child (Node.js).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ProbeServer } from '../src/core/probe/server';
import { nodeLaunchSpec, pythonLaunchSpec, type LaunchSpec } from '../src/core/runs/launchSpec';
import { RunSession } from '../src/core/runs/runSession';
import { ENV_ADDRESS, ENV_TOKEN } from '../src/core/probe/endpoint';
import { median } from './measure';

const root = path.resolve(__dirname, '..');
const SUPERVISOR = path.join(root, 'dist', 'supervisor.js');
const LINES = 200_000;
const PAIRS = 7;
const RUNS = 11;
const quietLogger = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };

type Language = 'python' | 'node';

function launchSpec(language: Language, script: string, probeEnv: Record<string, string>, args: string[] = []): LaunchSpec {
  return language === 'python'
    ? pythonLaunchSpec({ interpreter: 'python3', script, args, cwd: root, probeRoot: path.join(root, 'probes', 'python'), baseEnv: process.env, probeEnv, blockedThresholdMs: 100 })
    : nodeLaunchSpec({ node: process.execPath, script, args, cwd: root, probePath: path.join(root, 'probes', 'node', 'probe.cjs'), baseEnv: process.env, probeEnv, blockedThresholdMs: 100 })!;
}

/** The supervisor's command line for a spec, as the editor's terminal runs it. */
function supervised(spec: LaunchSpec): { args: string[]; env: Record<string, string> } {
  const { [ENV_ADDRESS]: address, [ENV_TOKEN]: token, ...programOnly } = spec.env;
  return {
    args: [SUPERVISOR, ...Object.entries(programOnly).flatMap(([name, value]) => ['--set', `${name}=${value}`]), '--', spec.command, ...spec.args],
    env: { [ENV_ADDRESS]: address!, [ENV_TOKEN]: token! },
  };
}

function shellQuote(words: readonly string[]): string {
  return words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** Runs `command` in a pseudo-terminal whose output is read as fast as it comes; resolves with the wall time and lines seen. */
function inTerminal(command: readonly string[], env: Record<string, string>): Promise<{ seconds: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('script', ['-qfec', shellQuote(command), '/dev/null'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines += 1;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ seconds: (performance.now() - started) / 1000, lines }) : reject(new Error(`exit ${code}: ${command.join(' ')}`))));
  });
}

async function outputThroughput(language: Language): Promise<void> {
  const script = path.join(root, 'bench', language, language === 'python' ? 'print_lines.py' : 'print_lines.mjs');
  const plainCommand = language === 'python' ? ['python3', script, String(LINES)] : [process.execPath, script, String(LINES)];
  const ratios: number[] = [];
  const plainSeconds: number[] = [];
  const monitoredSeconds: number[] = [];
  let lines = 0;
  let frames = 0;
  const monitored = async (): Promise<number> => {
    const server = await ProbeServer.start({ logger: quietLogger });
    const session = new RunSession(server, { logger: quietLogger });
    server.onFrame(() => (frames += 1));
    const { args, env } = supervised(launchSpec(language, script, server.environment, [String(LINES)]));
    const result = await inTerminal([process.execPath, ...args], env);
    await session.ended;
    session.dispose();
    lines = result.lines;
    return result.seconds;
  };
  const plain = async (): Promise<number> => (await inTerminal(plainCommand, {})).seconds;
  for (let pair = 0; pair < PAIRS; pair += 1) {
    let plainTime: number;
    let monitoredTime: number;
    if (pair % 2 === 0) {
      plainTime = await plain();
      monitoredTime = await monitored();
    } else {
      monitoredTime = await monitored();
      plainTime = await plain();
    }
    plainSeconds.push(plainTime);
    monitoredSeconds.push(monitoredTime);
    ratios.push(monitoredTime / plainTime);
  }
  const name = language === 'python' ? 'run' : 'run.node';
  console.log(`  ${language}: plain ${median(plainSeconds).toFixed(2)} s, monitored ${median(monitoredSeconds).toFixed(2)} s (medians of ${PAIRS} pairs; ${lines} lines read from the terminal per monitored run, ${Math.round(frames / PAIRS)} probe frames)`);
  console.log(`RESULT ${name}.output_200k_lines_ratio=${median(ratios).toFixed(3)}`);
}

async function firstStructure(language: Language): Promise<void> {
  const script = path.join(root, 'bench', language, language === 'python' ? 'startup_structure.py' : 'startup_structure.mjs');
  const times = { root: [] as number[], structure: [] as number[], detail: [] as number[] };
  let processes = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const server = await ProbeServer.start({ logger: quietLogger });
    const session = new RunSession(server, { logger: quietLogger });
    const { args, env } = supervised(launchSpec(language, script, server.environment));
    const started = performance.now();
    const seen: { root?: number; structure?: number; detail?: number } = {};
    // The root row; its first sample (its threads); what it set up (Python: its tasks, Node: its Workers).
    const done = new Promise<void>((resolve) => {
      session.model.onDidChange(() => {
        const program = session.model.rootProcesses()[0];
        if (!program) return;
        const now = performance.now() - started;
        seen.root ??= now;
        if (program.entities.thread.size > 0) seen.structure ??= now;
        const detail = language === 'python' ? program.entities.task.size > 0 : [...program.entities.thread.values()].some((thread) => thread.info.kind === 'worker');
        if (detail) {
          seen.detail ??= now;
          resolve();
        }
      });
    });
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    const closed = new Promise((resolve) => child.once('close', resolve));
    await Promise.race([done, session.ended]);
    await session.ended;
    processes += session.model.processes().length;
    session.dispose();
    await closed;
    if (seen.root === undefined || seen.structure === undefined || seen.detail === undefined) throw new Error(`${language}: the run ended before its structure was seen`);
    times.root.push(seen.root);
    times.structure.push(seen.structure);
    times.detail.push(seen.detail);
  }
  const name = language === 'python' ? 'run' : 'run.node';
  const detail = language === 'python' ? 'tasks' : 'workers';
  console.log(`  ${language}: root row ${median(times.root).toFixed(0)} ms, its threads ${median(times.structure).toFixed(0)} ms, its ${detail} ${median(times.detail).toFixed(0)} ms (medians of ${RUNS} runs; ${(processes / RUNS).toFixed(1)} processes per run)`);
  console.log(`RESULT ${name}.root_visible_ms=${median(times.root).toFixed(0)}`);
  console.log(`RESULT ${name}.first_structure_ms=${median(times.structure).toFixed(0)}`);
  console.log(`RESULT ${name}.first_${detail}_ms=${median(times.detail).toFixed(0)}`);
}

async function main(): Promise<void> {
  console.log(`Output throughput, ${LINES} lines into a terminal:`);
  await outputThroughput('python');
  await outputThroughput('node');
  console.log('Time to first structure (supervisor start → model):');
  await firstStructure('python');
  await firstStructure('node');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
