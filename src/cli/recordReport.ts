/** What `record` says at the end of a run: the summary as text or JSON (version 1). */
import type { SystemCall } from '../core/probe/protocol';
import type { HeldCondition } from '../core/runs/failConditions';
import type { BlockedEvent, ExitStatus, RunModel } from '../core/runs/runModel';
import { blockingFrame, formatDuration, isLibraryFile, signalName, systemCallWords } from '../core/runs/treeShape';

/** Blocked loops (and GIL holds) listed one by one in the text summary; the rest are counted. */
const BLOCKS_LISTED = 20;

interface BlockSummary {
  readonly pid: number;
  readonly loopId: string;
  readonly durationMs: number;
  readonly file?: string;
  readonly line?: number;
  readonly function?: string;
  /** The system call a held thread slept in (Linux), when no line could be had or beside it. */
  readonly systemCall?: SystemCall;
}

export interface RecordSummary {
  readonly version: 1;
  readonly command: readonly string[];
  readonly exit: { readonly code?: number; readonly signal?: string; readonly error?: string };
  readonly durationMs: number;
  readonly processes: number;
  readonly threads: number;
  readonly tasks: { readonly created: number; readonly failed: number; readonly cancelled: number };
  readonly blockedLoops: readonly BlockSummary[];
  /** Python threads that held the GIL inside C code, so that nothing else in their process ran (their loop, if any, with them). */
  readonly gilHolds: readonly (BlockSummary & { readonly thread: string })[];
  readonly failOn: readonly HeldCondition[];
}

export function recordSummary(model: RunModel, command: readonly string[], exit: ExitStatus & { error?: string }, startedAt: number, held: readonly HeldCondition[]): RecordSummary {
  const summary = model.summary();
  return {
    version: 1,
    command,
    exit: { ...(exit.exitCode !== undefined ? { code: exit.exitCode } : {}), ...(exit.signal !== undefined ? { signal: exit.signal } : {}), ...(exit.error !== undefined ? { error: exit.error } : {}) },
    durationMs: Math.max(0, (model.outcome?.endedAt ?? Date.now()) - startedAt),
    processes: summary.processes,
    threads: summary.threads,
    tasks: { created: summary.tasksCreated, failed: summary.tasksFailed, cancelled: summary.tasksCancelled },
    blockedLoops: model.blockedEvents().filter((event) => !event.gil).map(blockSummary),
    gilHolds: model.blockedEvents().filter((event) => event.gil).map((event) => ({
      ...blockSummary(event), thread: model.threadName(event.pid, event.threadId) ?? event.threadId,
    })),
    failOn: held,
  };
}

function blockSummary(event: BlockedEvent): BlockSummary {
  const frame = blockingFrame(event.stack, (file) => !isLibraryFile(file));
  return {
    pid: event.pid, loopId: event.loopId, durationMs: Math.round(event.durationMs),
    ...(frame ? { file: frame.file, line: frame.line, ...(frame.function ? { function: frame.function } : {}) } : {}),
    ...(event.systemCall ? { systemCall: event.systemCall } : {}),
  };
}

function blockWhere(block: BlockSummary): string {
  const line = block.file !== undefined ? `at ${block.file}:${block.line}${block.function ? ` (${block.function})` : ''}` : undefined;
  const call = block.systemCall ? systemCallWords(block.systemCall) : undefined;
  return `${[line, call].filter(Boolean).join(', ') || 'at an unknown place'}, pid ${block.pid}`;
}

export function textSummary(summary: RecordSummary): string {
  const ended = summary.exit.error !== undefined ? `could not start: ${summary.exit.error}`
    : summary.exit.signal !== undefined ? `ended by ${signalName(summary.exit.signal)}`
      : `exited with code ${summary.exit.code ?? '?'}`;
  const lines = [
    `concurrency-lens: ${summary.command.join(' ')} — ${ended} after ${formatDuration(summary.durationMs)}`,
    `  ${summary.processes} process(es), ${summary.threads} thread(s), ${summary.tasks.created} task(s) created, ${summary.tasks.failed} failed, ${summary.tasks.cancelled} cancelled`,
    `  ${summary.blockedLoops.length} blocked event loop(s)${summary.blockedLoops.length > 0 ? ':' : ''}`,
    ...summary.blockedLoops.slice(0, BLOCKS_LISTED).map((block) => `    ${formatDuration(block.durationMs)} ${blockWhere(block)}`),
    ...(summary.blockedLoops.length > BLOCKS_LISTED ? [`    … and ${summary.blockedLoops.length - BLOCKS_LISTED} more`] : []),
    ...(summary.gilHolds.length > 0 ? [`  ${summary.gilHolds.length} GIL hold(s) in C code (nothing else in the process ran):`] : []),
    ...summary.gilHolds.slice(0, BLOCKS_LISTED).map((hold) => `    ${formatDuration(hold.durationMs)} by ${hold.thread} ${blockWhere(hold)}`),
    ...(summary.gilHolds.length > BLOCKS_LISTED ? [`    … and ${summary.gilHolds.length - BLOCKS_LISTED} more`] : []),
    ...summary.failOn.flatMap((held) => [`  --fail-on ${held.id}: held (${held.cases.length})`, ...held.cases.slice(0, BLOCKS_LISTED).map((line) => `    ${line}`)]),
  ];
  return `${lines.join('\n')}\n`;
}
