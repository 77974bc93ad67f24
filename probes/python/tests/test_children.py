import gc
import itertools
import os
import re
import sys
import unittest

from concurrency_lens_probe import _processes

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


def exited(host):
    return sum(1 for frames in host.processes().values() if frames[-1]["kind"] == "exit")


def root_pid(processes, script):
    return next(pid for pid, frames in processes.items() if frames[0]["argv"][:1] == [fixture(script)])


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
        root = root_pid(processes, "children.py")
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

    def test_spawn(self):
        self.check_children("spawn")

    def test_forkserver(self):
        self.check_children("forkserver")

    def test_forked_workers_start_their_probe_after_the_grace_period(self):
        result = run_probed(self.host, fixture("forked_workers.py"))
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertIn("exit codes [0, 0, 0, 0]", result.stdout.decode())
        # The parent sent the one wake signal; the worker handled it and put the default back.
        self.assertIn("lasting: SIGURG handler default, received 0", result.stdout.decode())
        # Every frame read: the program and its five probed workers said goodbye.
        self.assertTrue(self.host.wait_for(lambda: exited(self.host) >= 6))
        processes = self.host.processes()
        root = root_pid(processes, "forked_workers.py")
        children = {versions[-1]["command"].split()[0]: versions[-1] for versions in entities(processes[root], "children").values()}
        self.assertEqual(set(children), {"brief", "threaded", "lasting", "idle", "ForkProcess-5", "ForkProcess-6"})
        # Every worker is described by its parent, from its start to its exit code ...
        for child in children.values():
            self.assertEqual(child.get("exitCode"), 0, child)
            self.assertIn("pid", child)
        # ... the brief one by its parent alone: it never paid for a probe thread or connection.
        self.assertNotIn(children["brief"]["pid"], processes)
        # One that starts a thread is probed from then on.
        threaded = processes[children["threaded"]["pid"]]
        self.assertEqual(threaded[0]["ppid"], root)
        self.assertIn("helper", [versions[-1]["name"] for versions in entities(threaded, "threads").values()])
        # One that outlives the grace period is probed from then on, its start time the fork's.
        lasting = processes[children["lasting"]["pid"]]
        hello = lasting[0]
        first_sample = next(frame for frame in lasting if frame["kind"] == "snapshot")
        # (Half the grace period at least: its start time is the fork's as the parent noted it, which
        # a loaded machine delays; a probe started at once would sample within milliseconds.)
        self.assertGreaterEqual(first_sample["t"] - hello["startedAt"], 1000 * _processes.FORKED_WORKER_GRACE_SECONDS * 0.5)
        self.assertLess(abs(hello["startedAt"] - children["lasting"]["startedAt"]), 500)
        main = [versions[-1] for versions in entities(lasting, "threads").values() if versions[-1]["kind"] == "main"]
        self.assertEqual(main[0]["location"]["function"], "lasting")
        # One blocked reading a pipe is probed from then on too, while it still waits.
        sent_at = int(re.search(r"sent at (\d+)", result.stdout.decode()).group(1))
        waiting = processes[children["idle"]["pid"]]
        self.assertLess(next(frame for frame in waiting if frame["kind"] == "snapshot")["t"], sent_at)
        self.assertIn("idle: received work", result.stdout.decode())
        # The idle pool workers wait on their task queue (one reads it, one waits for its lock): not
        # at the parent's line they were forked from.
        for name in ("ForkProcess-5", "ForkProcess-6"):
            main = [versions[-1] for versions in entities(processes[children[name]["pid"]], "threads").values()]
            self.assertEqual(main[0]["state"], "waiting", main)
            self.assertNotEqual(main[0]["location"]["file"], fixture("forked_workers.py"), main)
        self.assertTrue(self.host.wait_for(lambda: not any(alive(child["pid"]) for child in children.values()), timeout=5), "orphan processes left")

    def test_a_forked_worker_of_a_program_that_handles_the_wake_signal_is_probed_at_once(self):
        result = run_probed(self.host, fixture("forked_workers.py"), "own-handler")
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        # Its handler stayed, and the probe never sent it a signal.
        self.assertIn("lasting: SIGURG handler program's, received 0", result.stdout.decode())
        self.assertTrue(self.host.wait_for(lambda: exited(self.host) >= 2))
        processes = self.host.processes()
        root = root_pid(processes, "forked_workers.py")
        worker = next(frames for pid, frames in processes.items() if pid != root)
        first_sample = next(frame for frame in worker if frame["kind"] == "snapshot")
        self.assertLess(first_sample["t"] - worker[0]["startedAt"], 1000 * _processes.FORKED_WORKER_GRACE_SECONDS)

    def test_spawn_process_pool(self):
        result = run_probed(self.host, fixture("process_pool.py"))
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertEqual(result.stdout.decode().strip(), "14")
        self.assertEqual(result.stderr.decode(), "")  # nothing from the probe, e.g. at exit
        self.assertTrue(self.host.wait_for(lambda: exited(self.host) >= 3))
        processes = self.host.processes()
        root = root_pid(processes, "process_pool.py")
        # The parent names its workers and says what they are for ...
        workers = [versions[-1] for versions in entities(processes[root], "children").values()]
        self.assertEqual(len(workers), 2, workers)
        for worker in workers:
            self.assertRegex(worker["name"], r"^SpawnProcess-\d+$")
            self.assertEqual(worker["role"], "pool-worker")
            self.assertEqual(worker.get("exitCode"), 0, worker)
        # ... each worker knows it was spawned by multiprocessing, and sends its exit code itself ...
        for worker in workers:
            frames = processes[worker["pid"]]
            self.assertEqual(frames[0]["processRole"], "spawn-worker")
            self.assertEqual(frames[-1]["kind"], "exit")
            self.assertEqual(frames[-1].get("exitCode"), 0, frames[-1])
        # ... and the resource tracker says what it is, though its argv reads only "-c".
        trackers = [frames[0] for frames in processes.values() if frames[0].get("processRole") == "resource-tracker"]
        self.assertEqual(len(trackers), 1, [frames[0] for frames in processes.values()])
        self.assertEqual(trackers[0]["argv"], ["-c"])

    def test_a_pool_that_terminates_its_workers_reports_how_they_ended(self):
        for method in ("spawn", "fork"):
            with self.subTest(method=method):
                host = FakeHost()
                self.addCleanup(host.close)
                result = run_probed(host, fixture("pool_shutdown.py"), method)
                self.assertEqual(result.returncode, 0, result.stderr.decode())
                self.assertTrue(host.wait_for(lambda: exited(host) >= 1))
                processes = host.processes()
                root = root_pid(processes, "pool_shutdown.py")
                workers = [versions[-1] for versions in entities(processes[root], "children").values()]
                self.assertEqual(len(workers), 2, workers)
                for worker in workers:
                    self.assertRegex(worker["name"], r"PoolWorker-\d+$")
                    self.assertEqual(worker["role"], "pool-worker")
                    self.assertIn("endedAt", worker)
                    # Pool.terminate() ends them with SIGTERM (or they had already exited): named, never "signal 15".
                    self.assertTrue(worker.get("signal") == "SIGTERM" or worker.get("exitCode") == 0, worker)


