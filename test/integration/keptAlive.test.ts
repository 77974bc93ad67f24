import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ConcurrencyLensApi } from '../../src/extension';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import type { SourceLocation } from '../../src/core/probe/protocol';
import { activateExtension } from './extensionHost';
import { endAllRuns, monitorFixture as fixture, rows as treeRows, until, viewsOf } from './monitoredRuns';

suite('What keeps a Node.js process alive', function () {
  this.timeout(90_000);
  let api: ConcurrencyLensApi;

  suiteSetup(async () => {
    ({ api } = await activateExtension());
    await endAllRuns(api.liveTasks);
  });

  teardown(async () => {
    await endAllRuns(api.liveTasks);
  });

  test('once its main script has run, Live Tasks lists what keeps it alive, each at the line that created it; the Worker waits in Atomics.wait', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('kept_alive.mjs'));
    assert.ok(run, 'the run started');
    const rows = await until('the Kept alive by rows', () => {
      const found = treeRows(api.liveTasks);
      const under = found.filter((row) => row.node.kind === 'aliveHandle');
      return under.length >= 4 && under.some((row) => /Atomics\.wait/.test(row.text)) && found;
    });
    const header = rows.find((row) => row.node.kind === 'keptAlive');
    assert.match(header?.text ?? '', /^Kept alive by — 4 handles · its main script has run, its event loop has only waited for \d+/);
    const handles = rows.filter((row) => row.node.kind === 'aliveHandle').map((row) => row.text);
    assert.equal(handles.length, 4, handles.join('\n'));
    assert.ok(handles.some((text) => /^Server — listening on 127\.0\.0\.1:\d+ · created at kept_alive\.mjs:7$/.test(text)), handles.join('\n'));
    assert.ok(handles.includes('Timer — set for 10 min 0 s · created at kept_alive.mjs:8'), handles.join('\n'));
    assert.ok(handles.some((text) => /^Child process — pid \d+ · sh -c read line · created at kept_alive\.mjs:9$/.test(text)), handles.join('\n'));
    assert.ok(handles.some((text) => /^Worker \d+ — blocked in Atomics\.wait · at kept_alive_worker\.mjs:3 · created at kept_alive\.mjs:10$/.test(text)), handles.join('\n'));
    // The Worker's own row says it too.
    assert.ok(rows.some((row) => row.node.kind === 'thread' && /^Worker \d+ — waiting · blocked in Atomics\.wait · kept_alive_worker\.mjs:3/.test(row.text)), rows.map((row) => row.text).join('\n'));

    // A click on a handle opens the line that created it.
    const server = rows.find((row) => row.node.kind === 'aliveHandle' && row.text.startsWith('Server'))!;
    const command = viewsOf(api.liveTasks).tree.getTreeItem(server.node).command;
    assert.equal(command?.command, 'concurrencyLens.revealInEditor');
    const location = command.arguments?.[0] as SourceLocation | undefined;
    assert.equal(location?.line, 7);
    await vscode.commands.executeCommand(command.command, location);
    await until('the editor at the line', () => vscode.window.activeTextEditor?.document.uri.fsPath === fixture('kept_alive.mjs').fsPath
      && vscode.window.activeTextEditor.selection.active.line === 6);

    // Stop ends it, its child and its parked Worker with it.
    run.stop();
    const ended = await Promise.race([run.whenEnded(), new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    assert.notEqual(ended, 'still running', JSON.stringify(run.model.processes().map((process) => [process.pid, process.argv, process.endedAt])));
  });
});
