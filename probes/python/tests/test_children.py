import os
import sys
import unittest

from .host import FakeHost, entities, fixture, run_probed


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class ChildrenTest(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def check_children(self, method):
        result = run_probed(self.host, fixture("children.py"), method)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertIn("children done 0", result.stdout.decode())
        self.host.wait_for(lambda: len(self.host.processes()) >= 3)
        processes = self.host.processes()
        root = next(pid for pid, frames in processes.items() if frames[0]["argv"][:1] == [fixture("children.py")])
        hellos = [frames[0] for frames in processes.values()]
        descendants = [hello for hello in hellos if hello["pid"] != root]
        # The multiprocessing child and the python subprocess (plus helpers: forkserver, resource tracker).
        self.assertGreaterEqual(len(descendants), 2, hellos)
        self.assertTrue(any(hello["ppid"] == root for hello in descendants))
        children = [versions[-1] for versions in entities(processes[root], "children").values()]
        self.assertTrue(any("sleepy" in child["command"] for child in children), children)
        self.assertTrue(any(child["command"].startswith(sys.executable) for child in children), children)
        self.assertTrue(all(child.get("exitCode") == 0 for child in children), children)
        self.assertTrue(self.host.wait_for(lambda: not any(alive(hello["pid"]) for hello in hellos), timeout=5), "orphan processes left")

    def test_fork(self):
        self.check_children("fork")

    def test_spawn(self):
        self.check_children("spawn")

    def test_forkserver(self):
        self.check_children("forkserver")

    def test_spawn_process_pool(self):
        result = run_probed(self.host, fixture("process_pool.py"))
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(result.stdout.decode().strip(), "14")
        self.assertEqual(result.stderr.decode(), "")  # nothing from the probe, e.g. at exit
        self.assertTrue(self.host.wait_for(lambda: len(self.host.processes()) >= 3))


if __name__ == "__main__":
    unittest.main()
