"""asyncio: the running event loops (found by wrapping ``asyncio.events._set_running_loop``), a
heartbeat on each that proves it is not blocked, and their tasks, sampled from the probe's thread."""
import collections
import sys
import threading
import time
import weakref

from . import _hooks, _inspect, _lifecycle, _waits
from ._transport import now_ms

#: The heartbeat each event loop runs to prove it is not blocked.
BEAT_SECONDS = 0.05
#: Tasks of one loop described per sample, at most; the rest are counted (``tasksUnlisted``).
MAX_TASKS_PER_SAMPLE = 10000
#: Up to this many timers, a loop's are counted one by one (the cancelled ones and the probe's own
#: left out); beyond, the count is the heap's size.
MAX_TIMERS_COUNTED = 256


class _Loop:
    """What the probe knows about one running event loop."""

    def __init__(self, loop_id, loop, thread_ident):
        self.id = loop_id
        self.loop = weakref.ref(loop)
        self.thread_ident = thread_ident
        self.expected_beat = time.monotonic()
        #: Each beat's lag (ms), appended on the loop's thread and drained by each sample; a deque
        #: because its append and popleft are atomic, and bounded: a sample comes every 2 s at most.
        self.beat_lags = collections.deque(maxlen=256)
        #: When its last beat ran (monotonic s) and the CPU time its thread had used by that beat's
        #: end: a block is the longer of the next beat's lateness and the CPU used in between.
        self.last_beat_at = self.expected_beat
        self.last_beat_cpu = None
        #: The stack of its thread once it went a whole threshold without a beat, and the beat it
        #: was taken for (``expected_beat`` then): the blocking line of that beat's block.
        self.block_stack = []
        self.block_stack_for = None
        self.block_reported = False
        #: A block the last beat ended: (its duration in ms, the ``expected_beat`` it ended).
        self.finished_block = None
        #: Its tasks beyond MAX_TASKS_PER_SAMPLE at the last sample.
        self.tasks_unlisted = 0


