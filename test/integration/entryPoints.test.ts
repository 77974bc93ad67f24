import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunModel } from '../../src/core/runs/runModel';
import type { ConcurrencyLensApi } from '../../src/extension';
import type { MonitoredRun } from '../../src/liveTasks/monitoredRun';
import { activateExtension, nextEvent } from './extensionHost';
import { endAllRuns, isAlive, monitorFixture as fixture, rows, until, viewsOf } from './monitoredRuns';

const folder = () => vscode.workspace.workspaceFolders![0]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long the pause test holds the program at its breakpoint. */
const HELD_AT_BREAKPOINT_MS = 1500;

suite('Monitoring a program however it is started', function () {
  this.timeout(180_000);
  let api: ConcurrencyLensApi;
  let extension: vscode.Extension<ConcurrencyLensApi>;
  const started: ChildProcess[] = [];

  suiteSetup(async () => {
    ({ api, extension } = await activateExtension());
    await endAllRuns(api.liveTasks);
  });

  teardown(async () => {
    for (const child of started.splice(0)) child.kill('SIGKILL');
    await endAllRuns(api.liveTasks);
  });

  async function runCommand(commandLine: string): Promise<MonitoredRun> {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.runCommand', commandLine);
    assert.ok(run, `"${commandLine}" did not start`);
    return run;
  }

  /** Starts a program outside the editor and resolves once it printed `ready`. */
  async function startOutside(command: string, args: string[]): Promise<ChildProcess> {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    });
    return child;
  }

  test('Run Command: Debian\'s pytest running an asyncio test module shows the test process, its threads and its tasks', async () => {
    const run = await runCommand('pytest-3 -q -p no:cacheprovider tests/test_async_app.py');
    assert.equal(run.kind, 'command');
    const pytest = await until('the pytest process with its ten fetch tasks', () => {
      const found = run.model.processes().find((process) => process.runtime?.name === 'python' && process.argv.some((arg) => arg.includes('pytest')));
      return found && [...found.entities.task.values()].filter((task) => /^fetch-\d$/.test(task.info.name)).length === 10 && found;
    }, 60_000);
    await until('the test\'s worker thread', () => [...pytest.entities.thread.values()].some((thread) => thread.info.name === 'fetch-worker'), 60_000);
    assert.equal((await run.whenEnded()).exitCode, 0);
    assert.deepEqual(run.model.rootProcesses().map((process) => process.pid), [run.pid]);
    const shown = rows(api.liveTasks);
    assert.ok(shown.some((row) => row.node.kind === 'thread' && /^fetch-worker — exited/.test(row.text)), shown.map((row) => row.text).join('\n'));
    assert.match(shown.find((row) => row.node.kind === 'summary')?.text ?? '', /^Run finished \(exited with code 0\) — \d+ tasks created/);
  });

  test('Run Command: `npm run <script>` shows the node process it starts under npm, across the shell npm runs it with', async () => {
    const run = await runCommand('npm run worker-demo');
    assert.equal((await run.whenEnded()).exitCode, 0);
    const script = run.model.processes().find((process) => process.runtime && process.argv.some((arg) => arg.endsWith('worker_and_child.mjs')));
    assert.ok(script, run.model.processes().map((process) => process.argv.join(' ')).join('\n'));
    // The run's root is npm itself where the user's shell exec's a lone command (bash), or that shell
    // with npm below it (dash, the /bin/sh used when $SHELL is not set): both are the truth.
    assert.deepEqual(run.model.rootProcesses().map((process) => process.pid), [run.pid]);
    const npm = run.model.processes().find((process) => process.runtime?.name === 'node' && process.argv.some((arg) => /npm(-cli\.js)?$/.test(arg)));
    assert.ok(npm, 'npm is probed');
    assert.ok(npm.pid === run.pid || run.model.parentOf(npm) === run.pid, 'npm is the root or right under it');
    assert.notEqual(script.ppid, npm.pid, 'npm started the script through `sh -c`, which is not probed');
    assert.equal(run.model.parentOf(script), npm.pid, 'so it is shown under npm');
    const shown = rows(api.liveTasks);
    const npmRow = shown.find((row) => row.node.kind === 'process' && row.node.key.endsWith(`/p:${npm.pid}`));
    const scriptRow = shown.find((row) => row.node.kind === 'process' && row.text.includes('worker_and_child.mjs'));
    assert.ok(npmRow && scriptRow, shown.map((row) => row.text).join('\n'));
    assert.equal(scriptRow.depth, npmRow.depth + 1);
  });

  test('Run Command: a command that does not exist, one that exits at once, one that prints 10 MB: each run ends with its exit code', async () => {
    for (const [commandLine, exitCode] of [['no-such-command-here --please', 127], ['exit 3', 3], ['true', 0], ['python3 monitor/print_10mb.py', 0]] as const) {
      const startedAt = Date.now();
      const run = await runCommand(commandLine);
      const exit = await Promise.race([run.whenEnded(), sleep(60_000).then(() => assert.fail(`"${commandLine}" did not end`))]);
      assert.equal(exit.exitCode, exitCode, commandLine);
      const summary = await until('the summary row', () => rows(api.liveTasks).find((row) => row.node.kind === 'summary'));
      assert.match(summary.text, new RegExp(`^Run finished \\(exited with code ${exitCode}\\)`), commandLine);
      console.log(`[test]     "${commandLine}" ended with ${exitCode} in ${Date.now() - startedAt} ms`);
      await endAllRuns(api.liveTasks);
    }
  });

  test('a recording that `concurrency-lens record` wrote opens in the editor, listed beside the runs (10 ended at most)', async () => {
    const out = path.join(folder().uri.fsPath, 'recorded-run.json');
    const cli = path.join(extension.extensionPath, 'bin', 'concurrency-lens.js');
    const recorder = spawn(process.execPath, [cli, 'record', '--out', out, '--', 'python3', fixture('fifty_tasks.py').fsPath], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => recorder.once('exit', resolve)), 0);
    assert.equal(await vscode.commands.executeCommand('concurrencyLens.openRecording', vscode.Uri.file(out)), true);
    const listed = api.liveTasks.runs.find((run) => run.title === 'recorded-run.json');
    assert.ok(listed && !listed.isRunning);
    assert.equal(api.shownRun.run?.model, listed.model);
    assert.equal(rows(api.liveTasks).filter((row) => row.node.kind === 'task' || row.node.kind === 'finished').length > 0, true);
    assert.equal(listed.model.summary().tasksCreated, 51);
    for (let index = 0; index < 12; index += 1) api.shownRun.show({ model: RunModel.fromRecording(listed.model.toRecording()), title: `copy ${index}`, live: false });
    assert.equal(api.liveTasks.runs.length, 10, 'the oldest ended runs go');
    assert.equal(api.liveTasks.runs.at(-1)?.title, 'copy 11');
  });

  test('a `concurrency-lens` task from tasks.json runs monitored, and each run of it gets an endpoint of its own', async () => {
    const task = (await vscode.tasks.fetchTasks({ type: 'concurrency-lens' })).find((candidate) => candidate.name === 'fifty tasks (monitored)');
    assert.ok(task, 'the task of tasks.json');
    const endpoints = new Set<string>();
    for (let time = 0; time < 2; time += 1) {
      const runStarted = nextEvent(api.liveTasks.onDidStartRun, 60_000);
      // The task again only once its terminal is done with it (else the editor asks whether to restart it).
      const taskEnded = nextEvent(vscode.tasks.onDidEndTaskProcess, 120_000);
      await vscode.tasks.executeTask(task);
      const run = await runStarted;
      assert.equal(run.title, 'fifty tasks (monitored)');
      assert.equal(run.kind, 'task');
      endpoints.add(run.session.server.environment.CONCURRENCY_LENS_ADDRESS!);
      await until('the 50 tasks', () => run.model.processes().some((process) => process.entities.task.size >= 50), 60_000);
      assert.equal((await run.whenEnded()).exitCode, 0);
      assert.equal((await taskEnded).exitCode, 0, 'the task ends with the program\'s exit code');
      assert.equal(api.liveTasks.runs.length, 1, 'a run again replaces its own ended run');
    }
    assert.equal(endpoints.size, 2);
  });

  test('New Monitored Terminal: what is started from it appears under its shell until it is closed', async () => {
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.newMonitoredTerminal');
    assert.ok(run);
    assert.equal(run.kind, 'terminal');
    const shell = await until('the shell', () => run.pid);
    const terminal = await until('the terminal', () => vscode.window.terminals.find((candidate) => candidate.name === 'Monitored Terminal'));
    terminal.sendText('python3 monitor/fifty_tasks.py && node monitor/worker_and_child.mjs');
    await until('the Python program with its tasks, under the shell', () => run.model.processes().some((process) => run.model.parentOf(process) === shell && process.entities.task.size >= 50), 60_000);
    await until('the Node program with its Worker, under the shell', () => run.model.processes().some((process) => run.model.parentOf(process) === shell && [...process.entities.thread.values()].some((thread) => thread.info.kind === 'worker')), 60_000);
    assert.equal(run.isRunning, true, 'the run lasts as long as the terminal');
    run.stop();
    await run.whenEnded();
    assert.ok(!vscode.window.terminals.includes(terminal), 'Stop closed the terminal');
  });

  test('two runs at once are listed side by side; Stop stops the selected one; the timeline shows the selected run', async () => {
    const first = await api.liveTasks.runFile(fixture('long_running.py'));
    assert.ok(first);
    const second = await runCommand('node monitor/long_running_node.mjs');
    // The command's root may be the user's shell with node below it: wait for the probed programs.
    const probed = (run: MonitoredRun, script: string) => run.model.processes().some((process) => process.runtime && process.argv.some((arg) => arg.endsWith(script)));
    await until('both programs', () => probed(first, 'long_running.py') && probed(second, 'long_running_node.mjs'));
    const top = viewsOf(api.liveTasks).tree.getChildren();
    assert.deepEqual(top.map((node) => node.kind), ['run', 'run']);
    assert.deepEqual(top.map((node) => node.key), [first.id, second.id]);
    const all = rows(api.liveTasks);
    assert.equal(new Set(all.map((row) => row.node.key)).size, all.length, 'every row\'s key is unique across the runs');
    assert.ok(rows(api.liveTasks, first).some((row) => row.node.kind === 'process' && row.text.includes('long_running.py')));
    assert.ok(rows(api.liveTasks, second).some((row) => row.node.kind === 'process' && row.text.includes('long_running_node.mjs')));
    assert.equal(api.shownRun.run?.model, second.model, 'the latest run is shown');
    api.liveTasks.selectNode(rows(api.liveTasks, first)[0]!.node);
    assert.equal(api.shownRun.run?.model, first.model, 'selecting a row of a run shows that run');
    await vscode.commands.executeCommand('concurrencyLens.stopRun');
    assert.equal((await first.whenEnded()).signal, 'SIGTERM');
    assert.equal(second.isRunning, true, 'the other run goes on');
    await until('the stopped run\'s row', () => rows(api.liveTasks).some((row) => row.node.kind === 'run' && /^monitor\/long_running\.py — stopped by SIGTERM · /.test(row.text)));
    api.liveTasks.clearEndedRuns();
    assert.deepEqual(api.liveTasks.runs, [second]);
    assert.equal(viewsOf(api.liveTasks).tree.getChildren()[0]?.kind, 'process', 'one run left: its processes at the top');
    await vscode.commands.executeCommand('concurrencyLens.stopRun', second);
    await second.whenEnded();
  });

  test('Attach: a running Node.js process reports to a run from the pick on; attaching twice does nothing more', async () => {
    const server = path.join(extension.extensionPath, 'test', 'fixtures', 'attach', 'server.mjs');
    const target = await startOutside(process.execPath, [server]);
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.attachToProcess', target.pid);
    assert.ok(run, 'attached');
    assert.equal(run.title, `${path.basename(process.execPath)} ${server} (pid ${target.pid})`);
    await until('its running Worker', () => [...(run.model.process(target.pid!)?.entities.thread.values() ?? [])].some((thread) => thread.info.kind === 'worker'));
    assert.equal(await vscode.commands.executeCommand('concurrencyLens.attachToProcess', target.pid), undefined);
    assert.equal(api.liveTasks.runs.length, 1);
    target.kill('SIGTERM');
    await run.whenEnded();
  });

  test('Attach: a running Python process already in a lock-order deadlock is diagnosed once attached (gdb), and ends as it does', async () => {
    const program = path.join(extension.extensionPath, 'test', 'fixtures', 'attach', 'deadlock.py');
    const target = await startOutside('python3', [program]);
    const run = await vscode.commands.executeCommand<MonitoredRun | undefined>('concurrencyLens.attachToProcess', target.pid);
    assert.ok(run, 'attached');
    assert.equal(run.title, `python3 ${program} (pid ${target.pid})`);
    const stuck = await until('the Stuck row', () => rows(api.liveTasks, run).find((row) => row.node.kind === 'stuck'));
    assert.match(stuck.text, /^Stuck: lock-order deadlock — for \d/);
    assert.deepEqual(rows(api.liveTasks, run).filter((row) => row.node.kind === 'stuckStep').map((row) => row.text).sort(), [
      'audit — holds `journal` (line 18) and waits for `accounts` (line 20)',
      'transfer — holds `accounts` (line 11) and waits for `journal` (line 13)',
    ]);
    assert.equal(await vscode.commands.executeCommand('concurrencyLens.attachToProcess', target.pid), undefined, 'attached once');
    target.kill('SIGTERM');
    await run.whenEnded();
    assert.ok(run.model.process(target.pid!)?.endedAt, 'shown as ended');
  });

  test('F5: a Node.js debug session with a Worker and a child process is a run named after its configuration, ending with it', async () => {
    const runStarted = nextEvent(api.liveTasks.onDidStartRun, 60_000);
    assert.ok(await vscode.debug.startDebugging(folder(), { type: 'node', request: 'launch', name: 'Debug the worker demo', program: fixture('worker_and_child.mjs').fsPath }));
    const run = await runStarted;
    assert.equal(run.title, 'Debug the worker demo');
    assert.equal(run.kind, 'debug');
    await run.whenEnded();
    const program = run.model.processes().find((process) => process.runtime && process.argv.some((arg) => arg.endsWith('worker_and_child.mjs')));
    assert.ok(program, run.model.processes().map((process) => process.argv.join(' ')).join('\n'));
    assert.equal([...program.entities.thread.values()].filter((thread) => thread.info.kind === 'worker').length, 2);
    assert.ok(run.model.childProcesses(program.pid).some((process) => process.runtime?.name === 'node'), 'the child process, probed');
    assert.deepEqual(run.model.rootProcesses().map((process) => process.pid), [program.pid]);
  });

  test('F5: a pause at a breakpoint shows the run paused and is not reported as a blocked event loop; a real block still is', async () => {
    const file = fixture('debug_pause.mjs');
    const line = readFileSync(file.fsPath, 'utf8').split('\n').findIndex((text) => text.includes('console.log(paused())'));
    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(file, new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([breakpoint]);
    try {
      const runStarted = nextEvent(api.liveTasks.onDidStartRun, 60_000);
      assert.ok(await vscode.debug.startDebugging(folder(), { type: 'node', request: 'launch', name: 'Debug the pause demo', program: file.fsPath }));
      const run = await runStarted;
      await until('the pause at the breakpoint', () => run.isPaused, 60_000);
      const paused = await until('the paused row', () => rows(api.liveTasks).find((row) => row.node.kind === 'status'));
      assert.match(paused.text, /^Paused in the debugger — time spent paused is not a blocked event loop$/);
      await sleep(HELD_AT_BREAKPOINT_MS);
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      await until('the run to go on', () => !run.isPaused, 60_000);
      await run.whenEnded();
      const blocks = run.model.blockedEvents();
      const described = blocks.map((event) => `${Math.round(event.durationMs)} ms at ${event.stack.map((frame) => `${path.basename(frame.file)}:${frame.line}`).join(' < ')}`).join('\n');
      // Held at the breakpoint, the loop did not come back for as long: the probe saw a block that long, and the run dropped it.
      assert.ok(!blocks.some((event) => event.durationMs >= HELD_AT_BREAKPOINT_MS), described);
      assert.ok(blocks.some((event) => event.durationMs >= 300 && event.stack.some((frame) => frame.file === file.fsPath)), `the real 400 ms block is reported:\n${described}`);
    } finally {
      vscode.debug.removeBreakpoints([breakpoint]);
    }
  });

  test('F5 with a Python configuration: it carries the probes, keeping its own environment, and a program started with it is seen (no Python debugger here)', async () => {
    const program = fixture('fifty_tasks.py').fsPath;
    const config = { type: 'debugpy', request: 'launch', name: 'Python: fifty tasks', program, env: { APP_MODE: 'test', PYTHONPATH: '/opt/mine' } };
    const resolved = await api.debugSessions.resolveDebugConfigurationWithSubstitutedVariables(folder(), { ...config });
    const env = resolved.env as Record<string, string>;
    assert.equal(env.APP_MODE, 'test');
    assert.equal(env.PYTHONPATH, `${path.join(extension.extensionPath, 'probes', 'python')}${path.delimiter}/opt/mine`);
    assert.ok(env.CONCURRENCY_LENS_ADDRESS && env.CONCURRENCY_LENS_TOKEN);
    const session = api.debugSessions.pendingSession(resolved);
    assert.ok(session);
    // What debugpy's launcher does with the configuration: start the program with its `env`.
    const child = spawn('python3', [program], { env: { ...process.env, ...env }, stdio: 'ignore' });
    started.push(child);
    await until('the program with its 50 tasks', () => session.model.processes().some((process) => process.runtime?.name === 'python' && process.entities.task.size >= 50), 60_000);
    await new Promise((resolve) => child.once('exit', resolve));
    const attachConfig = { type: 'debugpy', request: 'attach', name: 'Attach', connect: { port: 5678 } };
    assert.deepEqual(await api.debugSessions.resolveDebugConfigurationWithSubstitutedVariables(folder(), { ...attachConfig }), attachConfig);
    // The title bar's toggle.
    await vscode.commands.executeCommand('concurrencyLens.stopMonitoringDebugSessions');
    try {
      assert.equal(vscode.workspace.getConfiguration('concurrencyLens.monitor').get('debugSessions'), false);
      assert.deepEqual(await api.debugSessions.resolveDebugConfigurationWithSubstitutedVariables(folder(), { ...config }), config, 'turned off: left alone');
    } finally {
      await vscode.commands.executeCommand('concurrencyLens.monitorDebugSessions');
    }
    assert.equal(vscode.workspace.getConfiguration('concurrencyLens.monitor').get('debugSessions'), true);
    assert.ok(!isAlive(child.pid!));
  });
});
