// A busy event loop: 600 slices of a fixed CPU job (~5 ms each, ~3 s in all), one per turn of
// the loop (setImmediate), with a timer ticking beside them. Long enough for a probe's periodic work
// (heartbeats, samples, profile restarts) to show; the work is fixed, so any overhead shows as time.
const SLICES = 600;
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
await new Promise((resolve) => {
  let done = 0;
  const next = () => {
    total += slice(1_000_000 + 1000 * (done % 50));
    done += 1;
    if (done < SLICES) setImmediate(next);
    else resolve();
  };
  setImmediate(next);
});
clearInterval(ticker);
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
// Every thread of the process: the main thread and the probe's own work on it.
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
if (total === 0 || ticks === 0) process.exitCode = 1;
