"""What a waiting thread or task waits on, read from its frames at sample time.

A thread's frames, from the innermost outward to the program's own code, name the API it waits
in: the outermost library function that is a known wait (``Queue.get``, ``Thread.join``,
``Process.join``, ``Popen.wait``…) gives the kind, and its ``self`` the object. A thread blocked in
a C call made from the program's own line (``with lock:``, ``lock.acquire()``, ``time.sleep(1)``)
has no library frame: the instruction it is at (``frame.f_lasti``) and the names loaded before it
on that line tell the call and the expression of its receiver (``self.journal``), which is looked
up without side effects (locals, globals, instance ``__dict__``s; never a property).

A task's coroutine chain (``cr_await``) names the asyncio API it is suspended in (``Lock.acquire``,
``Queue.get``, ``sleep``…), and its waiter future (``_fut_waiter``) the task, gather or executor
work it awaits. Lock-like objects a frame names are reported by the expression that names them,
so that the host can tell, from the syntax tree, which thread or task is inside ``with that_lock:``.
"""
import itertools
import os
import sys
import threading
import time
import types

from . import _inspect

_CoroutineType = types.CoroutineType
_GeneratorType = types.GeneratorType
_ModuleType = types.ModuleType
_LockType = type(threading.Lock())
_CRLockType = type(threading.RLock())

