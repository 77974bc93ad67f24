import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { interpreterCandidates, pythonLaunchSpec } from '../../src/core/runs/launchSpec';
import type { TrackedEntity } from '../../src/core/runs/runModel';
import type { HelloFrame } from '../../src/core/probe/protocol';
import { RunModel } from '../../src/core/runs/runModel';
import {
  blockingFrame, commandLabel, countOutcomes, exitKind, finishedTasks, formatDuration, groupTasksByCoroutine, keptAlive, liveFirst, processLabel, processTitle, signalName, unlistedTasks,
} from '../../src/core/runs/treeShape';

describe('python launch spec', () => {
  const base = {
    interpreter: '/usr/bin/python3', script: '/w/app.py', args: ['--n', '3'], cwd: '/w', probeRoot: '/ext/probes/python',
    probeEnv: { CONCURRENCY_LENS_ADDRESS: 'unix:/tmp/x/probe.sock', CONCURRENCY_LENS_TOKEN: 'f'.repeat(64) }, blockedThresholdMs: 250,
  };

  it('runs the probe module with the script and its arguments, endpoint in the environment only, nothing else added', () => {
    const spec = pythonLaunchSpec({ ...base, baseEnv: { HOME: '/root', UNSET: undefined } });
    assert.deepEqual([spec.command, ...spec.args], ['/usr/bin/python3', '-m', 'concurrency_lens_probe', '/w/app.py', '--n', '3']);
    assert.equal(spec.args.some((arg) => arg.includes('f'.repeat(64))), false);
    assert.equal(spec.env.CONCURRENCY_LENS_TOKEN, 'f'.repeat(64));
    assert.equal(spec.env.CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS, '250');
    assert.equal(spec.env.PYTHONPATH, '/ext/probes/python');
    // Only what the program needs on top of its terminal's environment.
    assert.deepEqual(Object.keys(spec.env).sort(), ['CONCURRENCY_LENS_ADDRESS', 'CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS', 'CONCURRENCY_LENS_TOKEN', 'PYTHONPATH']);
  });

  it('puts the probe first on an existing PYTHONPATH', () => {
    const spec = pythonLaunchSpec({ ...base, baseEnv: { PYTHONPATH: '/mine' } });
    assert.equal(spec.env.PYTHONPATH, `/ext/probes/python${path.delimiter}/mine`);
  });

  it('tries the Python extension, then the setting, then python3, once each', () => {
    assert.deepEqual(interpreterCandidates('/venv/bin/python', ' /opt/py '), ['/venv/bin/python', '/opt/py', 'python3']);
    assert.deepEqual(interpreterCandidates(undefined, ''), ['python3']);
    assert.deepEqual(interpreterCandidates('python3', 'python3'), ['python3']);
  });
});

