"""asyncio task lifecycle: who cancelled a task, and (opt-in) where each task was created, by which
task, and how every one of them ended, short ones included.

Who cancelled (Python 3.12+, always): ``sys.monitoring`` CALL events, enabled only in the code
objects that mention ``cancel`` (found with one PY_START event per code object, then disabled) and
disabled at each call site whose callee is not a ``cancel``: a program pays for its cancel() calls
and little else (+0.5–1.1% on 100,000 tiny tasks). Earlier Pythons have no such hook.

Creation (opt-in, CONCURRENCY_LENS_TASK_LIFECYCLE=1, and in trace mode): a task factory chained
with the program's own (``set_task_factory`` keeps working: the probe's calls the program's). It
costs a Python call per task — +16% (3.8) to +42% (3.12) on 100,000 tiny tasks — so it is off by
default. Each task it creates carries, in a ``_concurrency_lens`` attribute, its id, creation time
and site and its parent's id; the probe's thread describes the ones that end before it samples
them, at most FINISHED_PER_SAMPLE between two samples, counting the rest.
"""
import collections
import sys
import threading

from . import _inspect
from ._transport import now_ms

ENV_TASK_LIFECYCLE = "CONCURRENCY_LENS_TASK_LIFECYCLE"
#: Finished tasks described one by one between two samples (the failed and cancelled first); beyond,
#: only counted. Describing and sending one costs ~15 us: at 1000 per 50 ms tick, a program making
#: 100,000 tasks a second lost a third of its time to it, for a history the host keeps 10,000 long.
FINISHED_PER_SAMPLE = 1000
#: Who cancelled what, kept for at most this many tasks.
MAX_CANCELS = 10000
ATTRIBUTE = "_concurrency_lens"


class TaskOrigins:
    """The opt-in task factory's records, drained by the probe's thread."""

    def __init__(self, next_id):
        self._next_id = next_id
        #: Tasks the factory created since the last drain (held for at most a tick).
        self.created = collections.deque()

    def factory_for(self, loop, program_factory):
        """A task factory that creates the task as the program would, then notes its origin."""
        Task = sys.modules["asyncio"].Task
        current_task = sys.modules["asyncio"].current_task
        created = self.created
        next_id = self._next_id
        is_library = _inspect.is_library

        def factory(loop, coro, **kwargs):
            task = program_factory[0](loop, coro, **kwargs) if program_factory[0] is not None else Task(coro, loop=loop, **kwargs)
            frame = sys._getframe(1)
            while frame is not None and is_library(frame.f_code.co_filename):
                frame = frame.f_back
            parent = current_task(loop)
            try:
                origin = getattr(parent, ATTRIBUTE, None) if parent is not None else None
                setattr(task, ATTRIBUTE, (
                    "k%d" % next(next_id), now_ms(), (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name) if frame is not None else None,
                    origin[0] if origin is not None else None,
                ))
                created.append(task)
            except AttributeError:
                pass  # a task type without attributes of its own: not followed
            return task

        return factory

    def drain(self):
        """The tasks created since the last drain."""
        tasks = []
        created = self.created
        while created:
            tasks.append(created.popleft())
        return tasks


def origin_of(task):
    """(id, created at ms, (file, line, function) or None, parent id or None) of a task the factory made."""
    return getattr(task, ATTRIBUTE, None)


def install_factory(loop, origins):
    """Chains the probe's factory with the program's, now and whenever the program sets its own."""
    program_factory = [loop.get_task_factory()]
    ours = origins.factory_for(loop, program_factory)
    base = type(loop)

    def set_task_factory(factory):
        program_factory[0] = factory
        base.set_task_factory(loop, ours)

    def get_task_factory():
        return program_factory[0]

    # On the loop instance only: the program sees its own factory, and ours stays first.
    loop.set_task_factory = set_task_factory
    loop.get_task_factory = get_task_factory
    base.set_task_factory(loop, ours)


