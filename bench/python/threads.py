"""Eight threads passing items through a queue under a lock (GIL-bound Python work), fed for
BENCH_SECONDS (default 5). Prints its own time and the items passed."""
import os
import queue
import threading
import time

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
work = queue.Queue(maxsize=1000)
lock = threading.Lock()
done = [0]


def consume():
    while True:
        item = work.get()
        if item is None:
            return
        with lock:
            done[0] += item % 3 + 1


started = time.perf_counter()
cpu_started = time.process_time()
consumers = [threading.Thread(target=consume, name="consumer-%d" % i) for i in range(8)]
for thread in consumers:
    thread.start()
items = 0
while time.perf_counter() - started < SECONDS:
    for item in range(1000):
        work.put(item)
    items += 1000
for _ in consumers:
    work.put(None)
for thread in consumers:
    thread.join()
print("ELAPSED", time.perf_counter() - started)
print("CPU", time.process_time() - cpu_started)
print("WORK", items)
