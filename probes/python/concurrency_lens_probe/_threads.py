"""The threads of a process: their start and end (hooked on ``Thread._bootstrap_inner``, the only
structural event on the program's threads) and, at each sample, their state and location."""
import _thread
import collections
import sys
import threading
import weakref

from . import _inspect, _waits
from ._transport import now_ms


class ThreadWatch:
    # Weak references: keeping a finished Thread alive would keep it in the program's own
    # WeakKeyDictionaries (e.g. concurrent.futures' exit handler) and change its behaviour.
    def __init__(self, next_id, started_at):
        self._next_id = next_id
        self._started_at = started_at
        self._ids = weakref.WeakKeyDictionary()
        self._events = collections.deque(maxlen=10000)
        self._started = {}
        #: Per thread ident, its innermost code and instruction at the previous sample.
        self._positions = {}
        #: Per thread id, what it waited on at the previous sample (plain values) and since when.
        self._waits = {}
        #: id(concurrent Future) → the pool thread running it, at the last sample (for the tasks).
        self.work_threads = {}

    def started(self, thread):
        self._events.append(("start", weakref.ref(thread), now_ms()))

    def ended(self, thread):
        self._events.append(("end", weakref.ref(thread), now_ms()))

    def thread_id(self, thread):
        if thread is threading.main_thread():
            return "main"
        known = self._ids.get(thread)
        if known is None:
            known = self._ids[thread] = "t%d" % next(self._next_id)
        return known

    def thread_id_of_ident(self, ident):
        thread = threading._active.get(ident)
        return self.thread_id(thread) if thread is not None else "i%d" % ident

    def sample(self, t, sampler_ident, loop_busy=None, running_loops=None):
        """Every thread's state and location (``loop_busy``: sampled on a loop's thread, whether
        that loop has callbacks ready to run: a busy loop is running, an idle one waits;
        ``running_loops``: () → the running event loops by thread ident)."""
        # Read every thread's frames at once and drop them right away: a frame object we hold
        # keeps its finished function's locals alive, which the program must not notice.
        frames = sys._current_frames()
        frames.pop(sampler_ident, None)
        own = _thread.get_ident()
        caller = _inspect.caller_of_probe(frames[own]) if own in frames else None
        if caller is not None:
            # Sampled on a program's thread (a loop's beat, see _sampling): it is where it called the probe.
            frames[own] = caller
        running = own if loop_busy else None
        self.work_threads = _waits.work_threads(frames, self.thread_id_of_ident) if "concurrent.futures.thread" in sys.modules else {}
        context = _waits.Context(self.thread_id_of_ident, work_threads=self.work_threads, running_loops=running_loops)
        positions, self._positions = self._positions, {}
        locations = {}
        waits = {}
        for ident, frame in frames.items():
            position = self._positions[ident] = (id(frame.f_code), frame.f_lasti)
            locations[ident] = _inspect.user_location(frame)
            wait = _waits.thread_wait(frame, context, positions.get(ident) == position) if ident != running else None
            if wait is not None:
                waits[ident] = wait
        # A lock whose owner the runtime does not know (a plain Lock): the host finds it from the
        # syntax tree, by the `with` blocks the other threads' frames are in.
        stacks = {}
        if any(wait["kind"] == "lock" and "threadId" not in wait for wait in waits.values()):
            stacks = {ident: _waits.thread_stack(frame, True) for ident, frame in frames.items()}
        del frames
        threads = {}
        started = {}
        ended = {}
        # The start times of the threads still running: rebuilt at each sample, so a thread that
        # vanished unseen (its Thread object collected before it was sampled ended) is not kept.
        known_starts, self._started = self._started, {}
        waits_before, self._waits = self._waits, {}
        while self._events:
            kind, reference, when = self._events.popleft()
            thread = reference()
            if thread is not None:
                (started if kind == "start" else ended)[thread] = when
        # Threads that started or ended since the last sample come first, so short ones are seen.
        for thread in dict.fromkeys(list(started) + list(ended) + threading.enumerate()):
            ident = thread.ident
            if ident is None or ident == sampler_ident:
                continue
            thread_id = self.thread_id(thread)
            where = locations.get(ident)
            wait = waits.get(ident)
            started_at = known_starts.get(thread_id)
            if started_at is None:
                started_at = started.get(thread, self._started_at if thread_id == "main" else t)
            entity = {
                "id": thread_id, "kind": "main" if thread_id == "main" else "thread", "name": thread.name,
                "state": "waiting" if wait is not None else "running", "daemon": thread.daemon, "startedAt": started_at,
                "ident": ident,  # how a stack dump names it (see _stacks)
            }
            native_id = getattr(thread, "native_id", None)
            if native_id is not None:
                entity["nativeId"] = native_id
            if where is not None:
                entity["location"] = where
            # A multiprocessing child's main thread reads as stopped once its target has returned, while
            # it still runs its exit functions (which may block): alive while it has frames.
            if thread in ended or not (thread.is_alive() or ident in locations):
                entity["state"] = "exited"
                entity["endedAt"] = ended.get(thread, t)
            else:
                self._started[thread_id] = started_at
                if wait is not None:
                    entity["wait"] = wait
                    self._waits[thread_id] = _waits.note_since(wait, waits_before.get(thread_id), t)
                if ident in stacks:
                    entity["stack"] = stacks[ident]
            threads[thread_id] = entity
        return threads


def install(probe):
    original_bootstrap = threading.Thread._bootstrap_inner

    def _bootstrap_inner(thread):
        probe.thread_started(thread)
        try:
            original_bootstrap(thread)
        finally:
            probe.thread_ended(thread)

    threading.Thread._bootstrap_inner = _bootstrap_inner
