"""The probe of one process: a bounded queue of frames and one thread that samples and sends."""
import _thread
import atexit
import collections
import itertools
import json
import os
import platform
import signal
import socket
import sys
import threading
import time
import weakref

from . import _hooks, _inspect

PROTOCOL_VERSION = 1
ENV_ADDRESS = "CONCURRENCY_LENS_ADDRESS"
ENV_TOKEN = "CONCURRENCY_LENS_TOKEN"
ENV_BLOCKED_THRESHOLD_MS = "CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS"
ENV_SAMPLE_MS = "CONCURRENCY_LENS_SAMPLE_MS"

#: Frames waiting to be sent; beyond this the oldest are dropped (the program never waits for us).
BUFFER_FRAMES = 512
#: How often the sampler wakes to check event-loop heartbeats, while the process runs a loop ...
TICK_SECONDS = 0.05
#: A process's first sample comes this soon after its probe connects (one tick), so that a program's
#: structure shows within a fraction of a second of its start; a process forked from another (its
#: memory shared with its parent until it writes) waits a whole period, as before its next ones.
FIRST_SAMPLE_SECONDS = 0.05
#: During its first second, a process's structure changing (a thread, an event loop or a child
#: process starting) brings the next sample forward to the next tick: a program sets itself up
#: then, and a short one is over soon after.
STARTUP_SECONDS = 1.0
#: ... and how often it samples threads and tasks (5 Hz; CONCURRENCY_LENS_SAMPLE_MS), stretched when
#: sampling gets expensive so that it never takes more than SAMPLING_SHARE of the time. Each wake takes the GIL from the
#: program, so the sampler sleeps through ticks it does not need.
SAMPLE_SECONDS = 0.2
SAMPLING_SHARE = 0.01
MAX_SAMPLE_SECONDS = 2.0
#: What describing, comparing and sending one task or thread costs before the first sample has
#: measured it (CPython 3.12 on a 2 GHz server core: ~10 us), for the first sample's budget.
INITIAL_COST_PER_UNIT = 10e-6
#: A full snapshot now and then, so a host that missed frames converges.
SNAPSHOT_EVERY_SAMPLES = 25
#: The heartbeat each event loop runs to prove it is not blocked.
BEAT_SECONDS = 0.05
MAX_TASKS_PER_SAMPLE = 10000
EXIT_FLUSH_SECONDS = 0.5
#: A worker that multiprocessing forks (Process, Pool, ProcessPoolExecutor with "fork") starts its
#: own probe thread only once it has lived this long, or at once when it starts a thread, an event
#: loop or a process. Until then its parent describes it (pid, command, start, exit code): a thread
#: in a forked worker costs milliseconds of copy-on-write faults, a lot for a short-lived worker.
FORKED_WORKER_GRACE_SECONDS = 1.0
#: The signal a parent sends such a worker when its grace period is over. Ignored by default, so
#: a worker with no handler for it is unaffected; like any Python signal handler, ours runs
#: between bytecodes of the main thread and Python retries the system call it interrupted (PEP 475),
#: so an idle worker blocked on its task queue starts its probe at once too.
WAKE_SIGNAL = getattr(signal, "SIGURG", None)


def _now_ms():
    return time.time() * 1000.0


def _parse_address(text):
    if text.startswith("unix:") and len(text) > 5:
        return socket.AF_UNIX, text[5:]
    if text.startswith("tcp:"):
        host, _, port = text[4:].rpartition(":")
        if host in ("127.0.0.1", "[::1]") and port.isdigit():
            return (socket.AF_INET, (host, int(port))) if host == "127.0.0.1" else (socket.AF_INET6, ("::1", int(port)))
    return None


