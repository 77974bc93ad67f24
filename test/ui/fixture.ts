/** One code-server + one browser page per UI test file, with our extension loaded from source. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, startCodeServer, type CodeServerOptions, type RunningCodeServer } from '../runner/codeServer';
import { gotoWorkbench, launchBrowser, waitForWorkbench } from '../runner/workbench';

export interface Workbench {
  readonly page: Page;
  readonly workspace: string;
  close(): Promise<void>;
}

/** `files`: more files for the copy of the demo workspace (path relative to it → contents), e.g. a launch.json. */
export async function openWorkbench(options: CodeServerOptions & { files?: Readonly<Record<string, string>> } = {}): Promise<Workbench> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'concurrency-lens-ui-'));
  cpSync(path.join(REPO_ROOT, 'demo'), workspace, { recursive: true });
  for (const [file, contents] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    writeFileSync(path.join(workspace, file), contents);
  }
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(options);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await gotoWorkbench(page, server.workbenchUrl(workspace, [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]));
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

/** Widens the side bar by `pixels` (drags its edge), so that the rows' descriptions show in screenshots. */
export async function widenSideBar(page: Workbench['page'], pixels: number): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').first().boundingBox();
  if (!sidebar) return;
  await page.mouse.move(sidebar.x + sidebar.width - 1, sidebar.y + sidebar.height / 2);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + sidebar.width + pixels, sidebar.y + sidebar.height / 2, { steps: 8 });
  await page.mouse.up();
}
