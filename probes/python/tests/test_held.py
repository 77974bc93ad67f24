import os
import re
import signal
import time
import unittest

from .host import FakeHost, entities, fixture, start_probed, stop


class HeldGilTest(unittest.TestCase):
    """A thread that holds the GIL inside C code keeps the probe's own thread from running: the probe
    falls silent, and says in its hello how the host gets every thread's stack then (a signal, and
    the file faulthandler writes them to from C, read through /proc)."""

    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def _silent_process(self, *args):
        """Starts gil_held.py; once one of its probes has been silent for a second, its frames."""
        program = start_probed(self.host, fixture("gil_held.py"), *args, GIL_HELD_LENGTH="28")
        self.addCleanup(stop, program)
        wanted = 2 if args else 1

        def silent():
            processes = self.host.processes()
            if len(processes) < wanted:
                return None
            frames = max(processes.values(), key=lambda frames: frames[0]["t"])
            samples = [frame for frame in frames if frame["kind"] in ("snapshot", "delta")]
            # Its first samples taken, then nothing for a second (5 samples a second otherwise).
            if len(samples) >= 2 and time.time() * 1000 - samples[-1]["t"] > 1000:
                return frames
            return None

        self.assertTrue(self.host.wait_for(lambda: silent() is not None, timeout=20))
        return silent()

    def _dump(self, hello):
        path = "/proc/%d/fd/%d" % (hello["pid"], hello["stackDump"]["fd"])
        size = os.path.getsize(path)
        os.kill(hello["pid"], hello["stackDump"]["signal"])
        self.assertTrue(self.host.wait_for(lambda: os.path.getsize(path) > size, timeout=5))
        time.sleep(0.1)
        with open(path) as dump:
            dump.seek(size)
            return dump.read()

    def test_a_thread_holding_the_gil_silences_the_probe_and_its_stack_can_be_dumped(self):
        frames = self._silent_process()
        hello = frames[0]
        self.assertEqual(hello["silentAtMostMs"], 2000)
        self.assertGreater(hello["stackDump"]["signal"], 0)
        threads = {thread["name"]: thread for thread in (versions[-1] for versions in entities(frames, "threads").values())}
        text = self._dump(hello)
        stacks = _parse(text)
        main = stacks[threads["MainThread"]["ident"]]
        self.assertIn(("gil_held.py", 17, "backtrack"), [(os.path.basename(file), line, name) for file, line, name in main], text)
        ticker = stacks[threads["ticker"]["ident"]]
        self.assertIn(("gil_held.py", 13, "tick"), [(os.path.basename(file), line, name) for file, line, name in ticker], text)

    def test_a_forked_child_dumps_into_a_file_of_its_own(self):
        frames = self._silent_process("fork")
        child = frames[0]
        parent = next(frames for frames in self.host.processes().values() if frames[0]["pid"] != child["pid"])[0]
        self.assertEqual(child["ppid"], parent["pid"])
        text = self._dump(child)
        self.assertIn("in backtrack", text)
        parent_dump = "/proc/%d/fd/%d" % (parent["pid"], parent["stackDump"]["fd"])
        self.assertEqual(os.path.getsize(parent_dump), 0, "the parent's file has none of the child's dump")


def _parse(text):
    """faulthandler's dump: {thread ident: [(file, line, function), …]} (most recent call first)."""
    stacks = {}
    current = None
    for line in text.splitlines():
        header = re.match(r"^(?:Current thread|Thread) 0x([0-9a-f]+)", line)
        if header:
            current = stacks.setdefault(int(header.group(1), 16), [])
            continue
        frame = re.match(r'^  File "(.*)", line (\d+) in (.+)$', line)
        if frame and current is not None:
            current.append((frame.group(1), int(frame.group(2)), frame.group(3)))
    return stacks


if __name__ == "__main__":
    unittest.main()
