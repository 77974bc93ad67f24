import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChildInfo, HelloFrame, LoopInfo, StackFrame, TaskInfo, ThreadInfo, WaitInfo } from '../../src/core/probe/protocol';
import { awaitChildren, awaitRoots, waitedOnBy } from '../../src/core/runs/awaitTree';
import { heldConditions } from '../../src/core/runs/failConditions';
import { PauseLog } from '../../src/core/runs/pauses';
import { parseRunRecording } from '../../src/core/runs/recording';
import { RunModel } from '../../src/core/runs/runModel';
import { diagnose, involvedLines } from '../../src/core/runs/stuck';
import { buildWaitGraph, COROUTINE_RESULT_CALL, SETTLED_MS, taskKey, threadKey, type WithItemsOf } from '../../src/core/runs/waitGraph';
import { itemsEnteredAt, type WithItem, withItemsOf } from '../../src/core/syntax/withBlocks';
import { WithItemFiles } from '../../src/core/syntax/withItemFiles';
import { loader, parse } from './helpers/syntax';

const BANK = `import threading
accounts = threading.Lock()
journal = threading.Lock()

def sync_one():
    with accounts:
        audit()
        with journal:
            pass

def sync_two():
    with journal:
        audit()
        with accounts:
            pass
`;

async function itemsOfSources(sources: Record<string, string>): Promise<WithItemsOf> {
  const byFile = new Map<string, readonly WithItem[]>();
  for (const [file, text] of Object.entries(sources)) {
    const document = await parse('python', text);
    byFile.set(file, withItemsOf(document.tree));
    document.dispose();
  }
  return (file) => byFile.get(file);
}

