import {
  TIMELINE_STATES, spanOf, type TimelineBusy, type TimelineData, type TimelineLag, type TimelineLane, type TimelineState,
} from '../../core/timeline/timelineData';
import {
  blockColumns, busyAt, busyColumns, createSpanRects, fitViewport, formatDuration, lagAt, lagColumns, markAt, panViewport, shownRunRange, spanAt, tickStepMs,
  visibleSpanRects, zoomViewport, type Viewport,
} from '../../core/timeline/viewport';
import {
  FromTimelineType, ToTimelineType, parseTimelineWebviewState, parseToTimeline, timelineRunKey,
  type FromTimelineMessage, type TimelineStrings, type TimelineWebviewState,
} from '../../shared/timelineProtocol';
import { codicon, h } from '../dom';
import { getVsCodeApi } from '../vscodeApi';

/**
 * The timeline: a canvas of swimlanes (labels on the left, spans over time on the right) that draws
 * only the visible window, with wheel / keyboard zoom, drag / arrow pan, a hover tooltip and click
 * to open the source. Program data reaches the DOM only as text nodes (tooltip, table) or canvas
 * text, never as markup. A text summary and a table of lanes make it readable without the canvas.
 */
const vscode = getVsCodeApi<FromTimelineMessage, TimelineWebviewState>();
/** The view saved before this webview was last unloaded (hidden, or the window reloaded), until used. */
let savedView = parseTimelineWebviewState(vscode.getState());
const root = document.getElementById('root')!;

const LABEL_WIDTH = 220;
const AXIS_HEIGHT = 24;
const LANE_HEIGHT = 20;
const INDENT = 14;
const TABLE_ROWS = 500;
const ZOOM_STEP = 1.5;

const STATE_COLOURS: Readonly<Record<TimelineState, string>> = {
  running: '--vscode-charts-green',
  waiting: '--vscode-charts-blue',
  blocked: '--vscode-charts-orange',
  done: '--vscode-disabledForeground',
  failed: '--vscode-charts-red',
  cancelled: '--vscode-charts-yellow',
};

let strings: TimelineStrings | undefined;
let data: TimelineData | undefined;
let title = '';
/** Reused by every paint: drawing allocates nothing per span. */
const rects = createSpanRects();
let view: Viewport | undefined;
/** While live, the view keeps following the end of the run until the user zooms or pans. */
let following = true;

const canvas = h('canvas', { className: 'timeline-canvas', attrs: { tabindex: '0', role: 'img' } });
const tooltip = h('div', { className: 'timeline-tooltip', attrs: { role: 'tooltip', hidden: '' } });
const summary = h('p', { className: 'timeline-summary', attrs: { 'aria-live': 'polite', id: 'timeline-summary' } });
const heading = h('h1', { className: 'timeline-title' });
const status = h('span', { className: 'timeline-status' });
/** The visible time window as text (for screen readers too). */
const range = h('span', { className: 'timeline-range', attrs: { 'aria-live': 'polite' } });
const tableHost = h('div', { className: 'timeline-table' });
/** Trace mode: the callbacks that held their loop longest, each a button that opens its line. */
const slowHost = h('div', { className: 'timeline-slow' });
/** The table is built only while it is open (it is the slow, DOM-heavy view of the run). */
const tableToggle = h('summary');
const tableDetails = h('details', { on: { toggle: () => renderTable() } }, tableToggle);
const plot = h('div', { className: 'timeline-plot' }, canvas, tooltip);

function format(template: string, ...values: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => String(values[Number(index)] ?? match));
}