class LoopWatch:
    def __init__(self, next_id, blocked_threshold_ms, lifecycle):
        self._next_id = next_id
        self._blocked_threshold_ms = blocked_threshold_ms
        #: The opt-in task factory's records (None when it is off).
        self.origins = _lifecycle.TaskOrigins(next_id) if lifecycle else None
        #: Per loop id, the finished tasks only counted (beyond FINISHED_PER_SAMPLE), by outcome.
        self._unreported = {}
        #: When traced tasks ran their last step, by id(task) (ms since the epoch): their exact end.
        self.last_step_end = {}
        #: Loops that stopped since the last sample with counts still to report.
        self._stopped = []
        #: Tasks the factory created that no sample has seen yet, by id: (task, its loop's _Loop).
        #: Checked at each tick, so that the ones that end before a sample are described too (their
        #: note is made only then: most are only counted).
        self._young = {}
        self._loops = {}
        self._lock = threading.Lock()
        # The tasks themselves (one that ends is held until the probe has read how it ended) apart
        # from what the probe notes about each, which holds only plain values.
        self._live_tasks = {}
        self._task_notes = {}
        self._finished_tasks = []
        #: Per thread ident, the loop that last stopped running there (it may run again).
        self._paused = {}
        #: Per task id, what it awaited at the previous sample (plain values) and since when.
        self._waits = {}
        #: Called by each beat, with whether the loop was blocked past the threshold (see _alarm)
        #: and whether it has other callbacks ready to run (it is busy, not idle).
        self.on_beat = lambda was_blocked, busy: None
        #: CPU seconds the beats took (the samples they took included), by thread ident: each
        #: loop's thread adds to its own entry only.
        self.beat_cpu = {}

    def __bool__(self):
        return bool(self._loops)

    def running(self, loop, thread_ident, foreign=False):
        """A loop runs on thread ``thread_ident`` (the calling one unless ``foreign``: a loop found
        already running when the probe was attached): watched from now on. False if it already was."""
        with self._lock:
            if thread_ident in self._loops and self._loops[thread_ident].loop() is loop:
                return False
            # The same loop running again on its thread (asyncio.run's shutdown steps) keeps its id.
            state = self._paused.pop(thread_ident, None)
            if state is None or state.loop() is not loop:
                state = _Loop("l%d" % next(self._next_id), loop, thread_ident)
            self._loops[thread_ident] = state
        # The first beat a whole beat later: one at once would run (and sample, see _sampling) in the
        # middle of the program's first step, before the tasks it creates have started.
        state.expected_beat = time.monotonic() + BEAT_SECONDS
        if foreign:
            # Another thread's loop (or this thread's, interrupted in its wait): scheduled through
            # its thread-safe door, which also wakes it. A loop that never takes it reads blocked.
            loop.call_soon_threadsafe(loop.call_later, BEAT_SECONDS, self._beat, state)
        else:
            loop.call_later(BEAT_SECONDS, self._beat, state)
        try:
            _lifecycle.CANCELS.install()
            if self.origins is not None:
                _lifecycle.install_factory(loop, self.origins)
        except Exception:
            pass  # the lifecycle is a bonus: the loop is watched all the same
        return True

    def stopped(self, thread_ident):
        with self._lock:
            state = self._loops.pop(thread_ident, None)
            if state is not None:
                self._paused[thread_ident] = state
            if state is not None and state.id in self._unreported:
                # Sampled once more, so that the tasks it only counted are reported.
                self._stopped.append(state)

    def _loop_states(self):
        with self._lock:
            return list(self._loops.values())

    def _note(self, task, t, thread_id, loop_id):
        """What the probe keeps about a task (plain values): its id and start, where it runs, its
        coroutine, and where and by which task it was created (when the factory made it)."""
        origin = _lifecycle.origin_of(task)
        if origin is None:
            return ("k%d" % next(self._next_id), t, thread_id, loop_id, _inspect.coroutine_name(task), None, None)
        return (origin[0], origin[1], thread_id, loop_id, _inspect.coroutine_name(task), origin[2], origin[3])

    def _beat(self, state):
        """Runs on the event loop: measures how late it ran and schedules the next beat."""
        cpu = time.thread_time()
        now = time.monotonic()
        lag = max(0.0, (now - state.expected_beat) * 1000.0)
        # A callback that began between two beats makes the next one late by less than it lasted
        # (up to a beat period less); the CPU its thread used since the last beat does not miss
        # that part when the callback computes (a blocking call uses none: its lateness stands).
        # Only for a beat late by half the threshold: a loop kept busy by many short callbacks
        # uses its CPU too, without a late beat — with a threshold under the beat period, every
        # beat of it would read blocked.
        if state.last_beat_cpu is not None and lag >= self._blocked_threshold_ms / 2:
            lag = max(lag, min(cpu - state.last_beat_cpu, now - state.last_beat_at) * 1000.0)
        state.beat_lags.append(lag)
        blocked = lag >= self._blocked_threshold_ms
        if blocked:
            state.finished_block = (lag, state.expected_beat)
        state.expected_beat = now + BEAT_SECONDS
        state.last_beat_at = now
        loop = state.loop()
        if loop is not None and not loop.is_closed():
            loop.call_later(BEAT_SECONDS, self._beat, state)
        self.on_beat(blocked, bool(getattr(loop, "_ready", None)))
        ident = state.thread_ident
        state.last_beat_cpu = time.thread_time()
        self.beat_cpu[ident] = self.beat_cpu.get(ident, 0.0) + state.last_beat_cpu - cpu

    def _watch_at(self, state):
        """When a loop may first have been busy for the threshold without a beat (monotonic s): its
        last beat plus the threshold, not before its next beat is due."""
        return max(state.expected_beat, state.last_beat_at + self._blocked_threshold_ms / 1000.0)

    def first_late(self):
        """When a loop could first be blocked past the threshold (monotonic s), None when no loop runs."""
        loops = list(self._loops.values())
        if not loops:
            return None
        return min([self._watch_at(state) for state in loops])

    def check(self, put, thread_id_of_ident):
        """Reports loops blocked past the threshold: the stack of one that went the threshold
        without a beat (its blocking line, should its next beat find it blocked that long), an
        ongoing block once it is late by the threshold, a finished one that its beat measured.
        Returns when one could next be (monotonic seconds), None when no loop runs."""
        loops = self._loop_states()
        now = time.monotonic()
        threshold = self._blocked_threshold_ms / 1000.0
        first_late = None
        for state in loops:
            expected = state.expected_beat
            watch_at = self._watch_at(state)
            late_at = expected + threshold
            due = watch_at if now < watch_at else late_at
            first_late = due if first_late is None else min(first_late, due)
            if now >= watch_at and state.block_stack_for != expected:
                state.block_stack_for = expected
                state.block_stack = _inspect.stack(sys._current_frames().get(state.thread_ident))
            late_ms = (now - expected) * 1000.0
            if not state.block_reported and late_ms >= self._blocked_threshold_ms:
                state.block_reported = True
                put(_blocked(state, late_ms, True, thread_id_of_ident, state.block_stack))
            if state.finished_block is not None:
                (duration, ended), state.finished_block = state.finished_block, None
                put(_blocked(state, duration, False, thread_id_of_ident, state.block_stack if state.block_stack_for == ended else []))
                state.block_reported = False
                state.block_stack = []
                state.block_stack_for = None
        return first_late

    def count_tasks(self):
        """How many tasks a sample would describe, in O(1): the size of asyncio's registry of
        tasks (done ones not yet collected included)."""
        asyncio = sys.modules.get("asyncio")
        if asyncio is None or not self._loops:
            return 0
        tasks = asyncio.tasks
        registry = getattr(tasks, "_scheduled_tasks", None)  # 3.12+
        if registry is None:
            registry = getattr(tasks, "_all_tasks", ())  # 3.8-3.11
        return len(registry) + len(getattr(tasks, "_eager_tasks", ()))

    def sample_tasks(self, t, thread_id_of_ident, work_threads):
        loops = self._loop_states()
        # Never import asyncio here: loops are registered only once the program has imported it.
        asyncio = sys.modules.get("asyncio")
        if asyncio is None:
            loops = []
        current_tasks = getattr(asyncio.tasks, "_current_tasks", {}) if loops else {}
        live = {}
        notes = {}
        states = {}
        for state in loops:
            loop = state.loop()
            if loop is None:
                continue
            thread_id = thread_id_of_ident(state.thread_ident)
            running = current_tasks.get(loop)
            all_tasks = _all_tasks(asyncio, loop)
            state.tasks_unlisted = max(0, len(all_tasks) - MAX_TASKS_PER_SAMPLE)
            for task in all_tasks[:MAX_TASKS_PER_SAMPLE]:
                key = id(task)
                note = self._task_notes.get(key) if self._live_tasks.get(key) is task else None
                self._young.pop(key, None)
                if note is None:
                    note = self._note(task, t, thread_id, state.id)
                live[key] = task
                notes[key] = note
                states[key] = "running" if task is running else "pending"

        def task_id_of(task):
            note = notes.get(id(task))
            return note[0] if note is not None and live.get(id(task)) is task else None

        self._thread_id_of_ident = thread_id_of_ident
        context = _waits.Context(thread_id_of_ident, task_id_of, work_threads)
        waits_before, self._waits = self._waits, {}
        tasks = {}
        lock_waits = False
        for key, task in live.items():
            entity = tasks[notes[key][0]] = _describe_task(task, notes[key], states[key], t, context)
            wait = entity.get("wait")
            if wait is not None:
                self._waits[entity["id"]] = _waits.note_since(wait, waits_before.get(entity["id"]), t)
                lock_waits = lock_waits or wait["kind"] == "lock"
        # An asyncio lock knows no owner: the host finds it from the syntax tree, by the
        # `async with` blocks the tasks are suspended in.
        if lock_waits:
            for key, task in live.items():
                if states[key] == "pending":
                    tasks[notes[key][0]]["stack"] = _waits.coroutine_stack(task, True)
        ended = [(task, self._task_notes[key]) for key, task in self._live_tasks.items() if key not in live]
        ended += [young for key, young in self._young.items() if young[0].done()]
        for key in [key for key, young in self._young.items() if young[0].done()]:
            del self._young[key]
        self._describe_finished(ended, t, thread_id_of_ident)
        for entity in self._finished_tasks:
            tasks[entity["id"]] = entity
        self._finished_tasks = []
        self._live_tasks = live
        self._task_notes = notes
        return tasks

    def by_thread_ident(self):
        """The running loops by the ident of the thread that runs each."""
        with self._lock:
            return dict(self._loops)

    def task_id_of_key(self, key):
        """The id of the task the probe last sampled under id(task) == key, else None."""
        note = self._task_notes.get(key)
        return note[0] if note is not None else None

    def has_young_tasks(self):
        """Tasks the opt-in factory created that are not followed by the samples yet."""
        return self.origins is not None and bool(self.origins.created or self._young)

    def release_finished(self, thread_id_of_ident):
        """At the ticks after a sample: describes the tasks that have finished since and lets go
        of them. Held until the next sample, a burst of short tasks would stay alive for a whole
        sampling period: their memory not reused, and traversed by the program's garbage
        collector. With the task factory on, the tasks it created that no sample has seen yet are
        checked too: the short ones are described as they end. Returns how many tasks it handled."""
        t = now_ms()
        ended_keys = [key for key, task in self._live_tasks.items() if task.done()]
        ended = [(self._live_tasks.pop(key), self._task_notes.pop(key)) for key in ended_keys]
        young = self._young
        ended += [young.pop(key) for key in [key for key, entry in young.items() if entry[0].done()]]
        created = self.origins.drain() if self.origins is not None else ()
        if created:
            # Most are over already: described or counted now, never held.
            states = {state.loop(): state for state in self._loop_states()}
            for task in created:
                state = states.get(task.get_loop())
                if state is None:
                    continue
                if task.done():
                    ended.append((task, state))
                else:
                    young[id(task)] = (task, state)
        self._describe_finished(ended, t, thread_id_of_ident)
        return len(ended) + len(young)

    def _describe_finished(self, ended, t, thread_id_of_ident):
        """Describes tasks that ended, up to FINISHED_PER_SAMPLE of them between two samples (the
        failed and cancelled first); the rest are only counted, by outcome. ``ended``: (task, its
        note, or for one the factory made that no sample saw, its loop's _Loop: its note is made
        only to describe it)."""
        room = max(0, _lifecycle.FINISHED_PER_SAMPLE - len(self._finished_tasks))
        counted_worst = counted_done = ()
        if len(ended) > room:
            worst, done = [], []
            for entry in ended:
                (done if _outcome(entry[0]) == "done" else worst).append(entry)
            ended = (worst + done)[:room]
            counted_worst, counted_done = worst[room:], done[max(0, room - len(worst)):]
        last_step_end = self.last_step_end
        for task, note in ended:
            ended_at = last_step_end.pop(id(task), t) if last_step_end else t
            if type(note) is _Loop:
                note = self._note(task, t, thread_id_of_ident(note.thread_ident), note.id)
            self._finished_tasks.append(_describe_task(task, note, None, ended_at, thread_id_of_ident))
        for entries, outcome in ((counted_worst, None), (counted_done, "done")):
            for task, note in entries:
                if last_step_end:
                    last_step_end.pop(id(task), None)
                loop_id = note.id if type(note) is _Loop else note[3]
                counts = self._unreported.get(loop_id)
                if counts is None:
                    counts = self._unreported[loop_id] = {"done": 0, "failed": 0, "cancelled": 0}
                counts[outcome or _outcome(task)] += 1

    def sample_loops(self, thread_id_of_ident):
        loops = {}
        with self._lock:
            stopped, self._stopped = self._stopped, []
        now = time.monotonic()
        for state in self._loop_states() + stopped:
            entity = loops[state.id] = {"id": state.id, "threadId": thread_id_of_ident(state.thread_ident), "lagMs": round(_largest_lag_ms(state, now), 1)}
            loop = state.loop()
            wakers = _wakers(loop, self) if loop is not None else None
            if wakers is not None:
                entity["wakers"] = wakers
            if state.id in self._unreported:
                entity["tasksUnreported"] = dict(self._unreported[state.id])
            if state.tasks_unlisted:
                entity["tasksUnlisted"] = state.tasks_unlisted
        return loops


