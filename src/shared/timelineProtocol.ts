/**
 * The one protocol between the extension host and the timeline webview. The host validates every
 * message from the webview with `parseFromTimeline` (webview content is a less trusted context);
 * the webview checks the shape of what it receives with `parseToTimeline` before drawing it.
 */
import { LANE_KINDS, TIMELINE_STATES, type LaneKind, type TimelineData, type TimelineState } from '../core/timeline/timelineData';
import { isOneOf, isRecord } from './validation';

/** Strings the webview shows, localized on the host. `{0}`-style placeholders are filled in the webview. */
export interface TimelineStrings {
  readonly title: string;
  readonly noRun: string;
  readonly live: string;
  readonly ended: string;
  readonly zoomIn: string;
  readonly zoomOut: string;
  readonly fit: string;
  readonly canvasLabel: string;
  readonly help: string;
  /** `{0}` processes, `{1}` lanes, `{2}` spans, `{3}` duration, `{4}` blocked loops. */
  readonly summary: string;
  readonly tableToggle: string;
  /** `{0}` shown, `{1}` total. */
  readonly tableTruncated: string;
  readonly columns: { readonly lane: string; readonly kind: string; readonly state: string; readonly start: string; readonly duration: string };
  /** `{0}` duration. */
  readonly blockedFor: string;
  readonly gilHeldFor: string;
  readonly clickToOpen: string;
  /** `{0}` lag at the pointer. */
  readonly lagAt: string;
  /** `{0}` threshold. */
  readonly lagThreshold: string;
  /** `{0}` max, `{1}` p95 lag of a loop (tooltip, table). */
  readonly lagStats: string;
  /** `{0}` thread, `{1}` max, `{2}` p95: one sentence per loop after the summary. */
  readonly lagSummary: string;
  /** `{0}` and `{1}`: the visible time window, from the start of the run. */
  readonly range: string;
  /** Trace mode: `{0}` percent busy in the bucket at the pointer. */
  readonly busyAt: string;
  /** Trace mode: `{0}` percent busy over the traced time, `{1}` callbacks (tooltip, table). */
  readonly busyStats: string;
  /** Trace mode: `{0}` thread, `{1}` percent, `{2}` callbacks: one sentence per loop after the summary. */
  readonly busySummary: string;
  /** Trace mode: the heading of the list of the slowest callbacks. */
  readonly slowTitle: string;
  /** Trace mode: `{0}` duration, `{1}` callback, `{2}` thread: one row of that list. */
  readonly slowRow: string;
  readonly states: Readonly<Record<TimelineState, string>>;
  readonly kinds: Readonly<Record<LaneKind, string>>;
}

export const enum ToTimelineType {
  Init = 'init',
  Data = 'data',
}

export const enum FromTimelineType {
  Ready = 'ready',
  OpenSource = 'openSource',
}

export interface TimelineInitMessage {
  readonly type: ToTimelineType.Init;
  readonly locale: string;
  readonly strings: TimelineStrings;
}

/** The whole timeline of the shown run (or none), sent again as it changes. */
export interface TimelineDataMessage {
  readonly type: ToTimelineType.Data;
  readonly title: string;
  readonly data: TimelineData | undefined;
}

export type ToTimelineMessage = TimelineInitMessage | TimelineDataMessage;

export interface TimelineReadyMessage {
  readonly type: FromTimelineType.Ready;
}

/** Open this file at this line (a lane's or a blocked mark's source). */
export interface OpenSourceMessage {
  readonly type: FromTimelineType.OpenSource;
  readonly file: string;
  readonly line: number;
}

export type FromTimelineMessage = TimelineReadyMessage | OpenSourceMessage;

/** A message from the webview, or undefined when it is malformed. */
export function parseFromTimeline(value: unknown): FromTimelineMessage | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === FromTimelineType.Ready) return { type: FromTimelineType.Ready };
  if (value.type !== FromTimelineType.OpenSource) return undefined;
  const { file, line } = value;
  if (typeof file !== 'string' || file.length === 0 || file.length > 4096) return undefined;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return undefined;
  return { type: FromTimelineType.OpenSource, file, line };
}

/**
 * A message from the host, or undefined when its shape is wrong. Checks what the renderer relies
 * on (typed columns of matching lengths, lane ranges in order, known states and kinds) in time
 * linear in lanes and spans, without copying the columns.
 */
