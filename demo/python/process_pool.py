"""Processes: CPU-bound pure-Python work runs in parallel in separate interpreters (no shared GIL)."""
import os
import time
from concurrent.futures import ProcessPoolExecutor


def count_primes(limit: int) -> int:
    # Must be a top-level function: it is pickled by name and sent to the worker processes.
    return sum(1 for n in range(2, limit) if all(n % d for d in range(2, int(n**0.5) + 1)))


def main() -> None:
    limits = [60_000 + i for i in range(4)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        results = list(pool.map(count_primes, limits))
    print(f"{results} in {time.perf_counter() - started:.2f} s with {os.cpu_count()} processes")


# The guard matters: with the "spawn" start method (Windows, macOS) each worker imports this module,
# and without it every worker would start a pool of its own.
if __name__ == "__main__":
    main()