const hello = (pid: number, ppid = 1, runtime: 'python' | 'node' = 'python'): HelloFrame => ({
  kind: 'hello', seq: 0, t: 0, token: 'x', protocol: 1, pid, ppid, runtime: { name: runtime, version: '3.12.1' }, argv: ['bank.py'], startedAt: 0,
});
const at = (line: number, file = '/w/bank.py', fn = 'f') => ({ file, line, function: fn });
const wait = (kind: WaitInfo['kind'], since: number, extra: Partial<WaitInfo> = {}): WaitInfo => ({ kind, since, ...extra });
const thread = (id: string, extra: Partial<ThreadInfo> = {}): ThreadInfo => ({
  id, kind: id === 'main' ? 'main' : 'thread', name: id === 'main' ? 'MainThread' : id, state: extra.wait ? 'waiting' : 'running', daemon: false, startedAt: 0, ...extra,
});
const task = (id: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({ id, threadId: 'main', loopId: 'l1', name: id, coroutine: id, state: 'pending', startedAt: 0, ...extra });
const idleLoop = (extra: Partial<NonNullable<LoopInfo['wakers']>> = {}): LoopInfo => ({ id: 'l1', threadId: 'main', lagMs: 0, wakers: { timers: 0, readers: 0, writers: 0, signals: 0, ready: 0, ...extra } });

function modelWith(snapshots: { pid: number; ppid?: number; t: number; threads?: ThreadInfo[]; tasks?: TaskInfo[]; loops?: LoopInfo[]; children?: ChildInfo[]; runtime?: 'python' | 'node' }[]): RunModel {
  const model = new RunModel();
  for (const { pid, ppid, t, runtime, ...sets } of snapshots) {
    model.addProcess(hello(pid, ppid, runtime));
    model.apply(pid, { kind: 'snapshot', seq: 1, t, ...sets });
  }
  return model;
}

/** The lock-order inversion of BANK: sync-1 entered `accounts` (line 6) and waits at line 8; sync-2 the other way round. */
function lockOrderThreads(since: number): ThreadInfo[] {
  const objects = { accounts: 'oA', journal: 'oJ' };
  const frame = (line: number, fn: string): StackFrame => ({ ...at(line, '/w/bank.py', fn), objects });
  return [
    thread('main', { wait: wait('join', 0, { threadId: 't1', at: at(20, '/w/bank.py', '<module>') }), stack: [{ ...at(20, '/w/bank.py', '<module>'), objects }] }),
    thread('t1', { name: 'sync-1', wait: wait('lock', since, { object: 'oJ', name: 'journal', type: 'lock', at: at(8, '/w/bank.py', 'sync_one') }), stack: [frame(8, 'sync_one')] }),
    thread('t2', { name: 'sync-2', wait: wait('lock', since, { object: 'oA', name: 'accounts', type: 'lock', at: at(14, '/w/bank.py', 'sync_two') }), stack: [frame(14, 'sync_two')] }),
  ];
}

describe('with items from the syntax tree', () => {
  it('names what each with and async with enters and the lines its body spans', async () => {
    const document = await parse('python', 'async def f(self):\n    async with self.lock as held, (other):\n        with a, b as c:\n            pass\n    done()\n');
    const items = withItemsOf(document.tree);
    document.dispose();
    assert.deepEqual(items.map((item) => [item.expression, item.line, item.bodyStart, item.bodyEnd, item.isAsync]), [
      ['self.lock', 2, 3, 4, true], ['other', 2, 3, 4, true], ['a', 3, 4, 4, false], ['b', 3, 4, 4, false],
    ]);
    assert.deepEqual(itemsEnteredAt(items, 4).map((item) => item.expression), ['self.lock', 'other', 'a', 'b']);
    // At its own header a with is entering, not holding; after its body it holds nothing.
    assert.deepEqual(itemsEnteredAt(items, 3).map((item) => item.expression), ['self.lock', 'other']);
    assert.deepEqual(itemsEnteredAt(items, 5), []);
  });

  it('parses each file once and keeps plain data; an unreadable file has no items', async () => {
    const reads: string[] = [];
    const files = new WithItemFiles(() => Promise.resolve(loader), (file) => {
      reads.push(file);
      return Promise.resolve(file === '/w/bank.py' ? BANK : undefined);
    });
    assert.equal(files.itemsOf('/w/bank.py'), undefined);
    assert.equal(await files.load(['/w/bank.py', '/w/gone.py', '/w/bank.py', '/w/notes.txt']), true);
    assert.equal(await files.load(['/w/bank.py']), false);
    assert.deepEqual(reads, ['/w/bank.py', '/w/gone.py']);
    assert.deepEqual(files.itemsOf('/w/bank.py')!.map((item) => `${item.expression}@${item.line}`), ['accounts@6', 'journal@8', 'journal@12', 'accounts@14']);
    assert.deepEqual(files.itemsOf('/w/gone.py'), []);
  });
});

describe('deadlock diagnosis', () => {
  it('names a lock-order inversion: who holds which lock (the with line) and waits for which', async () => {
    const items = await itemsOfSources({ '/w/bank.py': BANK });
    const model = modelWith([{ pid: 10, t: 5000, threads: lockOrderThreads(3000) }]);
    const [report, ...others] = diagnose(model, items);
    assert.deepEqual(others, []);
    assert.equal(report!.pattern, 'lock-order');
    assert.equal(report!.kind, 'cycle');
    assert.equal(report!.since, 3000);
    const words = report!.steps.map((step) => {
      const reason = step.next!.reason;
      return `${step.waiter.name} waits for ${step.waiter.wait!.name} (line ${step.waiter.wait!.at!.line}); ${step.next!.to.name} holds ${reason.kind === 'holds' ? `${reason.expression} (line ${reason.at.line})` : '?'}`;
    });
    assert.deepEqual(words, [
      'sync-1 waits for journal (line 8); sync-2 holds journal (line 12)',
      'sync-2 waits for accounts (line 14); sync-1 holds accounts (line 6)',
    ]);
    // The main thread joins sync-1: stuck with them.
    assert.deepEqual(report!.alsoWaiting.map((waiter) => waiter.name), ['MainThread']);
    assert.deepEqual(involvedLines(report!).map((line) => `${line.role}:${line.location.line}`), ['waits:8', 'holds:12', 'waits:14', 'holds:6']);
  });

  it('waits a settled second before calling it stuck; without the source it cannot name the cycle, only that nothing can wake the threads', async () => {
    const items = await itemsOfSources({ '/w/bank.py': BANK });
    const fresh = modelWith([{ pid: 10, t: 5000, threads: lockOrderThreads(5000 - SETTLED_MS + 1) }]);
    assert.deepEqual(diagnose(fresh, items), []);
    const unreadSource = modelWith([{ pid: 10, t: 5000, threads: lockOrderThreads(1000) }]);
    assert.deepEqual(diagnose(unreadSource, () => undefined).map((report) => report.pattern), ['no-waker']);
  });

  it('never calls a run a debugger holds paused stuck, and counts a wait only from when it went on', async () => {
    const items = await itemsOfSources({ '/w/bank.py': BANK });
    const model = modelWith([{ pid: 10, t: 5000, threads: lockOrderThreads(3000) }]);
    const pauses = new PauseLog();
    pauses.pause(3500);
    assert.deepEqual(diagnose(model, items, pauses), []);
    assert.deepEqual(diagnose(model, () => undefined, pauses), [], 'nor a stall with no waker');
    pauses.resume(4500);
    assert.equal(pauses.lastResumedAt, 4500);
    assert.deepEqual(diagnose(model, items, pauses), [], 'settled only a second after it went on');
    model.apply(10, { kind: 'delta', seq: 5, t: 4500 + SETTLED_MS });
    assert.deepEqual(diagnose(model, items, pauses).map((report) => report.pattern), ['lock-order']);
  });

  it('does not take a thread waiting in condition.wait() for a holder of the condition it released', async () => {
    const items = await itemsOfSources({ '/w/cond.py': 'import threading\ncond = threading.Condition()\ndef consumer():\n    with cond:\n        cond.wait()\ndef producer():\n    with cond:\n        cond.notify()\n' });
    const objects = { cond: 'oC' };
    const model = modelWith([{ pid: 10, t: 5000, threads: [
      thread('main', { wait: wait('condition', 0, { object: 'oC', at: at(5, '/w/cond.py') }), stack: [{ ...at(5, '/w/cond.py'), objects }] }),
      thread('t1', { wait: wait('lock', 0, { object: 'oC', type: 'Condition', at: at(7, '/w/cond.py') }), stack: [{ ...at(7, '/w/cond.py'), objects }] }),
    ] }]);
    const graph = buildWaitGraph(model, items);
    assert.deepEqual(graph.edgesFrom(threadKey(10, 't1')), []);
    assert.equal(diagnose(model, items).filter((report) => report.kind === 'cycle').length, 0);
  });

  it('a thread entering a plain lock it already holds deadlocks with itself; an RLock does not', async () => {
    const items = await itemsOfSources({ '/w/again.py': 'def f():\n    with lock:\n        with lock:\n            pass\n' });
    const twice = (type: string) => modelWith([{ pid: 10, t: 5000, threads: [
      thread('main', { wait: wait('lock', 0, { object: 'oL', name: 'lock', type, at: at(3, '/w/again.py') }), stack: [{ ...at(3, '/w/again.py'), objects: { lock: 'oL' } }] }),
    ] }]);
    const cycles = (model: RunModel) => diagnose(model, items).filter((report) => report.kind === 'cycle').map((report) => report.pattern);
    assert.deepEqual(cycles(twice('lock')), ['self-lock']);
    assert.deepEqual(cycles(twice('RLock')), []);
  });

  it('finds an RLock cycle from the owners the runtime knows, without the source', () => {
    const model = modelWith([{ pid: 10, t: 5000, threads: [
      thread('t1', { wait: wait('lock', 0, { object: 'oB', type: 'RLock', threadId: 't2' }) }),
      thread('t2', { wait: wait('lock', 0, { object: 'oA', type: 'RLock', threadId: 't1' }) }),
    ] }]);
    assert.deepEqual(diagnose(model, () => undefined).map((report) => [report.pattern, report.steps.map((step) => step.next!.reason.kind)]), [['lock-order', ['owns', 'owns']]]);
  });

  it('finds a thread waiting for a coroutine on its own event loop, and one whose loop thread joins it', () => {
    const result = (threadId: string, line: number) => wait('future', 0, { call: COROUTINE_RESULT_CALL, threadId, at: at(line, '/w/bridge.py') });
    const own = modelWith([{ pid: 10, t: 5000, threads: [thread('main', { wait: result('main', 14) })], loops: [idleLoop({ ready: 1 })], tasks: [task('k1', { name: 'handler', state: 'running' })] }]);
    const [report] = diagnose(own, () => undefined);
    assert.equal(report!.pattern, 'own-loop');
    assert.deepEqual(heldConditions(own, ['deadlock'], { blockedThresholdMs: 100 })[0]!.cases, [
      'own-loop deadlock: MainThread waits for a coroutine on its own event loop, which cannot run while it waits at /w/bridge.py:14',
    ]);
    const joined = modelWith([{ pid: 10, t: 5000, threads: [thread('main', { wait: wait('join', 0, { threadId: 't1', at: at(20, '/w/bridge.py') }) }), thread('t1', { name: 'fetcher', wait: result('main', 9) })] }]);
    assert.deepEqual(heldConditions(joined, ['deadlock'], { blockedThresholdMs: 100 })[0]!.cases, [
      'wait-cycle deadlock: MainThread waits for fetcher at /w/bridge.py:20; fetcher waits for a coroutine on the event loop of MainThread at /w/bridge.py:9',
    ]);
  });

  it('names an await cycle, and the task that gathers them waits with them', () => {
    const model = modelWith([{ pid: 10, t: 5000, threads: [thread('main', { wait: wait('loop-idle', 0) })], loops: [idleLoop()], tasks: [
      task('k1', { name: 'first', wait: wait('task', 100, { taskIds: ['k2'], at: at(4, '/w/cycle.py') }) }),
      task('k2', { name: 'second', wait: wait('task', 100, { taskIds: ['k1'], at: at(7, '/w/cycle.py') }) }),
      task('k3', { name: 'main', wait: wait('gather', 50, { taskIds: ['k1', 'k2'], at: at(12, '/w/cycle.py') }) }),
    ] }]);
    const reports = diagnose(model, () => undefined);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.pattern, 'await-cycle');
    assert.deepEqual(reports[0]!.steps.map((step) => `${step.waiter.name}→${step.next!.to.name}`), ['first→second', 'second→first']);
    assert.deepEqual(reports[0]!.alsoWaiting.map((waiter) => waiter.name), ['main']);
  });

  it('names threads joining each other', () => {
    const model = modelWith([{ pid: 10, t: 9000, threads: [
      thread('main', { wait: wait('join', 0, { threadId: 'a' }) }),
      thread('a', { wait: wait('join', 10, { threadId: 'b' }) }),
      thread('b', { wait: wait('join', 10, { threadId: 'a' }) }),
    ] }]);
    assert.deepEqual(diagnose(model, () => undefined).map((report) => report.pattern), ['join-cycle']);
  });

  it('finds a process joined before the queue it writes to is drained, across processes', () => {
    const model = modelWith([
      { pid: 10, t: 5000, threads: [thread('main', { wait: wait('process-join', 0, { pid: 11, at: at(9, '/w/drain.py', '<module>') }) })], children: [{ id: 'c1', pid: 11, command: 'producer', name: 'producer', startedAt: 0 }] },
      { pid: 11, ppid: 10, t: 5000, threads: [
        thread('main', { wait: wait('join', 0, { threadId: 't1', call: 'multiprocessing.Queue.join_thread' }) }),
        thread('t1', { name: 'QueueFeederThread', daemon: true, wait: wait('pipe-send', 0) }),
      ] },
    ]);
    const [report] = diagnose(model, () => undefined);
    assert.equal(report!.pattern, 'join-before-drain');
    // The parent waits for the producer to exit; its main thread waits for the queue's feeder, which
    // waits for someone to read the pipe: only the parent, which waits for the producer.
    assert.deepEqual(report!.steps.map((step) => `${step.waiter.pid}:${step.waiter.name} ${step.next!.reason.kind}`), [
      '10:MainThread exits', '11:producer main-thread', '11:MainThread joins', '11:QueueFeederThread reads', '10:bank.py main-thread',
    ]);
    assert.deepEqual(new Set(report!.steps.map((step) => step.next!.reason.kind)), new Set(['exits', 'main-thread', 'joins', 'reads']));
  });

  it('finds a parent waiting for a child whose full pipe it never reads, though no probe sees the child', () => {
    const model = modelWith([{ pid: 10, t: 5000, threads: [thread('main', { wait: wait('subprocess', 0, { pid: 77, pipeFull: true, call: 'Popen.wait', at: at(3, '/w/chatty.py') }) })], children: [{ id: 'c1', pid: 77, command: 'yes', startedAt: 0 }] }]);
    const [report] = diagnose(model, () => undefined);
    assert.equal(report!.pattern, 'full-pipe');
    assert.deepEqual(report!.steps.map((step) => [step.waiter.name, step.next!.reason.kind]), [['MainThread', 'exits'], ['yes', 'full-pipe']]);
  });

  it('finds a parent blocked writing a child\'s input while the child is blocked on its full output, also once the run is stopped', () => {
    const model = modelWith([{ pid: 10, t: 5000, threads: [thread('main', { wait: wait('subprocess', 0, { pid: 77, pipeFull: true, call: 'Popen.stdin.write', name: 'proc.stdin', at: at(6, '/w/feed.py') }) })], children: [{ id: 'c1', pid: 77, command: 'cat', startedAt: 0 }] }]);
    model.apply(10, { kind: 'delta', seq: 2, t: 5300, upsert: { children: [{ id: 'c1', pid: 77, command: 'cat', startedAt: 0, endedAt: 5310 }] } });
    model.finish(5310, { signal: 'SIGTERM' });
    assert.deepEqual(heldConditions(model, ['deadlock'], { blockedThresholdMs: 100 })[0]!.cases, [
      'full-pipe deadlock: MainThread waits for cat (blocked in Popen.stdin.write) at /w/feed.py:6; cat waits for MainThread to read the full pipe it writes to',
    ]);
  });

  describe('when everything waits and nothing can wake it', () => {
    const stalled = (overrides: { threads?: ThreadInfo[]; tasks?: TaskInfo[]; loops?: LoopInfo[]; children?: ChildInfo[] } = {}) => modelWith([{
      pid: 10, t: 5000,
      threads: overrides.threads ?? [thread('main', { wait: wait('loop-idle', 0) }), thread('t1', { name: 'worker', wait: wait('queue-get', 0, { object: 'oQ' }) })],
      tasks: overrides.tasks ?? [task('k1', { name: 'main', wait: wait('event', 0, { object: 'oE', at: at(5, '/w/app.py') }) })],
      loops: overrides.loops ?? [idleLoop()],
      children: overrides.children ?? [],
    }]);

    it('says so, naming every waiter', () => {
      const [report] = diagnose(stalled(), () => undefined);
      assert.equal(report!.kind, 'no-waker');
      assert.deepEqual(report!.steps.map((step) => step.waiter.name).sort(), ['MainThread', 'main', 'worker']);
    });

    it('is not stuck when anything can still wake it: a timer, a socket, a sleep, a timeout, a child no probe sees, a running thread', () => {
      const wakers = {
        'a timer': stalled({ loops: [idleLoop({ timers: 1 })] }),
        'a watched socket': stalled({ loops: [idleLoop({ readers: 1 })] }),
        'a signal handler': stalled({ loops: [idleLoop({ signals: 1 })] }),
        'a sleeping thread': stalled({ threads: [thread('main', { wait: wait('loop-idle', 0) }), thread('t1', { wait: wait('sleep', 0, { until: 99_000 }) })] }),
        'a wait with a timeout': stalled({ threads: [thread('main', { wait: wait('loop-idle', 0) }), thread('t1', { wait: wait('queue-get', 0, { timed: true }) })] }),
        'an idle server': stalled({ threads: [thread('main', { wait: wait('socket', 0) })], tasks: [], loops: [] }),
        'a pool waiting for work while the program reads input': stalled({ threads: [thread('main', { wait: wait('input', 0) }), thread('t1', { wait: wait('pool-idle', 0) })], tasks: [], loops: [] }),
        'a running thread': stalled({ threads: [thread('main', { wait: wait('loop-idle', 0) }), thread('t1')] }),
        'a child process no probe sees': stalled({ children: [{ id: 'c1', pid: 99, command: 'sleep 60', startedAt: 0 }] }),
        'a waiter not settled yet': stalled({ threads: [thread('main', { wait: wait('loop-idle', 4500) }), thread('t1', { wait: wait('queue-get', 0) })] }),
        'an unknown kind of wait': stalled({ threads: [thread('main', { wait: wait('other', 0) })], tasks: [], loops: [] }),
        'a thread waiting for a signal while another waits on it': stalled({ threads: [thread('main', { wait: wait('other', 0, { call: 'signal.pause' }) }), thread('t1', { wait: wait('event', 0, { object: 'oE' }) })], tasks: [], loops: [] }),
      };
      for (const [what, model] of Object.entries(wakers)) assert.deepEqual(diagnose(model, () => undefined), [], what);
    });

    describe('in a Node.js process', () => {
      const worker = (n: number, extra: Partial<WaitInfo> = {}): ThreadInfo => thread(`worker-${n}`, { kind: 'worker', name: `Worker ${n}`, wait: wait('atomics', 0, { call: 'Atomics.wait', at: at(6, '/w/turns.js', 'waitForTurn'), ...extra }) });
      const nodeLoop = (keptAliveBy: NonNullable<LoopInfo['keptAliveBy']>, extra: Partial<LoopInfo> = {}): LoopInfo => ({ id: 'loop-main', threadId: 'main', lagMs: 0, idleSince: 1000, keptAliveBy, ...extra });
      const workersOnly = [{ kind: 'worker' as const, threadId: 'worker-1' }, { kind: 'worker' as const, threadId: 'worker-2' }];
      const nodeRun = (threads: ThreadInfo[], loop: LoopInfo) => modelWith([{ pid: 10, t: 5000, runtime: 'node', threads: [thread('main', { state: 'waiting' }), ...threads], loops: [loop] }]);

      it('says so when nothing keeps it alive but Workers parked in Atomics.wait with no timeout, the main thread\'s loop first', () => {
        const [report] = diagnose(nodeRun([worker(1), worker(2)], nodeLoop(workersOnly)), () => undefined);
        assert.equal(report?.pattern, 'no-waker');
        assert.deepEqual(report.steps.map((step) => [step.waiter.id, step.waiter.wait?.kind]), [['main', 'loop-idle'], ['worker-1', 'atomics'], ['worker-2', 'atomics']]);
      });

      it('says so when it ended in a top-level await nothing could settle (exit code 13), and only once it ended', () => {
        const model = modelWith([{ pid: 10, t: 5000, runtime: 'node', threads: [thread('main', { wait: wait('top-level-await', 4990) })] }]);
        assert.deepEqual(diagnose(model, () => undefined), []);
        model.endProcess(10, 5010, { exitCode: 13 });
        model.finish(5010, { exitCode: 13 });
        const [report] = diagnose(model, () => undefined);
        assert.deepEqual(report?.steps.map((step) => [step.waiter.id, step.waiter.wait?.kind]), [['main', 'top-level-await']]);
        assert.deepEqual(heldConditions(model, ['deadlock'], { blockedThresholdMs: 100 })[0]?.cases, [
          'stuck, nothing can wake it: MainThread waits for a promise it awaited at the top level of its module, which nothing could settle (Node.js ended it with exit code 13)',
        ]);
      });

      it('is not stuck when anything can wake a Worker: a timeout, a running or idle Worker, a timer, a server, a request in flight, a loop not idle yet', () => {
        const cases = {
          'a wait with a timeout': nodeRun([worker(1), worker(2, { timed: true })], nodeLoop(workersOnly)),
          'a Worker on its own loop': nodeRun([worker(1), thread('worker-2', { kind: 'worker', state: 'waiting' })], nodeLoop(workersOnly)),
          'a wait not settled yet': nodeRun([worker(1), worker(2, { since: 4500 })], nodeLoop(workersOnly)),
          'a timer of the main thread': nodeRun([worker(1), worker(2)], nodeLoop([...workersOnly, { kind: 'timer', delayMs: 60_000 }])),
          'a server': nodeRun([worker(1), worker(2)], nodeLoop([...workersOnly, { kind: 'server', address: '127.0.0.1:80' }])),
          'a file read in flight': nodeRun([worker(1), worker(2)], nodeLoop(workersOnly, { resources: { FSReqCallback: 1 } })),
          'a loop that has not been idle long (no keptAliveBy)': nodeRun([worker(1), worker(2)], { id: 'loop-main', threadId: 'main', lagMs: 0 }),
        };
        for (const [what, model] of Object.entries(cases)) assert.deepEqual(diagnose(model, () => undefined), [], what);
      });
    });

    it('judges a Node.js process of the run as able to wake the rest', () => {
      const model = stalled();
      model.addProcess(hello(20, 10, 'node'));
      assert.deepEqual(diagnose(model, () => undefined), []);
    });
  });

  it('still says a run was stuck after it was stopped, and a recording keeps it', async () => {
    const items = await itemsOfSources({ '/w/bank.py': BANK });
    const model = modelWith([{ pid: 10, t: 5000, threads: lockOrderThreads(3000) }]);
    model.endProcess(10, 6000, { signal: 'SIGTERM' });
    model.finish(6000, { signal: 'SIGTERM' });
    assert.deepEqual(diagnose(model, items).map((report) => report.pattern), ['lock-order']);
    const parsed = parseRunRecording(JSON.parse(JSON.stringify(model.toRecording())));
    assert.ok(parsed.ok);
    assert.deepEqual(diagnose(RunModel.fromRecording(parsed.recording), items).map((report) => report.pattern), ['lock-order']);
  });

  it('a thread that ended on its own before the last sample does not take part', async () => {
    const items = await itemsOfSources({ '/w/bank.py': BANK });
    const model = modelWith([{ pid: 10, t: 5000, threads: lockOrderThreads(3000) }]);
    model.apply(10, { kind: 'delta', seq: 2, t: 5200, upsert: { threads: [{ ...thread('t2', { name: 'sync-2' }), state: 'exited', endedAt: 5100 }] } });
    model.apply(10, { kind: 'delta', seq: 3, t: 5400 });
    assert.deepEqual(diagnose(model, items).filter((report) => report.kind === 'cycle'), []);
  });
});

