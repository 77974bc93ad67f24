// 1M awaits of an async function: the promise machinery at full speed, no I/O.
async function step(value) {
  return value + 1;
}
const started = performance.now();
const cpuStarted = process.cpuUsage();
let total = 0;
for (let index = 0; index < 1_000_000; index += 1) total = await step(total);
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
// Every thread of the process: the main thread, the Workers and the probe's own.
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
if (total !== 1_000_000) process.exitCode = 1;