describe('tree shape', () => {
  const task = (id: string, coroutine: string) => ({ kind: 'task', info: { id, coroutine }, live: true, history: [], droppedIntervals: 0 }) as unknown as TrackedEntity<'task'>;

  it('groups tasks by coroutine, biggest group first', () => {
    const groups = groupTasksByCoroutine([task('1', 'fetch'), task('2', 'parse'), task('3', 'fetch'), task('4', 'all')]);
    assert.deepEqual(groups.map((group) => [group.coroutine, group.tasks.length]), [['fetch', 2], ['all', 1], ['parse', 1]]);
  });

  it('formats durations and process labels', () => {
    assert.deepEqual([formatDuration(850), formatDuration(4200), formatDuration(185_000), formatDuration(7_260_000)], ['850 ms', '4.2 s', '3 min 5 s', '2 h 1 min']);
    assert.equal(processLabel(['/home/me/app.py', '--fast']), 'app.py --fast');
    assert.equal(processLabel([]), '');
  });

  it('names signals and tells a stop from a failure', () => {
    assert.deepEqual(['SIGTERM', 'signal 15', '9', 'signal 64', 'SIGSEGV'].map(signalName), ['SIGTERM', 'SIGTERM', 'SIGKILL', 'signal 64', 'SIGSEGV']);
    assert.equal(exitKind({}), 'running');
    assert.equal(exitKind({ endedAt: 1, exitCode: 0 }), 'ok');
    assert.equal(exitKind({ endedAt: 1, exitCode: 3 }), 'failed');
    assert.equal(exitKind({ endedAt: 1, signal: 'signal 15' }), 'stopped', 'a pool shut down with terminate() is no error');
    assert.equal(exitKind({ endedAt: 1, signal: 'SIGSEGV' }), 'failed');
    assert.equal(exitKind({ endedAt: 1, signal: 'SIGKILL' }), 'failed');
    assert.equal(exitKind({ endedAt: 1 }), 'unknown');
  });

  it('names a process by what its parent called it, else by its own role, else by its command', () => {
    const hello = (pid: number, ppid: number, argv: string[], processRole?: string): HelloFrame => ({
      kind: 'hello', seq: 0, t: 0, token: 't', protocol: 1, pid, ppid, runtime: { name: 'python', version: '3.12.0' }, argv, startedAt: 0, ...(processRole ? { processRole } : {}),
    });
    const model = new RunModel();
    model.addProcess(hello(10, 1, ['/w/app.py']));
    model.addProcess(hello(11, 10, ['-c', '--multiprocessing-fork'], 'spawn-worker'));
    model.addProcess(hello(12, 10, ['-c'], 'resource-tracker'));
    model.apply(10, { kind: 'delta', seq: 1, t: 1, upsert: { children: [{ id: 'c1', pid: 11, command: 'SpawnProcess-1 (multiprocessing)', name: 'SpawnProcess-1', role: 'pool-worker', startedAt: 1 }] } });
    assert.deepEqual(processTitle(model, model.process(10)!), { command: 'app.py' });
    assert.deepEqual(processTitle(model, model.process(11)!), { name: 'SpawnProcess-1', role: 'pool-worker', command: '-c --multiprocessing-fork' });
    assert.deepEqual(processTitle(model, model.process(12)!), { role: 'resource-tracker', command: '-c' });
  });

  it('names a Node child started with `-e` by its parent\'s spawn arguments, whatever its executable is called', () => {
    const model = new RunModel();
    const node = (pid: number, ppid: number, argv: string[]): HelloFrame => ({ kind: 'hello', seq: 0, t: 0, token: 't', protocol: 1, pid, ppid, runtime: { name: 'node', version: '20.0.0' }, argv, startedAt: 0 });
    model.addProcess(node(20, 1, ['/usr/bin/nodejs', '/w/app.mjs']));
    model.addProcess(node(21, 20, ['/usr/bin/nodejs']));
    assert.deepEqual(processTitle(model, model.process(21)!), { command: 'nodejs' }, 'before its parent describes it');
    model.apply(20, { kind: 'delta', seq: 1, t: 1, upsert: { children: [{ id: 'child-1', pid: 21, command: '/usr/bin/nodejs -e setTimeout(() => 0, 800)', startedAt: 1 }] } });
    assert.deepEqual(processTitle(model, model.process(21)!), { command: 'nodejs -e setTimeout(() => 0, 800)' });
    assert.deepEqual(processTitle(model, model.process(20)!), { command: 'nodejs /w/app.mjs' }, 'a script names itself');
    assert.equal(commandLabel('/usr/bin/python3 -c import a/b'), 'python3 -c import a/b', 'only the program loses its folder');
    assert.equal(commandLabel('SpawnProcess-1 (multiprocessing)'), 'SpawnProcess-1 (multiprocessing)');
  });

  it('counts the tasks a sample left out of its frame on the thread of their loop, while that loop runs', () => {
    const model = new RunModel();
    model.addProcess({ kind: 'hello', seq: 0, t: 0, token: 't', protocol: 1, pid: 30, ppid: 1, runtime: { name: 'python', version: '3.12.0' }, argv: ['/w/app.py'], startedAt: 0 });
    const loop = { id: 'l1', threadId: 'main', lagMs: 0 };
    model.apply(30, { kind: 'snapshot', seq: 1, t: 1, loops: [{ ...loop, tasksUnlisted: 2001 }] });
    assert.equal(unlistedTasks(model.process(30)!, 'main'), 2001);
    assert.equal(unlistedTasks(model.process(30)!, 'worker'), 0, 'another thread runs no such loop');
    model.apply(30, { kind: 'delta', seq: 2, t: 2, upsert: { loops: [loop] } });
    assert.equal(unlistedTasks(model.process(30)!, 'main'), 0, 'every task listed again');
  });

  it('lists what keeps a Node process alive while its loop only waits, a Worker with its wait; nothing while it works or once it ended', () => {
    const model = new RunModel();
    model.addProcess({ kind: 'hello', seq: 0, t: 0, token: 't', protocol: 1, pid: 20, ppid: 1, runtime: { name: 'node', version: '20.0.0' }, argv: ['/w/app.js'], startedAt: 0 });
    const loop = { id: 'loop-main', threadId: 'main', lagMs: 0 };
    const parked = { id: 'worker-1', kind: 'worker' as const, name: 'Worker 1', state: 'waiting' as const, startedAt: 1, wait: { kind: 'atomics' as const, call: 'Atomics.wait', since: 2, at: { file: '/w/w.js', line: 4 } } };
    model.apply(20, { kind: 'snapshot', seq: 1, t: 1, threads: [parked], loops: [loop] });
    assert.equal(keptAlive(model.process(20)!), undefined, 'the loop works: nothing to say');
    const server = { kind: 'server' as const, address: '127.0.0.1:80', at: { file: '/w/app.js', line: 3 } };
    model.apply(20, { kind: 'delta', seq: 2, t: 2, upsert: { loops: [{ ...loop, idleSince: 1500, keptAliveBy: [server, { kind: 'worker', threadId: 'worker-1' }, { kind: 'timer', count: 2 }], keptAliveByMore: 4 }] } });
    const alive = keptAlive(model.process(20)!);
    assert.deepEqual(alive?.handles.map((entry) => entry.handle.kind), ['server', 'worker', 'timer']);
    assert.equal(alive?.since, 1500);
    assert.equal(alive?.more, 4);
    assert.deepEqual(alive?.handles[0], { handle: server });
    assert.deepEqual(alive?.handles[1]?.thread?.wait?.at, { file: '/w/w.js', line: 4 });
    model.apply(20, { kind: 'delta', seq: 3, t: 3, upsert: { loops: [loop] } });
    assert.equal(keptAlive(model.process(20)!), undefined, 'the loop works again');
    model.apply(20, { kind: 'delta', seq: 4, t: 4, upsert: { loops: [{ ...loop, idleSince: 3, keptAliveBy: [server] }] } });
    model.apply(20, { kind: 'exit', seq: 5, t: 5, exitCode: 0 });
    assert.equal(keptAlive(model.process(20)!), undefined, 'an ended process keeps nothing alive');
  });

  it('orders live rows first, then the latest to end; tasks that finished by outcome', () => {
    const entity = (id: string, live: boolean, end?: number, state = 'done') => ({ kind: 'task', info: { id, state, endedAt: end }, live, history: [{ state, start: 0, end }], droppedIntervals: 0 }) as unknown as TrackedEntity<'task'>;
    const rows = [entity('a', false, 5), entity('b', true), entity('c', false, 9), entity('d', false, 9), entity('e', true)];
    assert.deepEqual(liveFirst(rows).map((row) => row.info.id), ['b', 'e', 'c', 'd', 'a']);
    const finished = finishedTasks([entity('x', false, 3, 'failed'), entity('y', true), entity('z', false, 7, 'pending'), entity('w', false, 5, 'cancelled')]);
    assert.deepEqual(finished.map((row) => row.info.id), ['z', 'w', 'x']);
    assert.deepEqual(countOutcomes(finished), { failed: 1, cancelled: 1, unfinished: 1, done: 0 });
  });

  it('points a blocked loop at the innermost frame in the user\'s files', () => {
    const stack = [{ file: '/w/app.py', line: 3 }, { file: '/w/app.py', line: 9 }, { file: '/usr/lib/python3.12/json/decoder.py', line: 40 }];
    assert.deepEqual(blockingFrame(stack, (file) => file.startsWith('/w/')), { file: '/w/app.py', line: 9 });
    assert.deepEqual(blockingFrame(stack, () => false), stack[2]);
    assert.equal(blockingFrame([], () => true), undefined);
  });

  it('points a block inside Node\'s internals or an installed package at the program\'s frame that called it, never at an internal one', () => {
    const stack = [
      { file: 'node:internal/timers', line: 594, function: 'listOnTimeout' }, { file: '/w/app.mjs', line: 6, function: 'hash' },
      { file: '/w/node_modules/lib/index.js', line: 40, function: 'digest' }, { file: 'node:internal/crypto/pbkdf2', line: 62, function: 'pbkdf2Sync' },
    ];
    assert.deepEqual(blockingFrame(stack, () => true), stack[1]);
    assert.deepEqual(blockingFrame(stack.slice(2), () => true), stack[2], 'no program frame: the innermost file');
    assert.equal(blockingFrame([stack[0]!, stack[3]!], () => true), undefined, 'internal frames only: no file to point at');
  });
});
