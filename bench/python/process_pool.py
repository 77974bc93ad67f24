"""A process pool of 2 workers computing CPU-bound chunks, 4 at a time, for BENCH_SECONDS (default
5; the workers start inside the timing). Prints its own time (the workers' CPU too) and the chunks."""
import concurrent.futures
import os
import resource
import time

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))


def crunch(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    started = time.perf_counter()
    cpu_started = time.process_time()
    chunks = 0
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        while time.perf_counter() - started < SECONDS:
            chunks += len(list(pool.map(crunch, [200_000] * 4)))
    print("ELAPSED", time.perf_counter() - started)
    # The workers' CPU time too (they have been reaped by now). getrusage, not os.times(): that
    # one counts in clock ticks, 10 ms each.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("CPU", time.process_time() - cpu_started + children.ru_utime + children.ru_stime)
    print("WORK", chunks)