function colour(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

function renderShell(text: TimelineStrings): void {
  const button = (label: string, icon: string, action: () => void) =>
    h('button', { className: 'icon-button', attrs: { type: 'button', title: label, 'aria-label': label }, on: { click: action } }, codicon(icon));
  const legend = h('ul', { className: 'timeline-legend', attrs: { 'aria-label': text.title } },
    ...TIMELINE_STATES.map((state) =>
      h('li', {}, h('span', { className: `swatch swatch-${state}`, attrs: { 'aria-hidden': 'true' } }), text.states[state])));
  canvas.setAttribute('aria-label', text.canvasLabel);
  canvas.setAttribute('aria-describedby', 'timeline-summary');
  root.replaceChildren(
    h('header', { className: 'timeline-header' },
      heading, status, range,
      h('div', { className: 'timeline-tools' },
        button(text.zoomIn, 'zoom-in', () => zoomBy(ZOOM_STEP)),
        button(text.zoomOut, 'zoom-out', () => zoomBy(1 / ZOOM_STEP)),
        button(text.fit, 'screen-full', fit)),
      legend),
    h('p', { className: 'timeline-help' }, text.help),
    plot,
    summary,
    slowHost,
    tableHost,
  );
  root.setAttribute('aria-busy', 'false');
}

// ── data ───────────────────────────────────────────────────────────────────────────────────────
function setData(next: TimelineData | undefined, nextTitle: string): void {
  const text = strings;
  if (!text) return;
  const sameRun = data !== undefined && next !== undefined && data.start === next.start && title === nextTitle;
  data = next;
  title = nextTitle;
  heading.textContent = next ? title : text.noRun;
  status.textContent = next ? (next.live ? text.live : text.ended) : '';
  status.className = `timeline-status${next?.live ? ' live' : ''}`;
  if (!next) {
    view = undefined;
  } else if (!view || !sameRun) {
    view = fitViewport(next, plotWidth(), visibleLaneCount());
    following = true;
    if (savedView?.run === timelineRunKey(nextTitle, next)) {
      view = { ...view, start: savedView.start, msPerPx: savedView.msPerPx, firstLane: savedView.firstLane };
      following = savedView.following;
    }
    savedView = undefined;
  } else if (following && next.live) {
    // Keep the right edge on "now" at the same zoom.
    const duration = view.width * view.msPerPx;
    view = next.end - next.start > duration * 0.98 ? { ...view, start: next.end - duration * 0.98 } : fitViewport(next, plotWidth(), visibleLaneCount());
  }
  renderSummary();
  draw();
}

function renderSummary(): void {
  const text = strings;
  if (!text) return;
  if (!data) {
    summary.textContent = text.noRun;
    slowHost.replaceChildren();
    tableHost.replaceChildren();
    return;
  }
  const processes = data.lanes.filter((lane) => lane.kind === 'process').length;
  const lagSentences = data.lags.map((lag) => format(text.lagSummary, laneName(lag.threadLane), formatDuration(lag.maxMs), formatDuration(lag.p95Ms)));
  const busySentences = data.busy.map((loop) => format(text.busySummary, laneName(loop.threadLane), percent(loop.busyPercent), loop.callbacks));
  summary.textContent = [
    format(text.summary, processes, data.lanes.length, data.spans.start.length, formatDuration(data.end - data.start), data.marks.length),
    ...lagSentences,
    ...busySentences,
  ].join(' ');
  renderSlowCallbacks(text, data);
  if (!tableHost.contains(tableDetails)) tableHost.replaceChildren(tableDetails);
  renderTable();
}

function percent(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

/** Trace mode: the slowest callbacks, slowest first, each opening the line it ran to. */
function renderSlowCallbacks(text: TimelineStrings, timeline: TimelineData): void {
  if (timeline.slowCallbacks.length === 0) {
    slowHost.replaceChildren();
    return;
  }
  slowHost.replaceChildren(
    h('h2', {}, text.slowTitle),
    h('ol', {}, ...timeline.slowCallbacks.map((callback) => {
      const words = format(text.slowRow, formatDuration(callback.durationMs), callback.callback, laneName(callback.threadLane));
      const where = callback.source ? ` — ${callback.source.file.split(/[\\/]/).pop() ?? callback.source.file}:${callback.source.line}` : '';
      const source = callback.source;
      return h('li', {}, source
        ? h('button', { className: 'timeline-link', on: { click: () => vscode.postMessage({ type: FromTimelineType.OpenSource, file: source.file, line: source.line }) } }, words + where)
        : words);
    })),
  );
}

/** A thread lane named with its process, e.g. `main (app.js (10))`. */
function laneName(lane: number): string {
  const info = data?.lanes[lane];
  const process = data?.lanes.find((candidate) => candidate.kind === 'process' && candidate.pid === info?.pid);
  return info && process && process !== info ? `${info.label} (${process.label})` : (info?.label ?? '');
}

/** The lanes as a table: the accessible (and copyable) form of the timeline, filled while open. */
function renderTable(): void {
  const text = strings;
  const timeline = data;
  if (!text || !timeline) return;
  tableToggle.textContent = text.tableToggle;
  if (!tableDetails.open) {
    tableDetails.replaceChildren(tableToggle);
    return;
  }
  const { laneStart } = timeline.spans;
  const rows = timeline.lanes.slice(0, TABLE_ROWS).map((lane, index) => {
    const lag = lane.kind === 'lag' ? timeline.lags.find((candidate) => candidate.lane === index) : undefined;
    if (lag) return lagRow(text, timeline, lane, lag);
    const busy = lane.kind === 'busy' ? timeline.busy.find((candidate) => candidate.lane === index) : undefined;
    if (busy) return busyRow(text, timeline, lane, busy);
    const [from, to] = [laneStart[index]!, laneStart[index + 1]!];
    const first = from < to ? spanOf(timeline.spans, index, from) : undefined;
    const last = from < to ? spanOf(timeline.spans, index, to - 1) : undefined;
    return h('tr', {},
      h('td', {}, '\u00a0'.repeat(lane.depth * 2), lane.label),
      h('td', {}, text.kinds[lane.kind]),
      h('td', {}, last ? text.states[last.state] : ''),
      h('td', {}, first ? `+${formatDuration(first.start - timeline.start)}` : ''),
      h('td', {}, first && last ? formatDuration(last.end - first.start) : ''));
  });
  tableDetails.replaceChildren(
    tableToggle,
    ...(timeline.lanes.length > TABLE_ROWS ? [h('p', {}, format(text.tableTruncated, TABLE_ROWS, timeline.lanes.length))] : []),
    h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { attrs: { scope: 'col' } }, text.columns.lane),
        h('th', { attrs: { scope: 'col' } }, text.columns.kind),
        h('th', { attrs: { scope: 'col' } }, text.columns.state),
        h('th', { attrs: { scope: 'col' } }, text.columns.start),
        h('th', { attrs: { scope: 'col' } }, text.columns.duration))),
      h('tbody', {}, ...rows)),
  );
}

