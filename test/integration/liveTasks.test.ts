import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LiveTasksController } from '../../src/liveTasks/liveTasksController';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension } from './extensionHost';
import { isAlive, monitorFixture as fixture, rows, until } from './monitoredRuns';

async function start(controller: LiveTasksController, name: string): Promise<MonitoredRun> {
  const run = await controller.runFile(fixture(name));
  assert.ok(run, `run of ${name} did not start`);
  return run;
}

suite('Live Tasks: monitored Python runs', function () {
  this.timeout(90_000);
  let controller: LiveTasksController;

  suiteSetup(async () => {
    controller = (await activateExtension()).api.liveTasks;
  });

  teardown(async () => {
    controller.stop();
    await controller.currentRun?.whenEnded();
  });

  test('shows the 50 tasks of an asyncio program with their coroutine and where they wait, then a summary', async () => {
    const run = await start(controller, 'fifty_tasks.py');
    const tasks = await until('50 download tasks', () => {
      const found = rows(controller).filter((row) => row.node.kind === 'task' && /^download-\d+ — download · /.test(row.text));
      return found.length === 50 && found;
    });
    assert.match(tasks[0]!.text, /awaiting sleep · fifty_tasks\.py:5/);
    const thread = rows(controller).find((row) => row.node.kind === 'thread');
    assert.match(thread!.text, /^MainThread — /);
    assert.equal(thread!.depth, 1);
    assert.deepEqual(await run.whenEnded(), { exitCode: 0, signal: undefined });
    const summary = await until('the summary row', () => rows(controller).find((row) => row.node.kind === 'summary'));
    assert.match(summary.text, /^Run finished \(exit code 0\) — 51 tasks created, 0 failed, 0 cancelled/);
  });

  test('shows the threads of a program that contends for a lock, with their source locations', async () => {
    const run = await start(controller, 'threads_lock.py');
    await until('holder and waiter threads', () => {
      const texts = rows(controller).filter((row) => row.node.kind === 'thread').map((row) => row.text);
      return texts.some((text) => /^holder — .*threads_lock\.py:9/.test(text)) && texts.some((text) => /^waiter — .*threads_lock\.py:1[45]/.test(text));
    });
    await run.whenEnded();
    assert.equal(run.model.summary().threads, 3);
  });

  test('follows a spawn ProcessPoolExecutor into its worker processes and leaves none behind', async () => {
    const run = await start(controller, 'spawn_pool.py');
    await until('two worker processes under the program', () => {
      const root = run.model.rootProcesses()[0];
      return root && run.model.processes().filter((process) => process.pid !== root.pid && process.argv.includes('--multiprocessing-fork')).length >= 2;
    });
    assert.ok(rows(controller).filter((row) => row.node.kind === 'process' && row.depth > 0).length >= 2);
    assert.equal((await run.whenEnded()).exitCode, 0);
    const pids = run.model.processes().map((process) => process.pid);
    await until('every process of the run to be gone', () => pids.every((pid) => !isAlive(pid)), 10_000);
  });

  test('reports a crashing program with its exit code', async () => {
    const run = await start(controller, 'crash.py');
    assert.equal((await run.whenEnded()).exitCode, 1);
    await until('the exited root process row', () => rows(controller).some((row) => row.node.kind === 'process' && / · exited with code 1 · /.test(row.text)));
  });

  test('shows a blocked event loop in the tree and as a warning at the blocking line that links to the guide', async () => {
    const run = await start(controller, 'blocks_loop.py');
    await run.whenEnded();
    const block = run.model.blockedEvents()[0];
    assert.ok(block && block.durationMs >= 200, `blocked events: ${JSON.stringify(run.model.blockedEvents())}`);
    await until('the blocked row', () => rows(controller).some((row) => row.node.kind === 'blocked' && /^Event loop blocked for \d+ ms — blocks_loop\.py:13$/.test(row.text)));
    // The static rule py/blocking-sleep flags the same line; the runtime warning comes on top of it.
    const diagnostics = vscode.languages.getDiagnostics(fixture('blocks_loop.py')).filter((diagnostic) => diagnostic.source === 'Concurrency Lens (runtime)');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.range.start.line, 12);
    assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Warning);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fixture('blocks_loop.py'), diagnostics[0]!.range);
    const guide = actions.find((action) => action.command?.command === 'concurrencyLens.openGuide');
    assert.deepEqual(guide?.command?.arguments, [{ language: 'python', model: 'coroutines' }]);
  });

  test('Stop ends the whole process tree', async () => {
    const run = await start(controller, 'long_running.py');
    const child = await until('the python child process', () => run.model.processes().find((process) => process.ppid === run.pid));
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    const exit = await run.whenEnded();
    assert.equal(exit.signal, 'SIGTERM');
    await until('the program and its child to be gone', () => !isAlive(run.pid!) && !isAlive(child.pid), 10_000);
  });

  test('Reveal in Editor opens the source line of a row', async () => {
    const run = await start(controller, 'fifty_tasks.py');
    const task = await until('a task row', () => rows(controller).find((row) => row.node.kind === 'task'));
    await vscode.commands.executeCommand('concurrencyLens.revealInEditor', task.node);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor?.document.uri.fsPath.endsWith('fifty_tasks.py'));
    assert.equal(editor?.selection.active.line, 4);
    await run.whenEnded();
  });
});
