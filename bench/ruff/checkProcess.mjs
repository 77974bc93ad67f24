// `check` as ruff's wasm build would run as a command line: one Node process that loads the wasm,
// reads the Python files under the folders given and checks them (ASYNC + RUF006). Prints
// {"files", "findings", "answerMs"}: answerMs is the time from the process's start to its answer.
// bench/analysisRepo.ts reads it beside our CLI's whole-process time, like for like.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import ruffWasm from '@astral-sh/ruff-wasm-nodejs';

const files = process.argv.slice(2).flatMap((folder) =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.py')).map((file) => path.join(folder, file)));
const ruff = new ruffWasm.Workspace({ lint: { select: ['ASYNC', 'RUF006'] } }, ruffWasm.PositionEncoding.Utf16);
let findings = 0;
for (const file of files) {
  const diagnostics = /** @type {unknown[]} */ (ruff.check(readFileSync(file, 'utf8')));
  findings += diagnostics.length;
}
// Once the answer is out the process is killed: Node 20 otherwise spends seconds tearing down the
// 10 MB wasm module (waiting for V8's background tier-up), even after process.exit() — not the
// checker's time, and a command line built on it would be judged by its answer.
process.stdout.write(JSON.stringify({ files: files.length, findings, answerMs: performance.now() }), () => process.kill(process.pid, 'SIGKILL'));
