// `npm run bench:probe:node`: the Node probe's overhead and the timeline's drawing cost.
// Each workload runs with and without the probe, alternately, RUNS times each; the probed runs
// report to a real ProbeServer feeding a RunModel, as in the extension. Prints the medians of CPU
// time (every thread of the process) and wall time side by side, `RESULT
// probe.node.<workload>.overhead_pct=<x>` on CPU time (the steadier on a shared machine) and
// `…overhead_wall_pct` beside it (plus the optional promise detail mode),
// then `RESULT timeline.render_100k_spans_ms=<x>`: the timeline webview bundle in headless Chromium
// receiving a run of 100k spans and painting it (median of RUNS), and the redraw after a zoom.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProbeServer } from '../src/core/probe/server';
import { nodeLaunchSpec } from '../src/core/runs/launchSpec';
import { RunModel } from '../src/core/runs/runModel';
import type { TimelineData, TimelineSpan } from '../src/core/timeline/timelineData';
import { launchBrowser } from '../test/runner/workbench';
import { type Timing, compareTimings, median, runForOutput, timing } from './measure';

const RUNS = 11;
const root = path.resolve(__dirname, '..');
const quietLogger = { info: () => undefined, warn: (message: string) => console.error(message), error: (message: string) => console.error(message) };

async function probedRun(script: string, extraEnv: Record<string, string>): Promise<{ timing: Timing; frames: number }> {
  const server = await ProbeServer.start({ logger: quietLogger });
  const model = new RunModel();
  let frames = 0;
  server.onHello((connection) => model.addProcess(connection.hello));
  server.onFrame(({ connection, frame }) => {
    frames += 1;
    model.apply(connection.hello.pid, frame);
  });
  const spec = nodeLaunchSpec({
    node: process.execPath, script, cwd: root, probePath: path.join(root, 'probes', 'node', 'probe.cjs'),
    baseEnv: { ...process.env, ...extraEnv }, probeEnv: server.environment, blockedThresholdMs: 100,
  })!;
  const result = timing(await runForOutput(spec.command, [...spec.args], spec.env));
  await server.dispose();
  return { timing: result, frames };
}

async function probeOverhead(): Promise<void> {
  console.log(`Node ${process.version}, ${RUNS} runs each, medians:`);
  const workloads: { name: string; script: string; env: Record<string, string> }[] = [
    { name: 'awaits', script: 'awaits.mjs', env: {} },
    { name: 'worker_pool', script: 'worker_pool.mjs', env: {} },
    { name: 'awaits_promise_detail', script: 'awaits.mjs', env: { CONCURRENCY_LENS_NODE_PROMISES: '1' } },
  ];
  for (const workload of workloads) {
    const script = path.join(root, 'bench', 'node', workload.script);
    const plain: Timing[] = [];
    const probed: Timing[] = [];
    let frames = 0;
    for (let index = 0; index < RUNS; index += 1) {
      plain.push(timing(await runForOutput(process.execPath, [script], process.env)));
      const result = await probedRun(script, workload.env);
      probed.push(result.timing);
      frames += result.frames;
    }
    const overhead = compareTimings(workload.name, plain, probed);
    console.log(`  ${workload.name.padEnd(22)} ${Math.round(frames / RUNS)} frames per probed run`);
    console.log(`RESULT probe.node.${workload.name}.overhead_pct=${overhead.cpu.toFixed(1)}`);
    console.log(`RESULT probe.node.${workload.name}.overhead_wall_pct=${overhead.wall.toFixed(1)}`);
  }
}

/**
 * Runs in the page: posts the data, waits
 * for the title to change and the next frame to be painted; then zooms out and waits a frame.
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

/** 100 lanes of 1000 back-to-back spans each, over 100 s. */
function hundredThousandSpans(): TimelineData {
  const lanes = Array.from({ length: 100 }, (_, index) => ({ id: `l${index}`, kind: index === 0 ? 'process' as const : 'task' as const, depth: index === 0 ? 0 : 2, pid: 1, label: `Task-${index}` }));
  const states = ['running', 'waiting', 'blocked', 'done'] as const;
  const spans: TimelineSpan[] = [];
  for (let lane = 0; lane < lanes.length; lane += 1) {
    for (let index = 0; index < 1000; index += 1) spans.push({ lane, start: index * 100, end: index * 100 + 100, state: states[(index + lane) % states.length]! });
  }
  return { start: 0, end: 100_000, live: false, lanes, spans, marks: [{ lane: 1, time: 5000, durationMs: 300 }] };
}

async function timelineRender(): Promise<void> {
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
    const strings = { title: 'Timeline', noRun: 'none', live: 'running', ended: 'ended', zoomIn: '+', zoomOut: '-', fit: 'fit', canvasLabel: 'timeline', help: '', summary: '{0} {1} {2} {3} {4}', tableToggle: 'table', tableTruncated: '{0}/{1}', columns: { lane: 'lane', kind: 'kind', state: 'state', start: 'start', duration: 'duration' }, blockedFor: '{0}', clickToOpen: 'open', states: { running: 'running', waiting: 'waiting', blocked: 'blocked', done: 'done', failed: 'failed', cancelled: 'cancelled' }, kinds: { process: 'process', thread: 'thread', worker: 'worker', task: 'task', child: 'child' } };
    // Page code is plain JavaScript source (this file is type-checked for Node, without the DOM).
    const inPage = <T>(source: string, arg: unknown): Promise<T> => tab.evaluate(({ code, value }) => ((0, eval)(code) as (input: unknown) => Promise<T>)(value), { code: source, value: arg });
    await inPage(`(strings) => window.postMessage({ type: 'init', locale: 'en', strings }, '*')`, strings);
    const data = hundredThousandSpans();
    const renders: number[] = [];
    const redraws: number[] = [];
    for (let index = 0; index < RUNS; index += 1) {
      const times = await inPage<{ rendered: number; redrawn: number }>(MEASURE_IN_PAGE, { timeline: data, title: `run ${index}` });
      renders.push(times.rendered);
      redraws.push(times.redrawn);
    }
    console.log(`timeline: 100k spans received and painted in ${median(renders).toFixed(1)} ms, redrawn after a zoom in ${median(redraws).toFixed(1)} ms (medians of ${RUNS})`);
    console.log(`RESULT timeline.render_100k_spans_ms=${median(renders).toFixed(1)}`);
    console.log(`RESULT timeline.redraw_100k_spans_ms=${median(redraws).toFixed(1)}`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  await probeOverhead();
  await timelineRender();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
