"""The probe's one thread: it watches the event loops, samples the process's state within a CPU
budget, and sends what changed since the previous sample (or a full snapshot). While a loop runs
(default mode), the loop's heartbeat takes the samples instead, on the loop's thread."""
import _thread
import time

from ._transport import MAX_FRAME_BYTES, SENDS_WITHOUT_WAITING, encode, now_ms

#: How often the sampler wakes, at most, while the process runs a loop: in trace mode and with the
#: task factory (to drain what they record), and while a loop is blocked (finished tasks are let go
#: of at each wake). Otherwise it wakes at samples and when a loop could first be late past the
#: blocked threshold (its next beat's due time plus the threshold), which on Linux a kernel timer
#: the beats push back watches without waking it (see _alarm): each wake takes the GIL from the
#: program, at a cost to a busy asyncio program far above the wake's own work.
TICK_SECONDS = 0.05
#: A process's first sample comes this soon after its probe connects (one tick), so that a program's
#: structure shows within a fraction of a second of its start; a process forked from another (its
#: memory shared with its parent until it writes) waits a whole period, as before its next ones.
FIRST_SAMPLE_SECONDS = 0.05
#: During its first second, a process's structure changing (a thread, an event loop or a child
#: process starting) brings the next sample forward to the next tick: a program sets itself up
#: then, and a short one is over soon after.
STARTUP_SECONDS = 1.0
#: ... and how often it samples threads and tasks (5 Hz; CONCURRENCY_LENS_SAMPLE_MS), stretched when
#: sampling gets expensive so that it never takes more than SAMPLING_SHARE of the time. Each wake takes the GIL from the
#: program, so the sampler sleeps through ticks it does not need.
SAMPLE_SECONDS = 0.2
SAMPLING_SHARE = 0.01
MAX_SAMPLE_SECONDS = 2.0
#: What describing, comparing and sending one task or thread costs before the first sample has
#: measured it (CPython 3.12 on a 2 GHz server core: ~10 us), for the first sample's budget.
INITIAL_COST_PER_UNIT = 10e-6
#: A sample taken on a loop's thread (see Sampler) holds that loop for its whole duration, where the
#: probe's thread would let the loop run at every switch interval of the GIL (5 ms): one expected to
#: take longer (a program with hundreds of tasks) is left to the probe's thread.
LOOP_SAMPLE_MAX_SECONDS = 0.005
#: A full snapshot now and then, so a host that missed frames converges.
SNAPSHOT_EVERY_SAMPLES = 25

ENTITY_SETS = ("threads", "tasks", "loops", "children")
#: A sample's frame stays under this many bytes, well under the host's limit: beyond, the tasks least
#: worth seeing are left out and counted on their loop (``tasksUnlisted``).
FRAME_BUDGET_BYTES = MAX_FRAME_BYTES // 2


