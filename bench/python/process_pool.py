"""A process pool of 2 workers computing 40 CPU-bound chunks (workers start inside the timing)."""
import concurrent.futures
import time


def crunch(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        assert len(list(pool.map(crunch, [200_000] * 40))) == 40
    print("ELAPSED", time.perf_counter() - started)