class _Connection:
    """The socket to the host and a bounded queue of frames. ``put`` never blocks: a full queue
    drops its oldest frame. The probe's thread writes the queue after each of its rounds; at exit
    the program's thread does, bounded in time, so a host that stops reading never holds it."""

    def __init__(self, address, hello):
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._frames = collections.deque()
        self._dropped_since_sent = 0
        self.dropped_total = 0
        self._seq = 0
        self._address = address
        self._hello = hello
        self._socket = None
        self.closed = False

    def put(self, frame):
        with self._queue_lock:
            if self.closed:
                return
            if len(self._frames) >= BUFFER_FRAMES:
                self._frames.popleft()
                self._dropped_since_sent += 1
                self.dropped_total += 1
            self._frames.append(frame)

    def send(self, timeout=None):
        """Connects and says hello the first time, then writes every queued frame in one write:
        each write gives up the GIL, and taking it back from a busy program costs it a wake-up.
        With a timeout (at exit), gives up rather than wait longer. False once there is no host."""
        if not self._write_lock.acquire(timeout=-1 if timeout is None else timeout):
            return not self.closed
        try:
            if self._socket is None and not self.closed:
                self._socket = self._connect(timeout)
            elif timeout is not None and self._socket is not None:
                self._socket.settimeout(timeout)
            with self._queue_lock:
                if self.closed or not self._frames:
                    return not self.closed
                batch = list(self._frames)
                self._frames.clear()
                dropped, self._dropped_since_sent = self._dropped_since_sent, 0
            if dropped:
                batch[0]["dropped"] = dropped
            self._socket.sendall(b"".join([self._encode(frame) for frame in batch]))
            return True
        except (OSError, ValueError):
            # The host is gone (or never came): the program runs on, unobserved.
            with self._queue_lock:
                self.closed = True
                self._frames.clear()
            return False
        finally:
            self._write_lock.release()

    def _connect(self, timeout):
        family, target = self._address
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(target)
        sock.sendall(self._encode(self._hello))
        return sock

    def _encode(self, frame):
        frame["seq"] = self._seq
        self._seq += 1
        # Frames are trees the probe builds itself: no cycles to check for (half the encoding time).
        return json.dumps(frame, separators=(",", ":"), default=str, check_circular=False).encode("utf-8", "replace") + b"\n"


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
        self.block_started = None
        self.block_stack = []
        self.block_reported = False
        self.finished_block_ms = None


