import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from .host import PROBES_DIR, TOKEN, FakeHost, entities, fixture, latest


class AttachTest(unittest.TestCase):
    """The probe started in a program that is already running ("Attach Monitor to Process…"): it
    connects, finds the event loop that was already running in another thread, watches it and its
    tasks like one it saw start, and says so once only when attached twice."""

    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)
        self.folder = tempfile.mkdtemp(prefix="clens-attach-")
        self.result = os.path.join(self.folder, "result")
        settings = {"env": {"CONCURRENCY_LENS_ADDRESS": "unix:" + self.host.path, "CONCURRENCY_LENS_TOKEN": TOKEN}, "pythonRoot": PROBES_DIR, "result": self.result}
        env = dict(os.environ, PYTHONPATH=PROBES_DIR, ATTACH_SETTINGS=json.dumps(settings))
        for name in ("CONCURRENCY_LENS_ADDRESS", "CONCURRENCY_LENS_TOKEN"):
            env.pop(name, None)
        self.program = subprocess.Popen([sys.executable, fixture("attach_later.py")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self._stop)
        self.assertEqual(self.program.stdout.readline().strip(), b"ready")

    def _stop(self):
        self.program.kill()
        self.program.communicate(timeout=10)

    def _attach(self):
        if os.path.exists(self.result):
            os.unlink(self.result)
        os.kill(self.program.pid, signal.SIGUSR2)
        self.assertTrue(self.host.wait_for(lambda: os.path.exists(self.result) and os.path.getsize(self.result) > 0))
        with open(self.result) as result:
            return result.read()

    def test_attached_later_it_watches_the_loop_already_running_and_its_tasks(self):
        time.sleep(0.3)
        self.assertEqual(self.host.processes(), {}, "no probe before the attach")
        self.assertEqual(self._attach(), "attached")
        self.assertTrue(self.host.wait_for(lambda: self.program.pid in self.host.processes()))
        frames = self.host.processes()[self.program.pid]

        def polling_tasks():
            return [task for task in latest(frames, "tasks").values() if task.get("coroutine") == "poll" and task.get("wait", {}).get("kind") == "sleep"]

        self.assertTrue(self.host.wait_for(lambda: len(polling_tasks()) == 2), frames[-3:])
        threads = latest(frames, "threads")
        loops = [versions[-1] for versions in entities(frames, "loops").values()]
        self.assertEqual([loop["threadId"] for loop in loops], [threads["server-loop"]["id"]])
        self.assertEqual({task["loopId"] for task in polling_tasks()}, {loops[0]["id"]})
        # The loop's beat runs: its lag is measured, so a block of it would be seen.
        self.assertTrue(self.host.wait_for(lambda: any("lagMs" in loop for loop in (versions[-1] for versions in entities(frames, "loops").values()))))
        self.assertEqual(self._attach(), "already-monitored")
        self.assertEqual(len(self.host.connections), 1)
        self.assertIsNone(self.program.poll(), "the program runs on")


if __name__ == "__main__":
    unittest.main()
