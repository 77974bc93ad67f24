/**
 * `npm run bench:analysis:repo`: `check` over whole repositories, as CI runs it.
 *
 * Corpus 1: CPython 3.13's asyncio package and its tests. Interleaved, RUNS times: our CLI as a
 * whole process with a cold (empty) result cache, the same command again with that cache warm, our
 * CLI in one thread (cold), and ruff's wasm build (`@astral-sh/ruff-wasm-nodejs`, ASYNC + RUF006)
 * checking the same files in this process, warm (texts read beforehand), and the same as a whole Node
 * process that loads it, reads the files and checks them, timed from the process's start to its
 * answer (bench/ruff/checkProcess.mjs: ruff as a command line would run, like for like with our
 * CLI); and, to tell parsing from
 * checking, tree-sitter's parse alone of the same files in this process. Medians; the ratios
 * compare ours to ruff.
 * Corpus 2: the project's node_modules (files up to 400 kB, as in the README's precision figures),
 * cold, whole process.
 * Every figure is printed beside the files and lines that run observed (`--statistics`).
 */
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loader } from '../test/unit/helpers/syntax';
import { median } from './measure';

const RUNS = 7;
const NODE_MODULES_RUNS = 3;
const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'concurrency-lens.js');
const PYTHON = '/root/.pyenv/versions/3.13.0/lib/python3.13';
const ASYNCIO = [path.join(PYTHON, 'asyncio'), path.join(PYTHON, 'test', 'test_asyncio')];
const NODE_MODULES = [path.join(ROOT, 'node_modules'), '--max-file-size', '400000'];

interface Run {
  readonly seconds: number;
  /** The `--statistics` line: files, lines, analysed / ruled out / cached. */
  readonly statistics: string;
  readonly findings: number;
}

function check(args: readonly string[]): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, 'check', ...args, '--statistics', '--format', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && result.status !== 1) throw new Error(`check failed (${result.status ?? result.signal}): ${result.stderr}`);
  const statistics = /concurrency-lens: (\d+ file.*)$/m.exec(result.stderr)?.[1] ?? '?';
  return { seconds, statistics, findings: (JSON.parse(result.stdout) as { findings: unknown[] }).findings.length };
}

const RUFF_PROCESS = path.join(ROOT, 'bench', 'ruff', 'checkProcess.mjs');

function ruffProcess(folders: readonly string[]): { seconds: number; files: number; findings: number } {
  const result = spawnSync(process.execPath, [RUFF_PROCESS, ...folders], { cwd: ROOT, encoding: 'utf8' });
  // It kills itself once its answer is out (see checkProcess.mjs).
  if (result.signal !== 'SIGKILL' || !result.stdout) throw new Error(`ruff's process failed (${result.status ?? result.signal}): ${result.stderr}`);
  const { files, findings, answerMs } = JSON.parse(result.stdout) as { files: number; findings: number; answerMs: number };
  return { seconds: answerMs / 1000, files, findings };
}

