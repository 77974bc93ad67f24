"""Reads thread and asyncio task state from another thread, cheaply and without side effects."""
import os
import sys
import types

_CoroutineType = types.CoroutineType
_GeneratorType = types.GeneratorType

_STDLIB = os.path.dirname(os.__file__) + os.sep
_PROBE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_SITECUSTOMIZE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sitecustomize.py")


def is_probe(filename):
    return filename.startswith(_PROBE) or filename == _SITECUSTOMIZE
_WAITING_FUNCTIONS = frozenset(
    ("wait", "acquire", "get", "join", "select", "poll", "result", "_wait_for_tstate_lock", "recv", "accept", "readline", "read",
     "_recv",  # multiprocessing's pipes and queues
     "__enter__")  # a library context manager whose innermost call is C: a lock being acquired
)
_MAX_DEPTH = 64


_library_files = {}


def is_library(filename):
    """Whether a file is the standard library's, the probe's or generated code (cached per file:
    the sampler asks for every frame of every task)."""
    known = _library_files.get(filename)
    if known is None:
        known = _library_files[filename] = filename.startswith(_STDLIB) or is_probe(filename) or filename.startswith("<")
    return known


def location(frame):
    code = frame.f_code
    return {"file": code.co_filename, "line": frame.f_lineno or 1, "function": code.co_name}


_process_bootstrap = []


def _process_bootstrap_code():
    """The code of multiprocessing's ``BaseProcess._bootstrap`` once the program has imported it
    (else None): in a forked worker, the frames below it are the parent's, copied by the fork, and
    never run again."""
    if not _process_bootstrap:
        process = sys.modules.get("multiprocessing.process")
        if process is None:
            return None
        _process_bootstrap.append(process.BaseProcess._bootstrap.__code__)
    return _process_bootstrap[0]


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
    bottom = _process_bootstrap_code()  # looked up once per thread, not per frame
    while frame is not None and depth < _MAX_DEPTH and frame.f_code is not bottom:
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
    user_coro = None
    awaiting = None
    depth = 0
    while depth < _MAX_DEPTH:
        # Code objects, not frames: since 3.11 reading a coroutine's frame creates a frame object,
        # so only the one frame whose line is reported is read. Type checks, not getattr with a
        # default: each missing attribute would raise and catch an AttributeError.
        kind = type(coro)
        if kind is _CoroutineType:
            code, inner = coro.cr_code, coro.cr_await
        elif kind is _GeneratorType:
            code, inner = coro.gi_code, coro.gi_yieldfrom
        else:
            break
        if is_library(code.co_filename):
            awaiting = coro.__qualname__
        else:
            user_coro = coro
            awaiting = None
        kind = type(inner)
        if inner is not None and kind is not _CoroutineType and kind is not _GeneratorType and hasattr(inner, "get_coro") and hasattr(inner, "get_name"):
            awaiting = inner.get_name()
            break
        coro = inner
        depth += 1
    if user_coro is None:
        return None, awaiting
    frame = user_coro.cr_frame if type(user_coro) is _CoroutineType else user_coro.gi_frame
    return (location(frame) if frame is not None else None), awaiting


def task_outcome(task):
    """State of a task and, when it failed, ``Type: message`` and where it was raised. Reads the
    private ``_exception`` instead of calling ``exception()``, which would mark it retrieved and
    silence asyncio's "exception was never retrieved" report."""
    if not task.done():
        return "pending", None, None
    if task.cancelled():
        return "cancelled", None, None
    error = getattr(task, "_exception", None)
    if error is not None:
        return "failed", "%s: %s" % (type(error).__name__, error), raised_at(error.__traceback__)
    return "done", None, None


def raised_at(traceback):
    """The innermost frame of the program's own code in a traceback (else its innermost frame)."""
    innermost = None
    user = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if not is_probe(code.co_filename):
            innermost = traceback
            if not is_library(code.co_filename):
                user = traceback
        traceback = traceback.tb_next
    chosen = user or innermost
    if chosen is None:
        return None
    code = chosen.tb_frame.f_code
    return {"file": code.co_filename, "line": chosen.tb_lineno or 1, "function": code.co_name}


def coroutine_name(task):
    coro = task.get_coro()
    return getattr(coro, "__qualname__", None) or type(coro).__name__


def python_frames():
    return sys._current_frames()
