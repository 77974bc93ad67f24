// A busy event loop: slices of a fixed CPU job (~5 ms each), one per turn of the loop
// (setImmediate), with a timer ticking beside them, for BENCH_SECONDS (default 5). Long enough for a
// probe's periodic work (heartbeats, samples, profile restarts) to show. Prints the slices done.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
function slice(from) {
  let primes = 0;
  for (let k = from; k < from + 30_000; k++) {
    let prime = k > 1;
    for (let d = 2; d * d <= k; d++) if (k % d === 0) { prime = false; break; }
    if (prime) primes++;
  }
  return primes;
}
const started = performance.now();
const cpuStarted = process.cpuUsage();
let ticks = 0;
const ticker = setInterval(() => (ticks += 1), 10);
let total = 0;
const slices = await new Promise((resolve) => {
  let done = 0;
  const next = () => {
    total += slice(1_000_000 + 1000 * (done % 50));
    done += 1;
    if (performance.now() - started < SECONDS * 1000) setImmediate(next);
    else resolve(done);
  };
  setImmediate(next);
});
clearInterval(ticker);
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
// Every thread of the process: the main thread and the probe's own work on it.
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
if (total === 0 || ticks === 0) process.exitCode = 1;
console.log(`WORK ${slices}`);
