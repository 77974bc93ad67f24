/**
 * The probe ↔ host wire protocol: one schema for the Python and the Node.js probe, defined once
 * here as zod schemas (types are inferred from them) and documented in docs/probe-protocol.md.
 *
 * Transport: the extension listens on a Unix socket in a private 0700 directory (loopback TCP
 * where that is impossible) and passes its address and a random 256-bit token to the program
 * through the environment (never argv). Each probed process connects out and writes UTF-8,
 * newline-delimited JSON frames of at most MAX_FRAME_BYTES. The first frame must be `hello` with
 * the right token (compared in constant time); anything else closes the connection.
 *
 * State model: each process is a set of entities (threads, tasks, loops, children) keyed by id.
 * A `snapshot` frame replaces the process's state; `delta` frames upsert and remove entities.
 * A probe sends a snapshot first and may send one again at any time (e.g. after dropping frames).
 * Every frame carries `seq` (per connection, +1 each frame) and `t` (ms since the Unix epoch, the
 * probe's clock); `dropped` counts frames the probe's bounded buffer discarded since the last one.
 * Times in entities are the same ms-since-epoch clock.
 *
 * Supervisors: the small program that starts a monitored command (in a terminal, or the `record`
 * command line) connects too, with a hello whose `role` is `supervisor`. It describes no state of
 * its own: it reports the program it started (`spawn`, at once, so the run's root is known before
 * any probe speaks) and how that program ended (`reaped`, from waitpid: the exit code or signal
 * even when no probe could send one).
 */
import { z } from 'zod';

export {
  ENV_ADDRESS, ENV_BLOCKED_THRESHOLD_MS, ENV_TOKEN, formatProbeAddress, MAX_FRAME_BYTES, parseProbeAddress, type ProbeAddress, PROTOCOL_VERSION,
} from './endpoint';

const id = z.string().min(1).max(200);
const text = z.string().max(4000);
const time = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

export const sourceLocationSchema = z.object({
  file: z.string().max(4096),
  line: z.number().int().positive(),
  function: text.optional(),
});
export type SourceLocation = z.infer<typeof sourceLocationSchema>;

/** Innermost frame last, like a Python traceback. */
export const stackSchema = z.array(sourceLocationSchema).max(200);

/**
 * One frame of a waiting thread's or task's own code, with the lock-like objects it names by the
 * expression that names them (`accounts`, `self.journal` → object identity): the host tells from
 * the syntax tree which of them the frame holds (it is inside `with <expression>:`).
 */
export const stackFrameSchema = sourceLocationSchema.extend({
  objects: z.record(z.string().max(200), z.string().max(200)).optional(),
});
export type StackFrame = z.infer<typeof stackFrameSchema>;

/** What a thread or task can wait on. A kind a newer probe reports that this host does not know reads as `other`. */
export const WAIT_KINDS = [
  'lock', 'condition', 'event', 'semaphore', 'barrier', 'join', 'queue-get', 'queue-put', 'queue-join', 'future', 'futures-wait',
  'process-join', 'pipe-recv', 'pipe-send', 'subprocess', 'socket', 'select', 'input', 'io', 'sleep', 'task', 'gather', 'shield',
  'timeout', 'executor', 'stream', 'pool-idle', 'loop-idle', 'atomics', 'top-level-await', 'other',
] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** What a waiting thread or task waits on, as far as the probe can tell from its frames. */
export const waitSchema = z.object({
  kind: z.enum(WAIT_KINDS).catch('other'),
  /** The API it waits in, e.g. `Lock.acquire`, `Queue.get`, `Thread.join`, `asyncio.sleep`. */
  call: text.optional(),
  /** Identity of the object waited on within its process (`o7f…`), matching `StackFrame.objects`. */
  object: id.optional(),
  /** The variable or attribute that holds it where the program waits, e.g. `journal`, `self.tasks`. */
  name: text.optional(),
  /** Its type, e.g. `lock`, `RLock`, `Queue`. */
  type: text.optional(),
  /** The thread that holds the lock (an RLock's owner), the thread joined, or the pool thread running the awaited work. */
  threadId: id.optional(),
  /** The tasks awaited: another task, a gather's or TaskGroup's children, what a shield or wait_for wraps. */
  taskIds: z.array(id).max(1000).optional(),
  /** The process waited for (`Process.join`, `Popen.wait`). */
  pid: z.number().int().positive().optional(),
  /** A pipe from that process is full and nobody reads it: it cannot finish writing, so it cannot exit. */
  pipeFull: z.boolean().optional(),
  /** When the wait ends by itself (a sleep, a timeout), ms since the epoch. */
  until: time.optional(),
  /** A sleep's length in seconds, when the probe knows it but not its end. */
  seconds: z.number().finite().nonnegative().optional(),
  /** It has a timeout whose end the probe does not know: it ends by itself. */
  timed: z.boolean().optional(),
  /** Since when the probe has seen it wait on this, at every sample. */
  since: time,
  /** Where in the program's own code it waits (the line of the `with`, `acquire()`, `await`…). */
  at: sourceLocationSchema.optional(),
});
export type WaitInfo = z.infer<typeof waitSchema>;

