import { spanOf, type TimelineBusy, type TimelineData, type TimelineLag, type TimelineMark, type TimelineSpan } from './timelineData';

/**
 * The visible window of the timeline and the pure geometry the canvas renderer needs: which spans
 * fall in view (by binary search, never a scan of all spans), merged so that at most one rectangle
 * is drawn per pixel column and lane; zoom around a point; pan; hit-testing for hover and click.
 */
export interface Viewport {
  /** Time at the left edge of the plot, ms since the epoch. */
  readonly start: number;
  readonly msPerPx: number;
  /** Plot width in CSS pixels (without the label column). */
  readonly width: number;
  /** First lane shown (top), may be fractional while scrolling. */
  readonly firstLane: number;
  /** How many lanes fit. */
  readonly laneCount: number;
}

/**
 * The rectangles to draw, as reusable columns: rectangle `i` < `count` covers pixels `x[i]` up to
 * `x[i] + width[i]` of lane `lane[i]`, in state `state[i]` (an index into `TIMELINE_STATES`).
 */
export interface SpanRects {
  count: number;
  lane: Int32Array;
  x: Int32Array;
  width: Int32Array;
  state: Uint8Array;
}

export function createSpanRects(capacity = 4096): SpanRects {
  return { count: 0, lane: new Int32Array(capacity), x: new Int32Array(capacity), width: new Int32Array(capacity), state: new Uint8Array(capacity) };
}

function growSpanRects(rects: SpanRects): void {
  const grown = createSpanRects(rects.lane.length * 2);
  grown.lane.set(rects.lane);
  grown.x.set(rects.x);
  grown.width.set(rects.width);
  grown.state.set(rects.state);
  Object.assign(rects, { lane: grown.lane, x: grown.x, width: grown.width, state: grown.state });
}

/** How wide an instant end state is drawn, in pixels. */
export const END_CAP_PX = 3;

/** Smallest and largest zoom: 1 µs to 1 hour per pixel. */
const MIN_MS_PER_PX = 0.001;
const MAX_MS_PER_PX = 3_600_000;

export function fitViewport(data: TimelineData, width: number, laneCount: number): Viewport {
  const duration = Math.max(1, data.end - data.start);
  const msPerPx = clampZoom((duration * 1.02) / Math.max(1, width));
  return { start: data.start - duration * 0.01, msPerPx, width, firstLane: 0, laneCount };
}

/**
 * The part of the run the view shows, in ms since the run's start, for the "Showing … to …"
 * label: the fitted view pads a little on both sides, and a run has no time before its start or
 * after its end to show.
 */
export function shownRunRange(data: TimelineData, view: Viewport): { from: number; to: number } {
  const duration = Math.max(0, data.end - data.start);
  const clamp = (ms: number): number => Math.min(duration, Math.max(0, ms));
  return { from: clamp(view.start - data.start), to: clamp(view.start + view.width * view.msPerPx - data.start) };
}

/** Zooms by `factor` (> 1 zooms in) keeping the time under pixel `anchorX` in place. */
export function zoomViewport(view: Viewport, factor: number, anchorX: number): Viewport {
  const anchorTime = view.start + anchorX * view.msPerPx;
  const msPerPx = clampZoom(view.msPerPx / factor);
  return { ...view, msPerPx, start: anchorTime - anchorX * msPerPx };
}

/** Moves by `dx` pixels in time and `dLanes` lanes, keeping at least one lane on screen. */
export function panViewport(view: Viewport, dx: number, dLanes: number, totalLanes: number): Viewport {
  const maxFirst = Math.max(0, totalLanes - Math.max(1, Math.floor(view.laneCount)));
  return { ...view, start: view.start + dx * view.msPerPx, firstLane: Math.min(maxFirst, Math.max(0, view.firstLane + dLanes)) };
}

function clampZoom(msPerPx: number): number {
  return Math.min(MAX_MS_PER_PX, Math.max(MIN_MS_PER_PX, msPerPx));
}

