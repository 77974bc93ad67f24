"""Concurrency Lens live experiment (Python): the same two workloads run sequentially, with
coroutines (asyncio), with threads and with processes, on this interpreter and machine.

Standard library only. Prints one JSON object per line on stdout:
  {"type": "start", ...}  interpreter facts (version, CPUs, GIL enabled?)
  {"type": "startup", "model": ..., "perUnitMs": ...}  cost of starting one unit that does nothing
  {"type": "load", "when": "before" | "after", "load1": ...}  1-minute load average (not on Windows)
  {"type": "result", "workload": ..., "model": ..., "units": ..., "wallMs": ..., "cpuMs": ...}
      cpuMs: CPU time of this process and its (waited-for) children during the run
  {"type": "done"}
Usage: python3 experiment.py [--scale FACTOR]  (FACTOR scales the work; 1 is the full run)
"""

import asyncio
import json
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

CPU_UNITS = 4
CPU_ITERATIONS = 12_000_000
IO_UNITS = 16
IO_SLEEP_S = 0.15
STARTUP_SAMPLES = 8


def emit(**fields):
    print(json.dumps(fields), flush=True)


def cpu_work(iterations):
    # Pure-Python arithmetic: holds the GIL the whole time.
    total = 0
    for i in range(iterations):
        total = (total + i * i) % 1_000_003
    return total


def io_work(seconds):
    time.sleep(seconds)  # releases the GIL while it waits, like a blocking socket read
    return seconds


async def cpu_work_async(iterations):
    return cpu_work(iterations)  # no await inside: the event loop cannot switch tasks


async def io_work_async(seconds):
    await asyncio.sleep(seconds)
    return seconds


def nothing():
    return None


async def nothing_async():
    return None


def run_sequential(work, argument, units):
    for _ in range(units):
        work(argument)


def run_coroutines(async_work, argument, units):
    async def main():
        await asyncio.gather(*(async_work(argument) for _ in range(units)))

    asyncio.run(main())


def run_threads(work, argument, units):
    with ThreadPoolExecutor(max_workers=units) as pool:
        list(pool.map(work, [argument] * units))


def run_processes(work, argument, units):
    with ProcessPoolExecutor(max_workers=units) as pool:
        list(pool.map(work, [argument] * units))


def timed_ms(function, *args):
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def cpu_seconds():
    """CPU time of this process and of the children it has waited for (the pool's worker processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def measured(function):
    """Wall and CPU milliseconds of one run. Windows reports no children's times: CPU is then left out for processes."""
    cpu_before = cpu_seconds()
    wall_ms = timed_ms(function)
    return wall_ms, (cpu_seconds() - cpu_before) * 1000


def emit_load(when):
    try:
        emit(type="load", when=when, load1=os.getloadavg()[0])
    except (AttributeError, OSError):
        pass  # no load average on this platform


def measure_startup():
    """Milliseconds to create, start and finish one unit that does nothing."""

    def one_thread():
        thread = threading.Thread(target=nothing)
        thread.start()
        thread.join()

    def one_process():
        with ProcessPoolExecutor(max_workers=1) as pool:
            pool.submit(nothing).result()

    def one_task():
        async def main():
            await asyncio.gather(*(nothing_async() for _ in range(STARTUP_SAMPLES * 100)))

        asyncio.run(main())

    emit(type="startup", model="coroutines", perUnitMs=timed_ms(one_task) / (STARTUP_SAMPLES * 100))
    emit(type="startup", model="threads", perUnitMs=min(timed_ms(one_thread) for _ in range(STARTUP_SAMPLES)))
    emit(type="startup", model="processes", perUnitMs=min(timed_ms(one_process) for _ in range(STARTUP_SAMPLES)))


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else check()


def main(argv):
    scale = float(argv[argv.index("--scale") + 1]) if "--scale" in argv else 1.0
    iterations = max(1000, int(CPU_ITERATIONS * scale))
    sleep_s = max(0.005, IO_SLEEP_S * scale)
    emit(
        type="start",
        language="python",
        runtime=sys.version.split()[0],
        implementation=sys.implementation.name,
        gilEnabled=gil_enabled(),
        cpus=os.cpu_count() or 1,
    )
    emit_load("before")
    measure_startup()
    workloads = (
        ("cpu", cpu_work, cpu_work_async, iterations, CPU_UNITS),
        ("io", io_work, io_work_async, sleep_s, IO_UNITS),
    )
    for workload, work, async_work, argument, units in workloads:
        variants = (
            ("sequential", lambda: run_sequential(work, argument, units)),
            ("coroutines", lambda: run_coroutines(async_work, argument, units)),
            ("threads", lambda: run_threads(work, argument, units)),
            ("processes", lambda: run_processes(work, argument, units)),
        )
        for model, run in variants:
            wall_ms, cpu_ms = measured(run)
            children_counted = os.name == "posix" or model != "processes"
            cpu = {"cpuMs": cpu_ms} if children_counted else {}
            emit(type="result", workload=workload, model=model, units=units, wallMs=wall_ms, **cpu)
    emit_load("after")
    emit(type="done")


if __name__ == "__main__":
    main(sys.argv[1:])
