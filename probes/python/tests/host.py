"""A stand-in for the extension's endpoint: collects the frames each probed process sends."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PROBES_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
TOKEN = "ab" * 32


class FakeHost:
    def __init__(self):
        self._dir = tempfile.mkdtemp(prefix="clens-test-")
        self.path = os.path.join(self._dir, "probe.sock")
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(64)
        self._lock = threading.Lock()
        self.connections = []  # one list of frames per connection
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            frames = []
            with self._lock:
                self.connections.append(frames)
            threading.Thread(target=self._read, args=(conn, frames), daemon=True).start()

    def _read(self, conn, frames):
        with conn, conn.makefile("rb") as stream:
            for line in stream:
                frames.append(json.loads(line.decode("utf-8")))

    def env(self, **extra):
        env = dict(os.environ)
        env["PYTHONPATH"] = PROBES_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["CONCURRENCY_LENS_ADDRESS"] = "unix:" + self.path
        env["CONCURRENCY_LENS_TOKEN"] = TOKEN
        env.update(extra)
        return env

    def processes(self):
        """{pid: frames} for every connection that said hello."""
        with self._lock:
            return {frames[0]["pid"]: frames for frames in self.connections if frames and frames[0]["kind"] == "hello"}

    def wait_for(self, condition, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self._server.close()
        try:
            os.unlink(self.path)
            os.rmdir(self._dir)
        except OSError:
            pass


def run_probed(host, script, *args, cwd=None, **env):
    """Runs ``python -m concurrency_lens_probe script args`` like the extension does."""
    return subprocess.run(
        [sys.executable, "-m", "concurrency_lens_probe", script] + list(args),
        cwd=cwd, env=host.env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
    )


def start_probed(host, script, *args, **env):
    """Starts ``python -m concurrency_lens_probe script args`` in a session of its own (see stop)."""
    return subprocess.Popen(
        [sys.executable, "-m", "concurrency_lens_probe", script] + list(args),
        env=host.env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def stop(process):
    """Kills a program started by start_probed and every process it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate(timeout=10)


def latest(frames, kind):
    """The latest version of each entity of one kind, by name (tasks and threads) or id."""
    return {versions[-1].get("name", key): versions[-1] for key, versions in entities(frames, kind).items()}


def run_plain(script, *args, cwd=None):
    return subprocess.run([sys.executable, script] + list(args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)


def fixture(name):
    return os.path.join(FIXTURES, name)


def entities(frames, kind):
    """Every version of every entity of one kind seen in snapshots and deltas, by id (latest wins)."""
    seen = {}
    for frame in frames:
        if frame["kind"] == "snapshot":
            items = frame.get(kind, [])
        elif frame["kind"] == "delta":
            items = frame.get("upsert", {}).get(kind, [])
        else:
            continue
        for item in items:
            seen.setdefault(item["id"], []).append(item)
    return seen
