"""The probe's connection to the host: the endpoint from the environment and a bounded queue of
frames that the program never waits for (docs/probe-protocol.md)."""
import collections
import json
import socket
import threading
import time

PROTOCOL_VERSION = 1
ENV_ADDRESS = "CONCURRENCY_LENS_ADDRESS"
ENV_TOKEN = "CONCURRENCY_LENS_TOKEN"

#: Frames waiting to be sent; beyond this the oldest are dropped (the program never waits for us).
BUFFER_FRAMES = 512
#: At exit, the time allowed to write grows with what is left to write, at this pace (bytes a second;
#: the host reads tens of MB a second), up to EXIT_WRITE_MAX_SECONDS in all: the last trace frames of
#: a busy traced program are megabytes, and one cut short is lost whole.
EXIT_WRITE_BYTES_PER_SECOND = 4 * 1024 * 1024
EXIT_WRITE_MAX_SECONDS = 5.0
#: The host's limit on one frame (src/core/probe/endpoint.ts MAX_FRAME_BYTES): it drops a longer one.
MAX_FRAME_BYTES = 4 * 1024 * 1024
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)
#: Whether ``send_nowait`` can write here.
SENDS_WITHOUT_WAITING = bool(_DONTWAIT)


def now_ms():
    return time.time() * 1000.0


def parse_address(text):
    if text.startswith("unix:") and len(text) > 5:
        return socket.AF_UNIX, text[5:]
    if text.startswith("tcp:"):
        host, _, port = text[4:].rpartition(":")
        if host in ("127.0.0.1", "[::1]") and port.isdigit():
            return (socket.AF_INET, (host, int(port))) if host == "127.0.0.1" else (socket.AF_INET6, ("::1", int(port)))
    return None


class Connection:
    """The socket to the host and a bounded queue of frames. ``put`` never blocks: a full queue
    drops its oldest frame. The probe's thread writes the queue after each of its rounds; at exit
    the program's thread does, bounded in time, so a host that stops reading never holds it."""

    def __init__(self, address, hello):
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._frames = collections.deque()
        self._dropped_since_sent = 0
        self.dropped_total = 0
        self._seq = 0
        self._address = address
        self._hello = hello
        self._socket = None
        #: What a write that could not wait left of its bytes (see send_nowait).
        self._unsent = b""
        self.closed = False

    def put(self, frame):
        """Queues a frame: a dict, or one already made into JSON by ``encode``."""
        with self._queue_lock:
            if self.closed:
                return
            if len(self._frames) >= BUFFER_FRAMES:
                self._frames.popleft()
                self._dropped_since_sent += 1
                self.dropped_total += 1
            self._frames.append(frame)

    def send(self, timeout=None):
        """Connects and says hello the first time, then writes every queued frame in one write:
        each write gives up the GIL, and taking it back from a busy program costs it a wake-up.
        With a timeout (at exit), gives up rather than wait longer than it and the time the bytes
        take at EXIT_WRITE_BYTES_PER_SECOND. False once there is no host."""
        if not self._write_lock.acquire(timeout=-1 if timeout is None else timeout):
            return not self.closed
        try:
            if self._socket is None and not self.closed:
                self._socket = self._connect(timeout)
            data = self._take_data()
            if data:
                if timeout is not None:
                    self._socket.settimeout(min(EXIT_WRITE_MAX_SECONDS, timeout + len(data) / EXIT_WRITE_BYTES_PER_SECOND))
                self._socket.sendall(data)
            return not self.closed
        except (OSError, ValueError):
            self._close()
            return False
        finally:
            self._write_lock.release()

    def send_nowait(self):
        """On a program's thread (an event loop's): writes what the socket takes now, without ever
        waiting, and keeps the rest for the next write. True when nothing is left for ``send``
        (also once there is no host), False when the probe's thread should write the rest."""
        if not SENDS_WITHOUT_WAITING or self._socket is None or not self._write_lock.acquire(False):
            return self.closed
        try:
            data = self._take_data()
            if data:
                try:
                    sent = self._socket.send(data, _DONTWAIT)
                except BlockingIOError:
                    sent = 0
                self._unsent = data[sent:]
            return not self._unsent
        except (OSError, ValueError):
            self._close()
            return True
        finally:
            self._write_lock.release()

    def _take_data(self):
        """What is left to write (with the write lock): the bytes a write left, then every queued frame."""
        with self._queue_lock:
            if self.closed:
                return b""
            batch = list(self._frames)
            self._frames.clear()
            dropped, self._dropped_since_sent = self._dropped_since_sent, 0
        unsent, self._unsent = self._unsent, b""
        if not batch:
            return unsent
        return b"".join([unsent, self._encode(batch[0], dropped)] + [self._encode(frame) for frame in batch[1:]])

    def _close(self):
        """The host is gone (or never came): the program runs on, unobserved."""
        with self._queue_lock:
            self.closed = True
            self._frames.clear()

    def _connect(self, timeout):
        family, target = self._address
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(target)
        sock.sendall(self._encode(self._hello))
        return sock

    def _encode(self, frame, dropped=0):
        """The frame's line: its JSON with its sequence number (and the count of frames dropped
        before it) spliced in, so that a frame the sampler encoded to measure is not encoded twice."""
        body = frame if type(frame) is bytes else encode(frame)
        fields = ',"seq":%d,"dropped":%d}\n' % (self._seq, dropped) if dropped else ',"seq":%d}\n' % self._seq
        self._seq += 1
        return body[:-1] + fields.encode("ascii")


def encode(frame):
    """A frame (a dict, never empty) as JSON, without its sequence number."""
    # Frames are trees the probe builds itself: no cycles to check for (half the encoding time).
    return json.dumps(frame, separators=(",", ":"), default=str, check_circular=False).encode("utf-8", "replace")
