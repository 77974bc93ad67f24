"""Run me with "Concurrency Lens: Run Current File with Concurrency Monitor" and watch the
Live Tasks view: an event loop with many tasks (one of which fails), worker threads, a process pool,
and one call that blocks the loop."""
import asyncio
import concurrent.futures
import time


def crunch(n: int) -> int:
    # CPU-bound work belongs in a process: it runs in parallel, outside the GIL and the loop.
    return sum(i * i for i in range(n))


def read_sensor(sensor: int) -> float:
    # Blocking I/O belongs in a thread (asyncio.to_thread), not on the event loop.
    time.sleep(1.5)
    return sensor * 0.5


async def fetch(page: int) -> int:
    await asyncio.sleep(2 + page % 5)
    if page == 13:
        raise ConnectionError(f"page {page}: the server closed the connection")
    return page


async def heartbeat() -> None:
    while True:
        await asyncio.sleep(0.5)


async def main() -> None:
    beat = asyncio.create_task(heartbeat(), name="heartbeat")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        loop = asyncio.get_running_loop()
        for round_number in range(3):
            pages = [asyncio.create_task(fetch(page), name=f"fetch-{page}") for page in range(20)]
            sensors = [asyncio.create_task(asyncio.to_thread(read_sensor, sensor), name=f"sensor-{sensor}") for sensor in range(3)]
            crunching = loop.run_in_executor(pool, crunch, 3_000_000)
            time.sleep(0.3)  # a blocking call on the event loop: Live Tasks reports it
            # return_exceptions: one failed page does not cancel the others (Live Tasks shows it as failed).
            results = await asyncio.gather(*pages, *sensors, crunching, return_exceptions=True)
            failed = sum(isinstance(result, Exception) for result in results)
            print(f"round {round_number + 1} done, {failed} failed")
    beat.cancel()


if __name__ == "__main__":
    asyncio.run(main())
