"""A stand-in for the extension's endpoint: collects the frames each probed process sends."""
import json
import os
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