class Sampler:
    """What the probe's thread keeps between its rounds, for one process (a forked child starts a
    new one). In the default mode, while an event loop runs, the samples are taken by its beats, on
    its thread, which holds the GIL already: the probe's thread would have to take it from the loop
    (see _alarm). It takes them itself when no loop runs, or none beats in time (a blocked one)."""

    def __init__(self, probe):
        self._probe = probe
        self.ident = None
        #: This thread's CPU time so far (s), as of its latest round.
        self.thread_cpu = 0.0
        self.samples = 0
        self._seen_dropped = 0
        self._previous = {kind: {} for kind in ENTITY_SETS}
        #: The loops' beats take the samples (see sample_on_loop): not in trace mode nor with the
        #: task factory, whose records the probe's thread drains before each sample.
        self._loops_sample = SENDS_WITHOUT_WAITING and probe.tracer is None and not probe.lifecycle
        #: Samples may be taken once the probe's thread has said hello.
        self._connected = False
        self._last_sample = self._next_sample = time.monotonic()
        self.max_period = max(MAX_SAMPLE_SECONDS, probe.sample_seconds)
        self._cost_per_unit = INITIAL_COST_PER_UNIT
        self._release_cpu = 0.0

    def run(self):
        """The probe's thread: connects, then watches the loops at each tick, samples, and sends."""
        try:
            self._run()
        finally:
            self.thread_cpu = time.thread_time()

    def _run(self):
        probe = self._probe
        connection = probe.connection
        self.ident = _thread.get_ident()
        if not connection.send():
            return  # no host: nobody to tell
        # The first sample comes at the first tick (a forked child's after a whole period: see
        # FIRST_SAMPLE_SECONDS); the budget below applies to it as to every other.
        self._last_sample = time.monotonic()
        self._next_sample = self._last_sample + probe.first_sample_after
        self._connected = True
        release_due = False
        while not probe.stopped:
            try:
                first_late = probe.check_loops()
                if probe.drain_trace():
                    release_due = True  # the tasks that ended are described with their last step's end
                now = time.monotonic()
                signal_workers_at = probe.signal_grown_workers(now)
                if probe.structure_changed:
                    probe.structure_changed = False
                    self._next_sample = min(self._next_sample, max(now, self._last_sample + FIRST_SAMPLE_SECONDS) + TICK_SECONDS)
                sampled = self._sample_if_due(now, connection.send, True)
                if sampled is None:
                    return
                if sampled:
                    release_due = True
                elif release_due or probe.has_young_tasks():
                    cpu = time.thread_time()
                    with probe.sample_lock:
                        if probe.stopped:
                            return
                        # While tasks keep finishing, keep letting go of them at each tick.
                        release_due = probe.release_finished_tasks() > 0
                    self._release_cpu += time.thread_time() - cpu
                if connection.closed:
                    return
                connection.send()  # a blocked loop's report, at once
                now = time.monotonic()
                due = now + self.max_period
                if first_late is None or not self._loop_may_sample():
                    due = min(due, self._next_sample)
                if signal_workers_at is not None:
                    due = min(due, signal_workers_at)
                if first_late is not None and (probe.tracer is not None or probe.lifecycle):
                    due = now + TICK_SECONDS
            except Exception:
                due = time.monotonic() + TICK_SECONDS  # a probe bug must never surface in the program: tick on
            self.thread_cpu = time.thread_time()
            # Also wakes when a loop could first be late; a loop that starts meanwhile wakes it at
            # once (loop_running), so none goes unwatched.
            probe.alarm.wait(due)

    def sample_on_loop(self, busy):
        """From a loop's beat, on its thread (``busy``: the loop has other callbacks ready to run):
        the sample, if one is due and expected to be short. What the socket does not take at once,
        the probe's thread writes."""
        if not (self._connected and self._loops_sample) or time.monotonic() < self._next_sample:
            return
        if self._loop_may_sample():
            self._sample_if_due(time.monotonic(), self._send_from_loop, False, busy)
        else:
            self._probe.alarm.wake()  # too long a sample to hold the loop for: the probe's thread's

    def _loop_may_sample(self):
        return self._connected and self._loops_sample and self._cost_per_unit * self._probe.count_units() <= LOOP_SAMPLE_MAX_SECONDS

    def _send_from_loop(self):
        if not self._probe.connection.send_nowait():
            self._probe.alarm.wake()

    def _sample_if_due(self, now, send, wait, loop_busy=None):
        """Samples and sends (``send``) if a sample is due and the budget allows it (``wait``: for
        another thread's sample to end; ``loop_busy``: see sample). Whether it did; None once the
        probe has stopped."""
        if now < self._next_sample:
            return False
        probe = self._probe
        # The budget, before the fact: a sample costs about the same per task and thread as the
        # previous one did, and comes only once the time since the previous one makes that
        # SAMPLING_SHARE of it.
        units = probe.count_units()
        allowed_at = self._last_sample + min(self.max_period, self._cost_per_unit * units / SAMPLING_SHARE)
        if now < allowed_at:
            self._next_sample = allowed_at
            return False
        # CPU time of this thread: waiting for the GIL is not our cost.
        cpu = time.thread_time()
        if not probe.sample_lock.acquire(wait):
            return False
        try:
            if probe.stopped:
                return None
            if now < self._next_sample:
                return False  # taken meanwhile, on another thread
            self.sample(loop_busy)
            self._last_sample = now
            self._next_sample = now + probe.sample_seconds
        finally:
            probe.sample_lock.release()
        send()
        # Sampling and sending, and letting go of the previous sample's tasks. The first sample's
        # cost is mostly one-off (first encoding, first send): the budget learns from the ones after it.
        if self.samples > 1:
            self._cost_per_unit = (time.thread_time() - cpu + self._release_cpu) / units
        self._release_cpu = 0.0
        return True

    def sample(self, loop_busy=None):
        """Describes the process, compares it with the previous sample and queues the frame
        (``loop_busy``: taken on a loop's thread, whether that loop has callbacks ready to run)."""
        t = now_ms()
        current = self._probe.describe(t, loop_busy)
        connection = self._probe.connection
        snapshot = self.samples % SNAPSHOT_EVERY_SAMPLES == 0 or connection.dropped_total != self._seen_dropped
        self._seen_dropped = connection.dropped_total
        self.samples += 1
        upsert, remove, signatures = {}, {}, {}
        for kind, entities in current.items():
            before = self._previous[kind]
            kept = signatures[kind] = {}
            changed = []
            for key, entity in entities.items():
                if "endedAt" in entity:
                    # Sent once with its final state, never compared again.
                    changed.append(entity)
                    continue
                signature = kept[key] = signature_of(entity)
                if before.get(key) != signature:
                    changed.append(entity)
            gone = [key for key in before if key not in entities]
            if changed:
                upsert[kind] = changed
            if gone:
                remove[kind] = gone
        if snapshot:
            frame = {"kind": "snapshot", "t": t}
            for kind, entities in current.items():
                frame[kind] = list(entities.values())
            listed = frame
        else:
            # Sent even when nothing changed: it tells the host the state it has held since is
            # still what the probe sees (a thread that has waited on a lock for a second, say).
            frame = {"kind": "delta", "t": t}
            if upsert:
                frame["upsert"] = upsert
            if remove:
                frame["remove"] = remove
            listed = upsert
        encoded = encode(frame)
        if len(encoded) > FRAME_BUDGET_BYTES and listed.get("tasks"):
            # What the host holds after this frame: a snapshot replaces it all, a delta updates it.
            _unlist_tasks(listed, len(encoded), current["loops"], signatures, {} if snapshot else self._previous["tasks"])
            encoded = encode(frame)
        self._previous = signatures
        connection.put(encoded)


