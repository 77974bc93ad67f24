/** One code-server + one browser page per UI test file, with our extension loaded from source. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, startCodeServer, type CodeServerOptions, type RunningCodeServer } from '../runner/codeServer';
import { launchBrowser, waitForWorkbench } from '../runner/workbench';

export interface Workbench {
  readonly page: Page;
  readonly workspace: string;
  close(): Promise<void>;
}

export async function openWorkbench(options: CodeServerOptions = {}): Promise<Workbench> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'concurrency-lens-ui-'));
  cpSync(path.join(REPO_ROOT, 'demo'), workspace, { recursive: true });
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(options);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Loading the whole workbench can take longer than the default 30 s on a busy 2-core machine.
    await page.goto(server.workbenchUrl(workspace, [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]), { timeout: 120_000 });
    await waitForWorkbench(page);
    const openedServer = server;
    const openedBrowser = browser;
    return {
      page,
      workspace,
      async close() {
        await openedBrowser.close();
        await openedServer.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.stop();
    throw error;
  }
}
