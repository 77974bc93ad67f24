import * as path from 'node:path';
import { heldSystemCall, sleepsInSystemCall } from '../attach/systemCall';
import type { BlockedFrame, HelloFrame, SourceLocation, SystemCall } from '../probe/protocol';
import type { ProbeLogger } from '../probe/server';
import { isStopped } from './processTree';
import type { RunModel } from './runModel';
import { isRuntimeInternal } from './treeShape';

/**
 * A probe announces how long it stays silent at most (its hello's `silentAtMostMs`); silent this
 * many times longer (and at least SILENT_MIN_MS), the thread it needs is held and cannot say so.
 */
export const SILENT_MIN_MS = 3000;
const SILENT_FACTOR = 1.5;

export interface HeldThreadsOptions {
  readonly logger: ProbeLogger;
  /**
   * Whether a held Node.js main thread's line is looked up through its inspector, opened for the
   * moment (not in a debug session, whose debugger owns it). A Python thread's comes from a stack
   * dump (see src/core/attach/gilHolder), which no debugger minds.
   */
  readonly useInspector: boolean;
  /** Applies a blocked frame made for a probe, if it counts (not during a debugger's pause); whether it did. */
  readonly report: (pid: number, frame: BlockedFrame) => boolean;
}

/** A held thread, as reported: which loop's block it is (`gil:<threadId>` for a thread without one). */
interface Hold {
  readonly loopId: string;
  readonly threadId: string;
  readonly gil: boolean;
  readonly stack: SourceLocation[];
  /** The system call it sleeps in, where no stack can be had (a blocking read: see attach/systemCall). */
  readonly systemCall?: SystemCall;
  /** Python: the holder's `threading.get_ident()`. */
  readonly ident?: number;
}

/** A thread the probe had not described when it took the GIL goes by its ident until the probe does. */
const UNKNOWN_THREAD_PREFIX = 'ident:';

interface WatchedProbe {
  readonly pid: number;
  readonly runtime: HelloFrame['runtime']['name'];
  readonly silentAfterMs: number;
  readonly stackDump: HelloFrame['stackDump'];
  /** When it was last heard from (host clock). */
  heardAt: number;
  /** Its held thread's place was looked up during this silence. */
  located: boolean;
  /** What this silence was reported as, once known. */
  hold?: Hold;
  /** Holders reported under a provisional id, until the probe describes them. */
  unnamed: { readonly provisionalId: string; readonly ident: number }[];
  /** A Node.js hold over when the probe was heard again, until its own report ends it (see heard). */
  unconfirmedEnd?: { readonly hold: Hold; readonly durationMs: number; readonly heardAt: number };
}

/** How long a Node.js probe heard again gets to report the block it was held in before the host ends it. */
const CONFIRM_END_MS = 1000;

/** GIL holds that ended, kept to recognise the probe's own late reports of them. */
const ENDED_HOLDS_KEPT = 100;

/**
 * Speaks for the probes that cannot, for one run. A Node.js probe runs on its process's main
 * thread: silent, that thread is held (an endless loop, `Atomics.wait`, a long synchronous call),
 * which is an ongoing block of its loop from when the probe was last heard; its line is looked up
 * through the inspector, and the probe's own report, once the thread comes back, replaces it. A
 * Python probe has a thread of its own, which only a thread holding the GIL in C code keeps
 * silent: the holder (the thread using a CPU meanwhile) and its line come from a stack dump, its
 * hold is reported as a block of its loop (or `gil:<threadId>`) and ended when the probe is heard
 * again — the probe's own reports of the same block, made once it ran again with stacks taken
 * after the fact, are left out.
 */
export class HeldThreads {
  private readonly probes = new Map<number, WatchedProbe>();
  private readonly endedHolds: { readonly pid: number; threadId: string; readonly start: number; readonly end: number }[] = [];

  constructor(private readonly model: RunModel, private readonly options: HeldThreadsOptions) {}

  /** A probe said hello on connection `id`. */
  watch(id: number, hello: HelloFrame, now = Date.now()): void {
    if (hello.silentAtMostMs === undefined) return;
    this.probes.set(id, {
      pid: hello.pid, runtime: hello.runtime.name, silentAfterMs: Math.max(SILENT_MIN_MS, hello.silentAtMostMs * SILENT_FACTOR),
      stackDump: hello.stackDump, heardAt: now, located: false, unnamed: [],
    });
  }