function lagRow(text: TimelineStrings, timeline: TimelineData, lane: TimelineLane, lag: TimelineLag): HTMLElement {
  const first = lag.time[0] ?? timeline.start;
  const last = lag.time[lag.time.length - 1] ?? first;
  return h('tr', {},
    h('td', {}, '\u00a0'.repeat(lane.depth * 2), lane.label),
    h('td', {}, text.kinds.lag),
    h('td', {}, format(text.lagStats, formatDuration(lag.maxMs), formatDuration(lag.p95Ms))),
    h('td', {}, `+${formatDuration(first - timeline.start)}`),
    h('td', {}, formatDuration(last - first)));
}

function busyRow(text: TimelineStrings, timeline: TimelineData, lane: TimelineLane, busy: TimelineBusy): HTMLElement {
  const first = busy.time[0] ?? timeline.start;
  const last = busy.time[busy.time.length - 1] ?? first;
  return h('tr', {},
    h('td', {}, '\u00a0'.repeat(lane.depth * 2), lane.label),
    h('td', {}, text.kinds.busy),
    h('td', {}, format(text.busyStats, percent(busy.busyPercent), busy.callbacks)),
    h('td', {}, `+${formatDuration(first - timeline.start)}`),
    h('td', {}, formatDuration(last - first)));
}

// ── geometry ───────────────────────────────────────────────────────────────────────────────────
function plotWidth(): number {
  return Math.max(50, plot.clientWidth - LABEL_WIDTH);
}

function visibleLaneCount(): number {
  return Math.max(1, (plot.clientHeight - AXIS_HEIGHT) / LANE_HEIGHT);
}

function laneAtY(y: number): number | undefined {
  if (!view || !data || y < AXIS_HEIGHT) return undefined;
  const lane = Math.floor(view.firstLane + (y - AXIS_HEIGHT) / LANE_HEIGHT);
  return lane < data.lanes.length ? lane : undefined;
}

// ── drawing ────────────────────────────────────────────────────────────────────────────────────
let frameRequested = false;
function draw(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    paint();
  });
}

