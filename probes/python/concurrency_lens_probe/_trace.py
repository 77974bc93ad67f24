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
#: Slices per trace frame: ~25 bytes each as JSON, so a frame stays near 0.5 MB (the host takes up to 4 MB).
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
        task that ran its last step ended (by id(task), ms since the epoch). Column by column, in
        whole microseconds from the drain's first start (``microseconds.since``): a busy loop runs
        hundreds of thousands of callbacks a second, this runs holding the GIL the program needs,
        and rounding floats (or encoding them) costs several times more than making integers."""
        offset = self._epoch_offset_ms
        popleft = self.slices.popleft
        recorded = [popleft() for _ in range(len(self.slices))]
        if not recorded:
            return {}, {}
        base = recorded[0][1]
        since_ms = round(offset + base * 1000.0, 3)
        idents = set([entry[0] for entry in recorded])
        bodies = {}
        last_step_end = {}
        for ident in idents:
            state = loops_by_ident.get(ident)
            if state is None:
                continue
            mine = recorded if len(idents) == 1 else [entry for entry in recorded if entry[0] == ident]
            # A task no factory made (created before the loop was watched): its id from the samples.
            tasks = [entry[3] or ("" if entry[4] is None else task_id_of_key(entry[4]) or "") for entry in mine]
            for entry in [entry for entry in mine if entry[5] and entry[4] is not None]:
                if entry[3] is not None or task_id_of_key(entry[4]) is not None:
                    last_step_end[entry[4]] = offset + entry[2] * 1000.0
            slow = sorted([entry for entry in mine if entry[6] is not None], key=lambda entry: entry[1] - entry[2])[:SLOWEST_PER_FRAME]
            bodies[state] = {
                "microseconds": {"since": since_ms},
                "start": [int((entry[1] - base) * 1e6) for entry in mine],
                "duration": [int((entry[2] - entry[1]) * 1e6) for entry in mine],
                "task": tasks,
                "slow": [_slow_callback(entry, offset, task_id_of_key) for entry in slow],
            }
        return bodies, last_step_end


def _slow_callback(entry, offset, task_id_of_key):
    _, start, end, task_id, task_key, _, where = entry
    task_id = task_id or (task_id_of_key(task_key) if task_key is not None else None)
    described = {"durationMs": round((end - start) * 1000.0, 3), "start": round(offset + start * 1000.0, 3), "callback": where[0][:4000]}
    if where[1]:
        described["location"] = where[1]
    if task_id:
        described["taskId"] = task_id
    return described


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

