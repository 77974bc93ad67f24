// A pool of 4 worker_threads Workers working through small CPU jobs handed out by messages, for
// BENCH_SECONDS (default 5). Prints its own time and the jobs done.
import { Worker } from 'node:worker_threads';

const WORKERS = 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
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
  let stopped = 0;
  for (let index = 0; index < WORKERS; index += 1) {
    const worker = new Worker(source, { eval: true });
    const feed = () => {
      if (performance.now() - started < SECONDS * 1000) worker.postMessage(100_000 + 2000 * (next++ % 400));
      else void worker.terminate().then(() => ++stopped === WORKERS && resolve());
    };
    worker.on('message', () => {
      done += 1;
      feed();
    });
    feed();
  }
});
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
// Every thread of the process: the main thread, the Workers and the probe's own.
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
console.log(`WORK ${done}`);
