"""Trace mode (opt-in, CONCURRENCY_LENS_TRACE=1): every callback each event loop runs, timed and
attributed to the task it steps. asyncio runs every callback through ``Handle._run`` (Python code on
every version), so wrapping it sees each task step, each timer and I/O callback; the probe's thread
drains what it recorded at each tick and sends it as ``trace`` frames: exact running slices per task,
and so how busy each loop was, and the slowest callbacks with the line they ran to.
The task factory (see _lifecycle) is on in this mode: every creation and completion is seen."""
import collections
import sys
import threading
import time

from . import _hooks, _inspect
from ._lifecycle import ATTRIBUTE

ENV_TRACE = "CONCURRENCY_LENS_TRACE"
#: A callback that holds its loop this long (ms) has where it ended up looked up at once.
SLOW_MS = 10.0
#: The slowest callbacks sent per loop and frame.
SLOWEST_PER_FRAME = 20
#: Slices per trace frame: ~35 bytes each as JSON, so a frame stays near 0.7 MB (the host takes up to 4 MB).
SLICES_PER_FRAME = 20_000
#: Slices recorded between two drains, at most (beyond, the oldest are dropped and counted).
MAX_SLICES = 200_000


class Tracer:
    def __init__(self):
        #: (thread ident, start, end, the task's id from the factory, id(task), whether that step ended
        #: it, where it ended up when slow) per callback, perf_counter seconds. Plain values only:
        #: holding the callbacks would keep every task alive until the drain, for the program's
        #: garbage collector to walk (it cost traced programs several times their time).
        self.slices = collections.deque(maxlen=MAX_SLICES)
        # perf_counter → ms since the epoch.
        self._epoch_offset_ms = time.time() * 1000.0 - time.perf_counter() * 1000.0

    def install(self, handle_class, task_class):
        original = handle_class._run
        slices = self.slices
        perf_counter = time.perf_counter
        get_ident = threading.get_ident
        slow = SLOW_MS / 1000.0

        def _run(self):
            start = perf_counter()
            try:
                return original(self)
            finally:
                end = perf_counter()
                callback = self._callback
                task = getattr(callback, "__self__", None)
                if isinstance(task, task_class):
                    origin = getattr(task, ATTRIBUTE, None)
                    slices.append((get_ident(), start, end, origin[0] if origin is not None else None, id(task), task.done(), _where(callback) if end - start >= slow else None))
                else:
                    slices.append((get_ident(), start, end, None, None, False, _where(callback) if end - start >= slow else None))

        handle_class._run = _run

    def drain(self, loops_by_ident, task_id_of_key):
        """The slices recorded since the last drain, per loop: {loop: frame body}, and when each
        task that ran its last step ended (by id(task), ms since the epoch)."""
        offset = self._epoch_offset_ms
        bodies = {}
        last_step_end = {}
        slices = self.slices
        while slices:
            ident, start, end, task_id, task_key, last_step, where = slices.popleft()
            state = loops_by_ident.get(ident)
            if state is None:
                continue
            body = bodies.get(state)
            if body is None:
                body = bodies[state] = {"start": [], "duration": [], "task": [], "slow": []}
            if task_id is None and task_key is not None:
                task_id = task_id_of_key(task_key)
            start_ms = offset + start * 1000.0
            duration_ms = (end - start) * 1000.0
            body["start"].append(round(start_ms, 3))
            body["duration"].append(round(duration_ms, 3))
            body["task"].append(task_id or "")
            if task_id is not None and last_step:
                last_step_end[task_key] = start_ms + duration_ms
            if where is not None:
                body["slow"].append((duration_ms, start_ms, where, task_id))
        for body in bodies.values():
            body["slow"] = [
                dict({"durationMs": round(duration, 3), "start": round(start, 3), "callback": where[0][:4000]}, **({"location": where[1]} if where[1] else {}), **({"taskId": task_id} if task_id else {}))
                for duration, start, where, task_id in sorted(body["slow"], reverse=True)[:SLOWEST_PER_FRAME]
            ]
        return bodies, last_step_end


def _where(callback):
    """A slow callback's name and the line it ran to: for a task step, where the task's own code is
    now suspended (its coroutine's first line after its last step); for a plain function, where it
    is defined."""
    task = getattr(callback, "__self__", None)
    if task is not None and hasattr(task, "get_coro"):
        coro = task.get_coro()
        frame = None
        user_code = None
        while coro is not None:
            code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
            if code is not None and not _inspect.is_library(code.co_filename):
                user_code = code
                frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or frame
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        name = "%s (%s)" % (task.get_name(), _inspect.coroutine_name(task))
        if frame is not None:
            return name, _inspect.location(frame)
        # Its last step: the coroutine has returned, only its code is left.
        return name, ({"file": user_code.co_filename, "line": user_code.co_firstlineno, "function": user_code.co_name} if user_code is not None else None)
    function = getattr(callback, "__func__", callback)
    code = getattr(function, "__code__", None)
    name = getattr(function, "__qualname__", None) or type(callback).__name__
    return name, ({"file": code.co_filename, "line": code.co_firstlineno, "function": code.co_name} if code is not None else None)


def install(tracer):
    _hooks.when_imported("asyncio.tasks", lambda tasks: tracer.install(sys.modules["asyncio.events"].Handle, tasks.Task))