describe('the await tree', () => {
  it('has the tasks nobody awaits as roots and what each awaits as children; a cycle shows from its first member', () => {
    const model = modelWith([{ pid: 10, t: 5000, threads: [thread('main', { wait: wait('loop-idle', 0) })], loops: [idleLoop({ timers: 1 })], tasks: [
      task('k1', { name: 'main', wait: wait('gather', 0, { taskIds: ['k2', 'k3'] }) }),
      task('k2', { name: 'fetch-1', wait: wait('sleep', 0, { until: 9000 }) }),
      task('k3', { name: 'fetch-2', wait: wait('task', 0, { taskIds: ['k4'] }) }),
      task('k4', { name: 'parse', wait: wait('queue-get', 0) }),
      task('k5', { name: 'ping', wait: wait('task', 0, { taskIds: ['k6'] }) }),
      task('k6', { name: 'pong', wait: wait('task', 0, { taskIds: ['k5'] }) }),
    ] }]);
    const graph = buildWaitGraph(model, () => undefined);
    const roots = awaitRoots(graph, 10);
    assert.deepEqual(roots.map((root) => root.name), ['main', 'ping', 'MainThread']);
    const main = roots[0]!;
    assert.deepEqual(awaitChildren(graph, main, []).map((child) => child.waiter.name), ['fetch-1', 'fetch-2']);
    const fetch2 = awaitChildren(graph, main, [])[1]!.waiter;
    assert.deepEqual(awaitChildren(graph, fetch2, [main.key]).map((child) => [child.waiter.name, child.reason.kind, child.cycle]), [['parse', 'awaits', false]]);
    const ping = roots[1]!;
    const pong = awaitChildren(graph, ping, [])[0]!;
    assert.deepEqual(awaitChildren(graph, pong.waiter, [ping.key]).map((child) => [child.waiter.name, child.cycle]), [['ping', true]]);
    assert.deepEqual(waitedOnBy(graph, taskKey(10, 'k4')).map((waiter) => waiter.name), ['fetch-2']);
  });
});
