import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HelloFrame, ProbeFrame, TaskInfo, ThreadInfo } from '../../src/core/probe/protocol';
import { parseRunRecording } from '../../src/core/runs/recording';
import {
  blocksKey, entityKey, MAX_ENDED_ENTITIES, MAX_INTERVALS_PER_ENTITY, processKey, type RunChange, RunModel, runKey, sampledKey,
} from '../../src/core/runs/runModel';

const hello = (pid: number, ppid: number): HelloFrame => ({
  kind: 'hello', seq: 0, t: 0, token: 'x', protocol: 1, pid, ppid, runtime: { name: 'python', version: '3.12.0' }, argv: ['app.py', String(pid)], startedAt: 0,
});
const thread = (id: string, state: ThreadInfo['state'] = 'running'): ThreadInfo => ({ id, kind: id === 'main' ? 'main' : 'thread', name: id, state, startedAt: 0 });
const task = (id: string, state: TaskInfo['state'] = 'pending', threadId = 'main'): TaskInfo => ({ id, threadId, loopId: 'l1', name: id, coroutine: 'work', state, startedAt: 1 });
const delta = (t: number, upsert: Extract<ProbeFrame, { kind: 'delta' }>['upsert'], remove?: Extract<ProbeFrame, { kind: 'delta' }>['remove']): ProbeFrame => ({ kind: 'delta', seq: t, t, upsert, remove });

function recordChanges(model: RunModel): RunChange[] {
  const changes: RunChange[] = [];
  model.onDidChange((change) => changes.push(change));
  return changes;
}

