"""How long the heartbeat says an event loop was blocked, and where (clocks stood in for)."""
import itertools
import threading
import time
import unittest
from unittest import mock

from concurrency_lens_probe import _tasks


class _Loop:
    """Just what the heartbeat asks of a loop."""
    _ready = ()

    def call_later(self, delay, callback, *args):
        pass

    def is_closed(self):
        return False


class _Clocks:
    """time.monotonic and time.thread_time as the test sets them (seconds)."""

    def __init__(self):
        self.wall = 100.0
        self.cpu = 10.0

    def advance(self, wall, cpu):
        self.wall += wall
        self.cpu += cpu


class HeartbeatTest(unittest.TestCase):
    def setUp(self):
        self.clocks = _Clocks()
        for name, value in (("monotonic", lambda: self.clocks.wall), ("thread_time", lambda: self.clocks.cpu)):
            patcher = mock.patch.object(_tasks.time, name, value)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.watch = _tasks.LoopWatch(itertools.count(1), 100, False)
        self.loop = _Loop()
        self.watch.running(self.loop, threading.get_ident())
        self.state = self.watch._loop_states()[0]
        self.frames = []
        self.clocks.advance(_tasks.BEAT_SECONDS, 0.001)
        self.beat()  # on time: the last beat before each case

    def beat(self):
        self.watch._beat(self.state)

    def check(self):
        self.watch.check(self.frames.append, lambda ident: "main")

    def finished(self):
        return [frame for frame in self.frames if frame["kind"] == "blocked" and not frame.get("ongoing")]

    def test_a_callback_computing_from_between_two_beats_blocks_for_all_it_computed(self):
        # It begins 40 ms after the last beat and computes 180 ms: the next beat is 170 ms late.
        self.clocks.advance(0.04, 0.0)
        self.clocks.advance(0.06, 0.06)
        self.check()  # the threshold without a beat: where the loop's thread is
        self.clocks.advance(0.12, 0.12)
        self.beat()
        self.check()
        [block] = self.finished()
        self.assertAlmostEqual(block["durationMs"], 180, delta=0.2)
        self.assertEqual(block["stack"][-1]["function"], "check")

    def test_a_blocking_call_blocks_for_the_lateness_of_the_beat(self):
        # time.sleep in a callback uses no CPU: the beat's lateness is all that is known.
        self.clocks.advance(0.04 + 0.13, 0.0)
        self.beat()
        self.check()
        [block] = self.finished()
        self.assertAlmostEqual(block["durationMs"], 120, delta=0.2)

    def test_short_callbacks_are_no_block(self):
        self.clocks.advance(0.03, 0.0)
        self.clocks.advance(0.06, 0.06)
        self.beat()
        self.check()
        self.assertEqual(self.finished(), [])

    def test_a_loop_busy_with_short_callbacks_is_no_block_even_below_the_beat_period(self):
        watch = _tasks.LoopWatch(itertools.count(1), 20, False)
        watch.running(self.loop, threading.get_ident())
        state = watch._loop_states()[0]
        frames = []
        for _ in range(3):
            # Computing all the time, each beat 5 ms late (the callbacks before it in the queue).
            self.clocks.advance(_tasks.BEAT_SECONDS + 0.005, _tasks.BEAT_SECONDS + 0.005)
            watch._beat(state)
            watch.check(frames.append, lambda ident: "main")
        self.assertEqual([frame for frame in frames if frame["kind"] == "blocked"], [])

    def test_a_stack_taken_for_a_beat_that_was_no_block_is_not_given_to_the_next_block(self):
        self.clocks.advance(0.11, 0.0)  # late, but not blocked past the threshold
        self.check()
        self.beat()
        self.clocks.advance(0.2, 0.0)
        self.beat()
        self.check()
        [block] = self.finished()
        self.assertEqual(block["stack"], [])


if __name__ == "__main__":
    unittest.main()