/** First index in [from, to) whose span ends at or after `time` (spans of a lane are in order). */
function firstEndingAfter(ends: Float64Array, from: number, to: number, time: number): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ends[middle]! < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Fills `out` with the rectangles to draw for the visible lanes. Spans narrower than a pixel still
 * get one pixel, and a pixel column already covered in a lane is not drawn again, so the work is
 * bounded by the visible area, not by the number of spans; nothing is allocated per span.
 */
export function visibleSpanRects(data: TimelineData, view: Viewport, out: SpanRects = createSpanRects()): SpanRects {
  const { laneStart, start: starts, end: ends, state: states } = data.spans;
  const viewEnd = view.start + view.width * view.msPerPx;
  const firstLane = Math.max(0, Math.floor(view.firstLane));
  const lastLane = Math.min(data.lanes.length - 1, Math.ceil(view.firstLane + view.laneCount));
  out.count = 0;
  for (let lane = firstLane; lane <= lastLane; lane += 1) {
    const to = laneStart[lane + 1]!;
    let coveredTo = Number.NEGATIVE_INFINITY;
    for (let index = firstEndingAfter(ends, laneStart[lane]!, to, view.start); index < to; index += 1) {
      const spanStart = starts[index]!;
      const spanEnd = ends[index]!;
      if (spanStart > viewEnd) break;
      if (spanEnd <= view.start && spanEnd > spanStart) continue; // ends exactly at the left edge
      const x0 = Math.max(0, Math.floor((spanStart - view.start) / view.msPerPx));
      const x1 = Math.min(view.width, Math.max(x0 + 1, Math.ceil((spanEnd - view.start) / view.msPerPx)));
      // An instant end state (done, failed, cancelled, exited) is a cap over the end of what came
      // before it, so that how a lane ended always shows.
      const x = spanEnd === spanStart ? Math.max(0, Math.min(x0, view.width - 1) - END_CAP_PX + 1) : Math.max(x0, coveredTo);
      if (x >= x1) continue;
      if (out.count === out.lane.length) growSpanRects(out);
      out.lane[out.count] = lane;
      out.x[out.count] = x;
      out.width[out.count] = x1 - x;
      out.state[out.count] = states[index]!;
      out.count += 1;
      coveredTo = x1;
    }
  }
  return out;
}

/** The span of `lane` under pixel `x` (± `slopPx`), if any. */
export function spanAt(data: TimelineData, view: Viewport, lane: number, x: number, slopPx = 2): TimelineSpan | undefined {
  if (lane < 0 || lane >= data.lanes.length) return undefined;
  const time = view.start + x * view.msPerPx;
  const slop = slopPx * view.msPerPx;
  const to = data.spans.laneStart[lane + 1]!;
  const index = firstEndingAfter(data.spans.end, data.spans.laneStart[lane]!, to, time - slop);
  return index < to && data.spans.start[index]! <= time + slop ? spanOf(data.spans, lane, index) : undefined;
}

