import json
import unittest

from .host import FakeHost, entities, fixture, run_probed


class WakesTest(unittest.TestCase):
    """Each wake of the probe's thread takes the GIL from the program, which costs a busy event loop
    far more than the wake's own work: while a loop beats, the loop takes the samples itself, and
    the probe's thread sleeps (a kernel timer the beats push back watches for a late loop)."""

    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def test_a_healthy_loop_takes_the_samples_and_the_probe_thread_sleeps(self):
        result = run_probed(self.host, fixture("healthy_loop.py"))
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        counts = json.loads(result.stdout.decode().splitlines()[-1])
        # Three seconds at 5 samples a second (fewer on a loaded machine), on the loop's thread.
        self.assertGreaterEqual(counts["onLoop"], 6, counts)
        # The others: the first, before the loop ran, and any the probe's thread took while the loop
        # was late (a loaded machine can hold it past the threshold): a few, never most.
        self.assertLessEqual(counts["samples"] - counts["onLoop"], counts["onLoop"] / 3, counts)
        if counts["kernelTimer"]:
            # Woken only by the loop's start and the 2 s safety period, never per sample.
            self.assertLess(counts["wakes"], counts["onLoop"] / 2, counts)
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        frames = next(iter(self.host.processes().values()))
        # Sampled on its own thread, the loop's thread is where the program runs its loop: running
        # while the loop has callbacks ready, idle in its event loop once they have all run.
        main = [version for version in entities(frames, "threads")["main"] if version.get("location", {}).get("line") == 48]
        self.assertIn("running", [version["state"] for version in main], main)
        self.assertEqual(main[-1]["state"], "waiting", main)
        self.assertEqual(main[-1]["wait"]["kind"], "loop-idle")


class OwnCostTest(unittest.TestCase):
    """At exit, the probe says what its own work cost the process (its thread, the loops' beats and
    the samples they took, the last sample), beside the process's CPU time."""

    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def exit_frame(self):
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        frames = next(iter(self.host.processes().values()))
        return next(frame for frame in frames if frame["kind"] == "exit")

    def test_the_count_takes_in_samples_on_the_loop_and_on_the_probe_thread(self):
        result = run_probed(self.host, fixture("costly_samples.py"))
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        counts = json.loads(result.stdout.decode().splitlines()[-1])
        self.assertGreater(counts["onLoop"], 0, counts)
        self.assertGreater(counts["samples"], counts["onLoop"], counts)  # the probe's thread's, once no loop ran
        frame = self.exit_frame()
        # Each sample spun 5 ms of its thread's CPU: all of it is counted, on whichever thread it ran
        # (the exit's last sample included), and none of it is more than the process used.
        self.assertGreaterEqual(frame["probeCpuMs"], 5.0 * counts["samples"], (frame, counts))
        self.assertLess(frame["probeCpuMs"], frame["cpuMs"], frame)

    def test_trace_mode_does_not_claim_a_count(self):
        # Its work runs inside the program's callbacks, uncounted: no figure rather than a low one.
        result = run_probed(self.host, fixture("healthy_loop.py"), CONCURRENCY_LENS_TRACE="1")
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        frame = self.exit_frame()
        self.assertNotIn("probeCpuMs", frame)
        self.assertNotIn("cpuMs", frame)

if __name__ == "__main__":
    unittest.main()
