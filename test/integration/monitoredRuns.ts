/** Helpers shared by the suites that run programs under the monitor. */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LiveTasksController } from '../../src/liveTasks/liveTasksController';
import type { LiveNode, RunView } from '../../src/liveTasks/liveTasksTree';
import type { LiveTasksViews } from '../../src/liveTasks/liveTasksViews';
import { type MonitoredRun } from '../../src/liveTasks/monitoredRun';

/** Live Tasks' views: they load with the first run listed, so a test has one only once it started a run. */
export function viewsOf(controller: LiveTasksController): LiveTasksViews {
  const views = controller.viewsIfLoaded;
  if (!views) throw new Error('the Live Tasks views are not loaded: no run was listed yet');
  return views;
}

export interface Row {
  readonly node: LiveNode;
  readonly depth: number;
  readonly text: string;
}

/**
 * The tree as the view would show it, one row per node: "label — description"; `run`: only the
 * rows of that run (depth 0 = its top rows, whether it is listed alone or beside others).
 */
export function rows(controller: LiveTasksController, run?: RunView): Row[] {
  const result: Row[] = [];
  // Until the first run is listed the views are not loaded: the view has no rows.
  if (!controller.viewsIfLoaded) return result;
  const visit = (node: LiveNode | undefined, depth: number) => {
    for (const child of viewsOf(controller).tree.getChildren(node)) {
      result.push({ node: child, depth, text: rowText(controller, child) });
      visit(child, depth + 1);
    }
  };
  const runRow = run && viewsOf(controller).tree.getChildren().find((node) => node.kind === 'run' && node.key === run.id);
  visit(runRow, 0);
  return result;
}

export function rowText(controller: LiveTasksController, node: LiveNode): string {
  const item = viewsOf(controller).tree.getTreeItem(node);
  const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  return `${label} — ${typeof item.description === 'string' ? item.description : ''}`;
}

/** Stops every run still going, waits for their ends and clears the list: the next test starts from an empty view. */
export async function endAllRuns(controller: LiveTasksController): Promise<void> {
  // By shape, not instanceof: the extension's bundle has its own copy of the class.
  const running = controller.runs.filter((run): run is MonitoredRun => run.isRunning && 'whenEnded' in run);
  for (const run of running) run.stop();
  await Promise.all(running.map((run) => run.whenEnded()));
  controller.clearEndedRuns();
}

/** Polls `probe` until it returns a truthy value. */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** A program of the fixture workspace's `monitor/` folder. */
export function monitorFixture(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'monitor', name);
}
