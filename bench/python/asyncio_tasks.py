"""100,000 short asyncio tasks, created in batches of 1,000 (the benchmark prints its own time)."""
import asyncio
import time


async def short(index):
    await asyncio.sleep(0)
    return index


async def main():
    total = 0
    for batch in range(100):
        results = await asyncio.gather(*(asyncio.create_task(short(batch * 1000 + i)) for i in range(1000)))
        total += len(results)
    return total


started = time.perf_counter()
cpu_started = time.process_time()
assert asyncio.run(main()) == 100_000
print("ELAPSED", time.perf_counter() - started)
print("CPU", time.process_time() - cpu_started)
