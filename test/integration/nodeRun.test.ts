import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { buildTimeline } from '../../src/core/timeline/timelineData';
import type { ConcurrencyLensApi } from '../../src/extension';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension } from './extensionHost';
import { isAlive, monitorFixture as fixture, rows as treeRows, until } from './monitoredRuns';

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
      const found = treeRows(api.liveTasks);
      return found.some((row) => row.node.kind === 'process' && row.text.includes('worker_and_child.mjs'))
        && found.some((row) => /Worker/.test(row.text))
        && found.filter((row) => row.node.kind === 'process').length === 2
        && found;
    });
    assert.ok(rows.length > 0);
    await until('the run to be shown as ended', () => api.shownRun.run?.live === false);
    const lanes = buildTimeline(run.model, Date.now(), false).lanes;
    assert.deepEqual(lanes.map((lane) => lane.kind).sort(), ['lag', 'lag', 'process', 'process', 'thread', 'thread', 'worker']);
    lanes.forEach((lane, index) => {
      if (lane.kind === 'lag') assert.equal(lanes[index - 1]?.kind, 'thread', 'each main thread’s loop lag strip follows it');
    });
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
