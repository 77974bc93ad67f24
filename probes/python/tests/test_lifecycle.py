"""Task lifecycle: who cancelled a task (3.12+), and with the opt-in task factory where each task
was created, by which task, and how every one ended, short ones included."""
import sys
import unittest

from concurrency_lens_probe import _lifecycle

from .host import FakeHost, entities, fixture, latest, run_probed


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def run_fixture(self, name, **env):
        result = run_probed(self.host, fixture(name), **env)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        return result, next(iter(self.host.processes().values()))

    def test_the_task_factory_chains_with_the_programs_and_follows_every_task_from_its_creation(self):
        result, frames = self.run_fixture("lifecycle.py", CONCURRENCY_LENS_TASK_LIFECYCLE="1")
        # The program's own factory made every task (the probe's only noted them).
        self.assertIn("own factory calls 12", result.stdout.decode())
        tasks = latest(frames, "tasks")
        parent = tasks["parent"]
        self.assertEqual(parent["createdAt"]["line"], 37)
        for index in range(10):
            leaf = tasks["leaf-%d" % index]  # each lived a few milliseconds, less than a sampling period
            self.assertEqual((leaf["createdAt"]["line"], leaf["createdAt"]["function"], leaf["parentId"]), (19, "<genexpr>", parent["id"]))
            self.assertIn("endedAt", leaf)
        self.assertEqual((tasks["leaf-7"]["state"], tasks["leaf-7"]["exception"]), ("failed", "ValueError: leaf 7"))
        self.assertEqual(tasks["leaf-3"]["state"], "done")

    def test_who_cancelled_a_task_where_and_with_which_message(self):
        _, frames = self.run_fixture("lifecycle.py")
        victim = latest(frames, "tasks")["victim"]
        self.assertEqual(victim["state"], "cancelled")
        self.assertNotIn("createdAt", victim)  # the factory is opt-in
        if sys.version_info < (3, 12):
            self.assertNotIn("cancelledBy", victim)  # no sys.monitoring before 3.12
            return
        cancelled = victim["cancelledBy"]
        self.assertEqual((cancelled["at"]["line"], cancelled["at"]["function"], cancelled["threadId"], cancelled["message"]), (22, "parent", "main", "no longer needed"))
        self.assertEqual(cancelled.get("taskId") or cancelled.get("taskName"), latest(frames, "tasks")["parent"]["id"] if "taskId" in cancelled else "parent")

    def test_a_burst_of_tasks_ending_at_once_is_described_up_to_a_bound_and_counted_beyond(self):
        _, frames = self.run_fixture("task_burst.py", CONCURRENCY_LENS_TASK_LIFECYCLE="1")
        described = [versions[-1] for versions in entities(frames, "tasks").values() if "endedAt" in versions[-1]]
        unreported = [loop.get("tasksUnreported") for versions in entities(frames, "loops").values() for loop in versions[-1:]]
        counted = sum(sum(counts.values()) for counts in unreported if counts)
        self.assertGreater(counted, 0)
        self.assertGreaterEqual(len(described), _lifecycle.FINISHED_PER_SAMPLE)
        # Every one of the 5,000 is either described or counted (asyncio.run's own tasks aside).
        # Every one of the 5,000 is either described or counted; asyncio.run's own tasks (main, and
        # on 3.8 its shutdown's) are counted too when they end after the sample's budget is spent.
        waiters = len([task for task in described if task["coroutine"] == "Event.wait"])
        others = len([task for task in described if task["coroutine"] != "Event.wait"])
        self.assertIn(waiters + counted + others, range(5000, 5003))


if __name__ == "__main__":
    unittest.main()
