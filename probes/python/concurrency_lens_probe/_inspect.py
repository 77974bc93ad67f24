"""Reads thread and asyncio task state from another thread, cheaply and without side effects."""
import os
import sys

_STDLIB = os.path.dirname(os.__file__) + os.sep
_PROBE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_SITECUSTOMIZE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sitecustomize.py")


def is_probe(filename):
    return filename.startswith(_PROBE) or filename == _SITECUSTOMIZE
_WAITING_FUNCTIONS = frozenset(
    ("wait", "acquire", "get", "join", "select", "poll", "result", "_wait_for_tstate_lock", "recv", "accept", "readline", "read")
)
_MAX_DEPTH = 64


def is_library(filename):
    return filename.startswith(_STDLIB) or is_probe(filename) or filename.startswith("<")


def location(frame):
    code = frame.f_code
    return {"file": code.co_filename, "line": frame.f_lineno or 1, "function": code.co_name}


def user_location(frame):
    """The innermost frame of the program's own code (else the innermost frame) and whether the
    thread looks like it waits (its innermost frame is a library wait such as Lock.acquire)."""
    while frame is not None and is_probe(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None, "running"
    innermost = frame
    waiting = is_library(frame.f_code.co_filename) and frame.f_code.co_name in _WAITING_FUNCTIONS
    depth = 0
    while frame is not None and depth < _MAX_DEPTH:
        if not is_library(frame.f_code.co_filename):
            return location(frame), "waiting" if waiting else "running"
        frame = frame.f_back
        depth += 1
    return location(innermost), "waiting" if waiting else "running"


def stack(frame, limit=50):
    """Innermost frame last, without the probe's own frames."""
    frames = []
    while frame is not None and len(frames) < limit:
        if not is_probe(frame.f_code.co_filename):
            frames.append(location(frame))
        frame = frame.f_back
    frames.reverse()
    return frames


def suspension(task):
    """Where a pending task's coroutine chain is suspended in the program's code, and what it
    awaits (the innermost library coroutine, e.g. ``sleep`` or ``Queue.get``, or another task)."""
    coro = task.get_coro()
    where = None
    awaiting = None
    depth = 0
    while coro is not None and depth < _MAX_DEPTH:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        if is_library(frame.f_code.co_filename):
            awaiting = getattr(coro, "__qualname__", None) or frame.f_code.co_name
        else:
            where = location(frame)
            awaiting = None
        inner = getattr(coro, "cr_await", None)
        if inner is None:
            inner = getattr(coro, "gi_yieldfrom", None)
        if inner is not None and hasattr(inner, "get_name") and hasattr(inner, "get_coro"):
            awaiting = inner.get_name()
            break
        coro = inner
        depth += 1
    return where, awaiting


def task_outcome(task):
    """State of a task and, when it failed, ``Type: message``. Reads the private ``_exception``
    instead of calling ``exception()``, which would mark it retrieved and silence asyncio's
    "exception was never retrieved" report."""
    if not task.done():
        return "pending", None
    if task.cancelled():
        return "cancelled", None
    error = getattr(task, "_exception", None)
    if error is not None:
        return "failed", "%s: %s" % (type(error).__name__, error)
    return "done", None


def coroutine_name(task):
    coro = task.get_coro()
    return getattr(coro, "__qualname__", None) or type(coro).__name__


def python_frames():
    return sys._current_frames()