export function parseToTimeline(value: unknown): ToTimelineMessage | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === ToTimelineType.Init) {
    return typeof value.locale === 'string' && isRecord(value.strings) ? (value as unknown as TimelineInitMessage) : undefined;
  }
  if (value.type !== ToTimelineType.Data || typeof value.title !== 'string') return undefined;
  if (value.data !== undefined && !isTimelineData(value.data)) return undefined;
  return value as unknown as TimelineDataMessage;
}

function isTimelineData(value: unknown): value is TimelineData {
  if (!isRecord(value) || !isRecord(value.spans) || !Array.isArray(value.lanes) || !Array.isArray(value.marks)) return false;
  if (typeof value.start !== 'number' || typeof value.end !== 'number' || typeof value.live !== 'boolean') return false;
  const { lanes, marks, spans, lags, busy, slowCallbacks } = value;
  if (!Array.isArray(lags) || !Array.isArray(busy) || !Array.isArray(slowCallbacks)) return false;
  const { laneStart, start, end, state } = spans;
  if (!(laneStart instanceof Uint32Array) || !(start instanceof Float64Array) || !(end instanceof Float64Array) || !(state instanceof Uint8Array)) return false;
  const count = start.length;
  if (end.length !== count || state.length !== count || laneStart.length !== lanes.length + 1 || laneStart[0] !== 0 || laneStart[lanes.length] !== count) return false;
  for (let lane = 0; lane < lanes.length; lane += 1) {
    const info: unknown = lanes[lane];
    if (laneStart[lane]! > laneStart[lane + 1]!) return false;
    if (!isRecord(info) || typeof info.label !== 'string' || typeof info.depth !== 'number' || typeof info.pid !== 'number' || !isOneOf(LANE_KINDS, info.kind)) return false;
    if (info.detail !== undefined && typeof info.detail !== 'string') return false;
  }
  for (let index = 0; index < count; index += 1) if (state[index]! >= TIMELINE_STATES.length) return false;
  if (value.blockedThresholdMs !== undefined && typeof value.blockedThresholdMs !== 'number') return false;
  return marks.every((mark: unknown) => isRecord(mark) && isLaneIndex(mark.lane, lanes.length) && typeof mark.time === 'number' && typeof mark.durationMs === 'number')
    && lags.every((lag: unknown) => isRecord(lag) && isLaneIndex(lag.lane, lanes.length) && isLaneIndex(lag.threadLane, lanes.length)
      && lag.time instanceof Float64Array && lag.lagMs instanceof Float64Array && lag.time.length === lag.lagMs.length
      && lag.blockStart instanceof Float64Array && lag.blockMs instanceof Float64Array && lag.blockStart.length === lag.blockMs.length
      && typeof lag.maxMs === 'number' && typeof lag.p95Ms === 'number' && typeof lag.loopId === 'string')
    && busy.every((loop: unknown) => isRecord(loop) && isLaneIndex(loop.lane, lanes.length) && isLaneIndex(loop.threadLane, lanes.length)
      && loop.time instanceof Float64Array && loop.percent instanceof Float64Array && loop.time.length === loop.percent.length
      && typeof loop.busyPercent === 'number' && typeof loop.callbacks === 'number' && typeof loop.loopId === 'string')
    && slowCallbacks.every((callback: unknown) => isRecord(callback) && isLaneIndex(callback.threadLane, lanes.length)
      && typeof callback.start === 'number' && typeof callback.durationMs === 'number' && typeof callback.callback === 'string'
      && (callback.source === undefined || (isRecord(callback.source) && typeof callback.source.file === 'string' && typeof callback.source.line === 'number')));
}

function isLaneIndex(value: unknown, laneCount: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < laneCount;
}

/** What the webview keeps with `setState`: the view of one run, restored when it loads again. */
export interface TimelineWebviewState {
  /** Which run the view belongs to (its title and start time). */
  readonly run: string;
  readonly start: number;
  readonly msPerPx: number;
  readonly firstLane: number;
  /** Whether the view follows the end of a live run. */
  readonly following: boolean;
}

export function timelineRunKey(title: string, data: TimelineData): string {
  return `${data.start}:${title}`;
}

/** The saved state, when it has the right shape. */
export function parseTimelineWebviewState(value: unknown): TimelineWebviewState | undefined {
  if (!isRecord(value) || typeof value.run !== 'string' || typeof value.following !== 'boolean') return undefined;
  const { start, msPerPx, firstLane } = value;
  if (typeof start !== 'number' || !Number.isFinite(start) || typeof msPerPx !== 'number' || !(msPerPx > 0) || typeof firstLane !== 'number' || !(firstLane >= 0)) return undefined;
  return { run: value.run, start, msPerPx, firstLane, following: value.following };
}
