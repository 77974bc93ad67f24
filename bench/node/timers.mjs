// Timers at full speed, for BENCH_SECONDS (default 5): per turn of the loop, 200 short timeouts
// (most cleared before they fire), 20 long ones cleared at once (a request timeout that did not
// happen) and an interval started and stopped: the calls the Node probe wraps to say later what
// keeps a process alive. Prints its own time and the timers created.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const started = performance.now();
const cpuStarted = process.cpuUsage();
let created = 0;
let fired = 0;
while (performance.now() - started < SECONDS * 1000) {
  await new Promise((resolve) => {
    const short = [];
    for (let index = 0; index < 200; index += 1) short.push(setTimeout(() => (fired += 1), 1));
    for (let index = 0; index < 20; index += 1) clearTimeout(setTimeout(() => (fired += 1), 30_000));
    clearInterval(setInterval(() => (fired += 1), 5_000));
    for (let index = 0; index < 180; index += 1) clearTimeout(short[index]);
    created += 221;
    setTimeout(resolve, 2);
  });
}
console.log(`ELAPSED ${((performance.now() - started) / 1000).toFixed(4)}`);
const cpu = process.cpuUsage(cpuStarted);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(4)}`);
if (fired === 0) process.exitCode = 1;
console.log(`WORK ${created}`);
