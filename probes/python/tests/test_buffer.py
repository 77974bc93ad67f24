import os
import socket
import tempfile
import unittest

from concurrency_lens_probe import _probe


class BoundedBufferTest(unittest.TestCase):
    """A host that stops reading never makes the program wait: the oldest frames are dropped."""

    def test_drops_oldest_frames_and_counts_them_when_the_host_stalls(self):
        directory = tempfile.mkdtemp()
        path = os.path.join(directory, "stalled.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        self.addCleanup(lambda: (server.close(), os.unlink(path), os.rmdir(directory)))
        sender = _probe._Sender((socket.AF_UNIX, path), {"kind": "hello"})
        payload = "x" * 4096
        for index in range(20 * _probe.BUFFER_FRAMES):
            sender.put({"kind": "delta", "t": index, "padding": payload})
        self.assertLessEqual(len(sender._frames), _probe.BUFFER_FRAMES)
        self.assertGreater(sender.dropped_total, 0)
        newest = sender._frames[-1]["t"] if sender._frames else None
        self.assertEqual(newest, 20 * _probe.BUFFER_FRAMES - 1)
        sender.close_after_fork()


if __name__ == "__main__":
    unittest.main()
