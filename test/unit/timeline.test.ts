import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HelloFrame, ProbeFrame } from '../../src/core/probe/protocol';
import { MAX_LAG_SAMPLES, RunModel } from '../../src/core/runs/runModel';
import { readRecording, toChromeTrace, type TraceEvent } from '../../src/core/timeline/chromeTrace';
import { TIMELINE_STATES, buildTimeline, laneSpans, type TimelineData, type TimelineSpan } from '../../src/core/timeline/timelineData';
import {
  blockColumns, END_CAP_PX, fitViewport, formatDuration, lagAt, lagColumns, markAt, panViewport, shownRunRange, spanAt, tickStepMs, visibleSpanRects, zoomViewport, type Viewport,
} from '../../src/core/timeline/viewport';
import { parseTimelineWebviewState, parseToTimeline, timelineRunKey, ToTimelineType } from '../../src/shared/timelineProtocol';
import { parseSavedRun } from '../../src/core/runs/recording';

const T0 = 1_700_000_000_000;

const hello = (pid: number, ppid: number, script: string): HelloFrame => ({
  kind: 'hello', seq: 0, t: T0, token: 'x', protocol: 1, pid, ppid, runtime: { name: 'node', version: '20.0.0' }, argv: ['/usr/bin/node', `/work/${script}`], startedAt: T0,
});

/** A Node program (pid 10) with a worker, a forked probed child (11), a failing shell child, a blocked loop. */
function nodeRun(): RunModel {
  const model = new RunModel();
  model.addProcess(hello(10, 1, 'app.js'));
  const frames: ProbeFrame[] = [
    { kind: 'snapshot', seq: 1, t: T0 + 1, threads: [{ id: 'main', kind: 'main', name: 'main', state: 'running', startedAt: T0 }], loops: [{ id: 'loop-main', threadId: 'main', lagMs: 0 }] },
    { kind: 'delta', seq: 2, t: T0 + 10, upsert: {
      threads: [{ id: 'worker-1', kind: 'worker', name: 'Worker 1', state: 'running', startedAt: T0 + 10 }],
      children: [{ id: 'child-1', pid: 11, command: 'node child.js', startedAt: T0 + 10 }, { id: 'child-2', pid: 12, command: 'sh -c exit 4', startedAt: T0 + 12 }],
    } },
    { kind: 'delta', seq: 3, t: T0 + 50, upsert: { threads: [{ id: 'main', kind: 'main', name: 'main', state: 'waiting', startedAt: T0 }] } },
    { kind: 'blocked', seq: 4, t: T0 + 400, loopId: 'loop-main', threadId: 'main', durationMs: 300, stack: [
      { file: 'node:internal/timers', line: 1, function: 'processTimers' }, { file: '/work/app.js', line: 7, function: 'blockTheLoop' },
    ] },
    { kind: 'delta', seq: 5, t: T0 + 500, upsert: {
      threads: [{ id: 'worker-1', kind: 'worker', name: 'Worker 1', state: 'exited', startedAt: T0 + 10, endedAt: T0 + 500, exitCode: 1 }],
      children: [{ id: 'child-2', pid: 12, command: 'sh -c exit 4', startedAt: T0 + 12, endedAt: T0 + 20, exitCode: 4 }],
    } },
    { kind: 'exit', seq: 6, t: T0 + 900, exitCode: 0 },
  ];
  for (const frame of frames) model.apply(10, frame);
  model.addProcess({ ...hello(11, 10, 'child.js'), startedAt: T0 + 20 });
  model.apply(11, { kind: 'snapshot', seq: 1, t: T0 + 21, threads: [{ id: 'main', kind: 'main', name: 'main', state: 'running', startedAt: T0 + 20 }] });
  model.endProcess(11, T0 + 300, { exitCode: 5 });
  model.endProcess(10, T0 + 900);
  model.finish(T0 + 900, { exitCode: 0 });
  return model;
}

function spansOf(data: TimelineData, laneLabel: string): TimelineSpan[] {
  const lane = data.lanes.findIndex((candidate) => candidate.label === laneLabel);
  assert.ok(lane >= 0, `lane ${laneLabel} in ${data.lanes.map((l) => l.label).join(', ')}`);
  return laneSpans(data, lane);
}