class Probe:
    def __init__(self, address, token, argv, blocked_threshold_ms, sample_seconds=SAMPLE_SECONDS):
        self.blocked_threshold_ms = blocked_threshold_ms
        self.sample_seconds = sample_seconds
        self._token = token
        self._address = address
        self._ids = itertools.count(1)
        self._threads_forking_workers = set()
        self.in_grace_period = False
        self._begin(argv)

    # -- lifecycle -----------------------------------------------------------------------
    def _begin(self, argv, started_at=None, forked=False):
        """This process's state, all new: after a fork, the parent's locks may have been held by
        one of its threads, and its threads, loops and children are not this process's."""
        self.pid = os.getpid()
        self._first_sample_after = self.sample_seconds if forked else min(FIRST_SAMPLE_SECONDS, self.sample_seconds)
        self._startup_ends = time.monotonic() + STARTUP_SECONDS
        self._structure_changed = False
        self.started_at = _now_ms() if started_at is None else started_at
        self._thread_ids = weakref.WeakKeyDictionary()
        self._thread_events = collections.deque(maxlen=10000)
        self._loops = {}
        self._loops_lock = threading.Lock()
        self._children = weakref.WeakKeyDictionary()
        self._workers_in_grace = collections.deque()
        self._exit_codes = {}
        self._exit_sent = False
        self.exit_code = None
        self._previous = {"threads": {}, "tasks": {}, "loops": {}, "children": {}}
        self._live_tasks = {}
        self._task_notes = {}
        self._finished_tasks = []
        self._thread_started = {}
        self._running_children = {}
        self._samples = 0
        self._sampler_ident = None
        self._stopped = False
        self._sample_lock = threading.Lock()
        self._wake = threading.Event()
        hello = {
            "kind": "hello", "t": self.started_at, "token": self._token, "protocol": PROTOCOL_VERSION,
            "pid": self.pid, "ppid": os.getppid(), "runtime": _runtime(), "argv": [str(a) for a in argv][:1000],
            "startedAt": self.started_at,
        }
        role = _process_role()
        if role is not None:
            hello["processRole"] = role
        try:
            hello["cwd"] = os.getcwd()
        except OSError:
            pass  # the directory was deleted meanwhile
        # A new connection: the parent's (inherited after a fork) is left as it is, untouched.
        self._connection = _Connection(self._address, hello)
        # One thread per process does everything: in a forked worker each thread the probe starts
        # costs a millisecond or more of copy-on-write faults before its first line.
        _thread.start_new_thread(self._run, ())

    def after_fork_in_child(self):
        # The forking thread is this process's only one, with the same ident as in the parent.
        forked_worker = _thread.get_ident() in self._threads_forking_workers
        self._threads_forking_workers = set()
        if forked_worker and self._await_wake_signal():
            # Its grace period: no state of its own yet (the hooks end it before they record
            # anything), as little memory written as possible.
            self.pid = os.getpid()
            self.started_at = _now_ms()
            self._grace_lock = _thread.allocate_lock()
            self.in_grace_period = True
            return
        self._begin_quietly(list(sys.argv), forked=True)

    def _begin_quietly(self, argv, started_at=None, forked=False):
        """``_begin`` from a fork handler or a program's hook, where no error may surface: if even
        a thread cannot start, this process goes unobserved and the program runs on."""
        try:
            self._begin(argv, started_at, forked)
        except Exception:
            pass

    def forking_worker(self, forking):
        """Around multiprocessing's Process.start: a child forked meanwhile by this thread is a
        worker, which sleeps through its grace period."""
        if forking:
            self._threads_forking_workers.add(_thread.get_ident())
        else:
            self._threads_forking_workers.discard(_thread.get_ident())

    def _await_wake_signal(self):
        """In a forked worker: handles WAKE_SIGNAL until the parent sends it. False (start now)
        when the program handles that signal itself or it cannot be handled here."""
        if not _wake_signal_is_free():
            return False
        try:
            self._handler_before_grace = signal.signal(WAKE_SIGNAL, self._on_wake_signal)
        except (OSError, ValueError, RuntimeError):
            return False
        return True

    def _on_wake_signal(self, signum, frame):
        """The parent's one WAKE_SIGNAL, on the main thread: the program's disposition back, and
        this process's own probe from now on (if nothing has started it already)."""
        try:
            signal.signal(WAKE_SIGNAL, self._handler_before_grace)
        except (OSError, ValueError, RuntimeError):
            pass
        # Without waiting: the main thread may be ending the grace period itself, under the signal.
        self.end_grace_period(wait=False)

    def end_grace_period(self, wait=True):
        """A forked worker's own probe from now on: its state, thread, connection and samples.
        Returns once they exist (``wait``), so the caller's hook records into them."""
        if not self.in_grace_period or not self._grace_lock.acquire(wait):
            return
        try:
            if self.in_grace_period:
                self._begin_quietly(list(sys.argv), self.started_at)
                self.in_grace_period = False
        finally:
            self._grace_lock.release()

    def finish(self, final_sample=True):
        """At exit: one last sample (final task and thread states), the exit frame, a bounded flush.
        A multiprocessing worker skips the sample: it is leaving from inside its bootstrap, where
        materialising its frames from here is not worth the risk."""
        if self._exit_sent or os.getpid() != self.pid or self.in_grace_period:
            return  # a worker still in its grace period: its parent reports its exit
        self._exit_sent = True
        self._stopped = True
        if final_sample and self._sample_lock.acquire(timeout=EXIT_FLUSH_SECONDS):
            try:
                self._sample()
            except Exception:
                pass
            finally:
                self._sample_lock.release()
        frame = {"kind": "exit", "t": _now_ms()}
        if self.exit_code is not None:
            frame["exitCode"] = self.exit_code
        self._connection.put(frame)
        self._connection.send(EXIT_FLUSH_SECONDS)

    # -- structural events (called on the program's threads: keep them tiny) ----------------
    # Weak references: keeping a finished Thread alive would keep it in the program's own
    # WeakKeyDictionaries (e.g. concurrent.futures' exit handler) and change its behaviour.
    # Each ends a forked worker's grace period first: its state is made then.
    def thread_started(self, thread):
        self.end_grace_period()
        self._thread_events.append(("start", weakref.ref(thread), _now_ms()))
        self._structure_changes()

    def _structure_changes(self):
        if time.monotonic() < self._startup_ends:
            self._structure_changed = True
            self._wake.set()

    def thread_ended(self, thread):
        self._thread_events.append(("end", weakref.ref(thread), _now_ms()))

    def loop_running(self, loop):
        self.end_grace_period()
        ident = _thread.get_ident()
        with self._loops_lock:
            if ident in self._loops and self._loops[ident].loop() is loop:
                return
            state = _Loop("l%d" % next(self._ids), loop, ident)
            self._loops[ident] = state
        state.expected_beat = time.monotonic()
        loop.call_soon(self._beat, state)
        self._structure_changes()
        self._wake.set()  # a loop to watch from now on, whenever it starts

    def loop_stopped(self):
        if self.in_grace_period:
            return  # e.g. asyncio forgetting, after the fork, the loop the parent's thread ran
        with self._loops_lock:
            self._loops.pop(_thread.get_ident(), None)

    def child_started(self, child, describe, forked_worker=False, name=None, role=None):
        self.end_grace_period()
        if not forked_worker:  # right after a fork, each page the probe's thread writes is copied
            self._structure_changes()
        known = {}
        if name:
            known["name"] = str(name)[:4000]
        if role:
            known["role"] = role
        self._children[child] = ("c%d" % next(self._ids), _now_ms(), describe, known)
        # The worker inherited this process's disposition of WAKE_SIGNAL: it sleeps if that is free.
        if forked_worker and _wake_signal_is_free():
            # Not waking the probe's thread now: right after a fork, each page it writes is copied.
            # It signals the worker at its first round after the grace period.
            self._workers_in_grace.append((time.monotonic() + FORKED_WORKER_GRACE_SECONDS, weakref.ref(child)))

    def child_exited(self, child, returncode):
        entry = self._children.get(child)
        if entry is not None and returncode is not None:
            self._exit_codes[entry[0]] = returncode

    def _beat(self, state):
        """Runs on the event loop: measures how late it ran and schedules the next beat."""
        now = time.monotonic()
        lag = max(0.0, (now - state.expected_beat) * 1000.0)
        state.beat_lags.append(lag)
        if lag >= self.blocked_threshold_ms:
            state.finished_block_ms = lag
        state.expected_beat = now + BEAT_SECONDS
        loop = state.loop()
        if loop is not None and not loop.is_closed():
            loop.call_later(BEAT_SECONDS, self._beat, state)

    # -- the probe's thread -----------------------------------------------------------------
    def _run(self):
        """The probe's thread: connects, then watches the loops at each tick, samples, and sends."""
        self._sampler_ident = _thread.get_ident()
        if not self._connection.send():
            return  # no host: nobody to tell
        # The first sample comes at the first tick (a forked child's after a whole period: see
        # FIRST_SAMPLE_SECONDS); the budget below applies to it as to every other.
        last_sample = time.monotonic()
        next_sample = last_sample + self._first_sample_after
        max_period = max(MAX_SAMPLE_SECONDS, self.sample_seconds)
        cost_per_unit = INITIAL_COST_PER_UNIT
        release_cpu = 0.0
        release_due = False
        while not self._stopped:
            try:
                has_loops = self._check_loops()
                now = time.monotonic()
                signal_workers_at = self._signal_grown_workers(now)
                if self._structure_changed:
                    self._structure_changed = False
                    next_sample = min(next_sample, max(now, last_sample + FIRST_SAMPLE_SECONDS) + TICK_SECONDS)
                if now >= next_sample:
                    # The budget, before the fact: a sample costs about the same per task and
                    # thread as the previous one did, and comes only once the time since the
                    # previous one makes that SAMPLING_SHARE of it.
                    units = self._count_units()
                    allowed_at = last_sample + min(max_period, cost_per_unit * units / SAMPLING_SHARE)
                    if now < allowed_at:
                        next_sample = allowed_at
                    else:
                        # CPU time of this thread: waiting for the GIL is not our cost.
                        cpu = time.thread_time()
                        with self._sample_lock:
                            if self._stopped:
                                return
                            self._sample()
                        self._connection.send()
                        # Sampling and sending, and letting go of the previous sample's tasks. The
                        # first sample's cost is mostly one-off (first encoding, first send): the
                        # budget learns from the ones after it.
                        if self._samples > 1:
                            cost_per_unit = (time.thread_time() - cpu + release_cpu) / units
                        release_cpu = 0.0
                        release_due = True
                        last_sample = now
                        next_sample = now + self.sample_seconds
                elif release_due:
                    cpu = time.thread_time()
                    with self._sample_lock:
                        if self._stopped:
                            return
                        # While tasks keep finishing, keep letting go of them at each tick.
                        release_due = self._release_finished_tasks() > 0
                    release_cpu += time.thread_time() - cpu
                if self._connection.closed:
                    return
                self._connection.send()  # a blocked loop's report, at once
            except Exception:
                has_loops = True  # a probe bug must never surface in the program
                signal_workers_at = None
            # A loop that starts meanwhile wakes the sampler (loop_running), so none goes unwatched.
            until = next_sample if signal_workers_at is None else min(next_sample, signal_workers_at)
            self._wake.wait(TICK_SECONDS if has_loops else max(0.0, min(max_period, until - time.monotonic())))
            self._wake.clear()

    def _signal_grown_workers(self, now):
        """Sends WAKE_SIGNAL to the forked workers whose grace period is over (once each, while
        the program has not reaped them: their pid is still theirs). Returns when the next one is
        due, if any."""
        workers = self._workers_in_grace
        while workers and workers[0][0] <= now:
            _, reference = workers.popleft()
            child = reference()
            entry = self._children.get(child) if child is not None else None
            if entry is None:
                continue
            pid, _, returncode = entry[2](child)
            if pid and returncode is None:
                try:
                    os.kill(pid, WAKE_SIGNAL)
                except OSError:
                    pass
        return workers[0][0] if workers else None

    def _count_units(self):
        """How many threads and tasks a sample would describe, in O(1): the sizes of asyncio's
        registry of tasks (done ones not yet collected included) and of threading's."""
        count = threading.active_count()
        asyncio = sys.modules.get("asyncio")
        if asyncio is not None and self._loops:
            tasks = asyncio.tasks
            registry = getattr(tasks, "_scheduled_tasks", None)  # 3.12+
            if registry is None:
                registry = getattr(tasks, "_all_tasks", ())  # 3.8-3.11
            count += len(registry) + len(getattr(tasks, "_eager_tasks", ()))
        return count

    def _check_loops(self):
        """Reports loops blocked past the threshold; says whether any loop is running."""
        with self._loops_lock:
            loops = list(self._loops.values())
        now = time.monotonic()
        for state in loops:
            late_ms = (now - state.expected_beat) * 1000.0
            if late_ms >= self.blocked_threshold_ms and state.block_started is None:
                state.block_started = state.expected_beat
                frame = sys._current_frames().get(state.thread_ident)
                state.block_stack = _inspect.stack(frame)
            if state.block_started is not None and not state.block_reported and late_ms >= self.blocked_threshold_ms:
                state.block_reported = True
                self._put_blocked(state, late_ms, True)
            if state.finished_block_ms is not None:
                duration, state.finished_block_ms = state.finished_block_ms, None
                self._put_blocked(state, duration, False)
                state.block_started = None
                state.block_reported = False
                state.block_stack = []
        return bool(loops)

    def _put_blocked(self, state, duration_ms, ongoing):
        frame = {
            "kind": "blocked", "t": _now_ms(), "loopId": state.id, "threadId": self._thread_id_of_ident(state.thread_ident),
            "durationMs": round(duration_ms, 1), "stack": state.block_stack,
        }
        if ongoing:
            frame["ongoing"] = True
        self._connection.put(frame)

    def _sample(self):
        t = _now_ms()
        current = {
            "threads": self._sample_threads(t),
            "tasks": self._sample_tasks(t),
            "loops": self._sample_loops(),
            "children": self._sample_children(t),
        }
        snapshot = self._samples % SNAPSHOT_EVERY_SAMPLES == 0 or self._connection.dropped_total != getattr(self, "_seen_dropped", 0)
        self._seen_dropped = self._connection.dropped_total
        self._samples += 1
        upsert, remove, signatures = {}, {}, {}
        for kind, entities in current.items():
            before = self._previous[kind]
            kept = signatures[kind] = {}
            changed = []
            for key, entity in entities.items():
                if "endedAt" in entity:
                    # Sent once with its final state, never compared again.
                    changed.append(entity)
                    continue
                signature = kept[key] = _signature(entity)
                if before.get(key) != signature:
                    changed.append(entity)
            gone = [key for key in before if key not in entities]
            if changed:
                upsert[kind] = changed
            if gone:
                remove[kind] = gone
        self._previous = signatures
        if snapshot:
            frame = {"kind": "snapshot", "t": t}
            for kind, entities in current.items():
                frame[kind] = list(entities.values())
            self._connection.put(frame)
        elif upsert or remove:
            frame = {"kind": "delta", "t": t}
            if upsert:
                frame["upsert"] = upsert
            if remove:
                frame["remove"] = remove
            self._connection.put(frame)

    def _thread_id(self, thread):
        if thread is threading.main_thread():
            return "main"
        known = self._thread_ids.get(thread)
        if known is None:
            known = self._thread_ids[thread] = "t%d" % next(self._ids)
        return known

    def _thread_id_of_ident(self, ident):
        thread = threading._active.get(ident)
        return self._thread_id(thread) if thread is not None else "i%d" % ident

    def _sample_threads(self, t):
        # Read every thread's location at once and drop the frames right away: a frame object
        # we hold keeps its finished function's locals alive, which the program must not notice.
        frames = sys._current_frames()
        locations = {ident: _inspect.user_location(frame) for ident, frame in frames.items()}
        del frames
        threads = {}
        started = {}
        ended = {}
        # The start times of the threads still running: rebuilt at each sample, so a thread that
        # vanished unseen (its Thread object collected before it was sampled ended) is not kept.
        known_starts, self._thread_started = self._thread_started, {}
        while self._thread_events:
            kind, reference, when = self._thread_events.popleft()
            thread = reference()
            if thread is not None:
                (started if kind == "start" else ended)[thread] = when
        # Threads that started or ended since the last sample come first, so short ones are seen.
        for thread in dict.fromkeys(list(started) + list(ended) + threading.enumerate()):
            ident = thread.ident
            if ident is None or ident == self._sampler_ident:
                continue
            thread_id = self._thread_id(thread)
            where, state = locations.get(ident, (None, "running"))
            started_at = known_starts.get(thread_id)
            if started_at is None:
                started_at = started.get(thread, self.started_at if thread_id == "main" else t)
            entity = {
                "id": thread_id, "kind": "main" if thread_id == "main" else "thread", "name": thread.name, "state": state,
                "daemon": thread.daemon, "startedAt": started_at,
            }
            native_id = getattr(thread, "native_id", None)
            if native_id is not None:
                entity["nativeId"] = native_id
            if where is not None:
                entity["location"] = where
            if thread in ended or not thread.is_alive():
                entity["state"] = "exited"
                entity["endedAt"] = ended.get(thread, t)
            else:
                self._thread_started[thread_id] = started_at
            threads[thread_id] = entity
        return threads

    def _sample_tasks(self, t):
        with self._loops_lock:
            loops = list(self._loops.values())
        # Never import asyncio here: loops are registered only once the program has imported it.
        asyncio = sys.modules.get("asyncio")
        if asyncio is None:
            loops = []
        current_tasks = getattr(asyncio.tasks, "_current_tasks", {}) if loops else {}
        # The tasks themselves (one that ends is held until the probe has read how it ended) apart
        # from what the probe notes about each, which holds only plain values.
        live = {}
        notes = {}
        tasks = {}
        for state in loops:
            loop = state.loop()
            if loop is None:
                continue
            thread_id = self._thread_id_of_ident(state.thread_ident)
            running = current_tasks.get(loop)
            for task in _all_tasks(asyncio, loop)[:MAX_TASKS_PER_SAMPLE]:
                key = id(task)
                note = self._task_notes.get(key) if self._live_tasks.get(key) is task else None
                if note is None:
                    note = ("k%d" % next(self._ids), t, thread_id, state.id, _inspect.coroutine_name(task))
                live[key] = task
                notes[key] = note
                tasks[note[0]] = self._describe_task(task, note, "running" if task is running else "pending", t)
        for entity in self._finished_tasks:
            tasks[entity["id"]] = entity
        self._finished_tasks = []
        for key, task in self._live_tasks.items():
            if key not in live:
                note = self._task_notes[key]
                tasks[note[0]] = self._describe_task(task, note, None, t)
        self._live_tasks = live
        self._task_notes = notes
        return tasks

    def _release_finished_tasks(self):
        """At the ticks after a sample: describes the tasks that have finished since and lets go
        of them. Held until the next sample, a burst of short tasks would stay alive for a whole
        sampling period: their memory not reused, and traversed by the program's garbage
        collector. Returns how many finished."""
        t = _now_ms()
        finished = [key for key, task in self._live_tasks.items() if task.done()]
        for key in finished:
            entity = self._describe_task(self._live_tasks.pop(key), self._task_notes.pop(key), None, t)
            self._finished_tasks.append(entity)
        return len(finished)

    def _describe_task(self, task, note, state, t):
        task_id, started_at, thread_id, loop_id, coroutine = note
        entity = {
            "id": task_id, "threadId": thread_id, "loopId": loop_id, "name": task.get_name(),
            "coroutine": coroutine, "startedAt": started_at,
        }
        if state is None:
            state, error, raised_at = _inspect.task_outcome(task)
            if state == "pending":  # vanished from all_tasks without being done: its loop went away
                state = "cancelled"
            entity["endedAt"] = t
            if error is not None:
                entity["exception"] = error[:4000]
            if raised_at is not None:
                entity["raisedAt"] = raised_at
        else:
            where, awaiting = _inspect.suspension(task)
            if where is not None:
                entity["suspendedAt"] = where
            if awaiting:
                entity["awaiting"] = awaiting[:4000]
        entity["state"] = state
        return entity

    def _sample_loops(self):
        with self._loops_lock:
            loops = list(self._loops.values())
        now = time.monotonic()
        return {
            state.id: {"id": state.id, "threadId": self._thread_id_of_ident(state.thread_ident), "lagMs": round(self._largest_lag_ms(state, now), 1)}
            for state in loops
        }

    @staticmethod
    def _largest_lag_ms(state, now):
        """A loop's largest lag since the previous sample: its beats' lags and, when its next beat is
        overdue (the loop is blocked right now), how late that beat is. Blocks are measured by the same beats."""
        largest = max(0.0, (now - state.expected_beat) * 1000.0)
        while True:
            try:
                largest = max(largest, state.beat_lags.popleft())
            except IndexError:
                return largest

    def _sample_children(self, t):
        children = {}
        # A child whose Popen/Process object the program dropped ends with what was last known.
        for child_id, last in self._running_children.items():
            children[child_id] = _with_exit(dict(last), self._exit_codes.pop(child_id, None), t)
        for child, (child_id, started_at, describe, known) in list(self._children.items()):
            pid, command, returncode = describe(child)
            entity = {"id": child_id, "command": command[:4000], "startedAt": started_at}
            entity.update(known)
            if pid:
                entity["pid"] = pid
            if returncode is not None:
                _with_exit(entity, returncode, t)
                del self._children[child]  # reported once, finished
                self._exit_codes.pop(child_id, None)
            children[child_id] = entity
        self._running_children = {child_id: entity for child_id, entity in children.items() if "endedAt" not in entity}
        return children