  /**
   * Connection `id` sent a frame: a hold reported for it is over. Its end is reported once that
   * frame is applied (`apply`), which may describe a thread that held the GIL as it started.
   */
  heard(id: number, apply: () => void, now = Date.now()): void {
    const probe = this.probes.get(id);
    if (!probe) return apply();
    const { hold } = probe;
    const silentSince = probe.heardAt;
    probe.heardAt = now;
    probe.located = false; // back: a later hold is another
    probe.hold = undefined;
    if (hold?.gil) {
      // Its end, made here: the probe's own report of it would carry a stack taken after the fact.
      this.endedHolds.push({ pid: probe.pid, threadId: hold.threadId, start: silentSince, end: now });
      if (this.endedHolds.length > ENDED_HOLDS_KEPT) this.endedHolds.shift();
      this.options.report(probe.pid, this.frame(hold, now - silentSince, false));
      if (hold.threadId.startsWith(UNKNOWN_THREAD_PREFIX) && hold.ident !== undefined) probe.unnamed.push({ provisionalId: hold.threadId, ident: hold.ident });
    } else if (hold) {
      // The Node.js probe reports the block itself as its thread comes back, unless it finds none
      // (the machine, not the program, held it): then it ends here, as long as it was silent.
      probe.unconfirmedEnd = { hold, durationMs: now - silentSince, heardAt: now };
    }
    apply();
    if (probe.unnamed.length > 0) this.nameThreads(probe);
  }

  /** Ends a Node.js hold that its probe, heard again, has not reported itself (see heard). */
  private endUnconfirmed(probe: WatchedProbe): void {
    const { hold, durationMs } = probe.unconfirmedEnd!;
    probe.unconfirmedEnd = undefined;
    const stillOngoing = this.model.blockedEvents().some((event) => event.pid === probe.pid && event.loopId === hold.loopId && event.ongoing);
    if (stillOngoing) this.options.report(probe.pid, this.frame(hold, durationMs, false));
  }

  /** Names the holders that had no name when they held the GIL, once the probe describes them. */
  private nameThreads(probe: WatchedProbe): void {
    const threads = [...this.model.process(probe.pid)?.entities.thread.values() ?? []];
    probe.unnamed = probe.unnamed.filter(({ provisionalId, ident }) => {
      const thread = threads.find((candidate) => candidate.info.ident === ident);
      if (!thread) return true;
      this.model.renameBlockedThread(probe.pid, provisionalId, thread.info.id);
      for (const hold of this.endedHolds) if (hold.pid === probe.pid && hold.threadId === provisionalId) hold.threadId = thread.info.id;
      return false;
    });
  }

  closed(id: number): void {
    this.probes.delete(id);
  }

  /** Whether a probe's own report of a block is one already reported as a GIL hold of that thread. */
  repeatsGilHold(pid: number, frame: BlockedFrame): boolean {
    const start = frame.t - frame.durationMs;
    return this.endedHolds.some((hold) => hold.pid === pid && hold.threadId === frame.threadId && hold.start <= frame.t && hold.end >= start);
  }

  /** Reports the probes silent past their limit, and looks up where once per silence. */
  check(now = Date.now()): void {
    for (const [id, probe] of this.probes) {
      if (probe.unconfirmedEnd && now - probe.unconfirmedEnd.heardAt >= CONFIRM_END_MS) this.endUnconfirmed(probe);
      const silentMs = now - probe.heardAt;
      // A stopped process (SIGSTOP, Ctrl+Z, a tracer) holds no thread: it is not running at all.
      if (silentMs < probe.silentAfterMs || isStopped(probe.pid)) continue;
      if (probe.runtime === 'node') {
        probe.hold ??= { loopId: 'loop-main', threadId: 'main', gil: false, stack: [] };
        if (!this.options.report(probe.pid, this.frame(probe.hold, silentMs, true))) continue;
        if (!probe.located) {
          probe.located = true;
          const syncCall = this.syncChildProcessCall(probe.pid);
          if (syncCall) {
            // Held in C++ until the child ends, where the inspector cannot run: the probe said where
            // beforehand (the system call it sleeps in, waiting for that child, would add nothing).
            probe.hold = { ...probe.hold, stack: [syncCall] };
            this.options.report(probe.pid, this.frame(probe.hold, silentMs, true));
          } else if (sleepsInSystemCall(probe.pid)) {
            // In a blocking read or the like: the signal that opens the inspector would make it fail with EINTR.
            this.noteSystemCall(probe, silentMs);
          } else if (this.options.useInspector) void this.locateNodeMainThread(id, probe);
        }
      } else if (probe.hold) {
        this.options.report(probe.pid, this.frame(probe.hold, silentMs, true));
      } else if (!probe.located && probe.stackDump) {
        probe.located = true;
        void this.locateGilHolder(id, probe, probe.stackDump);
      }
    }
  }

