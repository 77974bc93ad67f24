import os
import unittest

from .host import FakeHost, FIXTURES, fixture, run_plain, run_probed


class TransparencyTest(unittest.TestCase):
    """The program behaves exactly as without the probe."""

    def setUp(self):
        self.host = FakeHost()
        self.addCleanup(self.host.close)

    def assertSameRun(self, *args, cwd=None, script=None):
        script = script or fixture("transparency.py")
        plain = run_plain(script, *args, cwd=cwd)
        probed = run_probed(self.host, script, *args, cwd=cwd)
        self.assertEqual(probed.returncode, plain.returncode)
        self.assertEqual(probed.stdout.decode(), plain.stdout.decode())
        self.assertEqual(probed.stderr.decode(), plain.stderr.decode())
        return probed

    def test_name_argv_path_and_relative_imports(self):
        result = self.assertSameRun("a", "--flag")
        self.assertIn("name __main__", result.stdout.decode())
        self.assertIn("helper 42", result.stdout.decode())

    def test_relative_script_path(self):
        self.assertSameRun("x", cwd=FIXTURES, script="transparency.py")

    def test_exit_code(self):
        self.assertEqual(self.assertSameRun("--exit", "3").returncode, 3)

    def test_uncaught_exception_traceback(self):
        result = self.assertSameRun("--raise")
        self.assertEqual(result.returncode, 1)
        self.assertIn("ValueError: boom", result.stderr.decode())

    def test_reports_exit_code_to_host(self):
        run_probed(self.host, fixture("transparency.py"), "--exit", "3")
        self.assertTrue(self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames)))
        frames = next(iter(self.host.processes().values()))
        self.assertEqual(frames[0]["argv"], [fixture("transparency.py"), "--exit", "3"])
        self.assertEqual(frames[-1], dict(frames[-1], kind="exit", exitCode=3))

    def test_runs_without_a_host(self):
        script = fixture("transparency.py")
        plain = run_plain(script, "a")
        self.host.close()
        orphaned = run_probed(self.host, script, "a")
        self.assertEqual((orphaned.returncode, orphaned.stdout, orphaned.stderr), (plain.returncode, plain.stdout, plain.stderr))

    def test_a_child_forked_in_a_deleted_directory_is_followed_silently(self):
        self.assertSameRun(script=fixture("deleted_cwd.py"))
        self.assertTrue(self.host.wait_for(lambda: len(self.host.processes()) >= 2))
        hellos = [frames[0] for frames in self.host.processes().values()]
        self.assertTrue(any("cwd" not in hello and hello["argv"][:1] == [fixture("deleted_cwd.py")] for hello in hellos), hellos)

    def test_sequence_numbers_count_from_hello(self):
        run_probed(self.host, fixture("transparency.py"))
        self.host.wait_for(lambda: any(f["kind"] == "exit" for frames in self.host.processes().values() for f in frames))
        frames = next(iter(self.host.processes().values()))
        self.assertEqual([frame["seq"] for frame in frames], list(range(len(frames))))
        self.assertEqual(frames[0]["token"], "ab" * 32)


if __name__ == "__main__":
    unittest.main()
