"""The probe of one process: its lifecycle (start, fork, a forked worker's grace period, exit),
the structural events the program's threads report to it, and what it describes at each sample.
The parts live beside it: the connection (_transport), the probe's thread (_sampling), threads
(_threads), event loops and tasks (_tasks), child processes (_processes)."""
import _thread
import atexit
import itertools
import os
import platform
import signal
import sys
import threading
import time

from . import _alarm, _lifecycle, _processes, _sampling, _stacks, _tasks, _threads, _trace
from ._transport import ENV_ADDRESS, ENV_TOKEN, PROTOCOL_VERSION, Connection, now_ms, parse_address

ENV_BLOCKED_THRESHOLD_MS = "CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS"
ENV_SAMPLE_MS = "CONCURRENCY_LENS_SAMPLE_MS"
EXIT_FLUSH_SECONDS = 0.5


class Probe:
    def __init__(self, address, token, argv, blocked_threshold_ms, sample_seconds=_sampling.SAMPLE_SECONDS, lifecycle=False, trace=False):
        self.blocked_threshold_ms = blocked_threshold_ms
        self.sample_seconds = sample_seconds
        #: The opt-in task factory (creation sites, parents, every finished task): always on in trace mode.
        self.lifecycle = lifecycle or trace
        #: Trace mode: every event-loop callback timed (None when off).
        self.tracer = _trace.Tracer() if trace else None
        self._token = token
        self._address = address
        self._ids = itertools.count(1)
        self._threads_forking_workers = set()
        self.in_grace_period = False
        #: This process was forked from another probed one (its atexit functions are its parent's).
        self.forked = False
        self._begin(argv)

    # -- lifecycle -----------------------------------------------------------------------
    def _begin(self, argv, started_at=None, forked=False):
        """This process's state, all new: after a fork, the parent's locks may have been held by
        one of its threads, and its threads, loops and children are not this process's."""
        self.pid = os.getpid()
        self.first_sample_after = self.sample_seconds if forked else min(_sampling.FIRST_SAMPLE_SECONDS, self.sample_seconds)
        self._startup_ends = time.monotonic() + _sampling.STARTUP_SECONDS
        self.structure_changed = False
        self.started_at = now_ms() if started_at is None else started_at
        self.threads = _threads.ThreadWatch(self._ids, self.started_at)
        self.loops = _tasks.LoopWatch(self._ids, self.blocked_threshold_ms, self.lifecycle)
        if forked:
            _lifecycle.CANCELS.sites.clear()  # the parent's tasks
            if self.tracer is not None:
                self.tracer.slices.clear()
        self.children = _processes.ChildWatch(self._ids)
        self._exit_sent = False
        self.exit_code = None
        self.stopped = False
        self.sample_lock = threading.Lock()
        self.alarm = _alarm.Alarm(self.loops.first_late, _sampling.TICK_SECONDS)
        self.loops.on_beat = self._on_beat
        self.sampler = _sampling.Sampler(self)
        hello = {
            "kind": "hello", "t": self.started_at, "token": self._token, "protocol": PROTOCOL_VERSION,
            "pid": self.pid, "ppid": os.getppid(), "runtime": _runtime(), "argv": [str(a) for a in argv][:1000],
            "startedAt": self.started_at,
            # A sample is sent at least this often, changed or not (see _sampling): silent longer,
            # the process is held (see _stacks).
            "silentAtMostMs": round(self.sampler.max_period * 1000.0),
        }
        stack_dump = _stacks.register()
        if stack_dump is not None:
            hello["stackDump"] = stack_dump
        role = _processes.process_role()
        if role is not None:
            hello["processRole"] = role
        try:
            hello["cwd"] = os.getcwd()
        except OSError:
            pass  # the directory was deleted meanwhile
        # A new connection: the parent's (inherited after a fork) is left as it is, untouched.
        self.connection = Connection(self._address, hello)
        # One thread per process does everything: in a forked worker each thread the probe starts
        # costs a millisecond or more of copy-on-write faults before its first line.
        _thread.start_new_thread(self.sampler.run, ())

    def after_fork_in_child(self):
        self.forked = True
        self.alarm.after_fork_in_child()
        # The forking thread is this process's only one, with the same ident as in the parent.
        forked_worker = _thread.get_ident() in self._threads_forking_workers
        self._threads_forking_workers = set()
        if forked_worker and self._await_wake_signal():
            # Its grace period: no state of its own yet (the hooks end it before they record
            # anything), as little memory written as possible.
            self.pid = os.getpid()
            self.started_at = now_ms()
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
        if not _processes.wake_signal_is_free():
            return False
        try:
            self._handler_before_grace = signal.signal(_processes.WAKE_SIGNAL, self._on_wake_signal)
        except (OSError, ValueError, RuntimeError):
            return False
        return True

    def _on_wake_signal(self, signum, frame):
        """The parent's one WAKE_SIGNAL, on the main thread: the program's disposition back, and
        this process's own probe from now on (if nothing has started it already)."""
        try:
            signal.signal(_processes.WAKE_SIGNAL, self._handler_before_grace)
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
        self.stopped = True
        cpu = time.thread_time()
        if final_sample and self.sample_lock.acquire(timeout=EXIT_FLUSH_SECONDS):
            try:
                self.drain_trace()
                self.release_finished_tasks()
                self.sampler.sample()
            except Exception:
                pass
            finally:
                self.sample_lock.release()
        frame = {"kind": "exit", "t": now_ms()}
        if self.exit_code is not None:
            frame["exitCode"] = self.exit_code
        frame.update(self._own_cost(time.thread_time() - cpu))
        self.connection.put(frame)
        self.connection.send(EXIT_FLUSH_SECONDS)

    def _own_cost(self, exit_sample_cpu):
        """What observing this process cost it, as the probe counts it: the CPU time of its own
        thread, of the loops' beats (with the samples they took) and of the last sample, beside the
        process's CPU time. Not in trace mode nor with the task factory, whose work runs inside the
        program's callbacks, uncounted; the hooks on thread, loop and process starts (a few
        microseconds each) are not counted either."""
        if self.tracer is not None or self.lifecycle:
            return {}
        probe_cpu = self.sampler.thread_cpu + sum(list(self.loops.beat_cpu.values())) + exit_sample_cpu
        return {"probeCpuMs": round(probe_cpu * 1000.0, 3), "cpuMs": round(time.process_time() * 1000.0, 3)}

    # -- structural events (called on the program's threads: keep them tiny) ----------------
    # Each ends a forked worker's grace period first: its state is made then.
    def thread_started(self, thread):
        self.end_grace_period()
        self.threads.started(thread)
        self._structure_changes()

    def _structure_changes(self):
        if time.monotonic() < self._startup_ends:
            self.structure_changed = True
            self.alarm.wake()

    def thread_ended(self, thread):
        self.threads.ended(thread)

    def loop_running(self, loop, thread_ident=None):
        """A loop runs on the calling thread, or on ``thread_ident`` (found running at attach)."""
        self.end_grace_period()
        if not self.loops.running(loop, _thread.get_ident() if thread_ident is None else thread_ident, foreign=thread_ident is not None):
            return
        self._structure_changes()
        self.alarm.wake()  # a loop to watch from now on, whenever it starts

    def loop_stopped(self):
        if self.in_grace_period:
            return  # e.g. asyncio forgetting, after the fork, the loop the parent's thread ran
        if self.tracer is not None:
            self.drain_trace()  # its last callbacks, while the loop is still known by its thread
        self.loops.stopped(_thread.get_ident())
        self.alarm.wake()  # to time the samples itself, if no other loop does

    def _on_beat(self, was_blocked, busy):
        """On a loop's thread, at each of its beats (see _tasks; ``busy``: it has other callbacks
        ready to run): the sample if one is due, and the probe's thread's alarm pushed back (see
        _alarm)."""
        if self.in_grace_period or self.stopped:
            return  # a forked worker still in its grace period: the parent's state, not its own
        try:
            self.alarm.use_kernel_timer()
            if not was_blocked:
                self.sampler.sample_on_loop(busy)
            self.alarm.loop_beat(was_blocked)
        except Exception:
            pass  # a probe bug must never surface in the program

    def child_started(self, child, describe, forked_worker=False, name=None, role=None):
        self.end_grace_period()
        if not forked_worker:  # right after a fork, each page the probe's thread writes is copied
            self._structure_changes()
        self.children.started(child, describe, forked_worker, name, role)

    def child_exited(self, child, returncode):
        self.children.exited(child, returncode)

    # -- what the probe's thread asks (see _sampling) -------------------------------------
    def check_loops(self):
        """When a loop could next be blocked past the threshold (monotonic s), None without loops."""
        return self.loops.check(self.connection.put, self.threads.thread_id_of_ident)

    def signal_grown_workers(self, now):
        return self.children.signal_grown_workers(now)

    def count_units(self):
        """How many threads and tasks a sample would describe, in O(1): the sizes of asyncio's
        registry of tasks and of threading's."""
        return threading.active_count() + self.loops.count_tasks()

    def drain_trace(self):
        """Trace mode: sends what each loop ran since the last tick. Returns whether anything was."""
        if self.tracer is None or not self.tracer.slices:
            return False
        bodies, last_step_end = self.tracer.drain(self.loops.by_thread_ident(), self.loops.task_id_of_key)
        self.loops.last_step_end.update(last_step_end)
        t = now_ms()
        for state, body in bodies.items():
            head = {"kind": "trace", "t": t, "loopId": state.id, "threadId": self.threads.thread_id_of_ident(state.thread_ident), "microseconds": body["microseconds"]}
            # A busy loop runs hundreds of thousands of callbacks between two ticks: in frames the
            # host accepts (each well under its frame limit), the slowest callbacks in the first.
            for first in range(0, max(len(body["start"]), 1), _trace.SLICES_PER_FRAME):
                frame = dict(head)
                for column in ("start", "duration", "task"):
                    frame[column] = body[column][first:first + _trace.SLICES_PER_FRAME]
                frame["slow"] = body["slow"] if first == 0 else []
                self.connection.put(frame)
        return bool(bodies)

    def has_young_tasks(self):
        return self.loops.has_young_tasks()

    def release_finished_tasks(self):
        return self.loops.release_finished(self.threads.thread_id_of_ident)

    def describe(self, t, loop_busy=None):
        """Every entity of this process now, by set and id (``loop_busy``: sampled on a loop's
        thread, whether that loop has callbacks ready to run)."""
        thread_id_of_ident = self.threads.thread_id_of_ident
        return {
            "threads": self.threads.sample(t, self.sampler.ident, loop_busy, self.loops.by_thread_ident),
            "tasks": self.loops.sample_tasks(t, thread_id_of_ident, self.threads.work_threads),
            "loops": self.loops.sample_loops(thread_id_of_ident),
            "children": self.children.sample(t),
        }


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
    address = parse_address(os.environ.get(ENV_ADDRESS, ""))
    token = os.environ.get(ENV_TOKEN, "")
    if address is None or not token:
        return None
    threshold = _positive_number(os.environ.get(ENV_BLOCKED_THRESHOLD_MS), 100.0)
    sample_ms = _positive_number(os.environ.get(ENV_SAMPLE_MS), _sampling.SAMPLE_SECONDS * 1000.0)
    lifecycle = os.environ.get(_lifecycle.ENV_TASK_LIFECYCLE) == "1"
    trace = os.environ.get(_trace.ENV_TRACE) == "1"
    _probe = Probe(address, token, sys.argv if argv is None else argv, max(threshold, 10.0), max(sample_ms, 10.0) / 1000.0, lifecycle, trace)
    _install_hooks(_probe)
    return _probe


def _positive_number(text, default):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def _install_hooks(probe):
    _threads.install(probe)
    _tasks.install(probe)
    _processes.install(probe)
    if probe.tracer is not None:
        _trace.install(probe.tracer)
    os.register_at_fork(after_in_child=probe.after_fork_in_child)
    atexit.register(probe.finish)
