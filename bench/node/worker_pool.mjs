// A pool of 4 worker_threads Workers working through 400 small CPU jobs handed out by messages.
import { Worker } from 'node:worker_threads';

const WORKERS = 4;
const JOBS = 400;
const source = `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (n) => {
    let primes = 0;
    for (let k = n; k < n + 2000; k++) {
      let prime = k > 1;
      for (let d = 2; d * d <= k; d++) if (k % d === 0) { prime = false; break; }
      if (prime) primes++;
    }
    parentPort.postMessage(primes);
  });
`;
const started = performance.now();
const cpuStarted = process.cpuUsage();
let next = 0;
let done = 0;
await new Promise((resolve) => {
  for (let index = 0; index < WORKERS; index += 1) {
    const worker = new Worker(source, { eval: true });
    const feed = () => {
      if (next < JOBS) worker.postMessage(100_000 + 2000 * next++);
      else void worker.terminate();
    };
    worker.on('message', () => {
      done += 1;
      if (done === JOBS) resolve();
      feed();
    });
    feed();
  }
});
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
// Every thread of the process: the main thread, the Workers and the probe's own.
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
