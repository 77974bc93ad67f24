// Awaits of an async function, 10,000 at a time with a turn of the event loop between them (as a
// program that also does I/O), for BENCH_SECONDS: the promise machinery at full speed. Prints its
// own time and the awaits done.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
async function step(value) {
  return value + 1;
}
const started = performance.now();
const cpuStarted = process.cpuUsage();
let total = 0;
while (performance.now() - started < SECONDS * 1000) {
  for (let index = 0; index < 10_000; index += 1) total = await step(total);
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
// Every thread of the process: the main thread, the Workers and the probe's own.
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
console.log(`WORK ${total}`);