def _signature(entity):
    """What the next sample compares an entity with: a number, not the entity, because what the
    probe keeps between samples is traversed by every full collection of the program's garbage
    collector (entities nest dicts, which it never stops tracking). JSON objects one level deep,
    as all of ours. A collision would delay an update until the next snapshot."""
    return hash((tuple(entity), tuple([tuple(value.values()) if type(value) is dict else value for value in entity.values()])))


def _wake_signal_is_free():
    """Whether the program leaves WAKE_SIGNAL alone (no handler of its own)."""
    try:
        return WAKE_SIGNAL is not None and signal.getsignal(WAKE_SIGNAL) in (signal.SIG_DFL, signal.SIG_IGN)
    except (OSError, ValueError):
        return False


def _with_exit(entity, returncode, t):
    entity["endedAt"] = t
    if returncode is not None and returncode < 0:
        entity["signal"] = _signal_name(-returncode)
    elif returncode is not None:
        entity["exitCode"] = returncode
    return entity


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


#: What a Python process started by multiprocessing (not forked) is for, by the code it was started with.
_ROLES_BY_COMMAND = (
    ("multiprocessing.resource_tracker", "resource-tracker"),
    ("multiprocessing.semaphore_tracker", "resource-tracker"),
    ("multiprocessing.forkserver", "fork-server"),
    ("--multiprocessing-fork", "spawn-worker"),
)


