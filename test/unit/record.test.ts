import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { FAIL_ON_EXIT_CODE, parseRecordArguments } from '../../src/cli/recordArguments';
import type { HelloFrame, ProbeFrame } from '../../src/core/probe/protocol';
import { FAIL_CONDITION_IDS, heldConditions } from '../../src/core/runs/failConditions';
import { RunModel } from '../../src/core/runs/runModel';
import { readRecording } from '../../src/core/timeline/chromeTrace';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'concurrency-lens.js');
const fixture = (name: string) => path.join(root, 'test', 'fixtures', 'record', name);
/** The demo-like programs the integration tests run too. */
const monitorFixture = (name: string) => path.join(root, 'test', 'fixtures', 'workspace', 'monitor', name);

describe('record arguments', () => {
  it('takes options before the command, everything after -- as the command', () => {
    assert.deepEqual(parseRecordArguments(['--out', 'run.json', '--trace=t.json', '--summary', 'json', '--blocked-threshold-ms', '50', '--fail-on', 'blocked-loop,failed-task', '--', 'pytest', '-x', '--out', 'y']), {
      command: 'record', program: ['pytest', '-x', '--out', 'y'], out: 'run.json', trace: 't.json', summary: 'json', blockedThresholdMs: 50, failOn: ['blocked-loop', 'failed-task'],
    });
    assert.deepEqual(parseRecordArguments(['python3', 'app.py']), { command: 'record', program: ['python3', 'app.py'], out: undefined, trace: undefined, summary: 'text', blockedThresholdMs: 100, failOn: [] });
  });

  it('refuses bad usage with a reason', () => {
    for (const argv of [[], ['--'], ['--summary', 'xml', '--', 'x'], ['--fail-on', 'deadlocks', '--', 'x'], ['--blocked-threshold-ms', 'soon', '--', 'x'], ['--out'], ['--fast', '--', 'x']]) {
      const parsed = parseRecordArguments(argv);
      assert.equal(parsed.command, 'error', argv.join(' '));
    }
    assert.deepEqual(parseRecordArguments(['--help']), { command: 'help' });
  });
});

describe('--fail-on conditions', () => {
  const hello = (pid: number, ppid = 1): HelloFrame => ({ kind: 'hello', seq: 0, t: 0, token: 'x', protocol: 1, pid, ppid, runtime: { name: 'python', version: '3.12' }, argv: ['python3', `p${pid}.py`], startedAt: 0 });
  const frame = (value: Record<string, unknown>) => ({ seq: 1, t: 1000, ...value }) as ProbeFrame;

  function run(): RunModel {
    const model = new RunModel({ blockedThresholdMs: 100 });
    model.addProcess(hello(1));
    model.addProcess(hello(2, 1));
    model.apply(1, frame({ kind: 'snapshot', tasks: [
      { id: 't1', threadId: 'main', loopId: 'l', name: 'fetch-1', coroutine: 'fetch', state: 'failed', exception: 'ValueError: no', raisedAt: { file: '/w/app.py', line: 6 }, startedAt: 0, endedAt: 900 },
      { id: 't2', threadId: 'main', loopId: 'l', name: 'poll', coroutine: 'poll', state: 'pending', suspendedAt: { file: '/w/app.py', line: 9 }, startedAt: 0 },
      { id: 't3', threadId: 'main', loopId: 'l', name: 'ok', coroutine: 'ok', state: 'done', startedAt: 0, endedAt: 500 },
    ] }));
    model.apply(1, frame({ kind: 'blocked', loopId: 'l', threadId: 'main', durationMs: 250, stack: [{ file: '/usr/lib/python3.12/asyncio/base_events.py', line: 1 }, { file: '/w/app.py', line: 13, function: 'main' }] }));
    model.apply(1, frame({ kind: 'blocked', loopId: 'l', threadId: 'main', durationMs: 120, stack: [] }));
    model.endProcess(2, 1500, { signal: 'SIGSEGV' });
    model.finish(2000, { exitCode: 0 });
    return model;
  }

  it('each names what made it hold', () => {
    const held = heldConditions(run(), FAIL_CONDITION_IDS, { blockedThresholdMs: 200 });
    assert.deepEqual(held, [
      { id: 'blocked-loop', cases: ['event loop blocked for 250 ms at /w/app.py:13 (pid 1)'] },
      { id: 'failed-task', cases: ['task fetch-1 (fetch) failed: ValueError: no at /w/app.py:6 (pid 1)'] },
      { id: 'unfinished-task', cases: ['task poll (poll) never finished at /w/app.py:9 (pid 1)'] },
      { id: 'failed-process', cases: ['process 2 (python3 p2.py) killed by SIGSEGV'] },
    ]);
  });

  it('names the thread that held the GIL', () => {
    const model = new RunModel({ blockedThresholdMs: 100 });
    model.addProcess(hello(1));
    model.apply(1, frame({ kind: 'snapshot', threads: [{ id: 'main', kind: 'main', name: 'MainThread', state: 'running', startedAt: 0 }] }));
    model.apply(1, frame({ kind: 'blocked', loopId: 'gil:main', threadId: 'main', durationMs: 4200, gil: true, stack: [{ file: '/w/app.py', line: 12, function: 'backtrack' }] }));
    assert.deepEqual(heldConditions(model, ['blocked-loop'], { blockedThresholdMs: 100 }), [{ id: 'blocked-loop', cases: ['GIL held by MainThread for 4.2 s at /w/app.py:12 (pid 1)'] }]);
  });

  it('hold only when asked for, and only over the threshold', () => {
    assert.deepEqual(heldConditions(run(), ['blocked-loop'], { blockedThresholdMs: 300 }), []);
    assert.deepEqual(heldConditions(run(), ['failed-task'], { blockedThresholdMs: 100 }).map((held) => held.id), ['failed-task']);
  });
});