/** The rectangles `visibleSpanRects` fills, as [lane, x, width, state] tuples. */
function rectList(data: TimelineData, view: Viewport): [number, number, number, string][] {
  const rects = visibleSpanRects(data, view);
  return Array.from({ length: rects.count }, (_, index) => [rects.lane[index]!, rects.x[index]!, rects.width[index]!, TIMELINE_STATES[rects.state[index]!]!]);
}

describe('timeline data', () => {
  it('lays out processes in tree order with their threads, workers and unprobed children', () => {
    const data = buildTimeline(nodeRun(), T0 + 1000, false);
    assert.deepEqual(data.lanes.map((lane) => [lane.kind, lane.depth, lane.label]), [
      ['process', 0, 'app.js (10)'],
      ['thread', 1, 'main'],
      ['lag', 2, 'main'],
      ['worker', 1, 'Worker 1'],
      ['child', 1, 'sh -c exit 4 (12)'],
      ['process', 0, 'child.js (11)'],
      ['thread', 1, 'main'],
    ]);
    assert.equal(data.start, T0);
    assert.equal(data.end, T0 + 900);
  });

  it('turns state histories into spans, with failed exits and exit codes coloured as failed', () => {
    const data = buildTimeline(nodeRun(), T0 + 1000, false);
    // The main thread ends with its process (an instant `exited`, drawn as done).
    assert.deepEqual(spansOf(data, 'main').map(({ state, start, end }) => [state, start - T0, end - T0]), [['running', 0, 50], ['waiting', 50, 900], ['done', 900, 900]]);
    assert.deepEqual(spansOf(data, 'Worker 1').map((span) => span.state), ['running', 'failed']);
    assert.deepEqual(spansOf(data, 'sh -c exit 4 (12)').map((span) => span.state), ['running', 'failed']);
    assert.deepEqual(spansOf(data, 'child.js (11)').map((span) => span.state), ['running', 'failed']);
    assert.deepEqual(spansOf(data, 'app.js (10)').map((span) => span.state), ['running', 'done']);
    const { laneStart, start, end } = data.spans;
    assert.equal(laneStart.length, data.lanes.length + 1);
    assert.equal(laneStart[data.lanes.length], start.length);
    for (let lane = 0; lane < data.lanes.length; lane += 1) {
      for (let index = laneStart[lane]! + 1; index < laneStart[lane + 1]!; index += 1) assert.ok(end[index - 1]! <= start[index]!, 'in order, no overlap');
    }
  });

  it('marks a blocked loop on its thread at the program’s own frame', () => {
    const data = buildTimeline(nodeRun(), T0 + 1000, false);
    assert.equal(data.marks.length, 1);
    const mark = data.marks[0]!;
    assert.equal(data.lanes[mark.lane]?.label, 'main');
    assert.equal(data.lanes[mark.lane]?.pid, 10);
    assert.deepEqual({ time: mark.time - T0, durationMs: mark.durationMs, source: mark.source, fn: mark.functionName }, { time: 100, durationMs: 300, source: { file: '/work/app.js', line: 7 }, fn: 'blockTheLoop' });
  });

  it('marks a Python thread\'s GIL hold as such, in the timeline, the Chrome trace and a recording', () => {
    const model = new RunModel();
    model.addProcess(hello(20, 1, 'app.py'));
    model.apply(20, { kind: 'snapshot', seq: 1, t: T0, threads: [{ id: 'main', kind: 'main', name: 'MainThread', state: 'running', startedAt: T0 }] });
    model.apply(20, { kind: 'blocked', seq: 2, t: T0 + 4500, loopId: 'gil:main', threadId: 'main', durationMs: 4200, gil: true, stack: [{ file: '/work/app.py', line: 12, function: 'backtrack' }] });
    const data = buildTimeline(model, T0 + 5000, false);
    assert.deepEqual(data.marks.map((mark) => [data.lanes[mark.lane]?.label, mark.gil, mark.source?.line]), [['MainThread', true, 12]]);
    const held = toChromeTrace(data, model.toRecording()).traceEvents.find((event) => event.ph === 'i');
    assert.equal(held?.name, 'GIL held');
    const read = readRecording(JSON.stringify(model.toRecording()));
    assert.ok(read.ok);
    assert.equal(RunModel.fromRecording(read.recording).blockedEvents()[0]?.gil, true);
  });

  it('ends the open spans of a live run at “now”', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1, 'app.js'));
    model.apply(10, { kind: 'snapshot', seq: 1, t: T0, tasks: [{ id: 't1', threadId: 'main', loopId: 'l', name: 'Task-1', coroutine: 'fetch', state: 'pending', startedAt: T0 }] });
    const data = buildTimeline(model, T0 + 250, true);
    assert.equal(data.live, true);
    assert.deepEqual(spansOf(data, 'Task-1 · fetch').map(({ state, end }) => [state, end - T0]), [['waiting', 250]]);
  });
});

