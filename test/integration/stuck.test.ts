import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LiveTasksController } from '../../src/liveTasks/liveTasksController';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension } from './extensionHost';
import { monitorFixture as fixture, type Row, rows, until, viewsOf } from './monitoredRuns';

async function start(controller: LiveTasksController, name: string): Promise<MonitoredRun> {
  const run = await controller.runFile(fixture(name));
  assert.ok(run, `run of ${name} did not start`);
  return run;
}

/** Stops every listed run (the extension's own instances: no instanceof across the bundle) and clears the list. */
async function endEveryRun(controller: LiveTasksController): Promise<void> {
  const running = controller.runs.filter((run) => run.isRunning) as MonitoredRun[];
  for (const run of running) await controller.stop(run);
  await Promise.all(running.map((run) => run.whenEnded()));
  controller.clearEndedRuns();
}

const stuckRows = (controller: LiveTasksController, run?: MonitoredRun): Row[] => rows(controller, run).filter((row) => row.node.kind === 'stuck');
const reportsOf = (controller: LiveTasksController, run: MonitoredRun) => viewsOf(controller).stuck.of(run.model)?.reports ?? [];
const text = (list: readonly Row[]): string => list.map((row) => `${'  '.repeat(row.depth)}${row.text}`).join('\n');

suite('Live Tasks: why is it stuck', function () {
  this.timeout(120_000);
  let controller: LiveTasksController;

  suiteSetup(async () => {
    controller = (await activateExtension()).api.liveTasks;
  });

  teardown(async () => {
    await endEveryRun(controller);
    await vscode.commands.executeCommand('concurrencyLens.showByThread');
  });

  test('a lock-order deadlock: a Stuck row within 2 s naming who holds which lock, errors at each line linking the others, the guide\'s pitfall', async () => {
    const run = await start(controller, 'bank_deadlock.py');
    const stuck = await until('the Stuck row', () => stuckRows(controller)[0]);
    const seenAt = Date.now();
    const report = reportsOf(controller, run)[0]!;
    assert.ok(seenAt - report.since < 2000, `shown ${seenAt - report.since} ms after the probe first saw the threads wait`);
    assert.match(stuck.text, /^Stuck: lock-order deadlock — for \d/);
    assert.equal(stuck.depth, 0);
    const steps = rows(controller).filter((row) => row.node.kind === 'stuckStep').map((row) => row.text);
    assert.deepEqual(steps, [
      'sync-1 — holds `accounts` (line 10) and waits for `journal` (line 12)',
      'sync-2 — holds `journal` (line 17) and waits for `accounts` (line 19)',
    ], text(rows(controller)));
    assert.ok(rows(controller).some((row) => row.node.kind === 'stuckAlso' && /MainThread/.test(row.text)));
    // Reveal goes to the line where the first thread waits.
    assert.equal(viewsOf(controller).tree.locationOf(stuck.node)?.line, 12);

    const errors = await until('the error diagnostics', () => {
      const found = vscode.languages.getDiagnostics(fixture('bank_deadlock.py')).filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error && diagnostic.source === 'Concurrency Lens (runtime)');
      return found.length === 4 && found;
    });
    assert.deepEqual(errors.map((diagnostic) => diagnostic.range.start.line).sort((a, b) => a - b), [9, 11, 16, 18]);
    for (const error of errors) {
      assert.match(error.message, /^Stuck: lock-order deadlock — sync-1 holds `accounts` \(line 10\) and waits for `journal` \(line 12\); sync-2 holds `journal` \(line 17\) and waits for `accounts` \(line 19\)$/);
      assert.equal(error.relatedInformation?.length, 3);
    }
    const related = errors.find((error) => error.range.start.line === 11)!.relatedInformation!.map((info) => `${info.location.range.start.line}: ${info.message}`).sort();
    assert.deepEqual(related, ['16: sync-2 holds it here', '18: sync-2 waits here', '9: sync-1 holds it here']);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fixture('bank_deadlock.py'), errors[0]!.range);
    const guide = actions.find((action) => action.command?.command === 'concurrencyLens.openGuide' && /got stuck/.test(action.title));
    assert.deepEqual(guide?.command?.arguments, [{ language: 'python', model: 'threads', section: 'pitfalls' }]);

    // Stopped, the run still says it was stuck (and so does its recording).
    run.stop();
    await run.whenEnded();
    await until('the summary row', () => rows(controller).find((row) => row.node.kind === 'summary'));
    await viewsOf(controller).stuck.refresh();
    assert.match(stuckRows(controller)[0]?.text ?? '', /^Stuck: lock-order deadlock/);
  });

  test('an await cycle: a Stuck row naming the tasks, and the await tree shows the cycle under the task that gathers them', async () => {
    await start(controller, 'await_cycle.py');
    const stuck = await until('the Stuck row', () => stuckRows(controller)[0]);
    assert.match(stuck.text, /^Stuck: await cycle — for \d/);
    const steps = rows(controller).filter((row) => row.node.kind === 'stuckStep').map((row) => row.text).sort();
    assert.deepEqual(steps, ['orders — awaits user (line 14)', 'user — awaits orders (line 9)']);
    const errors = vscode.languages.getDiagnostics(fixture('await_cycle.py')).filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((diagnostic) => diagnostic.range.start.line).sort((a, b) => a - b), [8, 13]);

    await vscode.commands.executeCommand('concurrencyLens.showAwaitTree');
    const tree = await until('the await tree', () => {
      const waiters = rows(controller).filter((row) => row.node.kind === 'waiter');
      return waiters.some((row) => /^user — awaited · back to the start of a cycle|^orders — awaited · back to the start of a cycle/.test(row.text)) && waiters;
    });
    const lines = tree.map((row) => `${row.depth}:${row.text.replace(/ · await_cycle\.py:\d+/, '')}`);
    const main = lines.findIndex((line) => /^1:Task-1 — awaits all of (user, orders|orders, user)$/.test(line));
    assert.ok(main >= 0, lines.join('\n'));
    assert.match(lines[main + 1]!, /^2:(user|orders) — awaited · awaits (orders|user)$/);
    assert.match(lines[main + 2]!, /^3:(orders|user) — awaited · awaits (user|orders)$/);
    assert.match(lines[main + 3]!, /^4:(user|orders) — awaited · back to the start of a cycle$/);
    // The main thread runs the loop, which nothing can wake: not a root above the tasks, a root of its own.
    assert.ok(lines.some((line) => /^1:MainThread — event loop waiting for events/.test(line)), lines.join('\n'));
  });

  test('healthy programs are never called stuck: tasks that sleep, threads on a lock, a process pool', async () => {
    for (const name of ['fifty_tasks.py', 'threads_lock.py', 'spawn_pool.py', 'long_running.py']) {
      const run = await start(controller, name);
      const deadline = Date.now() + 6000;
      while (run.isRunning && Date.now() < deadline) {
        assert.deepEqual(stuckRows(controller).map((row) => row.text), [], `${name}\n${text(rows(controller))}\n${controller.runs.map((listed) => `${listed.title} ${listed.isRunning}`).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      run.stop();
      await run.whenEnded();
      await viewsOf(controller).stuck.refresh();
      assert.deepEqual(reportsOf(controller, run), [], name);
      assert.deepEqual(vscode.languages.getDiagnostics(fixture(name)).filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error), [], name);
      await endEveryRun(controller);
    }
  });

  test('Node: Workers parked in Atomics.wait on each other with nothing else alive are stuck; a pool the main thread can still feed is not', async () => {
    const run = await start(controller, 'node_atomics_deadlock.js');
    const stuck = await until('the Stuck row', () => stuckRows(controller)[0]);
    assert.match(stuck.text, /^Stuck: everything waits and nothing can wake it/);
    const steps = await until('the steps', () => {
      const found = rows(controller).filter((row) => row.node.kind === 'stuckStep').map((row) => row.text);
      return found.length === 3 && found;
    });
    assert.equal(steps.filter((step) => /blocked in Atomics\.wait \(line 6\)$/.test(step)).length, 2, steps.join('\n'));
    assert.ok(steps.some((step) => /event loop waiting for events/.test(step)), steps.join('\n'));
    const reports = reportsOf(controller, run);
    assert.deepEqual(reports.map((report) => report.pattern), ['no-waker']);
    await endEveryRun(controller);

    const pool = await start(controller, 'node_pool_waiting.js');
    const deadline = Date.now() + 6000;
    while (pool.isRunning && Date.now() < deadline) {
      assert.deepEqual(stuckRows(controller).map((row) => row.text), [], text(rows(controller)));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(pool.isRunning, 'the pool kept running');
    assert.ok(pool.model.processes().some((record) => [...record.entities.thread.values()].some((thread) => thread.info.wait?.kind === 'atomics')), 'its Workers were seen in Atomics.wait');
  });

  test('Node: a child whose output is never read, all that keeps the program alive: a full-pipe Stuck row, an error at the spawn, the guide\'s Node.js processes pitfalls', async () => {
    const run = await start(controller, 'node_full_pipe.cjs');
    const stuck = await until('the Stuck row', () => stuckRows(controller)[0]);
    assert.match(stuck.text, /^Stuck: a child process is blocked on a full pipe/);
    assert.deepEqual(reportsOf(controller, run).map((report) => report.pattern), ['full-pipe']);
    assert.ok(rows(controller).some((row) => /its output is never read: it waits for room in the full pipe/.test(row.text)), text(rows(controller)));
    const errors = await until('the error at the spawn', () => {
      const found = vscode.languages.getDiagnostics(fixture('node_full_pipe.cjs')).filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error && diagnostic.source === 'Concurrency Lens (runtime)');
      return found.length > 0 && found;
    });
    assert.deepEqual(errors.map((error) => error.range.start.line), [5]);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fixture('node_full_pipe.cjs'), errors[0]!.range);
    const guide = actions.find((action) => action.command?.command === 'concurrencyLens.openGuide');
    assert.deepEqual(guide?.command?.arguments, [{ language: 'node', model: 'processes', section: 'pitfalls' }]);
  });

  test('a pool that lost the task of a worker that died: the Stuck row lists the worker that failed before it', async () => {
    await start(controller, 'pool_worker_dies.py');
    await until('the Stuck row', () => stuckRows(controller)[0]);
    const failed = await until('the failed worker under it', () => rows(controller).find((row) => row.node.kind === 'stuckFailed'));
    assert.match(failed.text, /^Failed before it — \w*PoolWorker-\d+ · pid \d+ · exited with code 1$/, text(rows(controller)));
  });

  test('Node: an ES module that ends in a top-level await nothing could settle (exit code 13) is explained in a Stuck row', async () => {
    const run = await start(controller, 'node_unsettled_await.mjs');
    await run.whenEnded();
    await viewsOf(controller).stuck.refresh();
    const stuck = await until('the Stuck row', () => stuckRows(controller)[0]);
    assert.match(stuck.text, /^Stuck: everything waits and nothing can wake it/);
    const step = rows(controller).find((row) => row.node.kind === 'stuckStep');
    assert.match(step?.text ?? '', /awaited at the top level of its module a promise that nothing could settle: Node\.js ended it with exit code 13/, text(rows(controller)));
  });

  test('with several runs listed, each run\'s Stuck row is under that run; a run paused in the debugger is never stuck', async () => {
    const healthy = await start(controller, 'long_running.py');
    const stuckRun = await start(controller, 'await_cycle.py');
    const stuck = await until('the Stuck row under its run', () => stuckRows(controller, stuckRun)[0]);
    assert.equal(stuck.depth, 0);
    assert.ok(stuck.node.key.startsWith(`${stuckRun.id}/`), stuck.node.key);
    assert.deepEqual(stuckRows(controller, healthy), []);
    assert.ok(viewsOf(controller).tree.getChildren().every((node) => node.kind === 'run'), 'one row per run at the root');
    // A debugger holds the program: its threads wait on the debugger, not on each other.
    stuckRun.session.setPaused(true);
    await viewsOf(controller).stuck.refresh();
    assert.deepEqual(reportsOf(controller, stuckRun), []);
    assert.deepEqual(stuckRows(controller, stuckRun), []);
    // Going on, the cycle is still there: it is stuck again once its waits have settled since.
    stuckRun.session.setPaused(false);
    await until('the Stuck row after the pause', () => stuckRows(controller, stuckRun)[0]);
  });
});