/** Paints the visible window: work bounded by the pixels on screen, not by the number of spans. */
function paint(): void {
  const width = plot.clientWidth;
  const height = plot.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const foreground = colour('--vscode-foreground', '#ccc');
  const muted = colour('--vscode-descriptionForeground', '#999');
  const lines = colour('--vscode-editorWidget-border', colour('--vscode-widget-border', '#444'));
  ctx.fillStyle = colour('--vscode-editor-background', '#1e1e1e');
  ctx.fillRect(0, 0, width, height);
  if (!data || !view) {
    range.textContent = '';
    return;
  }
  view = { ...view, width: plotWidth(), laneCount: visibleLaneCount() };
  if (strings) {
    const { from, to } = shownRunRange(data, view);
    const shown = format(strings.range, formatDuration(from), formatDuration(to));
    if (range.textContent !== shown) range.textContent = shown;
  }
  saveView();
  const font = colour('--vscode-font-family', 'sans-serif');

  // Time axis.
  ctx.font = `11px ${font}`;
  ctx.textBaseline = 'middle';
  const step = tickStepMs(view.msPerPx);
  const firstTick = Math.ceil((view.start - data.start) / step) * step;
  for (let offset = firstTick; ; offset += step) {
    const x = LABEL_WIDTH + (data.start + offset - view.start) / view.msPerPx;
    if (x > width) break;
    ctx.fillStyle = lines;
    ctx.fillRect(Math.round(x), AXIS_HEIGHT - 6, 1, height);
    ctx.fillStyle = muted;
    ctx.fillText(formatDuration(offset), Math.round(x) + 3, AXIS_HEIGHT / 2);
  }

  // Spans, one fill per state.
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_WIDTH, AXIS_HEIGHT, width - LABEL_WIDTH, height - AXIS_HEIGHT);
  ctx.clip();
  const laneTop = (lane: number) => AXIS_HEIGHT + (lane - view!.firstLane) * LANE_HEIGHT;
  // Spans: one path per state, filled once each.
  visibleSpanRects(data, view, rects);
  const paths = TIMELINE_STATES.map(() => new Path2D());
  const { firstLane: topLane } = view;
  for (let index = 0; index < rects.count; index += 1) {
    const top = AXIS_HEIGHT + (rects.lane[index]! - topLane) * LANE_HEIGHT + 4;
    paths[rects.state[index]!]!.rect(LABEL_WIDTH + rects.x[index]!, top, rects.width[index]!, LANE_HEIGHT - 8);
  }
  TIMELINE_STATES.forEach((state, index) => {
    ctx.fillStyle = colour(STATE_COLOURS[state], '#888');
    ctx.fill(paths[index]!);
  });
  // Blocked loops: a red outline over the blocked time and a marker on top.
  ctx.strokeStyle = ctx.fillStyle = colour('--vscode-charts-red', '#f14c4c');
  ctx.lineWidth = 2;
  for (const mark of data.marks) {
    const top = laneTop(mark.lane);
    if (top < AXIS_HEIGHT - LANE_HEIGHT || top > height) continue;
    const x = LABEL_WIDTH + (mark.time - view.start) / view.msPerPx;
    const w = Math.max(2, mark.durationMs / view.msPerPx);
    if (x + w < LABEL_WIDTH || x > width) continue;
    ctx.strokeRect(x, top + 2, w, LANE_HEIGHT - 4);
    ctx.beginPath();
    ctx.moveTo(x - 4, top);
    ctx.lineTo(x + 4, top);
    ctx.lineTo(x, top + 6);
    ctx.fill();
  }
  const lagColour = colour('--vscode-charts-purple', '#b180d7');
  const blockedColour = colour('--vscode-charts-red', '#f14c4c');
  for (const lag of data.lags) {
    const top = laneTop(lag.lane);
    if (top > AXIS_HEIGHT - LANE_HEIGHT && top < height) paintLagStrip(ctx, lag, view, top, data.blockedThresholdMs, lagColour, blockedColour);
  }
  const busyColour = colour('--vscode-charts-green', '#89d185');
  for (const busy of data.busy) {
    const top = laneTop(busy.lane);
    if (top > AXIS_HEIGHT - LANE_HEIGHT && top < height) paintBusyStrip(ctx, busy, view, top, busyColour);
  }
  if (data.live) {
    ctx.fillStyle = foreground;
    ctx.fillRect(Math.round(LABEL_WIDTH + (data.end - view.start) / view.msPerPx), AXIS_HEIGHT, 1, height);
  }
  ctx.restore();

  // Lane labels (canvas text: program data is never markup).
  ctx.fillStyle = colour('--vscode-sideBar-background', colour('--vscode-editor-background', '#252526'));
  ctx.fillRect(0, AXIS_HEIGHT, LABEL_WIDTH, height - AXIS_HEIGHT);
  ctx.fillStyle = lines;
  ctx.fillRect(LABEL_WIDTH - 1, 0, 1, height);
  ctx.fillRect(0, AXIS_HEIGHT - 1, width, 1);
  const firstLane = Math.max(0, Math.floor(view.firstLane));
  const lastLane = Math.min(data.lanes.length - 1, Math.ceil(view.firstLane + view.laneCount));
  for (let lane = firstLane; lane <= lastLane; lane += 1) {
    const info = data.lanes[lane]!;
    const strip = info.kind === 'lag' || info.kind === 'busy';
    ctx.font = `${info.kind === 'process' ? 'bold ' : ''}${strip ? 11 : 12}px ${font}`;
    ctx.fillStyle = info.kind === 'thread' || info.kind === 'worker' || info.kind === 'process' ? foreground : muted;
    const x = 6 + info.depth * INDENT;
    // A strip is named by its kind; the thread it belongs to is the lane above.
    const label = strip && strings ? strings.kinds[info.kind] : info.label;
    ctx.fillText(ellipsize(ctx, label, LABEL_WIDTH - x - 6), x, laneTop(lane) + LANE_HEIGHT / 2);
  }
}

