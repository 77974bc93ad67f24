"""Threads: blocking I/O overlaps in a thread pool; a Lock protects shared state."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

downloaded_bytes = 0
counter_lock = threading.Lock()


def download(item: int) -> int:
    global downloaded_bytes
    time.sleep(0.3)  # a blocking call (socket, file, database driver): the GIL is released while waiting
    size = 1000 * item
    with counter_lock:  # `+=` on shared state is not atomic across threads
        downloaded_bytes += size
    return size


def main() -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="downloader") as pool:
        futures = {pool.submit(download, item): item for item in range(16)}
        for future in as_completed(futures):
            print(f"item {futures[future]} done: {future.result()} bytes")
    elapsed = time.perf_counter() - started
    print(f"{downloaded_bytes} bytes in {elapsed:.2f} s (16 × 0.3 s sequentially would take 4.8 s)")


if __name__ == "__main__":
    main()
