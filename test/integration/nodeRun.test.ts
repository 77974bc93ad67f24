import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { buildTimeline } from '../../src/core/timeline/timelineData';
import type { ConcurrencyLensApi } from '../../src/extension';
import type { LiveNode } from '../../src/liveTasks/liveTasksTree';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension } from './extensionHost';

function treeRows(api: ConcurrencyLensApi): { node: LiveNode; text: string }[] {
  const { tree } = api.liveTasks;
  const result: { node: LiveNode; text: string }[] = [];
  const visit = (node: LiveNode | undefined) => {
    for (const child of tree.getChildren(node)) {
      const item = tree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      result.push({ node: child, text: `${label} — ${typeof item.description === 'string' ? item.description : ''}` });
      visit(child);
    }
  };
  visit(undefined);
  return result;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

function fixture(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'monitor', name);
}

suite('Monitored Node.js runs', function () {
  this.timeout(90_000);
  let api: ConcurrencyLensApi;

  suiteSetup(async () => {
    api = (await activateExtension()).api;
  });

  teardown(async () => {
    api.liveTasks.stop();
    await api.liveTasks.currentRun?.whenEnded();
  });

  test('a Node program with a Worker and a child process shows both in the tree and the timeline', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('worker_and_child.mjs'));
    assert.ok(run, 'the run started');
    assert.equal(api.shownRun.run?.model, run.model, 'the timeline shows the live run');
    assert.equal(api.shownRun.run?.live, true);
    const exit = await run.whenEnded();
    assert.equal(exit.exitCode, 0);
    const rows = await until('the worker and the child in the tree', () => {
      const found = treeRows(api);
      return found.some((row) => row.node.kind === 'process' && row.text.includes('worker_and_child.mjs'))
        && found.some((row) => /Worker/.test(row.text))
        && found.filter((row) => row.node.kind === 'process').length === 2
        && found;
    });
    assert.ok(rows.length > 0);
    await until('the run to be shown as ended', () => api.shownRun.run?.live === false);
    const lanes = buildTimeline(run.model, Date.now(), false).lanes;
    assert.deepEqual(lanes.map((lane) => lane.kind).sort(), ['process', 'process', 'thread', 'thread', 'worker']);
  });

  test('Stop ends the Node program and its child process', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('long_running_node.mjs'));
    assert.ok(run?.pid);
    const child = await until('the child process', () => run.model.processes().find((process) => process.ppid === run.pid));
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    await run.whenEnded();
    await until('the program and its child to be gone', () => !isAlive(run.pid!) && !isAlive(child.pid), 10_000);
  });
});
