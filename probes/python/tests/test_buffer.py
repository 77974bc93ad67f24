import json
import os
import socket
import tempfile
import threading
import time
import unittest

from concurrency_lens_probe import _transport


def listening_host(test):
    """A Unix socket the test's host listens on (removed after the test): (server socket, path)."""
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "host.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    test.addCleanup(lambda: (server.close(), os.unlink(path), os.rmdir(directory)))
    return server, path


class StalledHostTest(unittest.TestCase):
    """A host that stops reading never makes the program wait: the oldest frames are dropped, and
    the exit frame is given up on after a bounded time."""

    def setUp(self):
        _, path = listening_host(self)
        self.connection = _transport.Connection((socket.AF_UNIX, path), {"kind": "hello"})
        self.addCleanup(lambda: self.connection._socket is not None and self.connection._socket.close())

    def test_drops_oldest_frames_and_counts_them(self):
        payload = "x" * 4096
        for index in range(20 * _transport.BUFFER_FRAMES):
            self.connection.put({"kind": "delta", "t": index, "padding": payload})
        self.assertEqual(len(self.connection._frames), _transport.BUFFER_FRAMES)
        self.assertEqual(self.connection.dropped_total, 19 * _transport.BUFFER_FRAMES)
        self.assertEqual(self.connection._frames[-1]["t"], 20 * _transport.BUFFER_FRAMES - 1)

    def test_exit_write_gives_up_while_the_probe_thread_is_stuck_writing(self):
        payload = "x" * 65536
        for index in range(_transport.BUFFER_FRAMES):
            self.connection.put({"kind": "delta", "t": index, "padding": payload})
        # The probe's thread writes 32 MB to a host that never reads: it blocks there.
        stuck = threading.Thread(target=self.connection.send, daemon=True)
        stuck.start()
        time.sleep(0.2)
        self.assertTrue(stuck.is_alive())
        self.connection.put({"kind": "exit", "t": 0})
        started = time.monotonic()
        self.connection.send(0.3)
        self.assertLess(time.monotonic() - started, 2.0)



class SlowHostTest(unittest.TestCase):
    """At exit, megabytes still to write (a traced program's last frames) reach a host that reads
    them at a few MB a second: the time allowed grows with the bytes, so none is cut short."""

    def test_exit_write_of_megabytes_to_a_slow_reader_arrives_whole(self):
        server, path = listening_host(self)
        received = []

        def read_slowly():
            peer, _ = server.accept()
            with peer:
                while True:
                    chunk = peer.recv(256 * 1024)  # ~8 MB a second
                    if not chunk:
                        return
                    received.append(chunk)
                    time.sleep(0.03)

        reader = threading.Thread(target=read_slowly, daemon=True)
        reader.start()
        connection = _transport.Connection((socket.AF_UNIX, path), {"kind": "hello"})
        payload = "x" * (1024 * 1024)
        for index in range(3):
            connection.put({"kind": "trace", "t": index, "padding": payload})
        self.assertTrue(connection.send(0.3))
        connection._socket.close()
        reader.join(10)
        lines = b"".join(received).split(b"\n")
        self.assertEqual(len(lines), 5, "hello, three frames, and nothing after the last newline")
        self.assertEqual([len(line) > 1024 * 1024 for line in lines[1:4]], [True, True, True])


class WriteWithoutWaitingTest(unittest.TestCase):
    """A loop's thread writes its samples without ever waiting: what the host's socket cannot take
    now is kept, and written first, in order, by the next write (the probe's thread's)."""

    def connect(self):
        """A connection that has said hello to a host, and the host's side of it."""
        server, path = listening_host(self)
        connection = _transport.Connection((socket.AF_UNIX, path), {"kind": "hello"})
        self.addCleanup(lambda: connection._socket.close())
        self.assertTrue(connection.send())
        peer, _ = server.accept()
        self.addCleanup(peer.close)
        return connection, peer

    def test_bytes_left_by_a_write_that_cannot_wait_come_first_and_whole(self):
        connection, peer = self.connect()
        payload = "x" * (1024 * 1024)
        for index in range(8):  # 8 MB: more than a Unix socket's buffer holds
            connection.put({"kind": "delta", "t": index, "padding": payload})
        started = time.monotonic()
        self.assertFalse(connection.send_nowait(), "the host reads nothing yet: bytes are left")
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertTrue(connection._unsent)
        connection.put({"kind": "delta", "t": 8})
        received = []
        reader = threading.Thread(target=lambda: received.extend(iter(lambda: peer.recv(1 << 20), b"")), daemon=True)
        reader.start()
        self.assertTrue(connection.send())
        connection._socket.shutdown(socket.SHUT_WR)
        reader.join(10)
        lines = [line for line in b"".join(received).split(b"\n") if line]
        self.assertEqual(len(lines), 10, "hello and nine frames")
        frames = [json.loads(line) for line in lines[1:]]
        self.assertEqual([frame["t"] for frame in frames], list(range(9)))
        self.assertEqual([frame["seq"] for frame in frames], list(range(1, 10)))
        self.assertEqual(connection._unsent, b"")

    def test_a_write_that_cannot_wait_leaves_nothing_when_the_host_takes_it_all(self):
        connection, peer = self.connect()
        connection.put({"kind": "delta", "t": 0})
        self.assertTrue(connection.send_nowait())
        data = b""
        while data.count(b"\n") < 2:
            data += peer.recv(1 << 16)
        self.assertEqual(json.loads(data.split(b"\n")[1])["t"], 0)


if __name__ == "__main__":
    unittest.main()
