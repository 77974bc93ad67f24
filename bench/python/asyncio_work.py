"""A realistic asyncio program for trace mode's budget: tasks that each do ~50 us of work in two
steps (not the few microseconds of asyncio_tasks.py), created in batches of 20 and gathered, for
BENCH_SECONDS (default 5). Prints its own time and the work done."""
import asyncio
import os
import time

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
STEP_SECONDS = 25e-6


def work():
    ends = time.perf_counter() + STEP_SECONDS
    while time.perf_counter() < ends:
        pass


async def task(index):
    work()
    await asyncio.sleep(0)
    work()
    return index


async def main(started):
    total = 0
    while time.perf_counter() - started < SECONDS:
        results = await asyncio.gather(*(asyncio.create_task(task(i)) for i in range(20)))
        total += len(results)
    return total


started = time.perf_counter()
cpu_started = time.process_time()
done = asyncio.run(main(started))
print("ELAPSED", time.perf_counter() - started)
print("CPU", time.process_time() - cpu_started)
print("WORK", done)