/** One lane with `count` back-to-back 1 ms spans alternating running / waiting. */
function denseTimeline(count: number): TimelineData {
  const running = TIMELINE_STATES.indexOf('running');
  const waiting = TIMELINE_STATES.indexOf('waiting');
  const spans = {
    laneStart: Uint32Array.of(0, count),
    start: Float64Array.from({ length: count }, (_, index) => index),
    end: Float64Array.from({ length: count }, (_, index) => index + 1),
    state: Uint8Array.from({ length: count }, (_, index) => (index % 2 ? waiting : running)),
  };
  return { start: 0, end: count, live: false, lanes: [{ id: 'l', kind: 'thread', depth: 1, pid: 1, label: 'main' }], spans, marks: [], lags: [], busy: [], slowCallbacks: [] };
}

describe('timeline viewport', () => {
  it('draws at most one rectangle per pixel column, however many spans there are', () => {
    const data = denseTimeline(100_000);
    const view: Viewport = { ...fitViewport(data, 800, 10), start: 0, msPerPx: 125 };
    const rects = rectList(data, view);
    assert.ok(rects.length <= 800 && rects.length >= 790, `${rects.length} rects`);
    for (let index = 1; index < rects.length; index += 1) assert.ok(rects[index]![1] >= rects[index - 1]![1] + rects[index - 1]![2]);
  });

  it('draws only spans inside the window, at their pixel positions', () => {
    const data = denseTimeline(1000);
    const rects = rectList(data, { start: 500, msPerPx: 0.5, width: 10, firstLane: 0, laneCount: 1 });
    assert.deepEqual(rects, [[0, 0, 2, 'running'], [0, 2, 2, 'waiting'], [0, 4, 2, 'running'], [0, 6, 2, 'waiting'], [0, 8, 2, 'running']]);
  });

  it('draws how a lane ended over the end of its last span, so a failed task shows as failed', () => {
    const model = new RunModel();
    model.addProcess(hello(10, 1, 'app.py'));
    const failing = { id: 't1', threadId: 'main', loopId: 'l', name: 'Task-1', coroutine: 'fetch', state: 'pending' as const, startedAt: T0 };
    model.apply(10, { kind: 'snapshot', seq: 1, t: T0, threads: [{ id: 'main', kind: 'main', name: 'main', state: 'running', startedAt: T0 }], tasks: [failing] });
    model.apply(10, { kind: 'delta', seq: 2, t: T0 + 100, upsert: { tasks: [{ ...failing, state: 'failed', endedAt: T0 + 100, exception: 'ValueError: bad input', raisedAt: { file: '/w/app.py', line: 12 } }] } });
    const data = buildTimeline(model, T0 + 100, true);
    const lane = data.lanes.findIndex((candidate) => candidate.label === 'Task-1 · fetch');
    assert.deepEqual([data.lanes[lane]?.detail, data.lanes[lane]?.source], ['ValueError: bad input', { file: '/w/app.py', line: 12 }]);
    const rects = rectList(data, { start: T0, msPerPx: 10, width: 10, firstLane: lane, laneCount: 1 }).filter(([rectLane]) => rectLane === lane);
    assert.deepEqual(rects, [[lane, 0, 10, 'waiting'], [lane, 10 - END_CAP_PX, END_CAP_PX, 'failed']]);
  });

  it('labels the shown part of the run within the run: the fitted padding and panning past either end are not time of the run', () => {
    const data = { ...denseTimeline(10), start: 1000, end: 1010 };
    const fitted = fitViewport(data, 100, 1);
    assert.ok(fitted.start < data.start, 'the fitted view pads before the start');
    assert.deepEqual(shownRunRange(data, fitted), { from: 0, to: 10 });
    assert.deepEqual(shownRunRange(data, { ...fitted, start: 1004, msPerPx: 0.01 }), { from: 4, to: 5 });
    assert.deepEqual(shownRunRange(data, { ...fitted, start: 900, msPerPx: 0.5 }), { from: 0, to: 0 });
  });

  it('reuses one rectangle buffer, growing it when the view needs more', () => {
    const data = denseTimeline(100_000);
    const view: Viewport = { start: 0, msPerPx: 1, width: 10_000, firstLane: 0, laneCount: 1 };
    const small = visibleSpanRects(data, { ...view, width: 10 });
    assert.equal(visibleSpanRects(data, view, small), small);
    assert.equal(small.count, 10_000);
    assert.deepEqual([small.x[9999], small.width[9999]], [9999, 1]);
  });

  it('zooms around the anchor, pans, and clamps the lane scroll', () => {
    const view: Viewport = { start: 1000, msPerPx: 10, width: 500, firstLane: 0, laneCount: 5 };
    const zoomed = zoomViewport(view, 2, 100);
    assert.equal(zoomed.msPerPx, 5);
    assert.equal(zoomed.start + 100 * zoomed.msPerPx, view.start + 100 * view.msPerPx, 'the time under the cursor stays');
    assert.equal(panViewport(view, 10, 0, 20).start, 1100);
    assert.equal(panViewport(view, 0, 100, 20).firstLane, 15);
    assert.equal(panViewport(view, 0, -3, 20).firstLane, 0);
  });

  it('hit-tests spans and blocked marks', () => {
    const data: TimelineData = { ...denseTimeline(10), marks: [{ lane: 0, time: 5, durationMs: 2 }] };
    const view: Viewport = { start: 0, msPerPx: 0.1, width: 100, firstLane: 0, laneCount: 1 };
    assert.equal(spanAt(data, view, 0, 35)?.start, 3);
    assert.equal(spanAt(data, view, 1, 35), undefined);
    assert.equal(markAt(data, view, 0, 60)?.time, 5);
    assert.equal(markAt(data, view, 0, 20), undefined);
  });

  it('picks round tick steps and readable durations', () => {
    assert.equal(tickStepMs(1, 80), 100);
    assert.equal(tickStepMs(0.3, 80), 50);
    assert.deepEqual([formatDuration(0), formatDuration(0.012), formatDuration(250), formatDuration(1500), formatDuration(90_000)], ['0', '12 µs', '250 ms', '1.50 s', '1.5 min']);
  });
});

