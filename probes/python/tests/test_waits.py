"""What a waiting thread or task waits on, as the host needs it to say why a program is stuck."""
import unittest

from .host import FakeHost, entities, fixture, latest, run_probed, start_probed, stop


class WaitsTest(unittest.TestCase):
    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def observe_stuck(self, script, condition):
        """Runs a program that never ends until `condition(processes)` holds for what its probes sent."""
        process = start_probed(self.host, fixture(script))
        try:
            self.assertTrue(self.host.wait_for(lambda: condition(self.host.processes()), timeout=30), self.host.processes())
        finally:
            stop(process)
        return self.host.processes()

    def run_to_end(self, script):
        result = run_probed(self.host, fixture(script))
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        self.assertIn("done", result.stdout.decode())
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        return next(iter(self.host.processes().values()))

    def test_a_lock_order_inversion_names_each_lock_its_holder_can_be_found_by_and_how_long_it_has_waited(self):
        def settled(processes):
            frames = next(iter(processes.values()), [])
            threads = latest(frames, "threads")
            waits = [threads.get(name, {}).get("wait") for name in ("sync-1", "sync-2")]
            return all(wait and wait["kind"] == "lock" for wait in waits) and frames[-1]["t"] - waits[0]["since"] >= 1000

        frames = next(iter(self.observe_stuck("lock_order.py", settled).values()))
        threads = latest(frames, "threads")
        one, two = threads["sync-1"], threads["sync-2"]
        self.assertEqual((one["state"], two["state"]), ("waiting", "waiting"))
        # Each waits in `with self.<lock>:` at its inner line, for the lock the other's frame names.
        self.assertEqual((one["wait"]["name"], one["wait"]["at"]["line"], one["wait"]["at"]["function"]), ("self.journal", 14, "transfer"))
        self.assertEqual((two["wait"]["name"], two["wait"]["at"]["line"], two["wait"]["at"]["function"]), ("self.accounts", 20, "audit"))
        self.assertEqual(one["wait"]["call"], "Lock.acquire")
        self.assertNotIn("threadId", one["wait"])  # a plain Lock has no known owner ...
        # ... so every thread's frames come with the lock-like objects they name, for the host's `with` matching.
        self.assertEqual(two["stack"][-1]["objects"]["self.journal"], one["wait"]["object"])
        self.assertEqual(one["stack"][-1]["objects"]["self.accounts"], two["wait"]["object"])
        self.assertEqual([frame["line"] for frame in one["stack"]], [14])
        # The main thread joins sync-1.
        self.assertEqual(threads["MainThread"]["wait"]["kind"], "join")
        self.assertEqual(threads["MainThread"]["wait"]["threadId"], one["id"])
        # Since when: the same at every sample while the wait lasts, and every sample is sent.
        versions = [version["wait"]["since"] for version in entities(frames, "threads")[one["id"]] if version.get("wait", {}).get("kind") == "lock"]
        self.assertEqual(len(set(versions)), 1, versions)
        samples = [frame for frame in frames if frame["kind"] in ("snapshot", "delta")]
        self.assertGreaterEqual(len(samples), 5)

    def observe_coroutine_result_wait(self, script, thread_name):
        """What `thread_name` of `script` waits on once it waits for a coroutine it handed an event loop."""
        def settled(processes):
            threads = latest(next(iter(processes.values()), []), "threads")
            return threads.get(thread_name, {}).get("wait", {}).get("call") == "run_coroutine_threadsafe().result"

        return latest(next(iter(self.observe_stuck(script, settled).values())), "threads")[thread_name]["wait"]

    def test_a_loop_s_thread_waiting_for_a_coroutine_it_handed_its_own_loop_waits_for_itself(self):
        # The coroutine has not even started: the callback that starts it waits among the loop's ready ones.
        wait = self.observe_coroutine_result_wait("own_loop_result.py", "MainThread")
        self.assertEqual((wait["kind"], wait["threadId"], wait["at"]["line"]), ("future", "main", 12))

    def test_a_worker_waiting_for_a_coroutine_on_an_event_loop_waits_for_the_loop_s_thread(self):
        # The coroutine runs as a task of that loop, whose thread then joins the worker.
        wait = self.observe_coroutine_result_wait("loop_joins_worker.py", "worker")
        self.assertEqual((wait["kind"], wait["threadId"], wait["at"]["line"]), ("future", "main", 12))

    def test_an_await_cycle_names_the_tasks_each_awaits_and_the_loop_has_nothing_to_wake_it(self):
        def settled(processes):
            tasks = latest(next(iter(processes.values()), []), "tasks")
            return all(tasks.get(name, {}).get("wait", {}).get("kind") == "task" for name in ("first", "second"))

        frames = next(iter(self.observe_stuck("await_cycle.py", settled).values()))
        tasks = latest(frames, "tasks")
        self.assertEqual(tasks["first"]["wait"]["taskIds"], [tasks["second"]["id"]])
        self.assertEqual(tasks["second"]["wait"]["taskIds"], [tasks["first"]["id"]])
        self.assertEqual(tasks["first"]["wait"]["at"]["line"], 9)
        self.assertEqual(tasks["Task-1"]["wait"]["kind"], "gather")
        self.assertEqual(sorted(tasks["Task-1"]["wait"]["taskIds"]), sorted([tasks["first"]["id"], tasks["second"]["id"]]))
        loop = next(iter(latest(frames, "loops").values()))
        self.assertEqual(loop["wakers"], {"timers": 0, "readers": 0, "writers": 0, "signals": 0, "ready": 0})
        self.assertEqual(latest(frames, "threads")["MainThread"]["wait"]["kind"], "loop-idle")

    def test_threads_waiting_on_each_kind_of_thing(self):
        frames = self.run_to_end("thread_waits.py")
        # What each waited on at the last sample before it was released (the main thread: first on the future).
        seen = {}
        for versions in entities(frames, "threads").values():
            for version in versions:
                if "wait" in version and not (version["name"] == "MainThread" and version["wait"]["kind"] != "future"):
                    seen[version["name"]] = version["wait"]
        expected = {
            "event": ("event", "Event.wait", "release"), "condition": ("condition", "Condition.wait", "condition"),
            "semaphore": ("semaphore", "Semaphore.acquire", "semaphore"), "barrier": ("barrier", "Barrier.wait", "barrier"),
            "queue": ("queue-get", "Queue.get", "jobs"), "full-queue": ("queue-put", "Queue.put", "full"), "accept": ("socket", "socket.accept", None),
        }
        for name, (kind, call, variable) in expected.items():
            self.assertEqual((seen[name]["kind"], seen[name]["call"], seen[name].get("name")), (kind, call, variable), name)
        ids = {versions[-1]["name"]: versions[-1]["id"] for versions in entities(frames, "threads").values()}
        # An RLock knows its owner; a join knows whom; a future knows the pool thread running it.
        self.assertEqual((seen["owned-lock"]["kind"], seen["owned-lock"]["threadId"], seen["owned-lock"]["name"]), ("lock", ids["holder"], "owned"))
        self.assertEqual((seen["joiner"]["kind"], seen["joiner"]["threadId"]), ("join", ids["sleeper"]))
        self.assertEqual((seen["MainThread"]["kind"], seen["MainThread"]["call"], seen["MainThread"]["threadId"]), ("future", "Future.result", ids["pool_0"]))
        self.assertEqual((seen["sleeper"]["kind"], seen["sleeper"]["seconds"]), ("sleep", 2.5))
        # The pool thread waits on the event while it runs slow_work; sampled between jobs it is idle in the pool.
        pool_waits = [version["wait"]["kind"] for versions in entities(frames, "threads").values() for version in versions
                      if version["name"] == "pool_0" and "wait" in version]
        self.assertIn("event", pool_waits)
        self.assertLessEqual(set(pool_waits), {"event", "pool-idle"}, pool_waits)

    def test_tasks_awaiting_each_kind_of_thing(self):
        frames = self.run_to_end("task_waits.py")
        seen = {}
        ids = {}
        executor_waits = []
        for versions in entities(frames, "tasks").values():
            ids[versions[-1]["name"]] = versions[-1]["id"]
            for version in versions:
                if "wait" in version:
                    seen[version["name"]] = version
                    if version["wait"]["kind"] == "executor":
                        executor_waits.append(version["wait"])
        wait = lambda name: seen[name]["wait"]  # noqa: E731
        self.assertEqual((wait("holder")["kind"], wait("holder")["name"]), ("event", "release"))
        self.assertEqual(wait("on-lock")["kind"], "lock")
        # The lock's holder is the task whose frame is inside `async with lock:` naming that object.
        self.assertEqual(seen["holder"]["stack"][-1]["objects"]["lock"], wait("on-lock")["object"])
        self.assertEqual(wait("on-queue")["kind"], "queue-get")
        self.assertEqual(wait("on-event")["kind"], "event")
        self.assertEqual(wait("sleeper")["kind"], "sleep")
        self.assertGreater(wait("sleeper")["until"], wait("sleeper")["since"])
        threads = {versions[-1]["id"]: versions[-1]["name"] for versions in entities(frames, "threads").values()}
        # Work in the default executor's thread: asyncio_0 (ThreadPoolExecutor-0_0 before 3.9), once it runs there.
        running = [wait for wait in executor_waits if "threadId" in wait]
        self.assertTrue(running, executor_waits)
        self.assertRegex(threads[running[-1]["threadId"]], r"^(asyncio_|ThreadPoolExecutor-)\d", threads)
        self.assertEqual((wait("with-timeout")["kind"], wait("with-timeout")["taskIds"]), ("timeout", [ids["inner"]]))
        self.assertEqual((wait("gatherer")["kind"], sorted(wait("gatherer")["taskIds"])), ("gather", sorted([ids["gathered-0"], ids["gathered-1"]])))
        loops = [version for versions in entities(frames, "loops").values() for version in versions]
        self.assertTrue(any(loop.get("wakers", {}).get("timers", 0) >= 1 for loop in loops), loops)

    def test_a_process_joined_before_the_queue_it_fills_is_drained(self):
        def settled(processes):
            waits = [version.get("wait", {}) for frames in processes.values() for version in latest(frames, "threads").values()]
            return any(wait.get("kind") == "pipe-send" for wait in waits) and any(wait.get("kind") == "process-join" for wait in waits)

        processes = self.observe_stuck("join_before_drain.py", settled)
        parent = next(frames for frames in processes.values() if frames[0]["argv"][:1] == [fixture("join_before_drain.py")] and "processRole" not in frames[0])
        child_pid = next(pid for pid, frames in processes.items() if frames is not parent and frames[0]["ppid"] == parent[0]["pid"])
        main = latest(parent, "threads")["MainThread"]["wait"]
        self.assertEqual((main["kind"], main["call"], main["pid"], main["at"]["line"]), ("process-join", "Process.join", child_pid, 13))
        child = latest(processes[child_pid], "threads")
        feeder = child["QueueFeederThread"]
        self.assertEqual(feeder["wait"]["kind"], "pipe-send")
        self.assertEqual((child["MainThread"]["wait"]["kind"], child["MainThread"]["wait"]["threadId"]), ("join", feeder["id"]))

    def test_a_parent_in_os_waitpid_waits_for_the_child_it_names(self):
        def settled(processes):
            waits = [version.get("wait", {}) for frames in processes.values() for version in latest(frames, "threads").values()]
            return any(wait.get("kind") == "process-join" and "pid" in wait for wait in waits) and any(wait.get("kind") == "lock" for wait in waits)

        processes = self.observe_stuck("fork_lock.py", settled)
        parent = next(frames for frames in processes.values() if frames[0]["argv"][:1] == [fixture("fork_lock.py")] and frames[0]["ppid"] not in processes)
        child_pid = next(pid for pid, frames in processes.items() if frames is not parent and frames[0]["ppid"] == parent[0]["pid"])
        main = latest(parent, "threads")["MainThread"]["wait"]
        self.assertEqual((main["kind"], main["call"], main["pid"], main["at"]["line"]), ("process-join", "os.waitpid", child_pid, 22))
        self.assertEqual(latest(processes[child_pid], "threads")["MainThread"]["wait"]["kind"], "lock")

    def test_a_parent_waiting_for_a_child_whose_full_pipe_it_never_reads(self):
        def settled(processes):
            return any(version.get("wait", {}).get("pipeFull") for frames in processes.values() for version in latest(frames, "threads").values())

        frames = next(iter(self.observe_stuck("full_pipe.py", settled).values()))
        wait = latest(frames, "threads")["MainThread"]["wait"]
        self.assertEqual((wait["kind"], wait["call"], wait["at"]["line"]), ("subprocess", "Popen.wait", 5))
        child = next(iter(latest(frames, "children").values()))
        self.assertEqual(wait["pid"], child["pid"])


    def observe_full_pipe(self, script, kind):
        """The wait of the thread (kind "threads") or task ("tasks") of `script` that waits on a child whose output pipe is full."""
        def settled(processes):
            return any(version.get("wait", {}).get("pipeFull") for frames in processes.values() for version in latest(frames, kind).values())

        frames = next(iter(self.observe_stuck(script, settled).values()))
        child = next(iter(latest(frames, "children").values()))
        return next(version["wait"] for version in latest(frames, kind).values() if version.get("wait", {}).get("pipeFull")), child

    def test_a_thread_blocked_writing_a_child_s_input_while_the_child_s_output_is_full(self):
        wait, child = self.observe_full_pipe("pipe_both_ways.py", "threads")
        self.assertEqual((wait["kind"], wait["call"], wait["name"], wait["pid"], wait["at"]["line"]), ("subprocess", "Popen.stdin.write", "proc.stdin", child["pid"], 5))

    def test_a_task_waiting_for_a_child_whose_output_the_loop_stopped_reading(self):
        wait, child = self.observe_full_pipe("async_full_pipe.py", "tasks")
        self.assertEqual((wait["kind"], wait["pid"], wait["at"]["line"]), ("subprocess", child["pid"], 7))


    def test_a_thread_in_signal_pause_waits_for_a_signal(self):
        def settled(processes):
            return latest(next(iter(processes.values()), []), "threads").get("MainThread", {}).get("wait") is not None

        frames = next(iter(self.observe_stuck("signal_pause.py", settled).values()))
        wait = latest(frames, "threads")["MainThread"]["wait"]
        self.assertEqual((wait["kind"], wait["call"], wait["at"]["line"]), ("other", "signal.pause", 9))


if __name__ == "__main__":
    unittest.main()
