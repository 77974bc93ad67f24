/** Helpers shared by the suites that run programs under the monitor. */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LiveTasksController } from '../../src/liveTasks/liveTasksController';
import type { LiveNode } from '../../src/liveTasks/liveTasksTree';

export interface Row {
  readonly node: LiveNode;
  readonly depth: number;
  readonly text: string;
}

/** The whole tree as the view would show it, one row per node: "label — description". */
export function rows(controller: LiveTasksController): Row[] {
  const result: Row[] = [];
  const visit = (node: LiveNode | undefined, depth: number) => {
    for (const child of controller.tree.getChildren(node)) {
      const item = controller.tree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      result.push({ node: child, depth, text: `${label} — ${typeof item.description === 'string' ? item.description : ''}` });
      visit(child, depth + 1);
    }
  };
  visit(undefined, 0);
  return result;
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
