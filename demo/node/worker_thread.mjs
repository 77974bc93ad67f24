// Threads in Node.js: worker_threads run CPU-bound JavaScript in parallel, each with its own event loop.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

function countPrimes(from, to) {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) count++;
  }
  return count;
}

if (isMainThread) {
  const workers = Math.min(4, availableParallelism());
  const limit = 2_000_000;
  const chunk = Math.ceil(limit / workers);
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: workers }, (_, i) => new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { from: i * chunk, to: (i + 1) * chunk } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`worker stopped with exit code ${code}`)));
    })),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(`${total} primes below ${limit} with ${workers} workers in ${Math.round(performance.now() - started)} ms`);
} else {
  parentPort.postMessage(countPrimes(workerData.from, workerData.to));
}