/** What a process is for, when the runtime knows (e.g. a `multiprocessing` pool worker); free text for names the host does not know. */
const role = z.string().min(1).max(100);

export const runtimeSchema = z.object({
  name: z.enum(['python', 'node']),
  version: text,
  /** e.g. "CPython", "CPython free-threaded", "V8". */
  implementation: text.optional(),
  executable: z.string().max(4096).optional(),
});
export type Runtime = z.infer<typeof runtimeSchema>;

export const threadSchema = z.object({
  id,
  /** `main` is the process's main thread; `worker` a Node worker_threads Worker. */
  kind: z.enum(['main', 'thread', 'worker']),
  name: text,
  state: z.enum(['running', 'waiting', 'blocked', 'exited']),
  daemon: z.boolean().optional(),
  nativeId: z.number().int().optional(),
  /** Python's `threading.get_ident()`: how a stack dump (see the hello's `stackDump`) names the thread. */
  ident: z.number().int().nonnegative().optional(),
  location: sourceLocationSchema.optional(),
  startedAt: time,
  endedAt: time.optional(),
  exitCode: z.number().int().optional(),
  /** Node Worker resourceLimits, as given to the constructor. */
  resourceLimits: z.record(z.string(), z.number()).optional(),
  /** The thread that started this one, when that is not the main thread (a Worker started in a Worker). */
  parentThreadId: id.optional(),
  /** What it waits on, when it waits. */
  wait: waitSchema.optional(),
  /** Its own code's frames, outermost first, while some thread of its process waits on a lock whose owner is unknown. */
  stack: z.array(stackFrameSchema).max(200).optional(),
});
export type ThreadInfo = z.infer<typeof threadSchema>;

export const taskSchema = z.object({
  id,
  /** The thread whose event loop runs the task. */
  threadId: id,
  loopId: id,
  name: text,
  /** Qualified name of the coroutine, e.g. `fetch` or `Client.get`. */
  coroutine: text,
  state: z.enum(['pending', 'running', 'done', 'cancelled', 'failed']),
  /** `ExceptionType: message` of a failed task. */
  exception: text.optional(),
  suspendedAt: sourceLocationSchema.optional(),
  /** What it awaits, when knowable (e.g. `sleep`, `Task-7`, `Queue.get`). */
  awaiting: text.optional(),
  /** Where a failed task's exception was raised: the innermost frame of the program's own code in its traceback. */
  raisedAt: sourceLocationSchema.optional(),
  parentId: id.optional(),
  createdAt: sourceLocationSchema.optional(),
  /** When the probe first saw it, and when it saw it finish. */
  startedAt: time,
  endedAt: time.optional(),
  /** What a pending task awaits: a lock, a queue, a sleep, other tasks (`wait.taskIds`)… */
  wait: waitSchema.optional(),
  /** The coroutines it is suspended in, outermost first, while some task of its loop waits on a lock. */
  stack: z.array(stackFrameSchema).max(200).optional(),
  /** Who cancelled a cancelled task, when known: where `cancel()` was called, by which task or thread, with which message. */
  cancelledBy: z.object({
    at: sourceLocationSchema.optional(),
    taskId: id.optional(),
    /** The cancelling task's name, when the probe has no id for it. */
    taskName: text.optional(),
    threadId: id.optional(),
    message: text.optional(),
  }).optional(),
});
export type TaskInfo = z.infer<typeof taskSchema>;