function pythonFiles(folders: readonly string[]): string[] {
  return folders.flatMap((folder) => readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.py')).map((file) => path.join(folder, file)));
}

async function main(): Promise<void> {
  const texts = pythonFiles(ASYNCIO).map((file) => readFileSync(file, 'utf8'));
  const lines = texts.reduce((sum, text) => sum + text.split('\n').length - (text.endsWith('\n') ? 1 : 0), 0);
  const ruff = new Workspace({ lint: { select: ['ASYNC', 'RUF006'] } }, PositionEncoding.Utf16);
  const ruffCheck = (): { seconds: number; findings: number } => {
    const started = process.hrtime.bigint();
    let findings = 0;
    for (const text of texts) findings += (ruff.check(text) as unknown[]).length;
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, findings };
  };
  ruffCheck(); // warm
  const parser = await loader.createParser('python');
  const parseOnly = (): { seconds: number } => {
    const started = process.hrtime.bigint();
    for (const text of texts) parser.parse(text)?.delete();
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  };
  parseOnly(); // warm
  const parses: { seconds: number }[] = [];
  const cold: Run[] = [];
  const cached: Run[] = [];
  const single: Run[] = [];
  const ruffRuns: { seconds: number; findings: number }[] = [];
  const ruffProcesses: { seconds: number; files: number; findings: number }[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const cache = mkdtempSync(path.join(tmpdir(), 'cl-bench-cache-'));
    try {
      cold.push(check([...ASYNCIO, '--cache-dir', cache]));
      cached.push(check([...ASYNCIO, '--cache-dir', cache]));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
    single.push(check([...ASYNCIO, '--no-cache', '--jobs', '1']));
    ruffRuns.push(ruffCheck());
    ruffProcesses.push(ruffProcess(ASYNCIO));
    parses.push(parseOnly());
  }
  ruff.free();
  const nodeModules: Run[] = [];
  for (let run = 0; run < NODE_MODULES_RUNS; run += 1) nodeModules.push(check([...NODE_MODULES, '--no-cache']));

  const seconds = (runs: readonly { seconds: number }[]): number => median(runs.map((run) => run.seconds));
  const ours = seconds(cold);
  const warm = seconds(cached);
  const theirs = seconds(ruffRuns);
  const theirProcess = seconds(ruffProcesses);
  console.log(`# ${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(1) ?? '?'}; medians of ${RUNS} interleaved runs (node_modules: ${NODE_MODULES_RUNS})`);
  console.log(`# asyncio + test_asyncio (CPython 3.13): ${texts.length} files, ${lines} lines`);
  console.log(`#   ours, cold cache, whole process: ${ours.toFixed(3)} s — ${cold[0]?.statistics}; ${cold[0]?.findings} findings`);
  console.log(`#   ours, warm cache, whole process: ${warm.toFixed(3)} s — ${cached[0]?.statistics}`);
  console.log(`#   ours, one thread, no cache: ${seconds(single).toFixed(3)} s — ${single[0]?.statistics}`);
  console.log(`#   ruff wasm (ASYNC, RUF006), in process, warm: ${theirs.toFixed(3)} s — ${texts.length} files, ${lines} lines; ${ruffRuns[0]?.findings} findings`);
  console.log(`#   ruff wasm (ASYNC, RUF006), whole process, start to answer: ${theirProcess.toFixed(3)} s — ${ruffProcesses[0]?.files} files; ${ruffProcesses[0]?.findings} findings`);
  console.log(`#   tree-sitter's parse alone, in process, warm, one thread: ${seconds(parses).toFixed(3)} s — ${texts.length} files, ${lines} lines`);
  console.log(`#   runs (s): ours ${cold.map((run) => run.seconds.toFixed(2)).join(' ')}; cached ${cached.map((run) => run.seconds.toFixed(2)).join(' ')}; ruff ${ruffRuns.map((run) => run.seconds.toFixed(2)).join(' ')}; ruff process ${ruffProcesses.map((run) => run.seconds.toFixed(2)).join(' ')}`);
  console.log(`# node_modules (files up to 400 kB), cold, whole process: ${seconds(nodeModules).toFixed(2)} s — ${nodeModules[0]?.statistics}; ${nodeModules[0]?.findings} findings`);
  console.log(`RESULT analysis.repo.ours_s=${ours.toFixed(3)}`);
  console.log(`RESULT analysis.repo.cached_s=${warm.toFixed(3)}`);
  console.log(`RESULT analysis.repo.ours_one_thread_s=${seconds(single).toFixed(3)}`);
  console.log(`RESULT analysis.repo.ruff_wasm_s=${theirs.toFixed(3)}`);
  console.log(`RESULT analysis.repo.ruff_wasm_process_s=${theirProcess.toFixed(3)}`);
  console.log(`RESULT analysis.repo.parse_only_s=${seconds(parses).toFixed(3)}`);
  console.log(`RESULT analysis.repo.ratio_vs_ruff=${(ours / theirs).toFixed(2)}`);
  console.log(`RESULT analysis.repo.cached_ratio_vs_ruff=${(warm / theirs).toFixed(2)}`);
  console.log(`RESULT analysis.repo.ratio_vs_ruff_process=${(ours / theirProcess).toFixed(2)}`);
  console.log(`RESULT analysis.repo.cached_ratio_vs_ruff_process=${(warm / theirProcess).toFixed(2)}`);
  console.log(`RESULT analysis.repo.node_modules_s=${seconds(nodeModules).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