def _outcome(task):
    """How a task that left its loop ended, cheaply (no description): done, failed or cancelled
    (also one that vanished pending, its loop gone)."""
    if not task.done() or task.cancelled():
        return "cancelled"
    return "failed" if getattr(task, "_exception", None) is not None else "done"


def _largest_lag_ms(state, now):
    """A loop's largest lag since the previous sample: its beats' lags and, when its next beat is
    overdue (the loop is blocked right now), how late that beat is. Blocks are measured by the same beats."""
    largest = max(0.0, (now - state.expected_beat) * 1000.0)
    while True:
        try:
            largest = max(largest, state.beat_lags.popleft())
        except IndexError:
            return largest


def _wakers(loop, watch):
    """What can wake a loop that waits: its timers (not the probe's heartbeat), the file descriptors
    it watches (not its own self-pipe), its signal handlers, the callbacks ready to run."""
    try:
        scheduled = loop._scheduled
        ready = len(loop._ready)
        timers = 0
        next_at = None
        if len(scheduled) <= MAX_TIMERS_COUNTED:
            for handle in list(scheduled):
                if handle._cancelled or getattr(handle._callback, "__self__", None) is watch:
                    continue
                timers += 1
                if next_at is None or handle._when < next_at:
                    next_at = handle._when
        else:
            timers = len(scheduled) - 1
        selector = getattr(loop, "_selector", None)
        readers = writers = 0
        if selector is not None:
            own = loop._ssock.fileno() if getattr(loop, "_ssock", None) is not None else -1
            for key in list(selector.get_map().values()):
                if key.fd == own:
                    continue
                readers += bool(key.events & 1)
                writers += bool(key.events & 2)
        wakers = {"timers": timers, "readers": readers, "writers": writers, "signals": len(getattr(loop, "_signal_handlers", None) or ()), "ready": ready}
        if next_at is not None:
            wakers["nextTimerAt"] = round(now_ms() + (next_at - loop.time()) * 1000.0, -1)
        return wakers
    except Exception:
        return None