/** What a handle that keeps a process alive is. A kind a newer probe reports that this host does not know reads as `other`. */
export const HANDLE_KINDS = ['timer', 'interval', 'server', 'socket', 'child', 'worker', 'message-port', 'stdin', 'other'] as const;
export type HandleKind = (typeof HANDLE_KINDS)[number];

/** One thing that keeps a process alive while its loop waits (Node: a referenced handle or timer). */
export const aliveHandleSchema = z.object({
  kind: z.enum(HANDLE_KINDS).catch('other'),
  /** The runtime's name for a handle of kind `other` (e.g. `FSWatcher`). */
  type: text.optional(),
  /** A timer's delay or an interval's period, in ms. */
  delayMs: z.number().finite().nonnegative().optional(),
  /** A server's listening address, a socket's peer (`host:port` or a pipe's path). */
  address: text.optional(),
  /** A child process (or the child at the other end of a pipe). */
  pid: z.number().int().positive().optional(),
  command: text.optional(),
  /** A child whose output the program never reads: its pipe is full, the child blocks writing to it. */
  pipeFull: z.boolean().optional(),
  /** A Worker: its thread's id, matching a `thread` entity. */
  threadId: id.optional(),
  /** This many alike that the probe counts but does not describe (e.g. short timers). */
  count: z.number().int().positive().optional(),
  /** The line of the program that created it, where the probe knows it. */
  at: sourceLocationSchema.optional(),
});
export type AliveHandle = z.infer<typeof aliveHandleSchema>;

export const loopSchema = z.object({
  id,
  threadId: id,
  /**
   * The loop's largest scheduling lag since the previous sample, in ms (how late its heartbeat ran;
   * while the loop is blocked, how late the overdue beat is). Blocks are measured by the same beats.
   */
  lagMs: z.number().finite().nonnegative(),
  /** Node: event-loop utilisation 0..1 over the last sample. */
  utilization: z.number().min(0).max(1).optional(),
  /** Node: active handles and requests by type (`process.getActiveResourcesInfo()`). */
  resources: z.record(z.string(), count).optional(),
  /** What can wake the loop while it waits: its timers, watched file descriptors, signal handlers, ready callbacks. */
  wakers: z.object({
    timers: count,
    nextTimerAt: time.optional(),
    readers: count,
    writers: count,
    signals: count,
    ready: count,
  }).optional(),
  /**
   * Node: once the main script has run and the loop only waits, since when it has (ms since the
   * epoch) and what keeps the process alive: each referenced handle, with the line that created it.
   * Absent while the loop works.
   */
  idleSince: time.optional(),
  keptAliveBy: z.array(aliveHandleSchema).max(100).optional(),
  /** Handles that keep it alive beyond those listed. */
  keptAliveByMore: count.optional(),
  /** Finished tasks the probe only counted, by outcome (more ended at once than it describes one by one). */
  tasksUnreported: z.object({ done: count, failed: count, cancelled: count }).optional(),
  /** Its tasks the last sample left out (more than one frame holds): counted, not described. */
  tasksUnlisted: count.optional(),
});
export type LoopInfo = z.infer<typeof loopSchema>;

/** A child process started by this process, whether or not it runs a probe itself. */
export const childSchema = z.object({
  id,
  pid: z.number().int().positive().optional(),
  command: text,
  /** The name the program gave it (`multiprocessing` Process.name, e.g. `SpawnPoolWorker-1`). */
  name: text.optional(),
  /** What it is for: `pool-worker`, `process` (a `multiprocessing` Process), `subprocess`… */
  role: role.optional(),
  startedAt: time,
  endedAt: time.optional(),
  exitCode: z.number().int().optional(),
  signal: text.optional(),
});
export type ChildInfo = z.infer<typeof childSchema>;