/** First index whose value is at or after `time` in ascending `values`. */
function firstAtOrAfter(values: Float64Array, time: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The lag strip of a loop as one value per pixel column of the view (into `out`, which must hold
 * `view.width` values): each sample covers the time since the previous one (the probes report the
 * lag over their last sample period), and a column holds the largest lag that touches it.
 */
export function lagColumns(lag: TimelineLag, view: Viewport, out: Float32Array): Float32Array {
  return seriesColumns(lag.time, lag.lagMs, view, out);
}

/** How busy a traced loop was, one value per pixel column (see lagColumns): the busiest bucket touching it. */
export function busyColumns(busy: TimelineBusy, view: Viewport, out: Float32Array): Float32Array {
  return seriesColumns(busy.time, busy.percent, view, out);
}

/** Values that each hold from the previous time to their own, as the largest per pixel column. */
function seriesColumns(times: Float64Array, values: Float64Array, view: Viewport, out: Float32Array): Float32Array {
  const width = Math.min(out.length, Math.floor(view.width));
  out.fill(0);
  const viewEnd = view.start + width * view.msPerPx;
  for (let index = Math.max(0, firstAtOrAfter(times, view.start)); index < times.length; index += 1) {
    const end = times[index]!;
    const start = index > 0 ? times[index - 1]! : end;
    if (start > viewEnd) break;
    const x0 = Math.max(0, Math.floor((start - view.start) / view.msPerPx));
    const x1 = Math.min(width, Math.max(x0 + 1, Math.ceil((end - view.start) / view.msPerPx)));
    const value = values[index]!;
    for (let x = x0; x < x1; x += 1) if (value > out[x]!) out[x] = value;
  }
  return out;
}

/**
 * The loop's blocks on its lag strip, one value per pixel column of the view (into `out`, which
 * must hold `view.width` values): the longest block over each column, 0 where none.
 */
export function blockColumns(lag: TimelineLag, view: Viewport, out: Float32Array): Float32Array {
  const width = Math.min(out.length, Math.floor(view.width));
  out.fill(0);
  for (let index = 0; index < lag.blockStart.length; index += 1) {
    const start = lag.blockStart[index]!;
    const duration = lag.blockMs[index]!;
    const x0 = Math.max(0, Math.floor((start - view.start) / view.msPerPx));
    const x1 = Math.min(width, Math.max(x0 + 1, Math.ceil((start + duration - view.start) / view.msPerPx)));
    for (let x = x0; x < x1; x += 1) if (duration > out[x]!) out[x] = duration;
  }
  return out;
}

/** The lag at `time`: what the loop reported for the sample period holding it, or the block then under way if longer. */
export function lagAt(lag: TimelineLag, time: number): number | undefined {
  const index = firstAtOrAfter(lag.time, time);
  const covered = index < lag.time.length && (index > 0 ? lag.time[index - 1]! : lag.time[index]!) <= time;
  let value = covered ? lag.lagMs[index] : undefined;
  for (let block = 0; block < lag.blockStart.length; block += 1) {
    const blockStart = lag.blockStart[block]!;
    const duration = lag.blockMs[block]!;
    if (blockStart <= time && time <= blockStart + duration) value = Math.max(value ?? 0, duration);
  }
  return value;
}

/** How busy a traced loop was (percent) in the bucket holding `time`, if any. */
export function busyAt(busy: TimelineBusy, time: number): number | undefined {
  const index = firstAtOrAfter(busy.time, time);
  if (index >= busy.time.length) return undefined;
  const start = index > 0 ? busy.time[index - 1]! : busy.time[index]!;
  return start <= time ? busy.percent[index] : undefined;
}

/** The blocked-loop mark of `lane` nearest pixel `x`, within `slopPx`. */
export function markAt(data: TimelineData, view: Viewport, lane: number, x: number, slopPx = 4): TimelineMark | undefined {
  let best: TimelineMark | undefined;
  let bestDistance = slopPx;
  for (const mark of data.marks) {
    if (mark.lane !== lane) continue;
    const x0 = (mark.time - view.start) / view.msPerPx;
    const x1 = x0 + mark.durationMs / view.msPerPx;
    const distance = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
    if (distance <= bestDistance) {
      best = mark;
      bestDistance = distance;
    }
  }
  return best;
}

/** Tick spacing for the time axis: a 1-2-5 step giving ticks at least `minPx` apart. */
export function tickStepMs(msPerPx: number, minPx = 80): number {
  const raw = msPerPx * minPx;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

/** `1.5 s`, `250 ms`, `12 µs`: a duration at a readable precision. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs === 0) return '0';
  if (abs >= 60_000) return `${(ms / 60_000).toFixed(abs >= 600_000 ? 0 : 1)} min`;
  if (abs >= 1000) return `${(ms / 1000).toFixed(abs >= 10_000 ? 1 : 2)} s`;
  if (abs >= 1) return `${ms.toFixed(abs >= 100 ? 0 : 1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}
