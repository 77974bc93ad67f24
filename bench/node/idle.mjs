// A program that only waits, for BENCH_SECONDS (default 5): one timer a second and nothing else.
// What a probe costs here is its fixed cost per second (heartbeats, samples, its profiler), which
// bench:probe:node reports as the probe's CPU per wall second. Prints its own time and the timers run.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const started = performance.now();
const cpuStarted = process.cpuUsage();
let ticks = 0;
while (performance.now() - started < SECONDS * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  ticks += 1;
}
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
console.log(`WORK ${ticks}`);