describe('Chrome trace export', () => {
  const model = nodeRun();
  const data = buildTimeline(model, T0 + 1000, false);
  const trace = toChromeTrace(data, model.toRecording());

  it('writes valid Trace Event Format: X spans, i blocked marks, C lag counters, M names; pid per process, tid per lane', () => {
    const events = (JSON.parse(JSON.stringify(trace)) as { traceEvents: TraceEvent[] }).traceEvents;
    for (const event of events) {
      assert.ok(['X', 'i', 'C', 'M'].includes(event.ph), event.ph);
      if (event.ph === 'C') assert.equal(typeof event.args?.ms, 'number');
      assert.ok(Number.isInteger(event.pid) && Number.isInteger(event.tid) && Number.isInteger(event.ts) && event.ts >= 0, JSON.stringify(event));
      if (event.ph === 'X') assert.ok(Number.isInteger(event.dur) && event.dur! >= 0);
      if (event.ph === 'i') assert.equal(event.s, 't');
    }
    const spans = events.filter((event) => event.ph === 'X');
    assert.equal(spans.length, data.spans.start.length);
    const names = events.filter((event) => event.name === 'thread_name').map((event) => [event.pid, event.tid, event.args?.name]);
    assert.deepEqual(names, [
      [10, 0, 'app.js (10) — process'], [10, 1, 'thread: main'], [10, 2, 'worker: Worker 1'], [10, 3, 'child: sh -c exit 4 (12)'],
      [11, 0, 'child.js (11) — process'], [11, 1, 'thread: main'],
    ]);
    const blocked = events.find((event) => event.ph === 'i');
    assert.deepEqual([blocked?.pid, blocked?.tid, blocked?.ts, blocked?.args?.at], [10, 1, 100_000, '/work/app.js:7']);
    const waiting = spans.find((event) => event.name === 'waiting' && event.pid === 10 && event.tid === 1);
    assert.deepEqual([waiting?.ts, waiting?.dur], [50_000, 850_000]);
  });

  it('round-trips through Open Recording: the same run, the same timeline', () => {
    const read = readRecording(JSON.stringify(trace));
    assert.ok(read.ok, read.ok ? '' : read.detail);
    const restored = RunModel.fromRecording(read.recording);
    const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    assert.deepEqual(json(restored.toRecording()), json(model.toRecording()));
    assert.deepEqual(buildTimeline(restored, T0 + 1000, false), data);
    assert.deepEqual(readRecording(JSON.stringify(model.toRecording())).ok, true, 'a bare recording opens too');
  });

  it('explains what is wrong with a file it cannot open', () => {
    const notJson = readRecording('{oops');
    const foreign = readRecording(JSON.stringify({ traceEvents: [] }));
    const broken = readRecording(JSON.stringify({ ...trace, otherData: { recording: { format: 'concurrency-lens-run', version: 1 } } }));
    const newer = readRecording(JSON.stringify({ format: 'concurrency-lens-run', version: 99 }));
    const array = readRecording('[1, 2]');
    const settings = readRecording(JSON.stringify({ 'editor.fontSize': 12 }));
    assert.deepEqual([notJson, foreign, broken, newer, array, settings].map((result) => (result.ok ? 'ok' : result.reason)), ['not-json', 'foreign-trace', 'damaged', 'newer-version', 'not-a-recording', 'not-a-recording']);
    // The detail (for the log) names what is wrong.
    assert.ok(!broken.ok && broken.detail.includes('processes'));
  });
});

