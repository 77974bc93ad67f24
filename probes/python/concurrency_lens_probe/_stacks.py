"""Stack dumps for the host, for when this probe cannot speak: a thread that holds the GIL inside C
code (a regular expression backtracking, a long computation in an extension, a collection of a huge
heap) keeps every other thread from running, the probe's own included. ``faulthandler`` writes every
thread's stack from a signal handler in C, without the GIL: the host sends DUMP_SIGNAL when the probe
has been silent too long, and reads the dump from the file announced in the hello (an unnamed file,
read through /proc/<pid>/fd, so that nothing is left behind). Costs nothing until used."""
import faulthandler
import os
import signal
import sys

#: A real-time signal few programs use, whose handler is C code (Python handlers run only between
#: bytecodes, which a thread in C never reaches). Its default action ends the process: the host sends
#: it only to a process whose hello announced it.
DUMP_SIGNAL = getattr(signal, "SIGRTMAX", 0) - 2


def register():
    """Registers the dump on DUMP_SIGNAL into a new unnamed file: ``{"signal", "fd", "inode"}`` for the hello,
    or None where it cannot be read back (no /proc), the program handles that signal itself, or
    there is no GIL to hold (a free-threaded build). After a fork, registering again replaces the
    parent's file with the child's own."""
    if DUMP_SIGNAL <= 0 or not hasattr(os, "O_TMPFILE") or not os.path.isdir("/proc/self/fd"):
        return None
    if getattr(sys, "_is_gil_enabled", None) is not None and not sys._is_gil_enabled():
        return None
    try:
        if signal.getsignal(DUMP_SIGNAL) != signal.SIG_DFL:
            return None  # the program's own handler (None: one installed from C)
        # A file with no name from the start (not `tempfile`, whose import costs every process
        # milliseconds), not inherited by the programs this one executes.
        dump = os.open(os.environ.get("TMPDIR") or "/tmp", os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
        faulthandler.register(DUMP_SIGNAL, file=dump, all_threads=True, chain=False)
    except (OSError, ValueError, RuntimeError):
        return None
    global _dump
    previous, _dump = _dump, dump  # faulthandler writes to this descriptor: it stays open
    if previous is not None:
        os.close(previous)
    # Its inode: a program that closes the descriptor and opens another file in its place must
    # not get the stacks written into its own file (the host checks).
    return {"signal": int(DUMP_SIGNAL), "fd": dump, "inode": os.fstat(dump).st_ino}


_dump = None