/** Reused by every paint: one lag value, one block value and one busy value per pixel column. */
let lagBuffer = new Float32Array(0);
let blockBuffer = new Float32Array(0);
let busyBuffer = new Float32Array(0);

function ensureBuffers(width: number): void {
  if (lagBuffer.length >= width) return;
  lagBuffer = new Float32Array(width);
  blockBuffer = new Float32Array(width);
  busyBuffer = new Float32Array(width);
}

/**
 * A loop's lag as bars from the bottom of its lane, its blocks as bars in the blocked colour over
 * them (as tall as they lasted), scaled to the larger of the largest lag and the threshold, with the
 * threshold as a line.
 */
function paintLagStrip(ctx: CanvasRenderingContext2D, lag: TimelineLag, shown: Viewport, top: number, thresholdMs: number | undefined, fill: string, blocked: string): void {
  const width = Math.floor(shown.width);
  ensureBuffers(width);
  const scale = Math.max(1, lag.maxMs, thresholdMs ?? 0) * 1.1;
  const bottom = top + LANE_HEIGHT - 2;
  const room = LANE_HEIGHT - 4;
  ctx.fillStyle = fill;
  ctx.fill(columnBars(lagColumns(lag, shown, lagBuffer), width, scale, bottom, room));
  ctx.fillStyle = blocked;
  ctx.fill(columnBars(blockColumns(lag, shown, blockBuffer), width, scale, bottom, room));
  if (thresholdMs !== undefined) {
    const y = Math.round(bottom - (thresholdMs / scale) * room);
    for (let x = 0; x < width; x += 6) ctx.fillRect(LABEL_WIDTH + x, y, 3, 1);
  }
}

/** A traced loop's occupancy (percent of each moment it ran callbacks) as bars from the bottom of its lane. */
function paintBusyStrip(ctx: CanvasRenderingContext2D, busy: TimelineBusy, shown: Viewport, top: number, fill: string): void {
  const width = Math.floor(shown.width);
  ensureBuffers(width);
  ctx.fillStyle = fill;
  ctx.fill(columnBars(busyColumns(busy, shown, busyBuffer), width, 100, top + LANE_HEIGHT - 2, LANE_HEIGHT - 4));
}

