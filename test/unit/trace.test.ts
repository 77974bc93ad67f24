import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HelloFrame, type TaskInfo, validateFrame } from '../../src/core/probe/protocol';
import { parseRunRecording } from '../../src/core/runs/recording';
import { RunModel, TRACE_BUCKET_MS } from '../../src/core/runs/runModel';
import { toChromeTrace } from '../../src/core/timeline/chromeTrace';
import { buildTimeline, laneSpans } from '../../src/core/timeline/timelineData';
import { busyAt, busyColumns } from '../../src/core/timeline/viewport';

const hello: HelloFrame = { kind: 'hello', seq: 0, t: 0, token: 'x', protocol: 1, pid: 10, ppid: 1, runtime: { name: 'python', version: '3.12.1' }, argv: ['app.py'], startedAt: 0 };
const task = (id: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({ id, threadId: 'main', loopId: 'l1', name: id, coroutine: 'work', state: 'pending', startedAt: 1000, ...extra });

function tracedModel(inMicroseconds = false): RunModel {
  const model = new RunModel();
  model.addProcess(hello);
  model.apply(10, { kind: 'snapshot', seq: 1, t: 1000, threads: [{ id: 'main', kind: 'main', name: 'MainThread', state: 'running', startedAt: 0 }], tasks: [task('k1')], loops: [{ id: 'l1', threadId: 'main', lagMs: 0 }] });
  // k1 steps twice; k2 (not described yet) steps once; a plain callback runs for 25 ms across buckets.
  model.apply(10, {
    kind: 'trace', seq: 2, t: 1100, loopId: 'l1', threadId: 'main',
    ...(inMicroseconds
      ? { start: [2000, 30_000, 41_000, 60_000], duration: [3000, 5000, 2000, 25_000], microseconds: { since: 1000 } }
      : { start: [1002, 1030, 1041, 1060], duration: [3, 5, 2, 25] }),
    task: ['k1', 'k2', 'k1', ''],
    slow: [{ durationMs: 25, start: 1060, callback: 'Protocol.data_received', location: { file: '/w/app.py', line: 40 } }],
  });
  return model;
}

describe('trace mode in the run model', () => {
  it('validates trace frames: columns of equal length', () => {
    assert.ok(validateFrame({ kind: 'trace', seq: 1, t: 1, loopId: 'l1', threadId: 'main', start: [1], duration: [2], task: ['k1'] }).ok);
    const uneven = validateFrame({ kind: 'trace', seq: 1, t: 1, loopId: 'l1', threadId: 'main', start: [1, 2], duration: [2], task: ['k1'] });
    assert.equal(uneven.ok, false);
  });

  it('makes a traced task\'s history its exact running slices, and replays the slices that came before the task', () => {
    const model = tracedModel();
    const k1 = model.process(10)!.entities.task.get('k1')!;
    assert.deepEqual(k1.history.map((interval) => [interval.state, interval.start, interval.end]), [
      ['pending', 1000, 1002], ['running', 1002, 1005], ['pending', 1005, 1041], ['running', 1041, 1043], ['pending', 1043, undefined],
    ]);
    // A sample's glimpse of pending/running does not add to it ...
    model.apply(10, { kind: 'delta', seq: 3, t: 1150, upsert: { tasks: [task('k1', { state: 'running' })] } });
    assert.equal(k1.history.length, 5);
    // ... and k2, described once it had already ended, gets its slice from before.
    model.apply(10, { kind: 'delta', seq: 4, t: 1200, upsert: { tasks: [task('k2', { startedAt: 1020, state: 'done', endedAt: 1035 })] } });
    const k2 = model.process(10)!.entities.task.get('k2')!;
    assert.deepEqual(k2.history.map((interval) => [interval.state, interval.start, interval.end]), [['pending', 1020, 1030], ['running', 1030, 1035], ['done', 1035, 1035]]);
  });

  it('reads slices in whole microseconds from `since` (the Python probe\'s) as the same slices in ms', () => {
    const histories = [false, true].map((inMicroseconds) => {
      const record = tracedModel(inMicroseconds).process(10)!;
      return { k1: record.entities.task.get('k1')!.history, busy: record.trace.get('l1')!.busyMsTotal };
    });
    assert.deepEqual(histories[1], histories[0]);
    assert.equal(histories[1]!.k1[1]!.start, 1002);
  });

  it('adds each callback\'s time to its loop\'s buckets (split across them) and keeps the slowest callbacks', () => {
    const trace = tracedModel().process(10)!.trace.get('l1')!;
    assert.equal(TRACE_BUCKET_MS, 10);
    assert.deepEqual([...trace.bucketStart], [1000, 1030, 1040, 1060, 1070, 1080]);
    assert.deepEqual([...trace.busyMs], [3, 5, 2, 10, 10, 5]);
    assert.equal(trace.callbacks, 4);
    assert.equal(trace.busyMsTotal, 35);
    assert.deepEqual(trace.slow.map((callback) => callback.callback), ['Protocol.data_received']);
  });

  it('draws a busy strip under the loop\'s thread and lists the slowest callbacks; a recording keeps them', () => {
    const model = tracedModel();
    const timeline = buildTimeline(model, 1200, false);
    const busyLane = timeline.lanes.findIndex((lane) => lane.kind === 'busy');
    assert.equal(timeline.lanes[busyLane - 1]?.kind === 'thread' || timeline.lanes[busyLane - 1]?.kind === 'lag', true);
    const [busy] = timeline.busy;
    assert.equal(busy!.lane, busyLane);
    // Busy buckets 1000, 1030–1040, 1060–1080: a 0 where each run of buckets starts.
    assert.deepEqual([...busy!.time], [1000, 1010, 1030, 1040, 1050, 1060, 1070, 1080, 1090]);
    assert.deepEqual([...busy!.percent], [0, 30, 0, 50, 20, 0, 100, 100, 50]);
    assert.equal(Math.round(busy!.busyPercent), 39); // 35 ms in 90 ms traced
    assert.equal(busyAt(busy!, 1065), 100);
    assert.equal(busyAt(busy!, 1025), 0);
    const columns = busyColumns(busy!, { start: 1000, msPerPx: 10, width: 10, firstLane: 0, laneCount: 10 }, new Float32Array(10));
    assert.deepEqual([...columns], [30, 0, 0, 50, 20, 0, 100, 100, 50, 0]);
    assert.deepEqual(timeline.slowCallbacks.map((callback) => [callback.callback, callback.durationMs, callback.source?.line, timeline.lanes[callback.threadLane]?.label]), [['Protocol.data_received', 25, 40, 'MainThread']]);
    assert.ok(laneSpans(timeline, timeline.lanes.findIndex((lane) => lane.label.startsWith('k1'))).some((span) => span.state === 'running' && span.end - span.start === 3));
    const parsed = parseRunRecording(JSON.parse(JSON.stringify(model.toRecording(1200))));
    assert.ok(parsed.ok);
    assert.deepEqual(RunModel.fromRecording(parsed.recording).process(10)!.trace.get('l1'), model.process(10)!.trace.get('l1'));
    // A Chrome trace has no thread for a strip.
    assert.ok(!toChromeTrace(timeline, model.toRecording(1200)).traceEvents.some((event) => event.ph === 'M' && String(event.args?.name).startsWith('busy')));
  });
});
