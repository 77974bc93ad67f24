import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildTimeline } from '../../src/core/timeline/timelineData';
import type { ConcurrencyLensApi } from '../../src/extension';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension } from './extensionHost';
import { endAllRuns, isAlive, monitorFixture as fixture, rows as treeRows, until } from './monitoredRuns';

/** Whether a process runs with this command line (its argv joined by NUL), from /proc. */
function commandRunning(commandLine: string): boolean {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '') === commandLine;
    } catch {
      return false;
    }
  });
}

suite('Monitored Node.js runs', function () {
  this.timeout(90_000);
  let api: ConcurrencyLensApi;
  let extension: vscode.Extension<ConcurrencyLensApi>;

  suiteSetup(async () => {
    ({ api, extension } = await activateExtension());
    await endAllRuns(api.liveTasks);
  });

  teardown(async () => {
    await endAllRuns(api.liveTasks);
  });

  test('a Node program with a Worker (which starts another) and a child process shows them in the tree and the timeline', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('worker_and_child.mjs'));
    assert.ok(run, 'the run started');
    assert.equal(api.shownRun.run?.model, run.model, 'the timeline shows the live run');
    assert.equal(api.shownRun.run?.live, true);
    const exit = await run.whenEnded();
    assert.equal(exit.exitCode, 0);
    const rows = await until('the worker and the child in the tree', () => {
      const found = treeRows(api.liveTasks);
      return found.some((row) => row.node.kind === 'process' && row.text.includes('worker_and_child.mjs'))
        && found.some((row) => /^Worker \d+ — .*started by Worker \d+/.test(row.text))
        && found.filter((row) => row.node.kind === 'process').length === 2
        && found;
    });
    assert.ok(rows.length > 0);
    await until('the run to be shown as ended', () => api.shownRun.run?.live === false);
    const lanes = buildTimeline(run.model, Date.now(), false).lanes;
    assert.deepEqual(lanes.map((lane) => lane.kind).filter((kind) => kind !== 'lag').sort(), ['process', 'process', 'thread', 'thread', 'worker', 'worker']);
    assert.ok(lanes.some((lane) => lane.kind === 'lag'), 'the event-loop lag strip of a main thread');
  });

  test('a TypeScript module (.mts) runs through the workspace\'s tsx, its Worker observed', async () => {
    // The test workspace is a temporary copy: give it the repository's tsx, as `npm install -D tsx` would.
    const workspaceModules = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'node_modules');
    mkdirSync(workspaceModules, { recursive: true });
    if (!existsSync(path.join(workspaceModules, 'tsx'))) symlinkSync(path.join(extension.extensionPath, 'node_modules', 'tsx'), path.join(workspaceModules, 'tsx'), 'dir');
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('typed_worker.mts'));
    assert.ok(run, 'the run started');
    const exit = await run.whenEnded();
    assert.equal(exit.exitCode, 0);
    const process = await until('the probed TypeScript process', () => run.model.processes().find((candidate) => candidate.argv.some((arg) => arg.endsWith('typed_worker.mts'))));
    const workers = [...process.entities.thread.values()].filter((thread) => thread.info.kind === 'worker');
    assert.equal(workers.length, 1);
    assert.equal(workers[0]?.info.exitCode, 0);
  });

  test('a busy loop in an ES module: a runtime warning at its line with Node\'s advice, its quick fix opening Node\'s guide', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('blocks_loop.mjs'));
    assert.ok(run, 'the run started');
    assert.equal((await run.whenEnded()).exitCode, 0);
    assert.deepEqual(run.model.blockedEvents().map((event) => event.stack.at(-1)), [{ file: fixture('blocks_loop.mjs').fsPath, line: 6, function: '(anonymous)' }]);
    await until('the blocked row', () => treeRows(api.liveTasks).some((row) => row.node.kind === 'blocked' && /^Event loop blocked for \d+ ms — blocks_loop\.mjs:6$/.test(row.text)));
    const diagnostics = vscode.languages.getDiagnostics(fixture('blocks_loop.mjs')).filter((diagnostic) => diagnostic.source === 'Concurrency Lens (runtime)');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.range.start.line, 5);
    assert.match(diagnostics[0]!.message, /Worker \(worker_threads\).*setImmediate/);
    assert.doesNotMatch(diagnostics[0]!.message, /asyncio/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fixture('blocks_loop.mjs'), diagnostics[0]!.range);
    const guide = actions.find((action) => action.command?.command === 'concurrencyLens.openGuide');
    assert.equal(guide?.title, 'Learn how to keep the event loop free: a Worker or setImmediate (Concurrency Guide)');
    assert.deepEqual(guide?.command?.arguments, [{ language: 'node', model: 'coroutines', section: 'pitfalls' }]);
  });

  test('a main thread held for good (an endless loop) shows as a blocked event loop while it lasts, at its line, found through the inspector', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('held_main_thread.mjs'));
    assert.ok(run, 'the run started');
    const row = await until('the blocked row', () => treeRows(api.liveTasks).find((candidate) => candidate.node.kind === 'blocked' && /^Event loop blocked for [\d.]+ s — held_main_thread\.mjs:4$/.test(candidate.text)), 20_000);
    assert.ok(row);
    assert.equal(run.model.blockedEvents()[0]?.ongoing, true);
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    await run.whenEnded();
    assert.equal(run.model.blockedEvents()[0]?.ongoing, false, 'over with the run');
  });

  test('a main thread held by a synchronous child process shows at the line that runs it, with the command, and Stop ends both', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('held_by_child.mjs'));
    assert.ok(run, 'the run started');
    await until('the blocked row', () => treeRows(api.liveTasks).find((candidate) => candidate.node.kind === 'blocked' && /^Event loop blocked for [\d.]+ s — held_by_child\.mjs:5$/.test(candidate.text)), 20_000);
    assert.ok(treeRows(api.liveTasks).some((row) => row.node.kind === 'thread' && /^main — waiting · waits for a child process/.test(row.text)), treeRows(api.liveTasks).map((row) => row.text).join('\n'));
    assert.ok(treeRows(api.liveTasks).some((row) => /sleep 600/.test(row.text)), 'the child, by its command');
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    await run.whenEnded();
    await until('the program and the command to be gone', () => !isAlive(run.pid!) && !commandRunning('sleep\0' + '600'), 10_000);
  });

  test('a main thread held as it starts in a read of a named pipe shows what it waits in, from /proc', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('held_in_read.cjs'));
    assert.ok(run, 'the run started');
    await until('the blocked row', () => treeRows(api.liveTasks).find((candidate) => candidate.node.kind === 'blocked'
      && /^Event loop blocked for [\d.]+ s — in openat\(\) on the named pipe \/.*\/requests$/.test(candidate.text)), 20_000);
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    await run.whenEnded();
  });

  test('Stop ends the Node program and its child process', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runWithMonitor', fixture('long_running_node.mjs'));
    assert.ok(run);
    await until('the program to have started', () => run.pid);
    const child = await until('the child process', () => run.model.processes().find((process) => process.ppid === run.pid));
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    await run.whenEnded();
    await until('the program and its child to be gone', () => !isAlive(run.pid!) && !isAlive(child.pid), 10_000);
  });
});
