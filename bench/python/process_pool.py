"""A process pool of 2 workers computing 40 CPU-bound chunks (workers start inside the timing)."""
import concurrent.futures
import resource
import time


def crunch(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    started = time.perf_counter()
    cpu_started = time.process_time()
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        assert len(list(pool.map(crunch, [200_000] * 40))) == 40
    print("ELAPSED", time.perf_counter() - started)
    # The workers' CPU time too (they have been reaped by now). getrusage, not os.times(): that
    # one counts in clock ticks, 10 ms each.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("CPU", time.process_time() - cpu_started + children.ru_utime + children.ru_stime)
