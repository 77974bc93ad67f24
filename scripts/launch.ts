/**
 * `npm start`: VS Code with Concurrency Lens loaded from this folder and the demo/ workspace.
 * Uses the desktop `code` when it is on PATH; otherwise serves the bundled code-server on
 * 127.0.0.1 and prints the URL to open. State is kept in .vscode-test/demo-state between launches.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, startCodeServer } from '../test/runner/codeServer';

const DEMO = path.join(REPO_ROOT, 'demo');

function hasDesktopCode(): boolean {
  return process.env.CL_FORCE_CODE_SERVER === undefined && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  if (hasDesktopCode()) {
    console.log('Opening desktop VS Code with Concurrency Lens (Extension Development Host)…');
    spawn('code', ['--new-window', `--extensionDevelopmentPath=${REPO_ROOT}`, DEMO], { stdio: 'inherit', detached: true }).unref();
    return;
  }
  const port = Number(process.env.PORT ?? 8080);
  const server = await startCodeServer({ port, userDataDir: path.join(REPO_ROOT, '.vscode-test', 'demo-state'), disableWorkspaceTrust: false });
  const url = server.workbenchUrl(DEMO, [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]);
  console.log(`\nConcurrency Lens is running in VS Code ${'(code-server)'} — open this URL in a browser:\n\n  ${url}\n`);
  console.log('Press Ctrl+C to stop. After `npm run build`, reload the window to pick up changes.');
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