  private frame(hold: Hold, durationMs: number, ongoing: boolean): BlockedFrame {
    return {
      kind: 'blocked', seq: 0, t: Date.now(), loopId: hold.loopId, threadId: hold.threadId, durationMs, stack: hold.stack, ongoing,
      ...(hold.gil ? { gil: true } : {}), ...(hold.systemCall ? { systemCall: hold.systemCall } : {}),
    };
  }

  /**
   * A Node.js main thread asleep in a system call (a read of a pipe nobody writes, an open() of a
   * named pipe with no writer): what it waits in, since the inspector cannot run there either.
   */
  private noteSystemCall(probe: WatchedProbe, silentMs: number): void {
    const systemCall = heldSystemCall(probe.pid);
    if (!systemCall || !probe.hold) return;
    probe.hold = { ...probe.hold, systemCall };
    this.options.report(probe.pid, this.frame(probe.hold, silentMs, true));
  }

  /** Whether the silence that `probe` was in when a lookup began still goes on. */
  private stillSilent(id: number, probe: WatchedProbe): boolean {
    return probe.located && this.probes.get(id) === probe;
  }

  /** Where a Node.js main thread said it called a synchronous child process (probes/node/lib/syncCalls.cjs), while it waits for it. */
  private syncChildProcessCall(pid: number): SourceLocation | undefined {
    const wait = this.model.process(pid)?.entities.thread.get('main')?.info.wait;
    return wait?.kind === 'subprocess' ? wait.at : undefined;
  }

  /** The held main thread's line, from its inspector (loaded on first use: see src/core/attach/heldThread). */
  private async locateNodeMainThread(id: number, probe: WatchedProbe): Promise<void> {
    const { heldMainThreadStack } = await import('../attach/heldThread');
    const stack = await heldMainThreadStack(probe.pid);
    if (!stack || stack.length === 0 || !this.stillSilent(id, probe) || !probe.hold) return;
    this.options.logger.info(`pid ${probe.pid}: its main thread is held at ${stack.at(-1)!.file}:${stack.at(-1)!.line}`);
    probe.hold = { ...probe.hold, stack };
    this.options.report(probe.pid, this.frame(probe.hold, Date.now() - probe.heardAt, true));
  }

  /** The Python thread holding the GIL and its stack (see src/core/attach/gilHolder). */
  private async locateGilHolder(id: number, probe: WatchedProbe, dump: NonNullable<HelloFrame['stackDump']>): Promise<void> {
    const { gilHolder } = await import('../attach/gilHolder');
    const holder = await gilHolder(probe.pid, dump);
    if (!holder || !this.stillSilent(id, probe)) return;
    const record = this.model.process(probe.pid);
    const threads = [...(record?.entities.thread.values() ?? [])].filter((thread) => thread.live).map((thread) => thread.info);
    // The thread using a CPU; failing that (held inside a system call), the program's only thread.
    const thread = threads.find((candidate) => candidate.nativeId !== undefined && candidate.nativeId === holder.busyTid)
      ?? (holder.busyTid === undefined && threads.length === 1 ? threads[0] : undefined);
    // A busy thread the probe has not sampled yet (it took the GIL as it started): the one thread of
    // the dump that the probe does not know (its own thread's stack is all probe frames: empty).
    const unknown = [...holder.stacks].filter(([ident, stack]) => stack.length > 0 && !threads.some((known) => known.ident === ident));
    const ident = thread ? thread.ident : holder.busyTid !== undefined && unknown.length === 1 ? unknown[0]![0] : undefined;
    const stack = ident !== undefined ? holder.stacks.get(ident) : undefined;
    if (ident === undefined || !stack || stack.length === 0) {
      this.options.logger.info(`pid ${probe.pid}: silent, but no thread holding the GIL was found`);
      return;
    }
    const cwd = record?.cwd;
    const located = stack.map((frame) => (cwd && !path.isAbsolute(frame.file) && !isRuntimeInternal(frame.file) ? { ...frame, file: path.resolve(cwd, frame.file) } : frame));
    // An unknown thread goes by its ident until the probe names it (see heard).
    const threadId = thread?.id ?? `${UNKNOWN_THREAD_PREFIX}${ident}`;
    const loop = [...(record?.entities.loop.values() ?? [])].find((candidate) => candidate.live && candidate.info.threadId === threadId);
    probe.hold = { loopId: loop?.info.id ?? `gil:${threadId}`, threadId, gil: true, stack: located, ident };
    this.options.logger.info(`pid ${probe.pid}: thread ${thread?.name ?? ident} holds the GIL at ${located.at(-1)!.file}:${located.at(-1)!.line}`);
    this.options.report(probe.pid, this.frame(probe.hold, Date.now() - probe.heardAt, true));
  }
}
