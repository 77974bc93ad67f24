"""When the probe's thread wakes: at its own due time (a sample, a forked worker to signal), when an
event loop could first be late past the blocked threshold, and at once when the program's threads
say that something changed (``wake``).

Each wake takes the GIL from the program. From a busy asyncio loop that costs the program far more
than the wake's own work: the waiting thread is woken, and loses the race for the GIL, at each of
the loop's select calls (each gives the GIL up) until it wins, hundreds of times per wake (see
bench/python/asyncio_tasks.py with BENCH_WAKER_HZ). So on Linux the loops' deadline is a kernel
timer (a timerfd, through ctypes) that each loop's heartbeat pushes back: while every loop keeps
beating, the probe's thread sleeps through to its own due time, and wakes early only for a loop
that is late. Elsewhere it waits on an Event with a timeout, waking at every deadline."""
import os
import struct
import sys
import threading
import time

_TFD_TIMER_ABSTIME = 1
#: struct itimerspec (interval, then value: seconds and nanoseconds each) on a 64-bit Linux.
_ITIMERSPEC = "llll"
#: A deadline long past: the timer fires at once.
_NOW = struct.pack(_ITIMERSPEC, 0, 0, 0, 1)
_KERNEL_TIMER_POSSIBLE = sys.platform.startswith("linux") and struct.calcsize("l") == 8 and hasattr(time, "CLOCK_MONOTONIC")


class Alarm:
    def __init__(self, loops_due, tick_seconds):
        #: () -> when a loop could first be late (monotonic s), None without loops.
        self._loops_due = loops_due
        self._tick_seconds = tick_seconds
        self._due = None
        self._woken = False
        self._event = threading.Event()
        self._fd = None
        self._settime = None
        self._tried_kernel_timer = False

    def use_kernel_timer(self):
        """Waits on a kernel timer from now on, where there is one. Called at each loop's beat (only
        the first call does anything): a program without a loop has no use for it, and the import
        of ctypes, milliseconds of reading files, each read letting go of the GIL, would cost a
        busy loop a GIL hand-over per read if the probe's thread made it."""
        if self._tried_kernel_timer or not _KERNEL_TIMER_POSSIBLE:
            return
        self._tried_kernel_timer = True
        try:
            import ctypes

            # PyDLL: called with the GIL held (letting go of it on the probe's thread would cost a
            # wake to take it back; on a loop's thread, a chance for another thread to take it).
            libc = ctypes.PyDLL(None)
            create = _typed(libc.timerfd_create, ctypes.c_int, ctypes.c_int, ctypes.c_int)
            settime = _typed(libc.timerfd_settime, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
            fd = create(time.CLOCK_MONOTONIC, os.O_CLOEXEC)
        except Exception:
            return
        if fd >= 0:
            self._settime = settime
            self._fd = fd

    def after_fork_in_child(self):
        """The timer is shared with the parent: this process lets go of it (its new probe makes its own)."""
        self._close()

    def _close(self):
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def wait(self, due):
        """On the probe's thread: sleeps until ``due`` (monotonic s), a loop's deadline, or ``wake``."""
        self._due = due
        fd = self._fd
        if not self._woken:
            if fd is None:
                deadline = self._deadline(time.monotonic())
                self._event.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
            elif not self._arm():
                self._fall_back()
            elif not self._woken:
                try:
                    os.read(fd, 8)
                except OSError:
                    self._fall_back()
        self._due = None  # the beats meanwhile arm for the loops only, until the next wait
        self._woken = False
        self._event.clear()

    def wake(self):
        """From any thread: the probe's thread wakes now."""
        self._woken = True
        self._event.set()  # (one that falls back to the Event meanwhile finds it set)
        self._arm()

    def loop_beat(self, was_blocked):
        """From a loop's heartbeat (its next beat scheduled): pushes the timer back. A loop that was
        blocked past the threshold wakes the probe's thread, to report it."""
        if was_blocked:
            self.wake()
        elif self._fd is not None:
            self._arm()

    def _deadline(self, now):
        if self._woken:
            return now
        deadline = self._due
        loops = self._loops_due()
        if loops is not None:
            loops = max(loops, now + self._tick_seconds)  # a loop late already: watched at each tick
            deadline = loops if deadline is None else min(deadline, loops)
        return deadline

    def _arm(self):
        """Sets the kernel timer to the deadline (without one, disarms it). False if it failed (or
        the timer has just gone: a fork, a fall-back on the probe's thread)."""
        fd = self._fd
        if fd is None:
            return False
        woken = self._woken
        deadline = self._deadline(time.monotonic())
        if deadline is None:
            seconds = nanoseconds = 0
        else:
            seconds = int(deadline)
            nanoseconds = max(1, int((deadline - seconds) * 1e9))  # all zeros would disarm it
        try:
            armed = self._settime(fd, _TFD_TIMER_ABSTIME, struct.pack(_ITIMERSPEC, 0, 0, seconds, nanoseconds), None) == 0
            if armed and self._woken and not woken:
                # Woken meanwhile, by a thread that armed it before this did: now, after all.
                armed = self._settime(fd, _TFD_TIMER_ABSTIME, _NOW, None) == 0
        except Exception:
            return False
        return armed

    def _fall_back(self):
        """On the probe's thread (never while it reads the timer): the Event from now on. The round
        that failed to wait ends at once."""
        self._close()


def _typed(function, restype, *argtypes):
    function.restype = restype
    function.argtypes = argtypes
    return function