/** One bar per run of equal non-zero columns, rising from `bottom`. */
function columnBars(columns: Float32Array, width: number, scale: number, bottom: number, room: number): Path2D {
  const bars = new Path2D();
  for (let x = 0; x < width; x += 1) {
    const value = columns[x]!;
    if (value <= 0) continue;
    let run = x;
    while (run + 1 < width && columns[run + 1] === value) run += 1;
    const barHeight = Math.max(1, (value / scale) * room);
    bars.rect(LABEL_WIDTH + x, bottom - barHeight, run - x + 1, barHeight);
    x = run;
  }
  return bars;
}

function ellipsize(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (ctx.measureText(`${text.slice(0, middle)}…`).width <= maxWidth) low = middle;
    else high = middle - 1;
  }
  return `${text.slice(0, low)}…`;
}

// ── interaction ────────────────────────────────────────────────────────────────────────────────
const SAVE_DELAY_MS = 200;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

/** Saves the view (debounced: panning changes it every frame). */
function saveView(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    if (data && view) vscode.setState({ run: timelineRunKey(title, data), start: view.start, msPerPx: view.msPerPx, firstLane: view.firstLane, following });
  }, SAVE_DELAY_MS);
}

function setView(next: Viewport): void {
  view = next;
  following = false;
  hideTooltip();
  draw();
}

function zoomBy(factor: number, anchorX = (view?.width ?? 0) / 2): void {
  if (view) setView(zoomViewport(view, factor, anchorX));
}

function fit(): void {
  if (!data) return;
  view = fitViewport(data, plotWidth(), visibleLaneCount());
  following = true;
  draw();
}

canvas.addEventListener('wheel', (event) => {
  if (!view || !data) return;
  event.preventDefault();
  const rect = canvas.getBoundingClientRect();
  if (event.shiftKey) setView(panViewport(view, 0, Math.sign(event.deltaY) * 3, data.lanes.length));
  else if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) setView(panViewport(view, event.deltaX, 0, data.lanes.length));
  else zoomBy(event.deltaY < 0 ? 1.2 : 1 / 1.2, Math.max(0, event.clientX - rect.left - LABEL_WIDTH));
}, { passive: false });