const entitySets = {
  threads: z.array(threadSchema).max(100_000).optional(),
  tasks: z.array(taskSchema).max(100_000).optional(),
  loops: z.array(loopSchema).max(10_000).optional(),
  children: z.array(childSchema).max(10_000).optional(),
};
const removals = z.array(id).max(100_000).optional();

const envelope = {
  seq: count,
  t: time,
  dropped: count.optional(),
};

const argvSchema = z.array(z.string().max(4096)).max(1000);

export const helloFrameSchema = z.object({
  ...envelope,
  kind: z.literal('hello'),
  token: z.string().min(1).max(200),
  protocol: z.number().int(),
  /** `probe` (the default): a probed process describing itself; `supervisor`: see the header. */
  role: z.enum(['probe', 'supervisor']).optional(),
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative(),
  runtime: runtimeSchema,
  argv: argvSchema,
  cwd: z.string().max(4096).optional(),
  startedAt: time,
  /** What this process is for, when it knows better than its argv says (`resource-tracker`, `fork-server`, `spawn-worker`). */
  processRole: role.optional(),
  /**
   * The probe sends a frame at least this often while the thread it runs on can: silent much longer,
   * that thread is held (a Node.js main thread that does not get back to its loop, a Python thread
   * holding the GIL in C code), and the host speaks for it.
   */
  silentAtMostMs: z.number().int().positive().max(600_000).optional(),
  /**
   * Python: `signal` (a real-time one: only those are accepted) makes the process write every thread's stack (faulthandler's format) to its open
   * file descriptor `fd` (the file whose inode is `inode`: a descriptor the program closed and reused
   * is left alone), readable through /proc, without needing the GIL.
   */
  stackDump: z.object({ signal: z.number().int().min(32).max(64), fd: z.number().int().nonnegative().max(1 << 20), inode: z.number().int().nonnegative() }).optional(),
});

export const snapshotFrameSchema = z.object({ ...envelope, kind: z.literal('snapshot'), ...entitySets });

export const deltaFrameSchema = z.object({
  ...envelope,
  kind: z.literal('delta'),
  upsert: z.object(entitySets).optional(),
  remove: z.object({ threads: removals, tasks: removals, loops: removals, children: removals }).optional(),
});

/** An event loop that did not get back to its scheduler for longer than the threshold. */
/**
 * The system call a held thread sleeps in (Linux), as the host read it from /proc: its name
 * (`read`, `openat`…), and the file it is about when one of its arguments names one — a path, or
 * `fd 0 (stdin)` for a descriptor with no path — with what that file is.
 */
export const systemCallSchema = z.object({
  name: text,
  file: z.string().max(4096).optional(),
  fileKind: z.enum(['pipe', 'fifo', 'socket', 'terminal', 'file']).optional(),
});
export type SystemCall = z.infer<typeof systemCallSchema>;

export const blockedFrameSchema = z.object({
  ...envelope,
  kind: z.literal('blocked'),
  loopId: id,
  threadId: id,
  durationMs: z.number().finite().nonnegative(),
  /** The stack of the loop's thread while it was blocked (innermost last), when obtainable. */
  stack: stackSchema,
  /** True while the loop is still blocked (a later frame reports the final duration). */
  ongoing: z.boolean().optional(),
  /**
   * Python: the thread held the GIL in C code meanwhile, so no other thread of its process ran. A
   * thread without an event loop reports it with `loopId` `gil:<threadId>`.
   */
  gil: z.boolean().optional(),
  /** Made by the host for a held thread asleep in a system call: what it waits in (no stack can say). */
  systemCall: systemCallSchema.optional(),
});

export const exitFrameSchema = z.object({
  ...envelope,
  kind: z.literal('exit'),
  exitCode: z.number().int().optional(),
  signal: text.optional(),
  /** What observing the process cost it, as its probe counted its own work (CPU ms; see docs/probe-protocol.md). */
  probeCpuMs: z.number().finite().nonnegative().optional(),
  /** The process's CPU time when it exited (ms): what `probeCpuMs` is a part of. */
  cpuMs: z.number().finite().nonnegative().optional(),
});