#: Calls a thread blocks in: methods by name, when the receiver is of a kind that blocks there.
_BLOCKING_METHODS = frozenset((
    "acquire", "wait", "wait_for", "join", "get", "put", "result", "exception", "recv", "recv_bytes", "recv_into", "recvfrom",
    "accept", "connect", "send", "sendall", "read", "readline", "readinto", "communicate", "select", "poll", "sleep", "waitpid",
    "wait4", "input", "print", "write", "flush", "pause", "sigwait", "sigwaitinfo", "sigtimedwait",
))
_WITH_OPCODES = frozenset(("SETUP_WITH", "BEFORE_WITH", "SETUP_ASYNC_WITH", "BEFORE_ASYNC_WITH", "LOAD_SPECIAL"))
_NAME_OPCODES = frozenset(("LOAD_GLOBAL", "LOAD_NAME", "LOAD_FAST", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_FAST_CHECK", "LOAD_FAST_BORROW"))
_ATTR_OPCODES = frozenset(("LOAD_ATTR", "LOAD_METHOD"))
_TRANSPARENT_OPCODES = frozenset(("PUSH_NULL", "CACHE", "EXTENDED_ARG", "PRECALL", "NOP", "COPY_FREE_VARS"))
#: The most lock-like names looked up in one frame for the host's `with` matching.
_MAX_LOOKUPS_PER_FRAME = 200
_MAX_STACK = 32
_MAX_CODES_CACHED = 2048


class Call:
    """A call in progress at a frame's current instruction."""
    __slots__ = ("receiver", "method", "has_args", "const_arg", "first_arg")

    def __init__(self, receiver, method, has_args, const_arg, first_arg=None):
        self.receiver = receiver  # e.g. "self.journal", or None for a plain function
        self.method = method  # e.g. "acquire"; "__enter__" for a `with`
        self.has_args = has_args
        self.const_arg = const_arg
        self.first_arg = first_arg  # the first argument when it is a name (`pid`, `proc.pid`)


_instructions_by_code = {}


def _instructions(code):
    """The code's instructions as (opname, argval, line) by offset (cached per code object)."""
    known = _instructions_by_code.get(code)
    if known is None:
        import dis  # only once a thread is seen at a call: most programs never pay for it

        if len(_instructions_by_code) >= _MAX_CODES_CACHED:
            _instructions_by_code.clear()
        listed = []
        line = code.co_firstlineno
        for instruction in dis.get_instructions(code):
            number = getattr(instruction, "line_number", None)  # 3.13+
            if number is not None:
                line = number
            elif type(instruction.starts_line) is int:
                line = instruction.starts_line
            listed.append((instruction.offset, instruction.opname, instruction.argval, line))
        known = _instructions_by_code[code] = ({offset: index for index, (offset, _, _, _) in enumerate(listed)}, listed)
    return known


def current_call(frame):
    """The call (or `with`) a frame is in the middle of, when it is one a thread may block in."""
    try:
        index_of, listed = _instructions(frame.f_code)
    except Exception:
        return None
    index = index_of.get(frame.f_lasti)
    if index is None:
        return None
    _, opname, _, line = listed[index]
    if opname in _WITH_OPCODES:
        return Call(_receiver(listed, index), "__enter__", False, None)
    if not opname.startswith("CALL"):
        return None
    # The last load of a blocking name on this line before the call is what it calls: anything
    # its arguments called has returned by now.
    position = index - 1
    while position >= 0 and listed[position][3] == line:
        _, name_opname, name, _ = listed[position]
        if name_opname in _ATTR_OPCODES and name in _BLOCKING_METHODS:
            return Call(_receiver(listed, position), name, _has_args(listed, position, index), _const_arg(listed, position, index), _first_arg(listed, position, index))
        if name_opname in _NAME_OPCODES and name in _BLOCKING_METHODS:
            return Call(None, name, _has_args(listed, position, index), _const_arg(listed, position, index), _first_arg(listed, position, index))
        position -= 1
    return None


def _receiver(listed, index):
    """The dotted expression loaded right before instruction `index` (`self.journal`), if simple."""
    parts = []
    position = index - 1
    while position >= 0:
        _, opname, argval, _ = listed[position]
        if opname in _TRANSPARENT_OPCODES:
            position -= 1
            continue
        if opname in _ATTR_OPCODES:
            parts.append(str(argval))
            position -= 1
            continue
        if opname in _NAME_OPCODES:
            parts.append(str(argval))
            parts.reverse()
            return ".".join(parts)
        return None
    return None


def _has_args(listed, start, end):
    return any(opname not in _TRANSPARENT_OPCODES and opname != "KW_NAMES" for _, opname, _, _ in listed[start + 1:end])


def _first_arg(listed, start, end):
    """The first argument of the call between instructions `start` (its callee) and `end` (the
    call) when it is a dotted name (`pid`, `proc.pid`), else None."""
    parts = []
    for _, opname, argval, _ in listed[start + 1:end]:
        if opname in _TRANSPARENT_OPCODES:
            continue
        if not parts and opname in _NAME_OPCODES:
            parts.append(str(argval))
        elif not parts and opname == "LOAD_FAST_LOAD_FAST" and isinstance(argval, tuple):
            return str(argval[0])  # 3.13+: two locals at once, the first one is the argument
        elif parts and opname in _ATTR_OPCODES:
            parts.append(str(argval))
        else:
            break
    return ".".join(parts) if parts else None


def _const_arg(listed, start, end):
    between = [(opname, argval) for _, opname, argval, _ in listed[start + 1:end] if opname not in _TRANSPARENT_OPCODES]
    if len(between) == 1 and between[0][0] == "LOAD_CONST" and type(between[0][1]) in (int, float):
        return between[0][1]
    return None


def _locals(frame):
    try:
        return frame.f_locals
    except Exception:
        return {}


def resolve(frame, expression, frame_locals=None):
    """The object an expression names in a frame, looked up without running any of the program's
    code (no property, no __getattr__); None when it cannot be."""
    parts = expression.split(".")
    head = parts[0]
    scope = _locals(frame) if frame_locals is None else frame_locals
    try:
        if head in scope:
            value = scope[head]
        elif head in frame.f_globals:
            value = frame.f_globals[head]
        else:
            builtins = frame.f_builtins
            if head not in builtins:
                return None
            value = builtins[head]
    except Exception:
        return None
    for part in parts[1:]:
        value = attribute(value, part)
        if value is None:
            return None
    return value


def attribute(value, name):
    """``value.name`` when it is plain data in an instance, class or module dict; else None."""
    try:
        own = getattr(value, "__dict__", None) if type(value) is not _ModuleType else value.__dict__
        if type(own) is dict and name in own:
            return own[name]
        for klass in type(value).__mro__:
            found = klass.__dict__.get(name)
            if found is not None:
                return None if hasattr(type(found), "__get__") else found
    except Exception:
        return None
    return None


def object_id(value):
    return "o%x" % id(value)


# -- lock-like objects -------------------------------------------------------------------------
_lock_types = {}


def lock_types():
    """Types of the objects a `with` can hold (threading, asyncio and multiprocessing locks and
    semaphores, conditions), for the modules the program has imported."""
    modules = (sys.modules.get("asyncio.locks"), sys.modules.get("multiprocessing.synchronize"))
    key = tuple(module is not None for module in modules)
    known = _lock_types.get(key)
    if known is None:
        found = {_LockType, _CRLockType, threading._RLock, threading.Condition, threading.Semaphore, threading.BoundedSemaphore}
        for module, names in zip(modules, (("Lock", "Semaphore", "BoundedSemaphore", "Condition"), ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"))):
            if module is not None:
                found.update(getattr(module, name) for name in names if hasattr(module, name))
        known = _lock_types[key] = frozenset(found)
    return known


def is_lock_like(value):
    types_ = lock_types()
    return type(value) in types_ or (isinstance(value, (threading.Condition, threading.Semaphore)))


def lock_owner(lock, thread_id_of_ident):
    """The thread that holds a lock, where the runtime knows it (an RLock's owner); else None."""
    if type(lock) is threading.Condition:
        lock = getattr(lock, "_lock", None)
    if type(lock) is _CRLockType:
        text = repr(lock)  # "<locked _thread.RLock object owner=140... count=1 at 0x...>"
        marker = text.find("owner=")
        if text.startswith("<locked") and marker >= 0:
            digits = text[marker + 6:].split(" ", 1)[0]
            if digits.isdigit() and int(digits):
                return thread_id_of_ident(int(digits))
    elif isinstance(lock, threading._RLock):
        owner = getattr(lock, "_owner", None)
        if owner:
            return thread_id_of_ident(owner)
    return None


def lock_objects(frame):
    """The lock-like objects a frame names, by expression: its locals, globals and the attributes
    of those (``self.journal``) that its code mentions."""
    code = frame.f_code
    scope = _locals(frame)
    found = {}
    lookups = 0
    names = code.co_names
    try:
        holders = []
        for name in code.co_varnames + code.co_cellvars + code.co_freevars:
            if name in scope:
                holders.append((name, scope[name]))
        for name in names:
            if name in frame.f_globals:
                holders.append((name, frame.f_globals[name]))
        for expression, value in holders:
            lookups += 1
            if is_lock_like(value):
                found[expression] = object_id(value)
                continue
            if type(value) in (int, float, str, bytes, bool, type(None), tuple, list, dict):
                continue
            for name in names:
                lookups += 1
                if lookups > _MAX_LOOKUPS_PER_FRAME:
                    return found
                member = attribute(value, name)
                if member is not None and is_lock_like(member):
                    found["%s.%s" % (expression, name)] = object_id(member)
    except Exception:
        pass
    return found


def name_of(frame, wanted_id):
    """The expression by which a frame names an object (``q``, ``self.tasks``), if it does."""
    scope = _locals(frame)
    code = frame.f_code
    lookups = 0
    try:
        holders = [(name, scope[name]) for name in code.co_varnames + code.co_cellvars + code.co_freevars if name in scope]
        holders += [(name, frame.f_globals[name]) for name in code.co_names if name in frame.f_globals]
        for expression, value in holders:
            if object_id(value) == wanted_id:
                return expression
        for expression, value in holders:
            if type(value) in (int, float, str, bytes, bool, type(None), tuple, list, dict) or isinstance(value, (types.FunctionType, type)):
                continue
            for name in code.co_names:
                lookups += 1
                if lookups > _MAX_LOOKUPS_PER_FRAME:
                    return None
                member = attribute(value, name)
                if member is not None and object_id(member) == wanted_id:
                    return "%s.%s" % (expression, name)
    except Exception:
        pass
    return None


# -- threads ---------------------------------------------------------------------------------
def _module_of(filename):
    """`threading`, `concurrent.futures._base`… for a standard-library file; None for any other."""
    if not filename.startswith(_inspect.STDLIB):
        return None
    relative = filename[len(_inspect.STDLIB):]
    if relative.endswith(".py"):
        relative = relative[:-3]
    return relative.replace(os.sep, ".")


_patterns_by_code = {}


def _pattern(code):
    known = _patterns_by_code.get(code, _patterns_by_code)
    if known is _patterns_by_code:
        module = _module_of(code.co_filename)
        known = _patterns_by_code[code] = _PATTERNS.get((module, code.co_name)) if module else None
    return known


def note_since(wait, before, t):
    """Sets since when the waiter has waited on this (``before``: what the previous sample noted)
    and returns what to note for the next sample: plain values, which the garbage collector skips."""
    at = wait.get("at")
    key = (wait["kind"], wait.get("call"), wait.get("object"), wait.get("threadId"), wait.get("pid"), at and at["file"], at and at["line"])
    since = before[1] if before is not None and before[0] == key else t
    wait["since"] = since
    return key, since


class Context:
    """What describing waits needs from the rest of the probe, for one sample."""

    def __init__(self, thread_id_of_ident, task_id_of=None, work_threads=None, running_loops=None):
        self.thread_id_of_ident = thread_id_of_ident
        self.task_id_of = task_id_of
        #: id(concurrent Future) → the pool thread running it.
        self.work_threads = work_threads if work_threads is not None else {}
        #: () → {thread ident: the event loop running there}: where a coroutine is run for a Future.
        self.running_loops = running_loops
        self.now_ms = time.time() * 1000.0
        self.monotonic = time.monotonic()


def thread_wait(frame, context, settled):
    """What the thread whose innermost frame this is waits on (a dict, without ``since``), or None
    when it runs. Looks from the innermost frame out to the first of the program's own: the
    outermost known wait among the library frames on the way is the API the program called,
    unless a thread body (a pool worker's loop, an event loop) encloses it: that thread is idle.
    ``settled``: the thread was at this same instruction at the previous sample, so the call it
    makes there is worth decoding (decoding imports ``dis``, milliseconds that a program that
    never waits in a C call should not pay)."""
    bottoms = _inspect.process_bottoms()
    innermost = frame
    user = None
    api = None
    body = None
    depth = 0
    while frame is not None and depth < _inspect.MAX_DEPTH and frame.f_code not in bottoms:
        if not _inspect.is_library(frame.f_code.co_filename):
            user = frame
            break
        pattern = _pattern(frame.f_code)
        if pattern is not None:
            if pattern in _BODIES:
                body = body or (pattern, frame)
            else:
                api = (pattern, frame)
        frame = frame.f_back
        depth += 1
    wait = _described(api, context)
    if body is not None and (wait is None or wait["kind"] in _IDLE_INSIDE_BODIES):
        wait = _described(body, context)
    if wait is None and settled and not _inspect.is_probe(innermost.f_code.co_filename):
        wait = _c_call_wait(innermost, context)
    if wait is None and api is None and _inspect.is_library(innermost.f_code.co_filename) and innermost.f_code.co_name in _inspect.WAITING_FUNCTIONS:
        wait = {"kind": "other", "call": innermost.f_code.co_name}
    if wait is None:
        return None
    if user is not None:
        wait["at"] = _inspect.location(user)
        if "name" not in wait and "object" in wait:
            name = name_of(user, wait["object"])
            if name is not None:
                wait["name"] = name
    return wait


def _described(found, context):
    if found is None:
        return None
    try:
        return found[0](found[1], context)
    except Exception:
        return None


def _c_call_wait(frame, context):
    """A thread blocked in a C call at its innermost frame: what the call waits on."""
    call = current_call(frame)
    if call is None:
        return None
    target = resolve(frame, call.receiver) if call.receiver else None
    if call.method == "__enter__":
        if target is None or type(target) not in (_LockType, _CRLockType) and not _is_sem_lock(target):
            return None
        return _lock_wait(target, call, "Lock.acquire", context, timed=False)
    if call.receiver is None:
        function = resolve(frame, call.method)
        return _function_wait(function, call, frame)
    if target is None:
        return None
    if isinstance(target, _ModuleType):
        return _function_wait(attribute(target, call.method), call, frame)
    kind = type(target)
    if kind in (_LockType, _CRLockType) or _is_sem_lock(target):
        if call.method != "acquire":
            return None
        return _lock_wait(target, call, "%s.acquire" % kind.__name__, context, timed=call.has_args)
    if kind.__name__ == "SimpleQueue" and call.method in ("get", "put"):
        return {"kind": "queue-get" if call.method == "get" else "queue-put", "call": "SimpleQueue.%s" % call.method, "object": object_id(target), "type": "SimpleQueue", "name": call.receiver, **_timed(call.has_args)}
    socket = sys.modules.get("socket")
    if socket is not None and isinstance(target, socket.socket) and call.method in ("accept", "recv", "recv_into", "recvfrom", "connect", "send", "sendall"):
        return {"kind": "socket", "call": "socket.%s" % call.method, "name": call.receiver}
    if call.method in ("read", "readline", "readinto", "write", "flush") and hasattr(target, "fileno"):
        popen = _popen_of_stream(frame, call.receiver, target)
        if popen is not None:
            return _popen_stream_wait(popen, call)
        stdin = sys.stdin
        return {"kind": "input" if target is stdin or target is getattr(stdin, "buffer", None) else "io", "call": "%s.%s" % (kind.__name__, call.method), "name": call.receiver}
    if call.method in ("select", "poll") and kind.__name__ in ("epoll", "poll", "devpoll", "kqueue"):
        return {"kind": "select", "call": "%s.%s" % (kind.__name__, call.method)}
    return None


def _popen_of_stream(frame, receiver, stream):
    """The ``subprocess.Popen`` whose pipe ``stream`` is, when the frame names it so (``proc.stdin``)."""
    owner_expression, _, pipe = receiver.rpartition(".")
    subprocess = sys.modules.get("subprocess")
    if not owner_expression or pipe not in ("stdin", "stdout", "stderr") or subprocess is None:
        return None
    owner = resolve(frame, owner_expression)
    return owner if isinstance(owner, subprocess.Popen) and attribute(owner, pipe) is stream else None


def _popen_stream_wait(popen, call):
    """A thread blocked on one of a child's pipes (writing its input, reading one output) while the
    child may be blocked writing another output that is full: neither can go on."""
    wait = {"kind": "subprocess", "call": "Popen.%s.%s" % (call.receiver.rpartition(".")[2], call.method), "name": call.receiver}
    if type(popen.pid) is int:
        wait["pid"] = popen.pid
    if _pipe_full(popen):
        wait["pipeFull"] = True
    return wait


def _function_wait(function, call, frame):
    if function is None:
        return None
    if function is time.sleep:
        wait = {"kind": "sleep", "call": "time.sleep"}
        if call.const_arg is not None:
            wait["seconds"] = call.const_arg
        return wait
    module = getattr(function, "__module__", None)
    name = getattr(function, "__name__", None)
    if module == "select" and name in ("select", "poll"):
        return {"kind": "select", "call": "select.%s" % name}
    if module == "posix" and name in ("waitpid", "wait", "wait4"):
        wait = {"kind": "process-join", "call": "os.%s" % name}
        # waitpid(pid, …): the child it waits for, when the frame names it.
        pid = resolve(frame, call.first_arg) if name != "wait" and call.first_arg else None
        if type(pid) is int and pid > 0:
            wait["pid"] = pid
        return wait
    if module in ("signal", "_signal") and name in ("pause", "sigwait", "sigwaitinfo", "sigtimedwait"):
        return {"kind": "other", "call": "signal.%s" % name}  # a signal from outside can end it
    if name == "input" and module == "builtins":
        return {"kind": "input", "call": "input"}
    if name == "print" and module == "builtins":
        return {"kind": "io", "call": "print"}
    return None


def _is_sem_lock(value):
    synchronize = sys.modules.get("multiprocessing.synchronize")
    return synchronize is not None and isinstance(value, synchronize.SemLock)


def _timed(timed):
    return {"timed": True} if timed else {}


def _lock_wait(lock, call, api, context, timed):
    wait = {"kind": "lock", "call": api, "object": object_id(lock), "type": type(lock).__name__}
    if call is not None and call.receiver:
        wait["name"] = call.receiver[:200]
    owner = lock_owner(lock, context.thread_id_of_ident)
    if owner is not None:
        wait["threadId"] = owner
    if timed:
        wait["timed"] = True
    return wait


def _self(frame):
    return _locals(frame).get("self")


def _timeout_of(frame, context, wait):
    """A wait with a timeout ends by itself: when, if the frame says (``endtime``), else that it is timed."""
    scope = _locals(frame)
    timeout = scope.get("timeout")
    if timeout is None and not scope.get("endtime"):
        return wait
    endtime = scope.get("endtime")
    if type(endtime) in (int, float) and endtime > 0:
        wait["until"] = round(context.now_ms + (endtime - context.monotonic) * 1000.0, -1)
    else:
        wait["timed"] = True
    return wait


def _on_object(kind, call):
    def describe(frame, context):
        target = _self(frame)
        wait = {"kind": kind, "call": call}
        if target is not None:
            wait["object"] = object_id(target)
            wait["type"] = type(target).__name__
        return _timeout_of(frame, context, wait)
    return describe


def _threading_wait(frame, context):
    target = _self(frame)
    kind = {"Event": "event", "Condition": "condition", "Barrier": "barrier"}.get(type(target).__name__)
    if kind is None:
        kind = "event" if isinstance(target, threading.Event) else "barrier" if isinstance(target, threading.Barrier) else "condition"
    wait = {"kind": kind, "call": "%s.wait" % type(target).__name__, "object": object_id(target), "type": type(target).__name__}
    return _timeout_of(frame, context, wait)


def _threading_acquire(frame, context):
    target = _self(frame)
    if isinstance(target, threading.Semaphore):
        wait = {"kind": "semaphore", "call": "%s.acquire" % type(target).__name__, "object": object_id(target), "type": type(target).__name__}
        return _timeout_of(frame, context, wait)
    if isinstance(target, threading.Condition) or isinstance(target, threading._RLock):
        return _lock_wait(target, None, "%s.acquire" % type(target).__name__, context, timed=bool(_locals(frame).get("timeout", -1) not in (-1, None)))
    return None


def _thread_join(frame, context):
    target = _self(frame)
    wait = {"kind": "join", "call": "Thread.join"}
    if isinstance(target, threading.Thread) and target.ident is not None:
        wait["threadId"] = context.thread_id_of_ident(target.ident)
    return _timeout_of(frame, context, wait)


def _interpreter_exit(frame, context):
    # The main thread at exit waits for every thread that is not a daemon.
    return {"kind": "join", "call": "interpreter exit"}


def _future_result(frame, context):
    target = _self(frame)
    wait = {"kind": "future", "call": "Future.result"}
    if target is not None:
        wait["object"] = object_id(target)
        runner = context.work_threads.get(id(target))
        if runner is None:
            runner = _coroutine_runner(target, context)
            if runner is not None:
                wait["call"] = "run_coroutine_threadsafe().result"
        if runner is not None:
            wait["threadId"] = runner
    return _timeout_of(frame, context, wait)


#: How many of a loop's ready callbacks are looked through for the one that starts a coroutine.
_MAX_READY_LOOKED_AT = 1000


def _coroutine_runner(future, context):
    """The thread whose event loop runs the coroutine that ``asyncio.run_coroutine_threadsafe``
    will resolve a Future with: the loop of the task chained to it, or of the callback that will
    start that task, still among the loop's ready callbacks (it cannot have run while that loop's
    own thread waits for the Future). None for any other Future."""
    if context.running_loops is None:
        return None
    loop = None
    for callback in list(getattr(future, "_done_callbacks", None) or ()):
        if getattr(callback, "__name__", "") == "_call_check_cancel":
            task = _closure_value(callback, "source")
            loop = getattr(task, "_loop", None)
            break
    loops = context.running_loops()
    if loop is None:
        for candidate in loops.values():
            ready = getattr(candidate.loop(), "_ready", None) or ()
            for handle in itertools.islice(list(ready), _MAX_READY_LOOKED_AT):
                callback = getattr(handle, "_callback", None)
                if getattr(callback, "__name__", "") == "callback" and _closure_value(callback, "future") is future:
                    loop = candidate.loop()
                    break
            if loop is not None:
                break
    for ident, state in loops.items():
        if loop is not None and state.loop() is loop:
            return context.thread_id_of_ident(ident)
    return None


def _process_join(frame, context):
    target = _self(frame)
    wait = {"kind": "process-join", "call": "Process.join"}
    pid = getattr(target, "pid", None)
    if type(pid) is int:
        wait["pid"] = pid
    return _timeout_of(frame, context, wait)


def _popen_wait(frame, context):
    popen = _self(frame)
    wait = {"kind": "subprocess", "call": "Popen.%s" % frame.f_code.co_name.lstrip("_")}
    pid = getattr(popen, "pid", None)
    if type(pid) is int:
        wait["pid"] = pid
    if frame.f_code.co_name in ("wait", "_wait") and _pipe_full(popen):
        wait["pipeFull"] = True
    return _timeout_of(frame, context, wait)


def _pipe_full(popen):
    """Whether a pipe the child writes to and nobody reads is full: the child blocks writing to it
    and cannot exit, while its parent waits for it to (Linux: the bytes in it vs its capacity)."""
    try:
        import fcntl
        import termios
    except ImportError:
        return False
    for stream in (getattr(popen, "stdout", None), getattr(popen, "stderr", None)):
        if stream is None:
            continue
        try:
            fd = stream.fileno()
            pending = bytearray(4)
            fcntl.ioctl(fd, termios.FIONREAD, pending)
            size = fcntl.fcntl(fd, getattr(fcntl, "F_GETPIPE_SZ", 1032))
            if int.from_bytes(bytes(pending), sys.byteorder) >= size:
                return True
        except (OSError, ValueError):
            continue
    return False


def _pipe_recv(frame, context):
    target = _self(frame)
    wait = {"kind": "pipe-recv", "call": "%s.%s" % (type(target).__name__, frame.f_code.co_name.lstrip("_"))}
    if target is not None:
        wait["object"] = object_id(target)
        wait["type"] = type(target).__name__
    return _timeout_of(frame, context, wait)


def _pipe_send(frame, context):
    target = _self(frame)
    return {"kind": "pipe-send", "call": "%s.send" % type(target).__name__, "type": type(target).__name__}


def _queue_feeder(frame, context):
    # A multiprocessing queue's feeder thread at rest: it waits for the program to put something.
    return {"kind": "pool-idle", "call": "Queue._feed"}


def _feeder_join(frame, context):
    # At exit, a process joins the feeder threads of the queues it put into: they must have written
    # everything to the pipe first.
    scope = _locals(frame)
    wait = {"kind": "join", "call": "multiprocessing.Queue.join_thread"}
    thread = getattr(scope.get("self"), "_thread", None)
    if thread is None and callable(scope.get("twr")):  # _finalize_join(twr): a weak reference to the feeder
        thread = scope["twr"]()
    if isinstance(thread, threading.Thread) and thread.ident is not None:
        wait["threadId"] = context.thread_id_of_ident(thread.ident)
    return wait


def _simple(kind, call):
    def describe(frame, context):
        return _timeout_of(frame, context, {"kind": kind, "call": call})
    return describe


def _semlock(frame, context):
    target = _self(frame)
    name = type(target).__name__
    kind = "lock" if name in ("Lock", "RLock") else "semaphore"
    return {"kind": kind, "call": "multiprocessing.%s.acquire" % name, "object": object_id(target), "type": name}


#: Known waits, by (standard-library module, function): a function that describes the wait from
#: the frame of that function. The outermost one found on the way to the program's code wins.
_PATTERNS = {
    ("threading", "wait"): _threading_wait,
    ("threading", "wait_for"): _on_object("condition", "Condition.wait_for"),
    ("threading", "acquire"): _threading_acquire,
    ("threading", "__enter__"): _threading_acquire,
    ("threading", "join"): _thread_join,
    ("threading", "_shutdown"): _interpreter_exit,
    ("queue", "get"): _on_object("queue-get", "Queue.get"),
    ("queue", "put"): _on_object("queue-put", "Queue.put"),
    ("queue", "join"): _on_object("queue-join", "Queue.join"),
    ("concurrent.futures._base", "result"): _future_result,
    ("concurrent.futures._base", "exception"): _future_result,
    ("concurrent.futures._base", "wait"): _simple("futures-wait", "concurrent.futures.wait"),
    ("concurrent.futures._base", "as_completed"): _simple("futures-wait", "concurrent.futures.as_completed"),
    ("concurrent.futures.thread", "_worker"): _simple("pool-idle", "ThreadPoolExecutor worker"),
    ("concurrent.futures.process", "_process_worker"): _simple("pool-idle", "ProcessPoolExecutor worker"),
    ("concurrent.futures.process", "run"): _simple("pool-idle", "ProcessPoolExecutor manager"),
    ("concurrent.futures.process", "_queue_management_worker"): _simple("pool-idle", "ProcessPoolExecutor manager"),
    ("multiprocessing.pool", "worker"): _simple("pool-idle", "Pool worker"),
    ("multiprocessing.pool", "_handle_workers"): _simple("pool-idle", "Pool"),
    ("multiprocessing.pool", "_handle_tasks"): _simple("pool-idle", "Pool"),
    ("multiprocessing.pool", "_handle_results"): _simple("pool-idle", "Pool"),
    ("multiprocessing.pool", "get"): _on_object("future", "AsyncResult.get"),
    ("multiprocessing.pool", "wait"): _on_object("future", "AsyncResult.wait"),
    ("multiprocessing.process", "join"): _process_join,
    ("multiprocessing.queues", "get"): _pipe_recv,
    ("multiprocessing.queues", "put"): _on_object("queue-put", "multiprocessing.Queue.put"),
    ("multiprocessing.queues", "join"): _on_object("queue-join", "JoinableQueue.join"),
    ("multiprocessing.queues", "_feed"): _queue_feeder,
    ("multiprocessing.queues", "_finalize_join"): _feeder_join,
    ("multiprocessing.queues", "join_thread"): _feeder_join,
    ("multiprocessing.connection", "recv"): _pipe_recv,
    ("multiprocessing.connection", "recv_bytes"): _pipe_recv,
    ("multiprocessing.connection", "poll"): _pipe_recv,
    ("multiprocessing.connection", "send"): _pipe_send,
    ("multiprocessing.connection", "send_bytes"): _pipe_send,
    ("multiprocessing.connection", "accept"): _simple("socket", "Listener.accept"),
    ("multiprocessing.connection", "wait"): _simple("select", "multiprocessing.connection.wait"),
    ("multiprocessing.synchronize", "__enter__"): _semlock,
    ("multiprocessing.synchronize", "wait"): _on_object("event", "multiprocessing.Event.wait"),
    ("multiprocessing.managers", "_callmethod"): _simple("pipe-recv", "manager proxy call"),
    ("subprocess", "wait"): _popen_wait,
    ("subprocess", "communicate"): _popen_wait,
    ("selectors", "select"): _simple("select", "selector.select"),
    ("socket", "accept"): _simple("socket", "socket.accept"),
    ("socket", "readinto"): _simple("socket", "socket read"),
    ("socket", "create_connection"): _simple("socket", "socket.create_connection"),
    ("ssl", "read"): _simple("socket", "SSLSocket.read"),
    ("socketserver", "serve_forever"): _simple("socket", "serve_forever"),
    ("asyncio.base_events", "_run_once"): lambda frame, context: {"kind": "loop-idle", "call": "event loop"},
}
#: The loops of threads that wait for work (a pool worker, a queue's feeder, an event loop, a
#: server): waiting on their own queue, pipe or selector inside one of these, the thread is idle.
_BODIES = frozenset(_PATTERNS[key] for key in (
    ("concurrent.futures.thread", "_worker"), ("concurrent.futures.process", "_process_worker"), ("concurrent.futures.process", "run"),
    ("concurrent.futures.process", "_queue_management_worker"), ("multiprocessing.pool", "worker"), ("multiprocessing.pool", "_handle_workers"),
    ("multiprocessing.pool", "_handle_tasks"), ("multiprocessing.pool", "_handle_results"), ("multiprocessing.queues", "_feed"),
    ("socketserver", "serve_forever"), ("asyncio.base_events", "_run_once"),
))
_IDLE_INSIDE_BODIES = frozenset(("condition", "event", "queue-get", "lock", "semaphore", "pipe-recv", "select", "other"))


# -- tasks -----------------------------------------------------------------------------------
def task_wait(task, context):
    """What a pending task awaits: (wait dict without ``since`` or None, the tasks it awaits,
    where it is suspended, the `awaiting` text of protocol version 1)."""
    coro = task.get_coro()
    user_coro = None
    library_coro = None  # the outermost library coroutine under the program's own: the API awaited
    awaiting = None
    depth = 0
    while depth < _inspect.MAX_DEPTH:
        kind = type(coro)
        if kind is _CoroutineType:
            code, inner = coro.cr_code, coro.cr_await
        elif kind is _GeneratorType:
            code, inner = coro.gi_code, coro.gi_yieldfrom
        else:
            break
        if _inspect.is_library(code.co_filename):
            awaiting = coro.__qualname__
            if library_coro is None:
                library_coro = coro
        else:
            user_coro = coro
            library_coro = None
            awaiting = None
        kind = type(inner)
        if inner is not None and kind is not _CoroutineType and kind is not _GeneratorType and hasattr(inner, "get_coro") and hasattr(inner, "get_name"):
            awaiting = inner.get_name()
            break
        coro = inner
        depth += 1
    where = None
    frame = None
    if user_coro is not None:
        frame = user_coro.cr_frame if type(user_coro) is _CoroutineType else user_coro.gi_frame
        where = _inspect.location(frame) if frame is not None else None
    wait, awaited = _await_target(task, library_coro, context)
    if wait is not None and where is not None:
        wait["at"] = where
        if "object" in wait and "name" not in wait:
            name = name_of(frame, wait["object"])
            if name is not None:
                wait["name"] = name
    return wait, awaited, where, awaiting


def _is_task(value):
    return hasattr(value, "get_coro") and hasattr(value, "get_name")


def _await_target(task, library_coro, context):
    waiter = getattr(task, "_fut_waiter", None)
    if waiter is not None and waiter.done():
        return None, []  # what it awaited is there: it runs at the loop's next turn
    if library_coro is not None:
        frame = library_coro.cr_frame if type(library_coro) is _CoroutineType else library_coro.gi_frame
        describe = _ASYNC_PATTERNS.get((_module_of(library_coro.cr_code.co_filename if type(library_coro) is _CoroutineType else library_coro.gi_code.co_filename), library_coro.__qualname__.rsplit(".", 1)[-1]))
        if describe is not None and frame is not None:
            try:
                wait, awaited = describe(frame, waiter, context)
                if wait is not None:
                    return wait, awaited
            except Exception:
                pass
    if waiter is None:
        return None, []
    if _is_task(waiter):
        return {"kind": "task", "call": "await"}, [waiter]
    children = getattr(waiter, "_children", None)
    if children is not None:  # gather's _GatheringFuture
        return {"kind": "gather", "call": "asyncio.gather"}, [child for child in children if _is_task(child)]
    for callback in _callbacks(waiter):
        name = getattr(callback, "__name__", "")
        if name == "_outer_done_callback":  # shield: the outer future, whose callback knows the inner task
            inner = _closure_value(callback, "inner")
            return {"kind": "shield", "call": "asyncio.shield"}, [inner] if _is_task(inner) else []
        if name == "_call_check_cancel":  # wrap_future: an executor's concurrent Future
            source = _closure_value(callback, "source")
            wait = {"kind": "executor", "call": "run_in_executor"}
            runner = context.work_threads.get(id(source)) if source is not None else None
            if runner is not None:
                wait["threadId"] = runner
            return wait, []
    return {"kind": "future", "call": "await", "object": object_id(waiter), "type": type(waiter).__name__}, []


def _callbacks(future):
    try:
        return [entry[0] if type(entry) is tuple else entry for entry in (getattr(future, "_callbacks", None) or ())]
    except Exception:
        return []


def _closure_value(function, name):
    code = getattr(function, "__code__", None)
    cells = getattr(function, "__closure__", None)
    if code is None or not cells or name not in code.co_freevars:
        return None
    try:
        return cells[code.co_freevars.index(name)].cell_contents
    except ValueError:
        return None


def _async_on_self(kind, call):
    def describe(frame, waiter, context):
        target = _locals(frame).get("self")
        wait = {"kind": kind, "call": call}
        if target is not None:
            wait["object"] = object_id(target)
            wait["type"] = type(target).__name__
        return wait, []
    return describe


def _async_sleep(frame, waiter, context):
    scope = _locals(frame)
    wait = {"kind": "sleep", "call": "asyncio.sleep"}
    handle = scope.get("h")
    when = getattr(handle, "_when", None)
    loop = getattr(handle, "_loop", None)
    if type(when) is float and loop is not None:
        try:
            # To 10 ms: the two clocks drift apart by fractions of one between samples.
            wait["until"] = round(context.now_ms + (when - loop.time()) * 1000.0, -1)
        except Exception:
            pass
    elif type(scope.get("delay")) in (int, float):
        wait["seconds"] = scope["delay"]
    return wait, []


def _async_wait_for(frame, waiter, context):
    scope = _locals(frame)
    inner = scope.get("fut")
    wait = {"kind": "timeout", "call": "asyncio.wait_for", "timed": True}
    if _is_task(waiter):
        return wait, [waiter]
    return wait, [inner] if _is_task(inner) else []


def _async_wait(frame, waiter, context):
    scope = _locals(frame)
    awaited = [future for future in (scope.get("fs") or ()) if _is_task(future)]
    wait = {"kind": "futures-wait", "call": "asyncio.wait"}
    if scope.get("timeout") is not None:
        wait["timed"] = True
    return wait, awaited


def _async_task_group(frame, waiter, context):
    group = _locals(frame).get("self")
    return {"kind": "gather", "call": "TaskGroup"}, [task for task in (getattr(group, "_tasks", None) or ()) if _is_task(task)]


def _async_subprocess(frame, waiter, context):
    process = _locals(frame).get("self")
    wait = {"kind": "subprocess", "call": "asyncio Process.%s" % frame.f_code.co_name}
    pid = getattr(process, "pid", None)
    if type(pid) is int:
        wait["pid"] = pid
    # The loop stops reading a child's output once the stream holds 2 × its limit unread: the pipe
    # fills, and a child writing to it never exits (the asyncio docs' warning about wait()).
    popen = getattr(getattr(process, "_transport", None), "_proc", None)
    if frame.f_code.co_name == "wait" and popen is not None and _pipe_full(popen):
        wait["pipeFull"] = True
    return wait, []


#: asyncio's coroutines a task is suspended in, by module and function name.
_ASYNC_PATTERNS = {
    ("asyncio.locks", "acquire"): _async_on_self("lock", "asyncio.Lock.acquire"),
    ("asyncio.locks", "wait"): _async_on_self("event", "asyncio.Event.wait"),
    ("asyncio.locks", "wait_for"): _async_on_self("condition", "asyncio.Condition.wait_for"),
    ("asyncio.locks", "__aenter__"): _async_on_self("lock", "async with"),
    ("asyncio.mixins", "__aenter__"): _async_on_self("lock", "async with"),
    ("asyncio.queues", "get"): _async_on_self("queue-get", "asyncio.Queue.get"),
    ("asyncio.queues", "put"): _async_on_self("queue-put", "asyncio.Queue.put"),
    ("asyncio.queues", "join"): _async_on_self("queue-join", "asyncio.Queue.join"),
    ("asyncio.tasks", "sleep"): _async_sleep,
    ("asyncio.tasks", "wait_for"): _async_wait_for,
    ("asyncio.tasks", "wait"): _async_wait,
    ("asyncio.tasks", "_wait"): _async_wait,
    ("asyncio.taskgroups", "__aexit__"): _async_task_group,
    ("asyncio.taskgroups", "_aexit"): _async_task_group,
    ("asyncio.streams", "_wait_for_data"): _async_on_self("stream", "StreamReader.read"),
    ("asyncio.streams", "readline"): _async_on_self("stream", "StreamReader.readline"),
    ("asyncio.streams", "read"): _async_on_self("stream", "StreamReader.read"),
    ("asyncio.streams", "readexactly"): _async_on_self("stream", "StreamReader.readexactly"),
    ("asyncio.streams", "readuntil"): _async_on_self("stream", "StreamReader.readuntil"),
    ("asyncio.selector_events", "sock_recv"): _async_on_self("socket", "loop.sock_recv"),
    ("asyncio.selector_events", "sock_accept"): _async_on_self("socket", "loop.sock_accept"),
    ("asyncio.selector_events", "sock_connect"): _async_on_self("socket", "loop.sock_connect"),
    ("asyncio.base_events", "serve_forever"): _async_on_self("socket", "Server.serve_forever"),
    ("asyncio.subprocess", "wait"): _async_subprocess,
    ("asyncio.subprocess", "communicate"): _async_subprocess,
}


def coroutine_stack(task, with_objects):
    """The program's own coroutines a task is suspended in, outermost first (and the lock-like
    objects each names, for the host's `async with` matching)."""
    frames = []
    coro = task.get_coro()
    depth = 0
    while depth < _inspect.MAX_DEPTH and len(frames) < _MAX_STACK:
        kind = type(coro)
        if kind is _CoroutineType:
            code, frame, inner = coro.cr_code, coro.cr_frame, coro.cr_await
        elif kind is _GeneratorType:
            code, frame, inner = coro.gi_code, coro.gi_frame, coro.gi_yieldfrom
        else:
            break
        if frame is not None and not _inspect.is_library(code.co_filename):
            frames.append(_frame_entry(frame, with_objects))
        coro = inner
        depth += 1
    return frames


def thread_stack(frame, with_objects):
    """The program's own frames of a thread, outermost first (and the lock-like objects each names)."""
    frames = []
    bottoms = _inspect.process_bottoms()
    depth = 0
    while frame is not None and depth < _inspect.MAX_DEPTH and frame.f_code not in bottoms:
        if not _inspect.is_library(frame.f_code.co_filename):
            frames.append(_frame_entry(frame, with_objects))
            if len(frames) >= _MAX_STACK:
                break
        frame = frame.f_back
        depth += 1
    frames.reverse()
    return frames


def _frame_entry(frame, with_objects):
    entry = _inspect.location(frame)
    if with_objects:
        objects = lock_objects(frame)
        if objects:
            entry["objects"] = objects
    return entry


def work_threads(frames, thread_id_of_ident):
    """id(concurrent Future) → the thread pool thread whose work item runs it right now."""
    running = {}
    for ident, frame in frames.items():
        depth = 0
        while frame is not None and depth < _inspect.MAX_DEPTH:
            code = frame.f_code
            if code.co_name == "run" and code.co_filename.endswith(os.sep + "thread.py") and _inspect.is_library(code.co_filename):
                item = _locals(frame).get("self")
                future = getattr(item, "future", None)
                if future is not None:
                    running[id(future)] = thread_id_of_ident(ident)
                break
            frame = frame.f_back
            depth += 1
    return running
