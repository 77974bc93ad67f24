// Coroutines in Node.js: one JavaScript thread, one event loop; awaits let other work run.
import { setTimeout as sleep } from 'node:timers/promises';

async function fetchSource(name, delayMs, signal) {
  await sleep(delayMs, undefined, { signal }); // stands in for a network call
  return `${name}: ${delayMs} ms`;
}

async function main() {
  const signal = AbortSignal.timeout(2000);
  const sources = Array.from({ length: 8 }, (_, i) => fetchSource(`source-${i}`, 200 + i * 100, signal));
  for (const line of await Promise.all(sources)) console.log(line);

  const results = await Promise.allSettled([
    fetchSource('fast', 100, signal),
    Promise.reject(new Error('one source failed')),
  ]);
  for (const result of results) console.log(result.status, result.status === 'fulfilled' ? result.value : result.reason.message);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