def _process_role():
    """This process's role when its command line shows multiprocessing started it (a `-c` command
    names no script: its argv alone reads ``-c``). None for any other process."""
    command = getattr(sys, "orig_argv", None)  # 3.10+
    if command is None:
        try:
            with open("/proc/self/cmdline", "rb") as cmdline:
                command = cmdline.read().decode("utf-8", "replace").split("\0")
        except OSError:
            command = sys.argv
    text = " ".join(command)
    for marker, role in _ROLES_BY_COMMAND:
        if marker in text:
            return role
    return None


def _all_tasks(asyncio, loop):
    # all_tasks copies a WeakSet that the loop's thread may change meanwhile: retry.
    for _ in range(10):
        try:
            return list(asyncio.all_tasks(loop))
        except RuntimeError:
            continue
    return []


def _runtime():
    implementation = platform.python_implementation()
    if getattr(sys, "_is_gil_enabled", None) is not None and not sys._is_gil_enabled():
        implementation += " free-threaded"
    return {"name": "python", "version": platform.python_version(), "implementation": implementation, "executable": sys.executable}


# -- installation --------------------------------------------------------------------------
_probe = None


def current_probe():
    return _probe


def start(argv=None):
    """Starts the probe in this process if the host's endpoint is in the environment (once)."""
    global _probe
    if _probe is not None:
        return _probe
    address = _parse_address(os.environ.get(ENV_ADDRESS, ""))
    token = os.environ.get(ENV_TOKEN, "")
    if address is None or not token:
        return None
    threshold = _positive_number(os.environ.get(ENV_BLOCKED_THRESHOLD_MS), 100.0)
    sample_ms = _positive_number(os.environ.get(ENV_SAMPLE_MS), SAMPLE_SECONDS * 1000.0)
    _probe = Probe(address, token, sys.argv if argv is None else argv, max(threshold, 10.0), max(sample_ms, 10.0) / 1000.0)
    _install_hooks(_probe)
    return _probe


