/**
 * Runs inside a fresh extension host (as its `extensionTestsPath`): activates Concurrency Lens
 * from cold, opens a Python file with one finding and waits for its diagnostic. Prints one
 * `[bench] {json}` line with what it measured.
 */
import { statSync } from 'node:fs';
import { register } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ConcurrencyLensApi } from '../../src/extension';
import { WASM_FILES } from '../../src/core/syntax/grammars';

const EXTENSION_ID = 'concurrency-lens.concurrency-lens';
/** How long the host is left to settle before anything is timed (ms). */
const SETTLE_MS = 3000;

/** ES module URLs loaded since `watchModules` (the extension's code is ES modules: `require.cache` does not see it). */
const loaded = new Set<string>();

function watchModules(): void {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', ({ url }: { url: string }) => loaded.add(url));
  port1.unref();
  register(pathToFileURL(path.join(__dirname, 'loaderHook.mjs')).href, { data: { port: port2 }, transferList: [port2] });
}

/** Bytes of the extension's own code loaded so far (the hook's messages arrive asynchronously: let them in first). */
async function loadedCodeBytes(root: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const dist = path.join(root, 'dist') + path.sep;
  return [...loaded].filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url)).filter((file) => file.startsWith(dist)).reduce((sum, file) => sum + statSync(file).size, 0);
}

/** `extension.activate()` from call to result: loading its code, evaluating it and running `activate`. */
async function activationTime(extension: vscode.Extension<unknown>): Promise<number> {
  const started = performance.now();
  await extension.activate();
  return performance.now() - started;
}

/**
 * Two kinds of run (the benchmark writes which into `bench-mode.txt` of the workspace): `timing`
 * measures with nothing added to the host; `bytes` registers a module-loading hook to list the code
 * that loads, which slows each module load (the hook runs on a thread of its own), so it times nothing.
 */
export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<ConcurrencyLensApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  if (extension.isActive) throw new Error('the extension was already active: the measurement needs a cold start');
  const root = extension.extensionPath;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the benchmark needs its workspace');
  const mode = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'bench-mode.txt'))).trim();
  // The host runs this while the workbench and the built-in extensions are still starting, on the
  // same 2 cores: let them finish, so that what is timed is activation, not their start-up.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const empty = vscode.extensions.getExtension('bench.baseline');
  if (!empty) throw new Error('the empty baseline extension is not loaded');
  if (mode === 'bytes') watchModules();
  const baselineMs = await activationTime(empty);
  const activationMs = await activationTime(extension);
  const api = extension.exports;
  const codeAtActivation = mode === 'bytes' ? await loadedCodeBytes(root) : 0;

  const uri = vscode.Uri.joinPath(folder.uri, 'main.py');
  const opened = performance.now();
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  while (!vscode.languages.getDiagnostics(uri).some((diagnostic) => diagnostic.source === 'Concurrency Lens')) await new Promise((resolve) => setTimeout(resolve, 5));
  const firstDiagnosticMs = performance.now() - opened;
  const wasm = ['runtime' as const, ...api.syntax.requestedLanguages()].map((name) => WASM_FILES[name]);
  const wasmBytes = wasm.reduce((sum, file) => sum + statSync(path.join(root, 'dist', 'wasm', file)).size, 0);
  const code = mode === 'bytes' ? await loadedCodeBytes(root) : 0;
  console.log(`[bench] ${JSON.stringify({ mode, baselineMs, activationMs, codeAtActivation, firstDiagnosticMs, code, wasm, wasmBytes })}`);
}
