"""Reads thread and asyncio task state from another thread, cheaply and without side effects."""
import os
import sys

STDLIB = os.path.dirname(os.__file__) + os.sep
_PROBE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_SITECUSTOMIZE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sitecustomize.py")


def is_probe(filename):
    return filename.startswith(_PROBE) or filename == _SITECUSTOMIZE


def caller_of_probe(frame):
    """The innermost frame outside the probe, from a frame of its own."""
    while frame is not None and is_probe(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


WAITING_FUNCTIONS = frozenset(
    ("wait", "acquire", "get", "join", "select", "poll", "result", "_wait_for_tstate_lock", "recv", "accept", "readline", "read",
     "_recv",  # multiprocessing's pipes and queues
     "__enter__")  # a library context manager whose innermost call is C: a lock being acquired
)
MAX_DEPTH = 64


_library_files = {}


def is_library(filename):
    """Whether a file is the standard library's, the probe's or generated code (cached per file:
    the sampler asks for every frame of every task)."""
    known = _library_files.get(filename)
    if known is None:
        known = _library_files[filename] = filename.startswith(STDLIB) or is_probe(filename) or filename.startswith("<")
    return known


def location(frame):
    code = frame.f_code
    return {"file": code.co_filename, "line": frame.f_lineno or 1, "function": code.co_name}


_bottoms = {}


def process_bottoms():
    """The code of multiprocessing's ``BaseProcess._bootstrap`` and of fork's ``Popen._launch``
    (which runs a 3.13+ child's exit functions after ``_bootstrap``), for the modules the program
    has imported: in a forked worker, the frames below them are the parent's, copied by the fork,
    and never run again."""
    modules = (sys.modules.get("multiprocessing.process"), sys.modules.get("multiprocessing.popen_fork"))
    key = tuple(module is not None for module in modules)
    known = _bottoms.get(key)
    if known is None:
        codes = []
        if modules[0] is not None:
            codes.append(modules[0].BaseProcess._bootstrap.__code__)
        if modules[1] is not None:
            codes.append(modules[1].Popen._launch.__code__)
        known = _bottoms[key] = frozenset(codes)
    return known


def user_location(frame):
    """The innermost frame of the program's own code (else the innermost frame), without the
    frames a forked worker copied from its parent."""
    while frame is not None and is_probe(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    innermost = frame
    depth = 0
    bottoms = process_bottoms()  # looked up once per thread, not per frame
    while frame is not None and depth < MAX_DEPTH and frame.f_code not in bottoms:
        if not is_library(frame.f_code.co_filename):
            return location(frame)
        frame = frame.f_back
        depth += 1
    return location(innermost)


def stack(frame, limit=50):
    """Innermost frame last, without the probe's own frames."""
    frames = []
    while frame is not None and len(frames) < limit:
        if not is_probe(frame.f_code.co_filename):
            frames.append(location(frame))
        frame = frame.f_back
    frames.reverse()
    return frames


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