describe('timeline protocol, webview side', () => {
  const data = buildTimeline(nodeRun(), T0 + 1000, false);
  const message = { type: ToTimelineType.Data, title: 'app.js', data };

  it('accepts the host’s data message as it arrives (typed columns, structured-cloned)', () => {
    assert.equal(parseToTimeline(structuredClone(message))?.type, ToTimelineType.Data);
    assert.equal(parseToTimeline({ type: ToTimelineType.Data, title: '' })?.type, ToTimelineType.Data, 'no run');
  });

  it('rejects data the renderer would misread', () => {
    const broken = (spans: Partial<TimelineData['spans']>): unknown => ({ ...message, data: { ...data, spans: { ...data.spans, ...spans } } });
    assert.equal(parseToTimeline(JSON.parse(JSON.stringify(message))), undefined, 'columns turned into plain objects');
    assert.equal(parseToTimeline(broken({ end: data.spans.end.subarray(1) })), undefined, 'columns of different lengths');
    assert.equal(parseToTimeline(broken({ laneStart: Uint32Array.of(0) })), undefined, 'lane ranges missing');
    assert.equal(parseToTimeline(broken({ state: new Uint8Array(data.spans.state.length).fill(TIMELINE_STATES.length) })), undefined, 'unknown state');
    assert.equal(parseToTimeline({ ...message, data: { ...data, marks: [{ lane: 99, time: 0, durationMs: 1 }] } }), undefined, 'mark on no lane');
    assert.equal(parseToTimeline({ ...message, data: { ...data, lanes: [{ ...data.lanes[0], kind: 'html' }, ...data.lanes.slice(1)] } }), undefined, 'unknown lane kind');
  });
});

/** A Python run (pid 20) whose loop on MainThread reports a lag every 100 ms: 1, 2, … 20 ms, with one 250 ms spike. */
function laggyRun(blockedThresholdMs?: number): RunModel {
  const model = new RunModel(blockedThresholdMs === undefined ? {} : { blockedThresholdMs });
  model.addProcess({ ...hello(20, 1, 'app.py'), runtime: { name: 'python', version: '3.12.0' } });
  model.apply(20, { kind: 'snapshot', seq: 1, t: T0, threads: [{ id: 'main', kind: 'main', name: 'MainThread', state: 'running', startedAt: T0 }], loops: [{ id: 'loop-1', threadId: 'main', lagMs: 1 }] });
  for (let index = 1; index < 20; index += 1) {
    const lagMs = index === 10 ? 250 : index + 1;
    model.apply(20, { kind: 'delta', seq: index + 1, t: T0 + index * 100, upsert: { loops: [{ id: 'loop-1', threadId: 'main', lagMs }] } });
  }
  model.endProcess(20, T0 + 2000, { exitCode: 0 });
  return model;
}