/** One callback that held a loop long (trace mode): its name and the line it ran to. */
export const slowCallbackSchema = z.object({
  durationMs: z.number().finite().nonnegative(),
  start: time,
  /** e.g. `fetch-3 (fetch)` for a task's step, `Protocol.data_received` for a plain callback. */
  callback: text,
  location: sourceLocationSchema.optional(),
  taskId: id.optional(),
});
export type SlowCallback = z.infer<typeof slowCallbackSchema>;

/**
 * Trace mode: every callback one event loop ran since the previous trace frame, as columns (callback
 * `i` started at `start[i]`, ms since the epoch, and ran `duration[i]` ms, stepping task `task[i]`,
 * or `''` for a callback of no task), and the slowest of them.
 */
export const traceFrameSchema = z.object({
  ...envelope,
  kind: z.literal('trace'),
  loopId: id,
  threadId: id,
  start: z.array(z.number().finite()).max(1_000_000),
  duration: z.array(z.number().finite().nonnegative()).max(1_000_000),
  /**
   * Python: `start` and `duration` are whole microseconds, `start` counted from `since` (ms since
   * the epoch) — integers cost the probe far less to make and encode than rounded milliseconds.
   * Absent: both in ms, `start` since the epoch.
   */
  microseconds: z.object({ since: time }).optional(),
  task: z.array(z.string().max(200)).max(1_000_000),
  slow: z.array(slowCallbackSchema).max(100).optional(),
}).refine((frame) => frame.start.length === frame.duration.length && frame.start.length === frame.task.length, { message: 'start, duration and task differ in length' });

/** Supervisor: it started the program (the root of the run). */
export const spawnFrameSchema = z.object({
  ...envelope,
  kind: z.literal('spawn'),
  pid: z.number().int().positive(),
  argv: argvSchema,
  cwd: z.string().max(4096).optional(),
  startedAt: time,
});

/** Supervisor: the program it started has ended (`t` is when), or could not start (no `pid`; `error` says why). */
export const reapedFrameSchema = z.object({
  ...envelope,
  kind: z.literal('reaped'),
  pid: z.number().int().positive().optional(),
  exitCode: z.number().int().optional(),
  signal: text.optional(),
  error: text.optional(),
});

export const probeFrameSchema = z.discriminatedUnion('kind', [
  helloFrameSchema, snapshotFrameSchema, deltaFrameSchema, blockedFrameSchema, exitFrameSchema, spawnFrameSchema, reapedFrameSchema, traceFrameSchema,
]);

/** The frames each kind of connection may send after its hello (others are dropped). */
export const FRAMES_BY_ROLE = {
  probe: ['snapshot', 'delta', 'blocked', 'exit', 'trace'],
  supervisor: ['spawn', 'reaped'],
} as const satisfies Record<'probe' | 'supervisor', readonly ProbeFrameKind[]>;

export type HelloFrame = z.infer<typeof helloFrameSchema>;
export type SnapshotFrame = z.infer<typeof snapshotFrameSchema>;
export type DeltaFrame = z.infer<typeof deltaFrameSchema>;
export type BlockedFrame = z.infer<typeof blockedFrameSchema>;
export type ExitFrame = z.infer<typeof exitFrameSchema>;
export type SpawnFrame = z.infer<typeof spawnFrameSchema>;
export type ReapedFrame = z.infer<typeof reapedFrameSchema>;
export type TraceFrame = z.infer<typeof traceFrameSchema>;
export type ProbeFrame = z.infer<typeof probeFrameSchema>;
export type ProbeFrameKind = ProbeFrame['kind'];

export type FrameResult = { ok: true; frame: ProbeFrame } | { ok: false; error: string };

/** Validates one decoded JSON value; never throws. The error names the first offending path. */
export function validateFrame(value: unknown): FrameResult {
  const result = probeFrameSchema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || '(frame)'}: ${issue.message}` : 'invalid frame' };
}
