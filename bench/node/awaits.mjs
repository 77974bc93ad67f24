// 1M awaits of an async function: the promise machinery at full speed, no I/O.
async function step(value) {
  return value + 1;
}
const started = performance.now();
let total = 0;
for (let index = 0; index < 1_000_000; index += 1) total = await step(total);
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
if (total !== 1_000_000) process.exitCode = 1;