describe('event-loop lag history', () => {
  it('keeps one sample per loop and frame time, the larger when a frame time repeats', () => {
    const model = laggyRun();
    model.apply(20, { kind: 'delta', seq: 99, t: T0 + 1900, upsert: { loops: [{ id: 'loop-1', threadId: 'main', lagMs: 99 }] } });
    model.apply(20, { kind: 'delta', seq: 100, t: T0 + 1900, upsert: { loops: [{ id: 'loop-1', threadId: 'main', lagMs: 5 }] } });
    const history = model.process(20)?.lag.get('loop-1');
    assert.equal(history?.times.length, 20);
    assert.deepEqual([history?.times[0], history?.lagMs[0], history?.lagMs[10], history?.lagMs[19]], [T0, 1, 250, 99]);
  });

  it('is bounded: the oldest samples go first', () => {
    const model = new RunModel();
    model.addProcess(hello(30, 1, 'app.js'));
    const total = MAX_LAG_SAMPLES * 2;
    for (let index = 0; index < total; index += 1) model.apply(30, { kind: 'delta', seq: index + 1, t: T0 + index, upsert: { loops: [{ id: 'loop-main', threadId: 'main', lagMs: index }] } });
    const history = model.process(30)!.lag.get('loop-main')!;
    assert.ok(history.times.length >= MAX_LAG_SAMPLES && history.times.length <= MAX_LAG_SAMPLES * 1.25, `${history.times.length} samples`);
    assert.equal(history.times.length, history.lagMs.length);
    assert.equal(history.lagMs[history.lagMs.length - 1], total - 1, 'the newest sample is kept');
    assert.equal(history.droppedSamples + history.times.length, total);
  });

  it('becomes a lag lane under its thread, with max, p95 and the run’s threshold', () => {
    const data = buildTimeline(laggyRun(100), T0 + 3000, false);
    assert.deepEqual(data.lanes.map((lane) => [lane.kind, lane.label]), [['process', 'app.py (20)'], ['thread', 'MainThread'], ['lag', 'MainThread']]);
    assert.equal(data.lags.length, 1);
    const lag = data.lags[0]!;
    assert.deepEqual([lag.lane, lag.threadLane, lag.loopId, lag.time.length, lag.maxMs, lag.p95Ms], [2, 1, 'loop-1', 20, 250, 20]);
    assert.equal(data.blockedThresholdMs, 100);
    assert.equal(buildTimeline(laggyRun(), T0 + 3000, false).blockedThresholdMs, undefined, 'unknown threshold');
  });

  it('draws one value per pixel column (the largest) and answers the lag under the pointer', () => {
    const lag = buildTimeline(laggyRun(), T0 + 3000, false).lags[0]!;
    const columns = lagColumns(lag, { start: T0, msPerPx: 100, width: 25, firstLane: 0, laneCount: 3 }, new Float32Array(25));
    assert.deepEqual([...columns.subarray(0, 21)], [2, 3, 4, 5, 6, 7, 8, 9, 10, 250, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0, 0]);
    const coarse = lagColumns(lag, { start: T0, msPerPx: 1000, width: 3, firstLane: 0, laneCount: 3 }, new Float32Array(3));
    assert.deepEqual([...coarse], [250, 20, 0]);
    assert.equal(lagAt(lag, T0 + 950), 250);
    assert.equal(lagAt(lag, T0 + 1000), 250);
    assert.equal(lagAt(lag, T0 + 1001), 12);
    assert.equal(lagAt(lag, T0 + 5000), undefined);
  });

  it('shows the loop\'s blocks on its strip, so its largest lag is never below its longest block', () => {
    const model = laggyRun(100);
    // A 400 ms block from T0 + 1100 that the samples (250 ms at most) missed; another loop's and another process's blocks stay off this strip.
    model.apply(20, { kind: 'blocked', seq: 30, t: T0 + 1500, loopId: 'loop-1', threadId: 'main', durationMs: 400, stack: [] });
    model.apply(20, { kind: 'blocked', seq: 31, t: T0 + 1900, loopId: 'loop-2', threadId: 'worker', durationMs: 900, stack: [] });
    model.addProcess({ ...hello(21, 1, 'other.py'), runtime: { name: 'python', version: '3.12.0' } });
    model.apply(21, { kind: 'blocked', seq: 1, t: T0 + 1900, loopId: 'loop-1', threadId: 'main', durationMs: 800, stack: [] });
    const data = buildTimeline(model, T0 + 3000, false);
    const lag = data.lags.find((candidate) => data.lanes[candidate.lane]!.pid === 20)!;
    assert.deepEqual([[...lag.blockStart], [...lag.blockMs], lag.maxMs, lag.p95Ms], [[T0 + 1100], [400], 400, 20]);
    const columns = blockColumns(lag, { start: T0, msPerPx: 100, width: 20, firstLane: 0, laneCount: 3 }, new Float32Array(20));
    assert.deepEqual([...columns], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 400, 400, 400, 400, 0, 0, 0, 0, 0]);
    assert.equal(lagAt(lag, T0 + 1200), 400, 'within the block');
    assert.equal(lagAt(lag, T0 + 950), 250, 'before it: the sample');
    const message = { type: ToTimelineType.Data, title: 'run', data };
    assert.ok(parseToTimeline(message), 'crosses to the webview');
    const broken = { ...data, lags: data.lags.map((candidate) => ({ ...candidate, blockMs: new Float64Array(0) })) };
    assert.equal(parseToTimeline({ ...message, data: broken }), undefined, 'block columns of different lengths');
  });

  it('is exported as Chrome-trace counter events and restored by Open Recording', () => {
    const model = laggyRun(100);
    const data = buildTimeline(model, T0 + 3000, false);
    const trace = toChromeTrace(data, model.toRecording());
    const counters = trace.traceEvents.filter((event) => event.ph === 'C');
    assert.equal(counters.length, 20);
    assert.deepEqual(counters.slice(9, 11).map((event) => [event.name, event.pid, event.tid, event.ts, event.args]), [
      ['event-loop lag · MainThread · loop-1', 20, 1, 900_000, { ms: 10 }],
      ['event-loop lag · MainThread · loop-1', 20, 1, 1_000_000, { ms: 250 }],
    ]);
    assert.ok(!trace.traceEvents.some((event) => event.ph === 'M' && String(event.args?.name).startsWith('lag')), 'the lag strip is no thread of its own');
    const read = readRecording(JSON.stringify(trace));
    assert.ok(read.ok, read.ok ? '' : read.detail);
    assert.deepEqual(buildTimeline(RunModel.fromRecording(read.recording), T0 + 3000, false), data);
  });

  it('still opens recordings made before lag was kept', () => {
    const recording = laggyRun().toRecording();
    const old = { ...recording, processes: recording.processes.map(({ lag: _lag, ...process }) => process) };
    const read = readRecording(JSON.stringify(old));
    assert.ok(read.ok, read.ok ? '' : read.detail);
    assert.deepEqual(buildTimeline(RunModel.fromRecording(read.recording), T0 + 3000, false).lags, []);
  });
});

