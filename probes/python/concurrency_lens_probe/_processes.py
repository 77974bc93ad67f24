"""Child processes: those ``subprocess.Popen`` and ``multiprocessing`` start (hooked where they
start and where their exit status is read), what a process started by multiprocessing is for, and
the workers multiprocessing forks, which sleep through a grace period before their own probe."""
import collections
import os
import signal
import sys
import time
import weakref

from . import _hooks
from ._transport import now_ms

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


class ChildWatch:
    def __init__(self, next_id):
        self._next_id = next_id
        self._children = weakref.WeakKeyDictionary()
        self._workers_in_grace = collections.deque()
        self._exit_codes = {}
        self._running = {}
        # Started since the last sample, as described at their start: reported even when the program
        # drops the object before the next sample (a pool does at shutdown, a loaded machine samples late).
        self._unsampled = {}

    def started(self, child, describe, forked_worker, name, role):
        known = {}
        if name:
            known["name"] = str(name)[:4000]
        if role:
            known["role"] = role
        child_id, started_at = "c%d" % next(self._next_id), now_ms()
        self._children[child] = (child_id, started_at, describe, known)
        self._unsampled[child_id] = _entity(child_id, started_at, describe(child), known)
        # The worker inherited this process's disposition of WAKE_SIGNAL: it sleeps if that is free.
        if forked_worker and wake_signal_is_free():
            # Not waking the probe's thread now: right after a fork, each page it writes is copied.
            # It signals the worker at its first round after the grace period.
            self._workers_in_grace.append((time.monotonic() + FORKED_WORKER_GRACE_SECONDS, weakref.ref(child)))

    def exited(self, child, returncode):
        entry = self._children.get(child)
        if entry is not None and returncode is not None:
            self._exit_codes[entry[0]] = returncode

    def signal_grown_workers(self, now):
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

    def sample(self, t):
        children = {}
        unsampled, self._unsampled = self._unsampled, {}
        # A child whose Popen/Process object the program dropped ends with what was last known.
        for last in list(self._running.values()) + list(unsampled.values()):
            children[last["id"]] = _with_exit(dict(last), self._exit_codes.pop(last["id"], None), t)
        for child, (child_id, started_at, describe, known) in list(self._children.items()):
            description = describe(child)
            entity = _entity(child_id, started_at, description, known)
            returncode = description[2]
            if returncode is not None:
                _with_exit(entity, returncode, t)
                del self._children[child]  # reported once, finished
                self._exit_codes.pop(child_id, None)
            children[child_id] = entity
        self._running = {child_id: entity for child_id, entity in children.items() if "endedAt" not in entity}
        return children


def wake_signal_is_free():
    """Whether the program leaves WAKE_SIGNAL alone (no handler of its own)."""
    try:
        return WAKE_SIGNAL is not None and signal.getsignal(WAKE_SIGNAL) in (signal.SIG_DFL, signal.SIG_IGN)
    except (OSError, ValueError):
        return False


def _entity(child_id, started_at, description, known):
    pid, command, _ = description
    entity = {"id": child_id, "command": command[:4000], "startedAt": started_at}
    entity.update(known)
    if pid:
        entity["pid"] = pid
    return entity


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


def process_role():
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


#: Python 3.13+ runs a forked multiprocessing child's exit functions (``util._exit_function``, which
#: joins the feeder threads of the queues it put into: it can block) after ``_bootstrap`` returns.
_EXIT_FUNCTIONS_AFTER_BOOTSTRAP = sys.version_info >= (3, 13)


def install(probe):
    _hooks.when_imported("subprocess", lambda module: _wrap_popen(module, probe))
    _hooks.when_imported("multiprocessing.process", lambda module: _wrap_process(module, probe))
    if _EXIT_FUNCTIONS_AFTER_BOOTSTRAP:
        _hooks.when_imported("multiprocessing.util", lambda module: _wrap_exit_function(module, probe))


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
    # A forked child then leaves through os._exit, skipping the atexit functions of its parent: its
    # exit frame goes from here, or (3.13+) once its own exit functions have run. A spawned one
    # exits like any program: the probe's atexit function sends it.
    original_bootstrap = process_module.BaseProcess._bootstrap

    def _bootstrap(self, *args, **kwargs):
        exitcode = original_bootstrap(self, *args, **kwargs)
        try:
            probe.exit_code = exitcode
            if probe.forked and not _EXIT_FUNCTIONS_AFTER_BOOTSTRAP:
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


def _wrap_exit_function(util, probe):
    original = util._exit_function

    def _exit_function(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            if probe.forked:
                try:
                    probe.finish(final_sample=False)
                except Exception:
                    pass

    util._exit_function = _exit_function


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