def _positive_number(text, default):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def _install_hooks(probe):
    original_bootstrap = threading.Thread._bootstrap_inner

    def _bootstrap_inner(thread):
        probe.thread_started(thread)
        try:
            original_bootstrap(thread)
        finally:
            probe.thread_ended(thread)

    threading.Thread._bootstrap_inner = _bootstrap_inner
    _hooks.when_imported("asyncio.events", lambda events: _wrap_running_loop(events, probe))
    _hooks.when_imported("subprocess", lambda module: _wrap_popen(module, probe))
    _hooks.when_imported("multiprocessing.process", lambda module: _wrap_process(module, probe))
    os.register_at_fork(after_in_child=probe.after_fork_in_child)
    atexit.register(probe.finish)


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


def _wrap_popen(subprocess, probe):
    original = subprocess.Popen.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        probe.child_started(self, _describe_popen)

    subprocess.Popen.__init__ = __init__
    # The program may drop its Popen before the next sample: note the exit status as it is read.
    original_status = subprocess.Popen._handle_exitstatus

    def _handle_exitstatus(self, *args, **kwargs):
        original_status(self, *args, **kwargs)
        probe.child_exited(self, self.returncode)

    subprocess.Popen._handle_exitstatus = _handle_exitstatus


def _describe_popen(popen):
    args = popen.args
    command = args if isinstance(args, (str, bytes)) else " ".join(str(a) for a in args)
    return popen.pid, str(command), popen.returncode