if __name__ == "__main__":
    unittest.main()


class ChildWatchTest(unittest.TestCase):
    """The bookkeeping alone, without a process: what a sample says of a child whose object is gone."""

    class Child:
        pid = 4242
        returncode = None

    @staticmethod
    def describe(child):
        return child.pid, "worker (multiprocessing)", child.returncode

    def test_a_child_dropped_before_any_sample_is_still_reported_with_its_exit_code(self):
        # A pool joins its workers and drops them at shutdown; on a loaded machine that can all
        # happen between two samples.
        watch = _processes.ChildWatch(itertools.count(1))
        child = self.Child()
        watch.started(child, self.describe, False, "SpawnProcess-2", "pool-worker")
        child.returncode = 0
        watch.exited(child, 0)
        del child
        gc.collect()
        (entity,) = watch.sample(1000).values()
        self.assertEqual(entity["pid"], 4242)
        self.assertEqual(entity["name"], "SpawnProcess-2")
        self.assertEqual(entity["role"], "pool-worker")
        self.assertEqual(entity["exitCode"], 0)
        self.assertEqual(entity["endedAt"], 1000)
        self.assertEqual(watch.sample(2000), {}, "reported once")

    def test_a_child_alive_at_the_sample_is_running(self):
        watch = _processes.ChildWatch(itertools.count(1))
        child = self.Child()
        watch.started(child, self.describe, False, None, None)
        (entity,) = watch.sample(1000).values()
        self.assertNotIn("endedAt", entity)
        child.returncode = 3
        (entity,) = watch.sample(2000).values()
        self.assertEqual((entity["exitCode"], entity["endedAt"]), (3, 2000))