describe('timeline restore after reload', () => {
  it('reads back the webview’s saved view, and nothing malformed', () => {
    const state = { run: 'k', start: 5, msPerPx: 0.5, firstLane: 2, following: false };
    assert.deepEqual(parseTimelineWebviewState(structuredClone(state)), state);
    assert.equal(parseTimelineWebviewState(undefined), undefined);
    assert.equal(parseTimelineWebviewState({ ...state, msPerPx: 0 }), undefined);
    assert.equal(parseTimelineWebviewState({ ...state, firstLane: -1 }), undefined);
    assert.equal(parseTimelineWebviewState({ ...state, start: 'x' }), undefined);
  });

  it('keys a saved view to its run: the same title and start', () => {
    const data = buildTimeline(nodeRun(), T0 + 1000, false);
    assert.equal(timelineRunKey('app.js', data), timelineRunKey('app.js', buildTimeline(nodeRun(), T0 + 2000, false)));
    assert.notEqual(timelineRunKey('app.js', data), timelineRunKey('other.js', data));
  });

  it('reads back the saved last run, and refuses anything else', () => {
    const recording = nodeRun().toRecording();
    assert.equal(parseSavedRun(JSON.parse(JSON.stringify({ title: 'app.js', recording })))?.title, 'app.js');
    assert.equal(parseSavedRun({ title: 'app.js', recording: { format: 'other' } }), undefined);
    assert.equal(parseSavedRun({ recording }), undefined);
    assert.equal(parseSavedRun(null), undefined);
  });
});