let drag: { x: number; y: number; moved: boolean } | undefined;
canvas.addEventListener('pointerdown', (event) => {
  drag = { x: event.clientX, y: event.clientY, moved: false };
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener('pointermove', (event) => {
  if (drag && view && data && (event.buttons & 1) === 1) {
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
      drag = { x: event.clientX, y: event.clientY, moved: true };
      setView(panViewport(view, -dx, -dy / LANE_HEIGHT, data.lanes.length));
    }
    return;
  }
  showTooltip(event);
});
canvas.addEventListener('pointerup', (event) => {
  const clicked = drag && !drag.moved;
  drag = undefined;
  if (clicked) openSourceAt(event);
});
canvas.addEventListener('pointerleave', hideTooltip);
canvas.addEventListener('keydown', (event) => {
  if (!view || !data) return;
  const page = Math.max(1, Math.floor(view.laneCount) - 1);
  const moves: Record<string, () => Viewport> = {
    ArrowLeft: () => panViewport(view!, -view!.width / 10, 0, data!.lanes.length),
    ArrowRight: () => panViewport(view!, view!.width / 10, 0, data!.lanes.length),
    ArrowUp: () => panViewport(view!, 0, -1, data!.lanes.length),
    ArrowDown: () => panViewport(view!, 0, 1, data!.lanes.length),
    PageUp: () => panViewport(view!, 0, -page, data!.lanes.length),
    PageDown: () => panViewport(view!, 0, page, data!.lanes.length),
    '+': () => zoomViewport(view!, ZOOM_STEP, view!.width / 2),
    '=': () => zoomViewport(view!, ZOOM_STEP, view!.width / 2),
    '-': () => zoomViewport(view!, 1 / ZOOM_STEP, view!.width / 2),
  };
  if (event.key === '0' || event.key === 'Home') {
    event.preventDefault();
    fit();
    return;
  }
  const move = moves[event.key];
  if (!move) return;
  event.preventDefault();
  setView(move());
});

interface Hit {
  readonly lane: TimelineLane;
  readonly lines: string[];
  readonly source?: { file: string; line: number };
}

function hitAt(event: MouseEvent): Hit | undefined {
  if (!view || !data || !strings) return undefined;
  const rect = canvas.getBoundingClientRect();
  const x = event.clientX - rect.left;
  const laneIndex = laneAtY(event.clientY - rect.top);
  if (laneIndex === undefined) return undefined;
  const lane = data.lanes[laneIndex]!;
  const lines = [lane.label, strings.kinds[lane.kind], ...(lane.detail !== undefined ? [lane.detail] : [])];
  if (lane.kind === 'busy') {
    const busy = data.busy.find((candidate) => candidate.lane === laneIndex);
    const value = busy && x >= LABEL_WIDTH ? busyAt(busy, view.start + (x - LABEL_WIDTH) * view.msPerPx) : undefined;
    return {
      lane,
      lines: [
        laneName(busy?.threadLane ?? laneIndex), strings.kinds.busy,
        ...(value !== undefined ? [format(strings.busyAt, percent(value))] : []),
        ...(busy ? [format(strings.busyStats, percent(busy.busyPercent), busy.callbacks)] : []),
      ],
    };
  }
  if (lane.kind === 'lag') {
    const lag = data.lags.find((candidate) => candidate.lane === laneIndex);
    const value = lag && x >= LABEL_WIDTH ? lagAt(lag, view.start + (x - LABEL_WIDTH) * view.msPerPx) : undefined;
    const text = strings;
    return {
      lane,
      lines: [
        laneName(lag?.threadLane ?? laneIndex), text.kinds.lag,
        ...(value !== undefined ? [format(text.lagAt, formatDuration(value))] : []),
        ...(lag ? [format(text.lagStats, formatDuration(lag.maxMs), formatDuration(lag.p95Ms))] : []),
        ...(data.blockedThresholdMs !== undefined ? [format(text.lagThreshold, formatDuration(data.blockedThresholdMs))] : []),
      ],
    };
  }
  if (x < LABEL_WIDTH) return { lane, lines, ...(lane.source ? { source: lane.source } : {}) };
  const mark = markAt(data, view, laneIndex, x - LABEL_WIDTH);
  if (mark) {
    lines.push(format(mark.gil ? strings.gilHeldFor : strings.blockedFor, formatDuration(mark.durationMs)));
    if (mark.source) lines.push(`${mark.functionName ? `${mark.functionName} · ` : ''}${mark.source.file}:${mark.source.line}`, strings.clickToOpen);
    return { lane, lines, ...(mark.source ? { source: mark.source } : {}) };
  }
  const span = spanAt(data, view, laneIndex, x - LABEL_WIDTH);
  if (span) lines.push(`${strings.states[span.state]} · +${formatDuration(span.start - data.start)} · ${formatDuration(span.end - span.start)}`);
  if (lane.source) lines.push(`${lane.source.file}:${lane.source.line}`, strings.clickToOpen);
  return { lane, lines, ...(lane.source ? { source: lane.source } : {}) };
}

function showTooltip(event: MouseEvent): void {
  const hit = hitAt(event);
  if (!hit) {
    hideTooltip();
    return;
  }
  tooltip.replaceChildren(...hit.lines.map((line, index) => h('div', { className: index === 0 ? 'tooltip-title' : '' }, line)));
  const rect = plot.getBoundingClientRect();
  const left = Math.min(event.clientX - rect.left + 12, rect.width - 260);
  tooltip.style.left = `${Math.max(0, left)}px`;
  tooltip.style.top = `${event.clientY - rect.top + 14}px`;
  tooltip.hidden = false;
  canvas.style.cursor = hit.source ? 'pointer' : 'default';
}

function hideTooltip(): void {
  tooltip.hidden = true;
}

function openSourceAt(event: MouseEvent): void {
  const source = hitAt(event)?.source;
  if (source) vscode.postMessage({ type: FromTimelineType.OpenSource, file: source.file, line: source.line });
}

new ResizeObserver(() => draw()).observe(plot);
// Theme changes swap the body's classes: repaint with the new colours.
new MutationObserver(() => draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseToTimeline(event.data);
  if (!message) return;
  switch (message.type) {
    case ToTimelineType.Init:
      document.documentElement.lang = message.locale;
      strings = message.strings;
      renderShell(message.strings);
      setData(data, title);
      return;
    case ToTimelineType.Data:
      setData(message.data, message.title);
      return;
  }
});

vscode.postMessage({ type: FromTimelineType.Ready });
