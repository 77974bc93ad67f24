// Awaits of async functions that each do a little work (ROUNDS of arithmetic: ~50 µs on the 2-core
// benchmark machine, as a handler that parses or formats something), with a turn of the event loop
// every 100 awaits, for BENCH_SECONDS: the realistic counterpart of awaits.mjs for trace mode. The
// work per await is fixed (not calibrated per run), so runs compare per unit of work. Prints its
// own time and the awaits done.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 11_000;
let sink = 0;
function compute(count) {
  let value = 0;
  for (let index = 0; index < count; index += 1) value = (value * 31 + index) % 1_000_003;
  sink += value;
}
async function handle(value) {
  compute(ROUNDS);
  return value + 1;
}
const started = performance.now();
const cpuStarted = process.cpuUsage();
let total = 0;
while (performance.now() - started < SECONDS * 1000) {
  for (let index = 0; index < 100; index += 1) total = await handle(total);
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
console.log(`WORK ${total}`);
if (sink === 0.5) console.log('unreachable');
