import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LiveTasksController } from '../../src/liveTasks/liveTasksController';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension } from './extensionHost';
import { endAllRuns, isAlive, monitorFixture as fixture, rows, until, viewsOf } from './monitoredRuns';

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
    await endAllRuns(controller);
  });

  teardown(async () => {
    await endAllRuns(controller);
  });

  test('shows the 50 tasks of an asyncio program with their coroutine and where they wait, then a summary', async () => {
    const run = await start(controller, 'fifty_tasks.py');
    const tasks = await until('50 download tasks', () => {
      const found = rows(controller).filter((row) => row.node.kind === 'task' && /^download-\d+ — download · /.test(row.text));
      return found.length === 50 && found;
    });
    assert.match(tasks[0]!.text, /sleeps \([\d.]+ (ms|s) left\) · fifty_tasks\.py:5/);
    const thread = rows(controller).find((row) => row.node.kind === 'thread');
    assert.match(thread!.text, /^MainThread — /);
    assert.equal(thread!.depth, 1);
    assert.deepEqual(await run.whenEnded(), { exitCode: 0, signal: undefined });
    const summary = await until('the summary row', () => rows(controller).find((row) => row.node.kind === 'summary'));
    assert.match(summary.text, /^Run finished \(exited with code 0\) — 51 tasks created, 0 failed, 0 cancelled/);
    // The process's tooltip says what watching it cost, as the probe counted its own work.
    const processRow = rows(controller).find((row) => row.node.kind === 'process')!;
    const tooltip = viewsOf(controller).tree.resolveTreeItem(viewsOf(controller).tree.getTreeItem(processRow.node), processRow.node).tooltip;
    const cost = /The probe's own work: (\d+) ms of CPU, ([\d.]+)% of this process's/.exec(typeof tooltip === 'string' ? tooltip : tooltip?.value ?? '');
    assert.ok(cost, `no cost in the tooltip: ${String(typeof tooltip === 'string' ? tooltip : tooltip?.value)}`);
    assert.ok(Number(cost[2]) > 0 && Number(cost[2]) < 100, cost[0]);
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

  test('a thread holding the GIL inside C code shows while it holds it, at its line, with a warning there that says to move it to a process', async () => {
    const run = await start(controller, 'gil_held.py');
    const held = await until('the GIL row while the thread holds it', () => run.isRunning && rows(controller).find((row) => row.node.kind === 'blocked' && /^GIL held by MainThread for [\d.]+ s — gil_held\.py:12$/.test(row.text)), 20_000);
    assert.ok(held);
    assert.equal(run.model.blockedEvents()[0]?.ongoing, true);
    await run.whenEnded();
    const [hold] = run.model.blockedEvents();
    assert.deepEqual([hold?.gil, hold?.ongoing, run.model.blockedEvents().length], [true, false, 1], 'ended when the probe spoke again; its own late report left out');
    const diagnostics = await until('the runtime warning', () => {
      const found = vscode.languages.getDiagnostics(fixture('gil_held.py')).filter((diagnostic) => diagnostic.source === 'Concurrency Lens (runtime)');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(diagnostics[0]!.range.start.line, 11);
    assert.match(diagnostics[0]!.message, /^This line held the GIL inside C code for [\d.]+ s/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fixture('gil_held.py'), diagnostics[0]!.range);
    const guide = actions.find((action) => action.command?.command === 'concurrencyLens.openGuide');
    assert.deepEqual(guide?.command?.arguments, [{ language: 'python', model: 'threads', section: 'pitfalls' }]);
  });

  test('Stop ends the whole process tree', async () => {
    const run = await start(controller, 'long_running.py');
    const child = await until('the python child process', () => run.model.processes().find((process) => process.ppid === run.pid));
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    const exit = await run.whenEnded();
    assert.equal(exit.signal, 'SIGTERM');
    await until('the program and its child to be gone', () => !isAlive(run.pid!) && !isAlive(child.pid), 10_000);
  });

  test('while a program only sleeps, its rows are redrawn every second so that their ages keep time, but not while a tooltip is read, nor once it ended', async () => {
    // It sleeps, and so does its child: once both have spoken, nothing they report changes.
    const run = await start(controller, 'long_running.py');
    await until('the python child process', () => run.model.processes().find((process) => process.ppid === run.pid));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The process row (its age) is redrawn when the whole view is, or when it is named.
    let redraws = 0;
    // What the once-a-second redraw does (a row a sample changed is redrawn on its own).
    let wholeRedraws = 0;
    const listener = viewsOf(controller).tree.onDidChangeTreeData((changed) => {
      if (changed === undefined || [changed].flat().some((node) => node.kind === 'process')) redraws += 1;
      if (changed === undefined) wholeRedraws += 1;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.ok(redraws >= 2, `the process row was redrawn ${redraws} times in 2.5 s of waiting`);
      // A redraw closes a tooltip: none while one is read (VS Code resolves it when the pointer rests on a row).
      const processRow = rows(controller).find((row) => row.node.kind === 'process')!;
      const tooltip = viewsOf(controller).tree.resolveTreeItem(viewsOf(controller).tree.getTreeItem(processRow.node), processRow.node).tooltip;
      assert.match(typeof tooltip === 'string' ? tooltip : tooltip?.value ?? '', /long_running\.py/);
      await new Promise((resolve) => setTimeout(resolve, 200)); // a redraw already on its way
      wholeRedraws = 0;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(wholeRedraws, 0, 'not redrawn while a tooltip is read');
      run.stop();
      await run.whenEnded();
      await new Promise((resolve) => setTimeout(resolve, 500));
      redraws = 0;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(redraws, 0, 'an ended run is not redrawn');
    } finally {
      listener.dispose();
    }
  });

  test('a task that fails mid-run stays in view as failed, with its exception and the line that raised', async () => {
    const run = await start(controller, 'failing_task.py');
    const failedRow = /^handle-x — handle · failed · ValueError: bad input: 'x' · failing_task\.py:6 · /;
    // While the run goes on …
    const live = await until('the failed task while the run is live', () => run.isRunning && rows(controller).find((row) => row.node.kind === 'task' && failedRow.test(row.text)));
    assert.equal(viewsOf(controller).tree.locationOf(live.node)?.line, 6);
    const item = viewsOf(controller).tree.getTreeItem(live.node);
    assert.equal(item.tooltip, undefined, 'resolved when the pointer rests on the row');
    const tooltip = viewsOf(controller).tree.resolveTreeItem(item, live.node).tooltip;
    assert.equal(typeof tooltip, 'string');
    // Plain text: the task's lifecycle, then the exception and the line that raised it.
    assert.match(tooltip as string, /^handle-x — handle\nValueError: bad input: 'x'\nraised at .*failing_task\.py:6\nLasted /);
    assert.ok(rows(controller).some((row) => /^steady — sleep · suspended/.test(row.text)), 'the other task is still live');
    // … and after it has ended.
    await run.whenEnded();
    await until('the failed task after the run', () => rows(controller).find((row) => row.node.kind === 'task' && failedRow.test(row.text)));
    assert.match(rows(controller).find((row) => row.node.kind === 'summary')?.text ?? '', /1 failed/);
  });

  test('after the run, every thread reads as ended at its process\'s end, ages stop, and pool workers are named', async () => {
    const run = await start(controller, 'spawn_pool.py');
    await run.whenEnded();
    await until('the summary row', () => rows(controller).find((row) => row.node.kind === 'summary'));
    const ended = rows(controller);
    const threads = ended.filter((row) => row.node.kind === 'thread');
    assert.ok(threads.length >= 3, ended.map((row) => row.text).join('\n'));
    for (const row of threads) assert.match(row.text, /^[^—]+ — exited/, row.text);
    const workers = ended.filter((row) => row.node.kind === 'process' && row.depth > 0 && /^SpawnProcess-\d+ — /.test(row.text));
    assert.equal(workers.length, 2, ended.map((row) => row.text).join('\n'));
    for (const row of workers) assert.match(row.text, / · pool worker · exited with code 0 · /);
    assert.ok(ended.some((row) => row.node.kind === 'process' && /^resource tracker — pid \d+ · resource tracker · /.test(row.text)), ended.map((row) => row.text).join('\n'));
    // The clock stopped at the end: nothing reads differently a second later.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(rows(controller).map((row) => row.text), ended.map((row) => row.text));
  });

  test('a program killed from outside (kill -9) ends with SIGKILL, its threads ended with it', async () => {
    const run = await start(controller, 'long_running.py');
    const pid = await until('the program to have started and said hello', () => run.model.process(run.pid ?? -1)?.runtime && run.pid);
    await until('its main thread', () => rows(controller).some((row) => row.node.kind === 'thread' && / — (running|waiting)/.test(row.text)));
    process.kill(pid, 'SIGKILL');
    assert.equal((await run.whenEnded()).signal, 'SIGKILL');
    await until('the summary row', () => rows(controller).find((row) => row.node.kind === 'summary'));
    const after = rows(controller);
    assert.ok(after.some((row) => row.node.kind === 'process' && row.depth === 0 && / · killed by SIGKILL · /.test(row.text)), after.map((row) => row.text).join('\n'));
    for (const row of after.filter((candidate) => candidate.node.kind === 'thread')) assert.match(row.text, /^[^—]+ — exited/, row.text);
  });

  test('a program that prints 50,000 lines is shown live while it prints (its output goes straight to the terminal)', async () => {
    const run = await start(controller, 'chatty.py');
    const thread = await until('its main thread at its printing loop, while it runs', () => run.isRunning && rows(controller).find((row) => row.node.kind === 'thread' && /^MainThread — (running|waiting) · chatty\.py:[4-6] · /.test(row.text)));
    assert.equal(thread.depth, 1);
    assert.equal((await run.whenEnded()).exitCode, 0);
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
