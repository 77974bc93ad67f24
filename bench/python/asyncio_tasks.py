"""Short asyncio tasks, created in batches of 20 and gathered, for BENCH_SECONDS (default 5):
steady state, so that the probe samples it all along. With BENCH_STEP_US, each of a task's two
steps also works that long (25 for ~50 us a task: the realistic program of trace mode's budget,
not the few microseconds of a bare step). With BENCH_WAKER_HZ, a thread that does nothing but wake
that many times a second runs beside it: what any thread's wakes cost this program (each takes the
GIL from the loop), the floor for a probe's thread waking as often. Prints its own time and the
work done."""
import asyncio
import os
import threading
import time

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
STEP_SECONDS = float(os.environ.get("BENCH_STEP_US", "0")) / 1e6
WAKER_HZ = float(os.environ.get("BENCH_WAKER_HZ", "0"))


def work():
    ends = time.perf_counter() + STEP_SECONDS
    while time.perf_counter() < ends:
        pass


if STEP_SECONDS:
    async def short(index):
        work()
        await asyncio.sleep(0)
        work()
        return index
else:
    async def short(index):
        await asyncio.sleep(0)
        return index


async def main(started):
    total = 0
    while time.perf_counter() - started < SECONDS:
        results = await asyncio.gather(*(asyncio.create_task(short(i)) for i in range(20)))
        total += len(results)
    return total


def waker():
    while True:
        time.sleep(1.0 / WAKER_HZ)


if WAKER_HZ:
    threading.Thread(target=waker, daemon=True).start()
started = time.perf_counter()
cpu_started = time.process_time()
work_done = asyncio.run(main(started))
print("ELAPSED", time.perf_counter() - started)
print("CPU", time.process_time() - cpu_started)
print("WORK", work_done)
