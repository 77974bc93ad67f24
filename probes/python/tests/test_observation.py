import unittest

from .host import FakeHost, entities, fixture, run_probed


class ObservationTest(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def run_fixture(self, name, *args, **env):
        result = run_probed(self.host, fixture(name), *args, **env)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        return next(iter(self.host.processes().values()))

    def test_sees_asyncio_tasks_with_states_and_suspension(self):
        frames = self.run_fixture("asyncio_tasks.py")
        tasks = entities(frames, "tasks")
        by_name = {versions[-1]["name"]: versions for versions in tasks.values()}
        for index in range(10):
            self.assertIn("worker-%d" % index, by_name)
        worker = by_name["worker-1"]
        self.assertEqual(worker[0]["coroutine"], "worker")
        self.assertEqual(worker[0]["state"], "pending")
        self.assertEqual(worker[0]["awaiting"], "sleep")
        self.assertTrue(worker[0]["suspendedAt"]["file"].endswith("asyncio_tasks.py"))
        self.assertEqual(worker[0]["suspendedAt"]["line"], 7)
        self.assertEqual(by_name["worker-3"][-1]["state"], "failed")
        self.assertEqual(by_name["worker-3"][-1]["exception"], "RuntimeError: worker 3 failed")
        # Where it raised: the program's line, not asyncio's.
        self.assertEqual(by_name["worker-3"][-1]["raisedAt"]["line"], 9)
        self.assertEqual(by_name["worker-3"][-1]["raisedAt"]["function"], "worker")
        self.assertTrue(by_name["worker-3"][-1]["raisedAt"]["file"].endswith("asyncio_tasks.py"))
        self.assertNotIn("raisedAt", by_name["worker-1"][-1])
        self.assertEqual(by_name["worker-1"][-1]["state"], "done")
        self.assertEqual(by_name["sleeper"][-1]["state"], "cancelled")
        loops = entities(frames, "loops")
        self.assertEqual(len(loops), 1)

    def test_the_first_samples_come_at_the_start_not_after_a_whole_period(self):
        # A sampling period longer than the program: its structure shows all the same, as it is
        # set up (the first sample at the first tick, and one more a tick after its loop starts).
        frames = self.run_fixture("asyncio_tasks.py", CONCURRENCY_LENS_SAMPLE_MS="60000")
        exit_time = next(frame["t"] for frame in frames if frame["kind"] == "exit")
        early = [frame for frame in frames if frame["kind"] in ("snapshot", "delta") and frame["t"] < exit_time - 1000]
        upserted = [task for frame in early for task in frame.get("tasks", frame.get("upsert", {}).get("tasks", []))]
        workers = {task["name"] for task in upserted if task["state"] == "pending" and task["name"].startswith("worker-")}
        self.assertEqual(len(workers), 10, early)

    def test_sees_threads_and_their_locations(self):
        frames = self.run_fixture("threads_lock.py")
        threads = {versions[-1]["name"]: versions for versions in entities(frames, "threads").values()}
        self.assertEqual(set(threads) >= {"MainThread", "holder", "waiter"}, True)
        self.assertEqual(threads["waiter"][-1]["daemon"], True)
        self.assertEqual(threads["holder"][-1]["state"], "exited")
        self.assertIn("endedAt", threads["holder"][-1])
        self.assertTrue(any(v.get("location", {}).get("function") == "hold" for v in threads["holder"]))
        self.assertTrue(any(v.get("state") == "waiting" for v in threads["MainThread"]))

    def test_reports_a_blocked_loop_with_the_blocking_line(self):
        frames = self.run_fixture("blocking_loop.py")
        blocks = [frame for frame in frames if frame["kind"] == "blocked"]
        self.assertTrue(blocks, "no blocked frame")
        final = [frame for frame in blocks if not frame.get("ongoing")]
        self.assertEqual(len(final), 1)
        self.assertGreaterEqual(final[0]["durationMs"], 250)
        ongoing = [frame for frame in blocks if frame.get("ongoing")]
        self.assertEqual(ongoing[0]["stack"][-1]["line"], 7)
        self.assertEqual(ongoing[0]["stack"][-1]["function"], "main")

    def test_a_computing_callback_blocks_for_all_the_time_it_computed(self):
        # A callback that begins between two beats makes the next one late by up to a beat period
        # less than it lasted: its CPU time is counted instead, and its line is known.
        frames = self.run_fixture("cpu_blocks.py")
        final = [frame for frame in frames if frame["kind"] == "blocked" and not frame.get("ongoing")]
        self.assertEqual(len(final), 5, final)
        for block in final:
            self.assertGreaterEqual(block["durationMs"], 200)
            self.assertEqual(block["stack"][-1]["line"], 9)
            self.assertEqual(block["stack"][-1]["function"], "compute")

    def test_reports_the_largest_lag_since_the_previous_sample(self):
        frames = self.run_fixture("blocking_loop.py")
        final = [frame for frame in frames if frame["kind"] == "blocked" and not frame.get("ongoing")]
        self.assertEqual(len(final), 1)
        lags = [version["lagMs"] for versions in entities(frames, "loops").values() for version in versions]
        # One measure: the block's duration is a beat's lag, which the next sample reports.
        self.assertGreaterEqual(max(lags), final[0]["durationMs"] - 0.1, lags)

    def test_threshold_comes_from_the_environment(self):
        frames = self.run_fixture("blocking_loop.py", CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS="1000")
        self.assertEqual([frame for frame in frames if frame["kind"] == "blocked"], [])


if __name__ == "__main__":
    unittest.main()
