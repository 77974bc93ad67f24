/**
 * `npm run test:electron`: the same integration suites under @vscode/test-electron, for machines
 * with internet access or a desktop VS Code (set VSCODE_EXECUTABLE_PATH to use an installed one).
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from './codeServer';

async function main(): Promise<void> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'concurrency-lens-ws-'));
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  await runTests({
    version: '1.100.3',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