describe('RunModel', () => {
  it('nests processes by ppid and holds threads, tasks, loops and children per process', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.addProcess(hello(11, 10));
    model.addProcess(hello(12, 10));
    model.apply(10, { kind: 'snapshot', seq: 1, t: 5, threads: [thread('main')], tasks: [task('a'), task('b')], loops: [{ id: 'l1', threadId: 'main', lagMs: 2 }], children: [{ id: 'c1', pid: 11, command: 'python worker', startedAt: 3 }] });
    assert.deepEqual(model.rootProcesses().map((process) => process.pid), [10]);
    assert.deepEqual(model.childProcesses(10).map((process) => process.pid), [11, 12]);
    const root = model.process(10)!;
    assert.deepEqual([...root.entities.task.keys()], ['a', 'b']);
    assert.equal(root.entities.loop.get('l1')?.info.lagMs, 2);
    assert.equal(root.entities.child.get('c1')?.live, true);
  });

  it('keeps state intervals with start and end times, bounded per entity', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.apply(10, delta(1, { tasks: [task('a', 'pending')] }));
    model.apply(10, delta(4, { tasks: [task('a', 'running')] }));
    model.apply(10, delta(9, { tasks: [{ ...task('a', 'failed'), exception: 'ValueError: boom', endedAt: 9 }] }));
    const entity = model.process(10)!.entities.task.get('a')!;
    assert.deepEqual(entity.history, [{ state: 'pending', start: 1, end: 4 }, { state: 'running', start: 4, end: 9 }, { state: 'failed', start: 9, end: 9 }]);
    assert.equal(entity.live, false);

    model.apply(10, delta(10, { threads: [thread('w')] }));
    for (let t = 11; t < 11 + 3 * MAX_INTERVALS_PER_ENTITY; t += 1) model.apply(10, delta(t, { threads: [thread('w', t % 2 ? 'waiting' : 'running')] }));
    const worker = model.process(10)!.entities.thread.get('w')!;
    assert.equal(worker.history.length, MAX_INTERVALS_PER_ENTITY);
    assert.equal(worker.droppedIntervals, 2 * MAX_INTERVALS_PER_ENTITY + 1);
    assert.equal(worker.history.at(-1)?.end, undefined);
  });

  it('ends entities that a delta removes or a snapshot leaves out', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.apply(10, { kind: 'snapshot', seq: 1, t: 1, threads: [thread('main'), thread('w1'), thread('w2')] });
    model.apply(10, delta(2, undefined, { threads: ['w1'] }));
    model.apply(10, { kind: 'snapshot', seq: 3, t: 3, threads: [thread('main')] });
    const threads = model.process(10)!.entities.thread;
    assert.deepEqual([...threads.values()].map((entity) => [entity.info.id, entity.live, entity.history[0]?.end]), [['main', true, undefined], ['w1', false, 2], ['w2', false, 3]]);
    // They read as exited from then on (not as the running or waiting they last were).
    assert.deepEqual([...threads.values()].map((entity) => [entity.info.state, entity.info.endedAt]), [['running', undefined], ['exited', 2], ['exited', 3]]);
  });

  it('lists only the changed keys (and the parent when a child node appears or goes)', () => {
    const model = new RunModel();
    const changes = recordChanges(model);
    model.addProcess(hello(10, 1));
    model.addProcess(hello(11, 10));
    model.apply(10, delta(1, { threads: [thread('main')], tasks: [task('a')] }));
    model.apply(10, delta(2, { tasks: [{ ...task('a'), suspendedAt: { file: '/a.py', line: 3 } }] }));
    model.apply(10, delta(3, { tasks: [task('a', 'done')] }));
    assert.deepEqual(changes.map((change) => [...change.keys].sort()), [
      [processKey(10), runKey].sort(),
      [processKey(11), processKey(10), runKey].sort(),
      [entityKey(10, 'task', 'a'), entityKey(10, 'thread', 'main'), processKey(10), sampledKey(10)].sort(),
      [entityKey(10, 'task', 'a'), sampledKey(10)].sort(),
      [entityKey(10, 'task', 'a'), entityKey(10, 'thread', 'main'), sampledKey(10)].sort(),
    ]);
  });

  it('notes when each process was last sampled, even by a delta that changes nothing', () => {
    const model = new RunModel();
    const changes = recordChanges(model);
    model.addProcess(hello(10, 1));
    model.apply(10, delta(1, { threads: [thread('main')] }));
    model.apply(10, { kind: 'delta', seq: 2, t: 7 });
    assert.equal(model.process(10)?.sampledAt, 7);
    assert.deepEqual([...changes.at(-1)!.keys], [sampledKey(10)]);
    // An out-of-order frame never moves it back; a recording keeps it.
    model.apply(10, delta(5, {}));
    assert.equal(model.process(10)?.sampledAt, 7);
    assert.equal(RunModel.fromRecording(model.toRecording()).process(10)?.sampledAt, 7);
  });

  it('merges an ongoing block with its final report and keeps the longest', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    const stack = [{ file: '/app.py', line: 7, function: 'crunch' }];
    model.apply(10, { kind: 'blocked', seq: 1, t: 1200, loopId: 'l1', threadId: 'main', durationMs: 200, stack, ongoing: true });
    model.apply(10, { kind: 'blocked', seq: 2, t: 1300, loopId: 'l1', threadId: 'main', durationMs: 300, stack: [] });
    model.apply(10, { kind: 'blocked', seq: 3, t: 5150, loopId: 'l1', threadId: 'main', durationMs: 150, stack });
    assert.deepEqual(model.blockedEvents().map((event) => [event.startedAt, event.durationMs, event.stack[0]?.line, event.ongoing]), [[1000, 300, 7, false], [5000, 150, 7, false]]);
    assert.equal(model.summary().longestBlock?.durationMs, 300);
    assert.equal(model.summary().blocks, 2);
  });

  it('ends a block still ongoing when its process ends at that end', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.apply(10, { kind: 'blocked', seq: 1, t: 1200, loopId: 'l1', threadId: 'main', durationMs: 200, stack: [], ongoing: true });
    model.endProcess(10, 16000, { signal: 'SIGTERM' });
    assert.deepEqual(model.blockedEvents().map((event) => [event.startedAt, event.durationMs, event.ongoing]), [[1000, 15000, false]]);
    assert.equal(model.summary().longestBlock?.durationMs, 15000);
  });

  it('sums up the run: tasks created, failed, cancelled; threads; processes', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.addProcess(hello(11, 10));
    model.apply(10, delta(1, { threads: [thread('main'), thread('w')], tasks: [task('a'), task('b'), task('c', 'cancelled')] }));
    model.apply(10, delta(2, { tasks: [task('a', 'failed'), task('b', 'done')] }));
    model.apply(11, delta(2, { threads: [thread('main')] }));
    model.apply(10, { kind: 'exit', seq: 3, t: 3, exitCode: 1 });
    model.endProcess(10, 4);
    const summary = model.summary();
    assert.deepEqual({ ...summary, longestBlock: undefined }, { processes: 2, threads: 3, tasksCreated: 3, tasksFailed: 1, tasksCancelled: 1, blocks: 0, longestBlock: undefined });
    const root = model.process(10)!;
    assert.deepEqual([root.exitCode, root.endedAt, root.connected], [1, 3, false]);
    assert.equal([...root.entities.thread.values()].every((entity) => !entity.live), true);
  });

  it('keeps what observing a process cost, as its probe counted, in the model and in recordings', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.addProcess(hello(11, 10));
    model.apply(10, { kind: 'exit', seq: 1, t: 3, exitCode: 0, probeCpuMs: 31.5, cpuMs: 5060 });
    model.apply(11, { kind: 'exit', seq: 1, t: 3, exitCode: 0 }); // a probe that does not count its own work
    assert.deepEqual(model.process(10)?.probeCost, { probeCpuMs: 31.5, cpuMs: 5060 });
    assert.equal(model.process(11)?.probeCost, undefined);
    const parsed = parseRunRecording(JSON.parse(JSON.stringify(model.toRecording())) as unknown);
    assert.ok(parsed.ok);
    assert.deepEqual(RunModel.fromRecording(parsed.recording).process(10)?.probeCost, { probeCpuMs: 31.5, cpuMs: 5060 });
  });

  it('counts the child processes only their parent reported among the run\'s processes, once', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.addProcess(hello(12, 10));
    // 11: a forked worker that ended within its grace period; 12: probed itself; one without a pid.
    model.apply(10, { kind: 'snapshot', seq: 1, t: 1, children: [
      { id: 'c1', pid: 11, command: 'ForkProcess-1 (multiprocessing)', startedAt: 1, endedAt: 2, exitCode: 0 },
      { id: 'c2', pid: 12, command: 'ForkProcess-2 (multiprocessing)', startedAt: 1 },
      { id: 'c3', command: 'ls', startedAt: 1 },
    ] });
    assert.equal(model.summary().processes, 4);
  });

  it('bounds the ended entities it keeps, oldest first', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    const total = 3 * MAX_ENDED_ENTITIES;
    for (let index = 0; index < total; index += 1) model.apply(10, delta(index, { tasks: [task(`k${index}`, 'done')] }));
    model.apply(10, delta(total, { tasks: [task('live')] }));
    const tasks = model.process(10)!.entities.task;
    assert.ok(tasks.size <= 1.25 * MAX_ENDED_ENTITIES + 1, `${tasks.size}`);
    assert.equal(tasks.has(`k${total - 1}`), true);
    assert.equal(tasks.has('k0'), false);
    assert.equal(tasks.get('live')?.live, true);
    assert.equal(model.summary().tasksCreated, total + 1);
  });

  it('saves and restores the whole run through JSON, and refuses a bad recording', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.addProcess(hello(11, 10));
    model.apply(10, delta(1, { threads: [thread('main')], tasks: [task('a'), task('b', 'cancelled')] }));
    model.apply(10, { kind: 'blocked', seq: 2, t: 500, loopId: 'l1', threadId: 'main', durationMs: 300, stack: [{ file: '/a.py', line: 2 }] });
    model.endProcess(11, 7, { exitCode: 0 });
    model.endProcess(10, 9, { exitCode: 3 });
    model.finish(9, { exitCode: 3 });
    const saved = JSON.parse(JSON.stringify(model.toRecording())) as unknown;
    const parsed = parseRunRecording(saved);
    assert.ok(parsed.ok);
    const restored = RunModel.fromRecording(parsed.recording);
    assert.deepEqual(JSON.parse(JSON.stringify(restored.toRecording())), saved);
    assert.deepEqual(restored.summary(), model.summary());
    assert.equal(restored.childProcesses(10)[0]?.exitCode, 0);
    // It reads as the run did at its end: its exit code, its clock stopped there.
    assert.deepEqual(restored.outcome, { endedAt: 9, exitCode: 3 });
    assert.equal(restored.clock(1e12), 9);

    const broken = parseRunRecording({ ...(saved as object), processes: [{ pid: -1 }] });
    assert.equal(broken.ok, false);
    if (!broken.ok) assert.match(broken.error, /^processes\.0\./);
    assert.equal(parseRunRecording('nope').ok, false);
  });

  it('opens a recording made while the run went on as ending where it was made', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.apply(10, delta(100, { threads: [thread('main'), thread('w', 'waiting')], tasks: [task('a')] }));
    model.apply(10, delta(150, { threads: [thread('main', 'waiting')] }));
    const parsed = parseRunRecording(JSON.parse(JSON.stringify(model.toRecording(2000))));
    assert.ok(parsed.ok);
    const restored = RunModel.fromRecording(parsed.recording);
    assert.deepEqual(restored.outcome, { endedAt: 2000, stillRunning: true });
    const threads = [...restored.process(10)!.entities.thread.values()];
    assert.deepEqual(threads.map((entity) => [entity.info.state, entity.info.endedAt, entity.live]), [['exited', 2000, false], ['exited', 2000, false]]);
    assert.equal(restored.process(10)!.entities.task.get('a')?.info.endedAt, 2000);
    // An older recording that says neither: it ends at the last thing it saw.
    const older = { ...parsed.recording, recordedAt: undefined };
    assert.equal(RunModel.fromRecording(older).outcome?.endedAt, 150);
  });

  it('ends every thread and task of a process with it, at its end time (ages stop there)', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.apply(10, delta(1, { threads: [thread('main'), thread('joined', 'waiting')], tasks: [task('a'), task('b', 'running')], loops: [{ id: 'l1', threadId: 'main', lagMs: 1 }] }));
    model.endProcess(10, 3000); // e.g. kill -9: no final sample, no exit frame
    const record = model.process(10)!;
    for (const entity of record.entities.thread.values()) {
      assert.deepEqual([entity.info.state, entity.info.endedAt, entity.live], ['exited', 3000, false]);
      assert.deepEqual(entity.history.at(-1), { state: 'exited', start: 3000, end: 3000 });
    }
    for (const entity of record.entities.task.values()) assert.deepEqual([entity.info.endedAt, entity.live], [3000, false]);
    assert.equal(record.entities.loop.get('l1')?.live, false);
    assert.equal(record.endedAt, 3000);
  });

  it('takes an exit status from whichever source knows it: the parent that reaped a child, the supervisor', () => {
    const model = new RunModel();
    model.addLaunched({ pid: 10, argv: ['python3', 'app.py'], startedAt: 5 });
    assert.deepEqual(model.rootProcesses().map((record) => [record.pid, record.runtime, record.connected]), [[10, undefined, false]]);
    model.addProcess({ ...hello(10, 1), startedAt: 20 });
    assert.equal(model.processes().length, 1, 'the probe\'s hello fills in the launched process');
    assert.deepEqual([model.process(10)!.runtime?.name, model.process(10)!.startedAt, model.process(10)!.connected], ['python', 5, true]);
    model.addProcess(hello(11, 10));
    model.addProcess(hello(12, 10));
    model.apply(11, { kind: 'exit', seq: 1, t: 40 }); // a pool worker's probe: no exit code of its own
    model.endProcess(11, 41);
    model.apply(10, delta(50, { children: [
      { id: 'c1', pid: 11, command: 'SpawnPoolWorker-1 (multiprocessing)', name: 'SpawnPoolWorker-1', role: 'pool-worker', startedAt: 6, endedAt: 45, exitCode: 0 },
      // The parent reaped this one (SIGTERM from the pool's shutdown) while its probe still had the connection open.
      { id: 'c2', pid: 12, command: 'SpawnPoolWorker-2 (multiprocessing)', name: 'SpawnPoolWorker-2', role: 'pool-worker', startedAt: 6, endedAt: 46, signal: 'SIGTERM' },
    ] }));
    assert.deepEqual([model.process(11)!.exitCode, model.process(11)!.endedAt], [0, 40]);
    assert.deepEqual([model.process(12)!.signal, model.process(12)!.endedAt, model.process(12)!.connected], ['SIGTERM', 46, false]);
    assert.equal(model.describedByParent(12)?.name, 'SpawnPoolWorker-2');
    // The supervisor's waitpid is the last word on the root.
    model.apply(10, { kind: 'exit', seq: 2, t: 60, exitCode: 0 });
    model.endProcess(10, 61, { signal: 'SIGKILL' });
    model.finish(61, { signal: 'SIGKILL' });
    assert.deepEqual([model.process(10)!.signal, model.process(10)!.exitCode], ['SIGKILL', undefined]);
    assert.deepEqual(model.outcome, { endedAt: 61, signal: 'SIGKILL' });
  });

  it('ends, with the run, the child processes nobody probed', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1));
    model.apply(10, delta(1, { children: [{ id: 'c1', pid: 99, command: 'sleep 100', startedAt: 1 }] }));
    model.endProcess(10, 5);
    assert.equal(model.process(10)!.entities.child.get('c1')?.live, true, 'an orphan may go on while the run does');
    model.finish(8);
    const child = model.process(10)!.entities.child.get('c1')!;
    assert.deepEqual([child.live, child.info.endedAt], [false, 8]);
  });

  it('ignores frames of processes it never saw', () => {
    const model = new RunModel();
    const changes = recordChanges(model);
    model.apply(99, delta(1, { threads: [thread('main')] }));
    assert.deepEqual([model.processes().length, changes.length], [0, 0]);
    assert.equal(blocksKey(3), 'p:3/blocked');
  });
});
