// `npm run bench:timeline`: the timeline webview's drawing cost, in headless Chromium.
// A run of 100 asyncio tasks with 1000 state changes each (100k spans) is built by the host code
// (`buildTimeline`), posted to the real webview bundle and painted; then a zoom redraws it.
// Prints the medians of RUNS side by side:
//   RESULT timeline.build_100k_spans_ms   host: run model → timeline message
//   RESULT timeline.render_100k_spans_ms  webview: message posted → first frame painted
//   RESULT timeline.redraw_100k_spans_ms  webview: zoom key → frame painted
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { RunModel } from '../src/core/runs/runModel';
import { RECORDING_FORMAT, RECORDING_VERSION, type RunRecording } from '../src/core/runs/recording';
import { buildTimeline } from '../src/core/timeline/timelineData';
import { launchBrowser } from '../test/runner/workbench';
import { median } from './measure';

const RUNS = 7;
const TASKS = 100;
const CHANGES_PER_TASK = 1000;
const root = path.resolve(__dirname, '..');

/** 100 tasks on one thread, each alternating running / waiting / blocked every 100 ms for 100 s. */
function bigRun(): RunModel {
  const t0 = 1_700_000_000_000;
  const states = ['running', 'pending', 'blocked', 'running'] as const;
  const tasks = Array.from({ length: TASKS }, (_, task) => ({
    info: { id: `t${task}`, threadId: 'main', loopId: 'loop', name: `Task-${task}`, coroutine: 'work', state: 'done' as const, startedAt: t0, endedAt: t0 + 100_000 },
    live: false,
    history: Array.from({ length: CHANGES_PER_TASK }, (_, index) => ({ state: states[(index + task) % states.length]!, start: t0 + index * 100, end: t0 + index * 100 + 100 })),
    droppedIntervals: 0,
  }));
  const recording: RunRecording = {
    format: RECORDING_FORMAT, version: RECORDING_VERSION,
    processes: [{
      pid: 1, ppid: 0, argv: ['python3', 'big.py'], runtime: { name: 'python', version: '3.12.0' }, startedAt: t0, endedAt: t0 + 100_000, exitCode: 0,
      connected: false, droppedFrames: 0,
      threads: [{ info: { id: 'main', kind: 'main', name: 'MainThread', state: 'exited', startedAt: t0, endedAt: t0 + 100_000 }, live: false, history: [{ state: 'running', start: t0, end: t0 + 100_000 }], droppedIntervals: 0 }],
      tasks, loops: [], children: [],
    }],
    blockedEvents: [{ pid: 1, loopId: 'loop', threadId: 'main', startedAt: t0 + 5000, durationMs: 300, stack: [], ongoing: false }],
    counters: { threads: 1, tasksCreated: TASKS, tasksFailed: 0, tasksCancelled: 0, blocks: 1 },
  };
  return RunModel.fromRecording(recording);
}

/**
 * Runs in the page: posts the data, waits for the title to change and the next frame to be
 * painted; then zooms out and waits a frame.
 */
const MEASURE_IN_PAGE = `async ({ timeline, title }) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const started = performance.now();
  window.postMessage({ type: 'data', title, data: timeline }, '*');
  while (document.querySelector('h1')?.textContent !== title) await new Promise((resolve) => setTimeout(resolve, 0));
  await frame();
  const rendered = performance.now() - started;
  const zoomed = performance.now();
  document.querySelector('canvas').dispatchEvent(new KeyboardEvent('keydown', { key: '-' }));
  await frame();
  return { rendered, redrawn: performance.now() - zoomed };
}`;

const STRINGS = {
  title: 'Timeline', noRun: 'none', live: 'running', ended: 'ended', zoomIn: '+', zoomOut: '-', fit: 'fit', canvasLabel: 'timeline', help: '',
  summary: '{0} {1} {2} {3} {4}', tableToggle: 'table', tableTruncated: '{0}/{1}', columns: { lane: 'lane', kind: 'kind', state: 'state', start: 'start', duration: 'duration' },
  blockedFor: '{0}', clickToOpen: 'open', lagAt: '{0}', lagThreshold: '{0}', lagStats: '{0} {1}', lagSummary: '{0} {1} {2}', range: '{0}–{1}',
  states: { running: 'running', waiting: 'waiting', blocked: 'blocked', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  kinds: { process: 'process', thread: 'thread', worker: 'worker', task: 'task', child: 'child', lag: 'lag' },
};

async function main(): Promise<void> {
  const model = bigRun();
  const builds: number[] = [];
  let data = buildTimeline(model, Date.now(), false);
  for (let index = 0; index < RUNS; index += 1) {
    const started = performance.now();
    data = buildTimeline(model, Date.now(), false);
    builds.push(performance.now() - started);
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'cl-bench-timeline-'));
  const page = path.join(dir, 'timeline.html');
  writeFileSync(page, `<!DOCTYPE html><html><body style="margin:0;height:800px">
<main id="root"></main>
<script>window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });</script>
<script src="${pathToFileURL(path.join(root, 'dist', 'webview', 'timeline.js')).href}"></script>
<link rel="stylesheet" href="${pathToFileURL(path.join(root, 'media', 'timeline.css')).href}">
</body></html>`);
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await tab.goto(pathToFileURL(page).href);
    // Page code is plain JavaScript source (this file is type-checked for Node, without the DOM).
    const inPage = <T>(source: string, arg: unknown): Promise<T> => tab.evaluate(({ code, value }) => ((0, eval)(code) as (input: unknown) => Promise<T>)(value), { code: source, value: arg });
    await inPage(`(strings) => window.postMessage({ type: 'init', locale: 'en', strings }, '*')`, STRINGS);
    // Playwright's evaluate argument is JSON: hand the page the message as it would arrive, then time only the post and paint.
    const renders: number[] = [];
    const redraws: number[] = [];
    for (let index = 0; index < RUNS; index += 1) {
      const times = await inPage<{ rendered: number; redrawn: number }>(MEASURE_IN_PAGE, { timeline: data, title: `run ${index}` });
      renders.push(times.rendered);
      redraws.push(times.redrawn);
    }
    console.log(`timeline, ${TASKS * CHANGES_PER_TASK} spans in ${TASKS} lanes, medians of ${RUNS}: built ${median(builds).toFixed(1)} ms, posted and painted ${median(renders).toFixed(1)} ms, redrawn after a zoom ${median(redraws).toFixed(1)} ms`);
    console.log(`RESULT timeline.build_100k_spans_ms=${median(builds).toFixed(1)}`);
    console.log(`RESULT timeline.render_100k_spans_ms=${median(renders).toFixed(1)}`);
    console.log(`RESULT timeline.redraw_100k_spans_ms=${median(redraws).toFixed(1)}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
