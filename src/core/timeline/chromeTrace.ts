import { parseRunRecording, RECORDING_FORMAT, RECORDING_VERSION, type RunRecording } from '../runs/recording';
import { TIMELINE_STATES, type TimelineData } from './timelineData';
import { isRecord } from '../../shared/validation';

/**
 * Export to the Trace Event Format (the JSON that Perfetto and chrome://tracing open):
 * pid = process, tid = one lane (thread, worker, task or child process) of it, `X` complete events
 * for state spans, `i` instant events for blocked loops, `C` counter events for the event-loop lag
 * (one counter track per loop, on its process), `M` metadata naming processes and lanes.
 * The file also carries the run's own recording under `otherData`, so "Open Recording…" restores
 * everything (histories, stacks, summaries) losslessly; trace viewers ignore it.
 */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'C' | 'M';
  readonly pid: number;
  readonly tid: number;
  /** Microseconds since the start of the run. */
  readonly ts: number;
  readonly dur?: number;
  readonly cat?: string;
  /** Scope of an instant event: `t` thread. */
  readonly s?: 't';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: {
    readonly generator: 'Concurrency Lens';
    /** ms since the Unix epoch of ts = 0. */
    readonly startedAt: number;
    readonly recording: RunRecording;
  };
}

export function toChromeTrace(timeline: TimelineData, recording: RunRecording): ChromeTrace {
  const events: TraceEvent[] = [];
  const micros = (time: number) => Math.round((time - timeline.start) * 1000);
  /** The process lane gets tid 0; its other lanes 1, 2, … in timeline order. */
  const tids: number[] = [];
  const nextTid = new Map<number, number>();
  timeline.lanes.forEach((lane, index) => {
    if (lane.kind === 'lag' || lane.kind === 'busy') return; // a counter track, not a thread
    const tid = lane.kind === 'process' ? 0 : (nextTid.get(lane.pid) ?? 1);
    if (lane.kind !== 'process') nextTid.set(lane.pid, tid + 1);
    tids[index] = tid;
    if (lane.kind === 'process') events.push({ name: 'process_name', ph: 'M', pid: lane.pid, tid, ts: 0, args: { name: lane.label } });
    events.push({ name: 'thread_name', ph: 'M', pid: lane.pid, tid, ts: 0, args: { name: lane.kind === 'process' ? `${lane.label} — process` : `${lane.kind}: ${lane.label}` } });
    events.push({ name: 'thread_sort_index', ph: 'M', pid: lane.pid, tid, ts: 0, args: { sort_index: tid } });
  });
  const { laneStart, start, end, state } = timeline.spans;
  timeline.lanes.forEach((lane, laneIndex) => {
    for (let index = laneStart[laneIndex]!; index < laneStart[laneIndex + 1]!; index += 1) {
      events.push({
        name: TIMELINE_STATES[state[index]!]!, cat: lane.kind, ph: 'X', pid: lane.pid, tid: tids[laneIndex]!,
        ts: micros(start[index]!), dur: Math.max(0, micros(end[index]!) - micros(start[index]!)), args: { lane: lane.label },
      });
    }
  });
  for (const mark of timeline.marks) {
    const lane = timeline.lanes[mark.lane]!;
    events.push({
      name: mark.gil ? 'GIL held' : 'blocked loop', cat: 'blocked', ph: 'i', s: 't', pid: lane.pid, tid: tids[mark.lane]!, ts: micros(mark.time),
      args: { durationMs: mark.durationMs, ...(mark.source ? { at: `${mark.source.file}:${mark.source.line}` } : {}), ...(mark.functionName ? { function: mark.functionName } : {}) },
    });
  }
  for (const lag of timeline.lags) {
    const lane = timeline.lanes[lag.lane]!;
    const name = `event-loop lag · ${lane.label} · ${lag.loopId}`;
    for (let index = 0; index < lag.time.length; index += 1) {
      events.push({ name, cat: 'lag', ph: 'C', pid: lane.pid, tid: tids[lag.threadLane]!, ts: micros(lag.time[index]!), args: { ms: lag.lagMs[index]! } });
    }
  }
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { generator: 'Concurrency Lens', startedAt: timeline.start, recording } };
}

/** Why a file is not a run we can open: the words for the user depend on it; `detail` is for the log. */
export type UnreadableRecording =
  | { readonly ok: false; readonly reason: 'not-json' | 'foreign-trace' | 'not-a-recording' | 'newer-version' | 'damaged'; readonly detail: string };

/**
 * Reads a saved run: our Chrome trace export (the recording inside it) or a bare recording.
 * Never throws.
 */
export function readRecording(text: string): { ok: true; recording: RunRecording } | UnreadableRecording {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'not-json', detail: error instanceof Error ? error.message : String(error) };
  }
  const embedded = isRecord(value) && isRecord(value.otherData) ? value.otherData.recording : undefined;
  if (isRecord(value) && Array.isArray(value.traceEvents) && embedded === undefined) {
    return { ok: false, reason: 'foreign-trace', detail: 'a Chrome trace with no otherData.recording' };
  }
  const candidate = embedded ?? value;
  if (!isRecord(candidate) || candidate.format !== RECORDING_FORMAT) {
    return { ok: false, reason: 'not-a-recording', detail: `no "format": "${RECORDING_FORMAT}" at its top level` };
  }
  if (typeof candidate.version === 'number' && candidate.version > RECORDING_VERSION) {
    return { ok: false, reason: 'newer-version', detail: `recording version ${candidate.version}; this version reads ${RECORDING_VERSION}` };
  }
  const parsed = parseRunRecording(candidate);
  return parsed.ok ? parsed : { ok: false, reason: 'damaged', detail: parsed.error };
}