def _blocked(state, duration_ms, ongoing, thread_id_of_ident, stack):
    frame = {
        "kind": "blocked", "t": now_ms(), "loopId": state.id, "threadId": thread_id_of_ident(state.thread_ident),
        "durationMs": round(duration_ms, 1), "stack": stack,
    }
    if ongoing:
        frame["ongoing"] = True
    return frame


def _describe_task(task, note, state, t, context):
    """A task as the protocol says (``context``: a waits Context for a live one, the thread ids of
    idents for a finished one)."""
    task_id, started_at, thread_id, loop_id, coroutine, created_at, parent_id = note
    entity = {
        "id": task_id, "threadId": thread_id, "loopId": loop_id, "name": task.get_name(),
        "coroutine": coroutine, "startedAt": started_at,
    }
    if created_at is not None:
        entity["createdAt"] = {"file": created_at[0], "line": created_at[1] or 1, "function": created_at[2]}
    if parent_id is not None:
        entity["parentId"] = parent_id
    if state is None:
        state, error, raised_at = _inspect.task_outcome(task)
        if state == "pending":  # vanished from all_tasks without being done: its loop went away
            state = "cancelled"
        entity["endedAt"] = t
        if error is not None:
            entity["exception"] = error[:4000]
        if raised_at is not None:
            entity["raisedAt"] = raised_at
        if state == "cancelled":
            cancelled_by = _lifecycle.CANCELS.cancelled_by(task, context)
            if cancelled_by is not None:
                entity["cancelledBy"] = cancelled_by
    else:
        wait, awaited, where, awaiting = _waits.task_wait(task, context)
        if where is not None:
            entity["suspendedAt"] = where
        if awaiting:
            entity["awaiting"] = awaiting[:4000]
        if wait is not None and state == "pending":
            ids = [task_id for task_id in map(context.task_id_of, awaited) if task_id is not None]
            if ids:
                wait["taskIds"] = ids[:1000]
            entity["wait"] = wait
    entity["state"] = state
    return entity


def _all_tasks(asyncio, loop):
    # all_tasks copies a WeakSet that the loop's thread may change meanwhile: retry.
    for _ in range(10):
        try:
            return list(asyncio.all_tasks(loop))
        except RuntimeError:
            continue
    return []


def install(probe):
    _hooks.when_imported("asyncio.events", lambda events: _wrap_running_loop(events, probe))


def running_loops():
    """The event loops running when the probe was attached to the process, with their threads'
    idents: found in each thread's stack as the ``self`` of ``run_forever`` (a loop written in C,
    like uvloop's, has no such frame and is not found)."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return []
    found = []
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            if frame.f_code.co_name == "run_forever":
                loop = frame.f_locals.get("self")
                if isinstance(loop, asyncio.AbstractEventLoop) and loop.is_running():
                    found.append((loop, ident))
                    break
            frame = frame.f_back
    return found


def _wrap_running_loop(events, probe):
    original = events._set_running_loop

    def _set_running_loop(loop):
        original(loop)
        try:
            if loop is None:
                probe.loop_stopped()
            else:
                probe.loop_running(loop)
        except Exception:
            pass

    events._set_running_loop = _set_running_loop
