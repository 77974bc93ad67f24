// Concurrency Lens live experiment (Node.js): the same two workloads run sequentially, with
// async/await, with worker_threads and with child processes, on this Node and machine.
//
// No dependencies. Prints one JSON object per line on stdout:
//   {"type":"start",...}  runtime facts
//   {"type":"startup","model":...,"perUnitMs":...}  cost of starting one unit that does nothing
//   {"type":"load","when":"before"|"after","load1":...}  1-minute load average (not on Windows)
//   {"type":"result","workload":...,"model":...,"units":...,"wallMs":...,"cpuMs":...}
//       cpuMs: CPU time of this process (all its threads) and of the child processes during the run
//   {"type":"done"}
// Usage: node experiment.mjs [--scale FACTOR]   (FACTOR scales the work; 1 is the full run)
// The same file is the worker and the child: `--unit cpu|io|none ARG` runs one unit and exits.
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const CPU_UNITS = 4;
const CPU_ITERATIONS = 24_000_000;
const IO_UNITS = 16;
const IO_SLEEP_MS = 150;
const STARTUP_SAMPLES = 8;
const SCRIPT = new URL(import.meta.url);

/** CPU milliseconds the child processes reported while a variant ran (see `--unit`). */
let childCpuMs = 0;

const emit = (fields) => process.stdout.write(`${JSON.stringify(fields)}\n`);

// Plain JavaScript arithmetic: runs on the one JS thread of its isolate until it returns.
function cpuWork(iterations) {
  let total = 0;
  for (let i = 0; i < iterations; i++) total = (total + i * i) % 1_000_003;
  return total;
}

const ioWork = (milliseconds) => sleep(milliseconds); // a timer: the thread is free while it waits

async function runUnit(kind, argument) {
  if (kind === 'cpu') return cpuWork(argument);
  if (kind === 'io') return ioWork(argument);
  return null;
}

// --- the unit side: a worker thread or a child process runs one unit and reports back ---
if (!isMainThread) {
  await runUnit(workerData.kind, workerData.argument);
  parentPort.postMessage('done');
} else if (process.argv[2] === '--unit') {
  await runUnit(process.argv[3], Number(process.argv[4]));
  // The report: the exit code 0, and this process's CPU time (Node cannot read its children's).
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${(user + system) / 1000}\n`);
} else {
  await main(process.argv.slice(2));
}

function inWorker(kind, argument) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SCRIPT, { workerData: { kind, argument } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

function inChild(kind, argument) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(SCRIPT), '--unit', kind, String(argument)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let report = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (report += text));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`unit exited with ${code}`));
      childCpuMs += Number(report) || 0;
      resolve();
    });
  });
}

async function timedMs(run) {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Wall and CPU milliseconds of one run: this process (worker threads included) plus its child processes. */
async function measured(run) {
  childCpuMs = 0;
  const cpuBefore = process.cpuUsage();
  const wallMs = await timedMs(run);
  const { user, system } = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (user + system) / 1000 + childCpuMs };
}

function emitLoad(when) {
  if (process.platform !== 'win32') emit({ type: 'load', when, load1: loadavg()[0] }); // always 0 on Windows
}

async function minimumMs(run) {
  let best = Infinity;
  for (let sample = 0; sample < STARTUP_SAMPLES; sample++) best = Math.min(best, await timedMs(run));
  return best;
}

async function measureStartup() {
  const promises = STARTUP_SAMPLES * 100;
  const allPromisesMs = await timedMs(() => Promise.all(Array.from({ length: promises }, () => runUnit('none', 0))));
  emit({ type: 'startup', model: 'coroutines', perUnitMs: allPromisesMs / promises });
  emit({ type: 'startup', model: 'threads', perUnitMs: await minimumMs(() => inWorker('none', 0)) });
  emit({ type: 'startup', model: 'processes', perUnitMs: await minimumMs(() => inChild('none', 0)) });
}

async function main(args) {
  const scaleAt = args.indexOf('--scale');
  const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
  const iterations = Math.max(1000, Math.round(CPU_ITERATIONS * scale));
  const sleepMs = Math.max(5, Math.round(IO_SLEEP_MS * scale));
  emit({ type: 'start', language: 'node', runtime: process.versions.node, implementation: 'v8', gilEnabled: false, cpus: availableParallelism() });
  emitLoad('before');
  await measureStartup();
  const workloads = [
    { workload: 'cpu', argument: iterations, units: CPU_UNITS },
    { workload: 'io', argument: sleepMs, units: IO_UNITS },
  ];
  for (const { workload, argument, units } of workloads) {
    const each = (start) => Promise.all(Array.from({ length: units }, () => start(workload, argument)));
    const variants = {
      sequential: async () => {
        for (let unit = 0; unit < units; unit++) await runUnit(workload, argument);
      },
      coroutines: () => each(runUnit),
      threads: () => each(inWorker),
      processes: () => each(inChild),
    };
    for (const [model, run] of Object.entries(variants)) {
      emit({ type: 'result', workload, model, units, ...(await measured(run)) });
    }
  }
  emitLoad('after');
  emit({ type: 'done' });
}