def _wrap_process(process_module, probe):
    original = process_module.BaseProcess.start

    def start(self):
        role = _target_role(self)  # start() lets go of the target (bpo-30775)
        probe.forking_worker(True)
        try:
            original(self)
        finally:
            probe.forking_worker(False)
        popen = getattr(self, "_popen", None)
        probe.child_started(self, _describe_process, forked_worker=getattr(popen, "method", None) == "fork", name=self.name, role=role)

    process_module.BaseProcess.start = start
    # In the child: the exit code multiprocessing gives the process is what _bootstrap returns.
    # A forked child then leaves through os._exit, skipping atexit: its exit frame goes from here.
    original_bootstrap = process_module.BaseProcess._bootstrap

    def _bootstrap(self, *args, **kwargs):
        exitcode = original_bootstrap(self, *args, **kwargs)
        try:
            probe.exit_code = exitcode
            probe.finish(final_sample=False)
        except Exception:
            pass
        return exitcode

    process_module.BaseProcess._bootstrap = _bootstrap
    # The program may drop its Process before the next sample (a pool does at shutdown): note the
    # exit code once join has read it.
    original_join = process_module.BaseProcess.join

    def join(self, timeout=None):
        original_join(self, timeout)
        probe.child_exited(self, _describe_process(self)[2])

    process_module.BaseProcess.join = join


#: The functions multiprocessing runs in its pools' workers and managers' servers, by module and name.
_ROLES_BY_TARGET = {
    ("concurrent.futures.process", "_process_worker"): "pool-worker",
    ("multiprocessing.pool", "worker"): "pool-worker",
    ("multiprocessing.managers", "BaseManager._run_server"): "manager",
}


def _target_role(process):
    target = getattr(process, "_target", None)
    key = (getattr(target, "__module__", None), getattr(target, "__qualname__", None))
    return _ROLES_BY_TARGET.get(key, "process")


def _describe_process(process):
    popen = getattr(process, "_popen", None)
    # Never poll(): that would reap the child behind multiprocessing's back.
    returncode = getattr(popen, "returncode", None) if popen is not None else None
    return process.pid, "%s (multiprocessing)" % process.name, returncode