function record(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, 'record', ...args], { cwd: root, encoding: 'utf8', input, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('concurrency-lens record (bundled, real programs)', () => {
  before(() => {
    if (!existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  });

  it('passes stdin, stdout and stderr through and exits with the program\'s code', () => {
    const { code, stdout, stderr } = record(['--', 'python3', fixture('echo_input.py')], 'hello\n');
    assert.equal(code, 5);
    assert.equal(stdout, 'got hello\n');
    assert.match(stderr, /^HELLO$/m);
    assert.match(stderr, /echo_input\.py — exited with code 5 after/);
  });

  it('fails on a blocked loop and a failed task, summarises them with file:line, and writes a recording and a trace that open', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'clens-record-'));
    const out = path.join(folder, 'run.json');
    const trace = path.join(folder, 'trace.json');
    const { code, stdout, stderr } = record(['--out', out, '--trace', trace, '--fail-on', 'blocked-loop,failed-task', '--', 'python3', fixture('blocks_and_fails.py')]);
    assert.equal(stdout, 'handled 3\n');
    assert.equal(code, 3, stderr);
    assert.match(stderr, /1 process\(es\), 1 thread\(s\), \d+ task\(s\) created, 1 failed, 0 cancelled/);
    assert.match(stderr, /^ {4}\d+ ms at .*blocks_and_fails\.py:15 \(main\), pid \d+$/m);
    assert.match(stderr, /--fail-on failed-task: held \(1\)\n {4}task handle-x \(handle\) failed: ValueError: bad input: 'x' at .*blocks_and_fails\.py:9/);
    for (const file of [out, trace]) {
      const opened = readRecording(readFileSync(file, 'utf8'));
      assert.ok(opened.ok, file);
      const model = RunModel.fromRecording(opened.recording);
      assert.equal(model.outcome?.exitCode, 0);
      assert.equal(model.summary().tasksFailed, 1);
      assert.equal(model.blockedEvents().length, 1);
    }
  });

  it('names the Python thread that held the GIL in C code and its line, found while its probe could not speak, and fails on it', () => {
    const program = path.join(root, 'test', 'fixtures', 'workspace', 'monitor', 'gil_held.py');
    const { code, stdout, stderr } = record(['--fail-on', 'blocked-loop', '--', 'python3', program]);
    assert.equal(stdout, 'done\n');
    assert.equal(code, 3, stderr);
    assert.match(stderr, /^ {2}1 GIL hold\(s\) in C code \(nothing else in the process ran\):\n {4}[\d.]+ s by MainThread at .*gil_held\.py:12 \(backtrack\), pid \d+$/m);
    assert.match(stderr, /--fail-on blocked-loop: held \(1\)\n {4}GIL held by MainThread for [\d.]+ s at .*gil_held\.py:12 \(pid \d+\)/);
  });

  it('exits with the program\'s code when only conditions that did not hold were asked for', () => {
    const { code, stderr } = record(['--fail-on', 'failed-process', '--summary', 'json', '--', 'python3', fixture('blocks_and_fails.py')]);
    assert.equal(code, 0);
    const summary = JSON.parse(stderr.slice(stderr.indexOf('{'))) as { version: number; exit: { code: number }; blockedLoops: { file: string; line: number }[]; failOn: unknown[] };
    assert.equal(summary.version, 1);
    assert.equal(summary.exit.code, 0);
    assert.equal(summary.blockedLoops[0]?.line, 15);
    assert.deepEqual(summary.failOn, []);
  });

  it('stops a deadlocked program and fails on it, naming who holds which lock; a healthy program does not fail', () => {
    const started = Date.now();
    const { code, stderr } = record(['--fail-on', 'deadlock', '--', 'python3', fixture('deadlock.py')]);
    assert.equal(code, FAIL_ON_EXIT_CODE, stderr);
    assert.ok(Date.now() - started < 30_000);
    // Each thread: what it holds (as its own code names it) and what it waits for, held by whom, where.
    assert.match(stderr, /lock-order deadlock: (transfer|audit) holds (accounts|journal) \(line (10|17)\) and waits for (journal|accounts) held by (audit|transfer) at .*deadlock\.py:(12|19); /);
    for (const [thread, holds, waits] of [['transfer', 'accounts', 'journal'], ['audit', 'journal', 'accounts']]) assert.match(stderr, new RegExp(`${thread} holds ${holds} \\(line \\d+\\) and waits for ${waits} held by`));
    // A healthy program exits with its own code (echo_input.py's is 5).
    const healthy = record(['--fail-on', 'deadlock', '--', 'python3', fixture('echo_input.py')], 'hi\n');
    assert.equal(healthy.code, 5, healthy.stderr);
  });

  it('stops a program stuck with no cycle, naming the thread each waiter waits for', () => {
    const { code, stderr } = record(['--fail-on', 'deadlock', '--', 'python3', fixture('join_forever.py')]);
    assert.equal(code, 3, stderr);
    assert.match(stderr, /stuck, nothing can wake it: MainThread waits for thread consumer to end at .*join_forever\.py:12; consumer waits for ready at .*join_forever\.py:8/);
  });

  it('stops a Node.js program waiting for a child whose output it never reads, naming the full pipe', () => {
    const started = Date.now();
    const { code, stderr } = record(['--fail-on', 'deadlock', '--', process.execPath, monitorFixture('node_full_pipe.cjs')]);
    assert.equal(code, 3, stderr);
    assert.ok(Date.now() - started < 30_000);
    assert.match(stderr, /full-pipe deadlock: main waits for seq 1 400000 to exit at .*node_full_pipe\.cjs:6; seq 1 400000 waits for main to read the full pipe it writes to/);
  });

  it('stops a program whose pool lost the task of a worker that died, and says which process failed before it got stuck', () => {
    const { code, stderr } = record(['--fail-on', 'deadlock', '--', 'python3', monitorFixture('pool_worker_dies.py')]);
    assert.equal(code, 3, stderr);
    assert.match(stderr, /stuck, nothing can wake it: MainThread waits for .* at .*pool_worker_dies\.py:15; .* — before it, \w*PoolWorker-\d+ \(pid \d+\) ended with exit code 1$/m);
  });

  it('says when the command does not exist, and exits with 127', () => {
    const { code, stderr } = record(['--', 'no-such-command-here', '--flag']);
    assert.equal(code, 127);
    assert.match(stderr, /could not start: spawn no-such-command-here ENOENT/);
  });

  it('refuses bad usage with 2 before running anything', () => {
    assert.equal(record(['--fail-on', 'nope', '--', 'true']).code, 2);
    assert.equal(record(['--out', '/no/such/folder/run.json', '--', 'true']).code, 2);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`passes ${signal} on to the program and exits as it did (${code})`, async () => {
      const child = spawn(process.execPath, [cli, 'record', '--', process.execPath, fixture('wait_for_signal.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
      child.kill(signal);
      const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (value) => resolve(value)));
      assert.equal(exitCode, code);
      assert.match(stderr, new RegExp(`ended by ${signal}`));
    });
  }
});
