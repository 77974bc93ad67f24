"""What a real program sets up in its first moments: worker threads, an event loop with tasks, and
a spawn process pool. Lives about a second."""
import asyncio
import concurrent.futures
import multiprocessing
import threading
import time


def crunch(value):
    return sum(i * i for i in range(value))


async def fetch(index):
    await asyncio.sleep(0.6)
    return index


async def main():
    fetching = [asyncio.create_task(fetch(i), name="fetch-%d" % i) for i in range(5)]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*fetching, *[loop.run_in_executor(pool, crunch, 200_000) for _ in range(2)])


if __name__ == "__main__":
    workers = [threading.Thread(target=time.sleep, args=(0.8,), name="worker-%d" % i) for i in range(2)]
    for worker in workers:
        worker.start()
    asyncio.run(main())
    for worker in workers:
        worker.join()
