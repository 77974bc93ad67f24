/**
 * Runs the mocha suites in out/test/integration inside a real VS Code extension host: code-server
 * loads the extension from this folder and the tests from the payload, exactly like
 * @vscode/test-electron does with a desktop VS Code. The workbench reports the result through
 * `window.codeAutomationExit(code)`.
 */
import { existsSync, mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startCodeServer } from './codeServer';
import { consoleText, gotoWorkbench, launchBrowser } from './workbench';

const TESTS_ENTRY = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js');
const TIMEOUT_MS = 15 * 60_000;

async function main(): Promise<number> {
  if (!existsSync(TESTS_ENTRY)) throw new Error(`${TESTS_ENTRY} is missing: run "npm run build" first.`);
  // A scratch copy of the fixtures, so tests may edit files without touching the repository.
  const workspace = mkdtempSync(path.join(tmpdir(), 'concurrency-lens-ws-'));
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  const server = await startCodeServer();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    page.on('console', (message) => {
      void consoleText(message).then((text) => {
        if (text.startsWith('[test] ')) process.stdout.write(`${text.slice(7)}\n`);
        else if (process.env.CL_DEBUG) process.stderr.write(`[host] ${text}\n`);
      });
    });
    page.on('pageerror', (error) => process.stderr.write(`[workbench] ${error.message}\n`));
    const url = server.workbenchUrl(workspace, [
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(TESTS_ENTRY)],
    ]);
    await gotoWorkbench(page, url);
    const timeout = new Promise<number>((resolve) => setTimeout(() => {
      process.stderr.write(`integration tests did not finish within ${TIMEOUT_MS / 60_000} minutes\n`);
      resolve(1);
    }, TIMEOUT_MS).unref());
    return await Promise.race([exitCode, timeout]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
