"""What `npm run bench:attach` attaches to: a Python program started without the monitor, with two
threads waiting on a queue and an event loop running tasks in a third."""
import asyncio
import queue
import threading

work = queue.Queue()


async def tick():
    while True:
        await asyncio.sleep(0.05)


async def serve():
    await asyncio.gather(tick(), tick())


for n in range(2):
    threading.Thread(target=work.get, name="waiter-%d" % n, daemon=True).start()
threading.Thread(target=lambda: asyncio.run(serve()), name="loop", daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