def _unlist_tasks(listed, frame_bytes, loops, signatures, host_has):
    """Leaves out of a frame (``listed``: the snapshot, or a delta's upserts) the tasks least worth
    seeing until it fits FRAME_BUDGET_BYTES, and counts them on their loop, which is listed too.
    Kept first: the pending tasks that wait on something, then the running ones, the other pending
    ones, the failed and cancelled ones that finished, the rest. For a task left out, the comparison
    keeps what the host holds (``host_has``: the signatures it was last sent), so the next sample
    lists it if it can, and its removal when it is gone."""
    tasks = listed["tasks"]
    sizes = [len(encode(task)) + 1 for task in tasks]
    room = FRAME_BUDGET_BYTES - (frame_bytes - sum(sizes))
    kept = []
    unlisted = {}
    for index in sorted(range(len(tasks)), key=lambda index: _rank(tasks[index])):
        task = tasks[index]
        if sizes[index] <= room:
            room -= sizes[index]
            kept.append(task)
            continue
        unlisted[task["loopId"]] = unlisted.get(task["loopId"], 0) + 1
        if task["id"] in host_has:
            signatures["tasks"][task["id"]] = host_has[task["id"]]
        else:
            signatures["tasks"].pop(task["id"], None)
    listed["tasks"] = kept
    listed_loops = {loop["id"]: loop for loop in listed.get("loops", ())}
    for loop_id, count in unlisted.items():
        loop = loops.get(loop_id)
        if loop is None:
            continue  # a task whose loop has stopped: counted nowhere
        loop["tasksUnlisted"] = loop.get("tasksUnlisted", 0) + count
        signatures["loops"][loop_id] = signature_of(loop)
        if loop_id not in listed_loops:
            listed.setdefault("loops", []).append(loop)


def _rank(task):
    if "endedAt" in task:
        return 4 if task["state"] == "done" else 3
    if task["state"] == "running":
        return 1
    return 0 if "wait" in task else 2


def signature_of(entity):
    """What the next sample compares an entity with: a number, not the entity, because what the
    probe keeps between samples is traversed by every full collection of the program's garbage
    collector (entities nest dicts, which it never stops tracking). A collision would delay an
    update until the next snapshot."""
    return hash(tuple([(key, _frozen(value) if type(value) in _NESTED else value) for key, value in entity.items()]))


_NESTED = (dict, list)


def _frozen(value):
    kind = type(value)
    if kind is dict:
        return tuple([(key, _frozen(item) if type(item) in _NESTED else item) for key, item in value.items()])
    if kind is list:
        return tuple([_frozen(item) if type(item) in _NESTED else item for item in value])
    return value
