/**
 * `npm run bench:activation`: the extension's start-up in the real extension host (code-server
 * 1.100.3, Debian's Chromium). Each run opens a fresh workbench (a fresh extension host) on a
 * folder with one Python file, activates an empty ES-module extension (the host's own cost of an
 * activation: the baseline), then Concurrency Lens from cold (`extension.activate()` from call to
 * result: loading its code, evaluating it and running `activate`), then opens the file and waits
 * for its first diagnostic. One more run lists the code the host loaded at activation and before
 * the first diagnostic (our code and the .wasm files) through a module hook, which slows loading,
 * so that run is not timed. What is measured is the build users install (`esbuild.mjs
 * --production`, as `vscode:prepublish` makes it: minified, no source maps); the development build
 * is made again afterwards for the tests. Prints medians and `RESULT name=value` lines.
 */
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startCodeServer } from '../test/runner/codeServer';
import { consoleText, gotoWorkbench, launchBrowser } from '../test/runner/workbench';
import { median } from './measure';

const RUNS = 7;
const HOST_MODULE = path.join(REPO_ROOT, 'out', 'bench', 'activation', 'host.js');

/**
 * A Node module customization hook the host module registers in its one untimed run: it reports
 * every ES module URL the host loads from then on (the extension's chunks among them).
 */
const LOADER_HOOK = `let port;
export function initialize(data) {
  port = data.port;
}
export async function load(url, context, nextLoad) {
  port.postMessage({ url });
  return nextLoad(url, context);
}
`;

interface Measurement {
  readonly mode: 'timing' | 'bytes';
  readonly baselineMs: number;
  readonly activationMs: number;
  readonly codeAtActivation: number;
  readonly firstDiagnosticMs: number;
  readonly code: number;
  readonly wasm: readonly string[];
  readonly wasmBytes: number;
}

/** Builds the extension as `vscode:prepublish` does (`production`) or as the tests use it. */
function buildExtension(production: boolean): void {
  execFileSync(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])], { cwd: REPO_ROOT, stdio: 'inherit' });
}

async function main(): Promise<void> {
  buildExtension(true);
  try {
    await measure();
  } finally {
    buildExtension(false);
  }
}

async function measure(): Promise<void> {
  await esbuild.build({ entryPoints: [path.join(REPO_ROOT, 'bench', 'activation', 'host.ts')], outfile: HOST_MODULE, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning' });
  writeFileSync(path.join(path.dirname(HOST_MODULE), 'loaderHook.mjs'), LOADER_HOOK);
  const workspace = mkdtempSync(path.join(tmpdir(), 'cl-bench-activation-'));
  writeFileSync(path.join(workspace, 'main.py'), 'import time\n\n\nasync def main():\n    time.sleep(1)\n');
  // The empty extension is installed in the server's extensions folder (one development extension per window).
  const state = mkdtempSync(path.join(tmpdir(), 'cl-bench-activation-state-'));
  const baseline = path.join(state, 'extensions', 'bench.baseline-0.0.1');
  mkdirSync(baseline, { recursive: true });
  writeFileSync(path.join(baseline, 'package.json'), JSON.stringify({ name: 'baseline', publisher: 'bench', version: '0.0.1', engines: { vscode: '^1.100.0' }, main: './extension.mjs', activationEvents: [] }));
  writeFileSync(path.join(baseline, 'extension.mjs'), 'export function activate() {\n  return {};\n}\n');
  const server = await startCodeServer({ userDataDir: state });
  const browser = await launchBrowser();
  const runs: Measurement[] = [];
  try {
    // The timed runs, then one that lists the code loaded (its module hook slows loading: not timed).
    for (let run = 0; run <= RUNS; run += 1) {
      writeFileSync(path.join(workspace, 'bench-mode.txt'), run < RUNS ? 'timing' : 'bytes');
      const page = await browser.newPage();
      const measured = new Promise<Measurement>((resolve, reject) => {
        page.on('console', (message) => {
          void consoleText(message).then((text) => {
            if (text.startsWith('[bench] ')) resolve(JSON.parse(text.slice(8)) as Measurement);
            else if (process.env.CL_DEBUG) process.stderr.write(`[host] ${text}\n`);
          });
        });
        void page.exposeFunction('codeAutomationExit', (code: number) => (code === 0 ? undefined : reject(new Error(`the benchmark host failed (exit ${code}); CL_DEBUG=1 shows its log`))));
      });
      await gotoWorkbench(page, server.workbenchUrl(workspace, [
        ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
        ['extensionTestsPath', server.remoteUri(HOST_MODULE)],
      ]));
      runs.push(await measured);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const timed = runs.filter((run) => run.mode === 'timing');
  const activation = median(timed.map((run) => run.activationMs));
  const baselineMs = median(timed.map((run) => run.baselineMs));
  const firstDiagnostic = median(timed.map((run) => run.firstDiagnosticMs));
  const last = runs.find((run) => run.mode === 'bytes');
  if (!last || timed.length !== RUNS) throw new Error(`expected ${RUNS} timed runs and one that lists the code, got ${timed.length} and ${last ? 1 : 0}`);
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} kB`;
  console.log(`# ${RUNS} cold starts in fresh extension hosts (code-server 1.100.3); load average ${loadavg()[0]?.toFixed(1) ?? '?'}`);
  console.log(`# extension.activate() from call to result (ms): ${timed.map((run) => run.activationMs.toFixed(1)).join(', ')}; an empty ES-module extension before it, in the same hosts: ${timed.map((run) => run.baselineMs.toFixed(1)).join(', ')}`);
  console.log(`# loaded at activation: ${kb(last.codeAtActivation)} of our code (the production build); before the first diagnostic: ${kb(last.code)} of code + ${kb(last.wasmBytes)} of wasm (${last.wasm.join(', ')})`);
  console.log(`RESULT activation.ms=${activation.toFixed(1)}`);
  console.log(`RESULT activation.empty_extension_ms=${baselineMs.toFixed(1)}`);
  console.log(`RESULT activation.first_diagnostic_ms=${firstDiagnostic.toFixed(1)}`);
  console.log(`RESULT activation.code_bytes_at_activation=${last.codeAtActivation}`);
  console.log(`RESULT activation.bytes_before_first_diagnostic=${last.code + last.wasmBytes}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