class CancelSites:
    """Where each task was cancelled, by which task or thread, with which message (3.12+). One per
    process and kept across a fork (the monitoring tool and its callbacks are): the child forgets
    its parent's sites."""

    def __init__(self):
        #: id(task) -> [its name, (file, line, function) or None, canceller's name, canceller's id, thread ident, message]
        self.sites = {}
        self.installed = False

    def install(self):
        monitoring = getattr(sys, "monitoring", None)
        if monitoring is None or self.installed:
            return
        tool = next((candidate for candidate in (4, 3) if monitoring.get_tool(candidate) is None), None)
        if tool is None:
            return  # every free tool id is taken (debuggers, coverage, profilers)
        events = monitoring.events
        disable = monitoring.DISABLE
        asyncio = sys.modules["asyncio"]
        current_task = asyncio.current_task
        get_running_loop = asyncio.events._get_running_loop
        is_library = _inspect.is_library
        sites = self.sites

        # Every callback swallows its own errors: an exception from a monitoring callback would be
        # raised in the program.
        def on_start(code, offset):
            try:
                if "cancel" in code.co_names:
                    monitoring.set_local_events(tool, code, events.CALL | events.C_RETURN | events.C_RAISE)
            except Exception:
                pass
            return disable

        def task_of(callee, first):
            # `task.cancel()` passes the task as the first argument; `task.cancel(*args)` calls the bound method.
            for candidate in (getattr(callee, "__self__", None), first):
                if hasattr(candidate, "get_coro") and hasattr(candidate, "get_name"):
                    return candidate
            return None

        def on_call(code, offset, callee, first):
            try:
                if getattr(callee, "__name__", None) != "cancel":
                    return disable
                target = task_of(callee, first)
                if target is not None:
                    note_cancel(target)
            except Exception:
                pass
            return None

        def note_cancel(target):
            frame = sys._getframe(2)
            while frame is not None and is_library(frame.f_code.co_filename):
                frame = frame.f_back
            loop = get_running_loop()
            by = current_task(loop) if loop is not None else None
            if len(sites) >= MAX_CANCELS:
                sites.clear()
            sites[id(target)] = [
                target.get_name(), (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name) if frame is not None else None,
                by.get_name() if by is not None else None, getattr(by, ATTRIBUTE, (None,))[0] if by is not None else None,
                threading.get_ident(), None,
            ]

        def on_return(code, offset, callee, first):
            try:
                target = task_of(callee, first) if getattr(callee, "__name__", None) == "cancel" else None
                site = sites.get(id(target)) if target is not None else None
                if site is not None:
                    waiter = getattr(target, "_fut_waiter", None)
                    site[5] = getattr(target, "_cancel_message", None) or getattr(waiter, "_cancel_message", None)
            except Exception:
                pass
            return None

        try:
            monitoring.use_tool_id(tool, "concurrency-lens")
            monitoring.register_callback(tool, events.PY_START, on_start)
            monitoring.register_callback(tool, events.CALL, on_call)
            monitoring.register_callback(tool, events.C_RETURN, on_return)
            monitoring.set_events(tool, events.PY_START)
        except (ValueError, RuntimeError):
            return
        self.installed = True

    def cancelled_by(self, task, thread_id_of_ident):
        """What ``Task.cancelledBy`` says for a task, if its cancel() was seen."""
        site = self.sites.get(id(task))
        if site is None or site[0] != task.get_name():
            return None
        _, where, by_name, by_id, ident, message = site
        described = {"threadId": thread_id_of_ident(ident)}
        if where is not None:
            described["at"] = {"file": where[0], "line": where[1] or 1, "function": where[2]}
        if by_id is not None:
            described["taskId"] = by_id
        elif by_name is not None:
            described["taskName"] = str(by_name)[:4000]
        if message is not None:
            described["message"] = str(message)[:4000]
        return described


CANCELS = CancelSites()
