"""Eight threads passing 200,000 items through a queue under a lock (GIL-bound Python work)."""
import queue
import threading
import time

ITEMS = 200_000
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
for item in range(ITEMS):
    work.put(item)
for _ in consumers:
    work.put(None)
for thread in consumers:
    thread.join()
print("ELAPSED", time.perf_counter() - started)
print("CPU", time.process_time() - cpu_started)
