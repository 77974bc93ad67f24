"""Trace mode: every event-loop callback, timed and tied to its task."""
import json
import threading
import types
import unittest

from concurrency_lens_probe import _probe, _trace

from .host import FakeHost, fixture, latest, run_probed


class TraceTest(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def test_every_step_of_every_task_is_timed_and_the_slowest_are_named_with_their_line(self):
        result = run_probed(self.host, fixture("traced.py"), CONCURRENCY_LENS_TRACE="1")
        self.assertEqual((result.returncode, result.stdout.decode().strip()), (0, "done"), result.stderr.decode())
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        frames = next(iter(self.host.processes().values()))
        traces = [frame for frame in frames if frame["kind"] == "trace"]
        self.assertTrue(traces)
        for frame in traces:
            self.assertEqual(len(frame["start"]), len(frame["duration"]))
            self.assertEqual(len(frame["start"]), len(frame["task"]))
        tasks = latest(frames, "tasks")
        steps = {}
        for frame in traces:
            # Whole microseconds, starts counted from `since` (ms since the epoch).
            since = frame["microseconds"]["since"]
            self.assertTrue(all(type(value) is int for value in frame["start"] + frame["duration"]))
            for start, duration, task in zip(frame["start"], frame["duration"], frame["task"]):
                steps.setdefault(task, []).append((since + start / 1000.0, duration / 1000.0))
        slow_id = tasks["worker-2"]["id"]
        # Each worker: its first step, three wake-ups after a sleep (task ids from the task factory, on in trace mode).
        for index in range(4):
            self.assertGreaterEqual(len(steps[tasks["worker-%d" % index]["id"]]), 4, steps.keys())
            self.assertIn("createdAt", tasks["worker-%d" % index])
        self.assertGreaterEqual(sorted(duration for _, duration in steps[slow_id])[-3], 35)
        self.assertLess(max(duration for _, duration in steps[tasks["worker-0"]["id"]]), 35)
        slow = [callback for frame in traces for callback in frame.get("slow", [])]
        slowest = max(slow, key=lambda callback: callback["durationMs"])
        self.assertEqual((slowest["taskId"], slowest["callback"]), (slow_id, "worker-2 (worker)"))
        self.assertTrue(slowest["location"]["file"].endswith("traced.py"))
        # A task's end is its last step's end, not when the probe next looked.
        last = max(start + duration for start, duration in steps[slow_id])
        self.assertAlmostEqual(tasks["worker-2"]["endedAt"], last, delta=1)


class TraceFramesTest(unittest.TestCase):
    def test_a_busy_tick_is_sent_in_frames_the_host_accepts_with_every_slice(self):
        # 200,000 callbacks between two drains made one 7 MB frame, which the host (4 MB at most) dropped.
        ident = threading.get_ident()
        tracer = _trace.Tracer()
        for index in range(_trace.MAX_SLICES):
            tracer.slices.append((ident, index * 1e-6, index * 1e-6 + 5e-7, "t%d" % (index % 5000), None, False, None))
        sent = []
        state = type("LoopState", (), {"id": "l1", "thread_ident": ident})()
        probe = types.SimpleNamespace(
            tracer=tracer,
            loops=types.SimpleNamespace(by_thread_ident=lambda: {ident: state}, task_id_of_key=lambda key: None, last_step_end={}),
            threads=types.SimpleNamespace(thread_id_of_ident=lambda ident: "main"),
            connection=types.SimpleNamespace(put=sent.append),
        )
        self.assertTrue(_probe.Probe.drain_trace(probe))
        self.assertEqual(sum(len(frame["start"]) for frame in sent), _trace.MAX_SLICES)
        for frame in sent:
            self.assertEqual(len(frame["start"]), len(frame["duration"]))
            self.assertEqual(len(frame["start"]), len(frame["task"]))
            self.assertLess(len(json.dumps(frame, separators=(",", ":"))), 4 * 1024 * 1024)


if __name__ == "__main__":
    unittest.main()
