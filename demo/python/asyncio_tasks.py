"""Coroutines: many I/O waits overlap on one thread, scheduled by the asyncio event loop."""
import asyncio
import random


async def fetch(source: str, delay: float) -> str:
    # Stands in for a network call: while this task waits, the loop runs the others.
    await asyncio.sleep(delay)
    return f"{source}: {int(delay * 1000)} ms"


async def slow_report() -> str:
    await asyncio.sleep(10)
    return "never printed"


async def main() -> None:
    delays = {f"source-{i}": random.uniform(0.2, 1.0) for i in range(8)}
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(name, delay), name=name) for name, delay in delays.items()]
    for task in tasks:
        print(task.result())

    try:
        await asyncio.wait_for(slow_report(), timeout=0.5)
    except TimeoutError:
        print("slow_report timed out and was cancelled")


if __name__ == "__main__":
    asyncio.run(main())
