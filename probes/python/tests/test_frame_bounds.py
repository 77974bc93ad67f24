"""Every frame a sample sends stays under the host's frame limit: with more tasks than fit, the
ones least worth seeing are left out and counted on their loop (``tasksUnlisted``)."""
import json
import unittest
from unittest import mock

from concurrency_lens_probe import _sampling, _transport

from .host import FakeHost, fixture, run_probed

WAITERS = 12000


class FrameBoundsTest(unittest.TestCase):
    def test_a_sample_of_more_tasks_than_a_frame_holds_lists_what_fits_and_counts_the_rest(self):
        host = FakeHost()
        self.addCleanup(host.close)
        result = run_probed(host, fixture("many_tasks.py"), CONCURRENCY_LENS_TASK_LIFECYCLE="1")
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertTrue(host.wait_for(lambda: any(f["kind"] == "exit" for frames in host.processes().values() for f in frames)))
        frames = next(iter(host.processes().values()))
        largest = max(len(json.dumps(frame, separators=(",", ":"))) for frame in frames)
        self.assertLess(largest, _transport.MAX_FRAME_BYTES)
        # The first sample that could not list them all: each task (the waiters and main) is now on
        # the host or counted, none twice.
        held = {}
        for frame in frames:
            if frame["kind"] == "snapshot":
                held = {task["id"]: task for task in frame["tasks"]}
                loops = frame["loops"]
            elif frame["kind"] == "delta":
                held.update((task["id"], task) for task in frame.get("upsert", {}).get("tasks", ()))
                for task_id in frame.get("remove", {}).get("tasks", ()):
                    held.pop(task_id, None)
                loops = frame.get("upsert", {}).get("loops", ())
            else:
                continue
            unlisted = sum(loop.get("tasksUnlisted", 0) for loop in loops)
            if unlisted:
                break
        self.assertGreater(unlisted, 0)
        live = [task for task in held.values() if "endedAt" not in task]
        self.assertGreater(len(live), 1000)
        self.assertEqual(len(live) + unlisted, WAITERS + 1)


def _task(task_id, state, waits=False, ended=False):
    task = {"id": task_id, "loopId": "l1", "state": state, "name": "t" * 100}
    if waits:
        task["wait"] = {"kind": "event"}
    if ended:
        task["endedAt"] = 1.0
    return task


class UnlistTest(unittest.TestCase):
    def test_the_waiting_then_running_then_other_pending_then_failed_tasks_are_kept_first(self):
        tasks = [_task("done", "done", ended=True), _task("failed", "failed", ended=True), _task("ready", "pending"),
                 _task("running", "running"), _task("waiting", "pending", waits=True)]
        loop = {"id": "l1"}
        delta = {"tasks": list(tasks)}
        signatures = {"tasks": {"ready": 1, "running": 2, "waiting": 3}, "loops": {"l1": 4}}
        frame_bytes = sum(len(_transport.encode(task)) + 1 for task in tasks) + 100
        task_bytes = len(_transport.encode(tasks[0])) + 1
        # Room for three tasks: the two least worth seeing are left out, and counted.
        with mock.patch.object(_sampling, "FRAME_BUDGET_BYTES", 100 + 3 * task_bytes):
            _sampling._unlist_tasks(delta, frame_bytes, {"l1": loop}, signatures, {"ready": 9})
        self.assertEqual([task["id"] for task in delta["tasks"]], ["waiting", "running", "ready"])
        self.assertEqual(loop["tasksUnlisted"], 2)
        self.assertEqual(delta["loops"], [loop])
        # The host still holds the previous version of a task it was sent before: kept as such.
        self.assertEqual(signatures["tasks"], {"ready": 1, "running": 2, "waiting": 3})


if __name__ == "__main__":
    unittest.main()
