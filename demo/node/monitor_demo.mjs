// All three Node.js models at once, for the Concurrency Monitor and its timeline: a Worker doing
// CPU work in parallel, a child process, awaited timers — and one mistake: a synchronous busy loop
// that blocks the event loop for 300 ms.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function blockTheLoop(ms) {
  // Nothing else on this thread runs until this returns: timers, I/O callbacks, promises all wait.
  const end = Date.now() + ms;
  while (Date.now() < end);
}

const worker = new Worker(`
  const { parentPort } = require('node:worker_threads');
  let primes = 0;
  for (let n = 2; n < 3_000_000; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) primes++;
  }
  parentPort.postMessage(primes);
`, { eval: true });
const workerDone = new Promise((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject); // an uncaught exception in the worker
});

const child = spawn(process.execPath, ['-e', 'setTimeout(() => console.log("child done"), 800)'], { stdio: 'inherit' });
const childDone = new Promise((resolve, reject) => {
  child.once('close', resolve);
  child.once('error', reject); // e.g. the executable could not be started
});

await sleep(300);
blockTheLoop(300);
await sleep(200);
console.log(`worker found ${await workerDone} primes; child exited with ${await childDone}`);
