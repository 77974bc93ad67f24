import { z } from 'zod';
import {
  childSchema, loopSchema, runtimeSchema, slowCallbackSchema, stackSchema, systemCallSchema, taskSchema, threadSchema,
} from '../probe/protocol';

/**
 * The saved form of a whole run (see `RunModel.toRecording` / `RunModel.fromRecording`): plain
 * JSON, validated with this schema when read back, since a recording may come from a file.
 */
import { RECORDING_FORMAT, RECORDING_VERSION } from './recordingFormat';

export { RECORDING_FORMAT, RECORDING_VERSION };

const time = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

const intervalSchema = z.object({ state: z.string().max(100), start: time, end: time.optional() });
const tracked = <T extends z.ZodType>(info: T) =>
  z.object({ info, live: z.boolean(), history: z.array(intervalSchema).max(1000), droppedIntervals: count });

export const blockedEventSchema = z.object({
  pid: z.number().int().positive(),
  loopId: z.string().min(1).max(200),
  threadId: z.string().min(1).max(200),
  startedAt: z.number().finite(),
  durationMs: z.number().finite().nonnegative(),
  stack: stackSchema,
  ongoing: z.boolean(),
  gil: z.boolean().optional(),
  systemCall: systemCallSchema.optional(),
});

const lagHistorySchema = z.object({
  loopId: z.string().min(1).max(200),
  threadId: z.string().min(1).max(200),
  times: z.array(time).max(10_000),
  lagMs: z.array(z.number().finite().nonnegative()).max(10_000),
  droppedSamples: count,
}).refine((history) => history.times.length === history.lagMs.length, { message: 'times and lagMs differ in length' });

const loopTraceSchema = z.object({
  loopId: z.string().min(1).max(200),
  threadId: z.string().min(1).max(200),
  bucketStart: z.array(z.number().finite()).max(100_000),
  busyMs: z.array(z.number().finite().nonnegative()).max(100_000),
  droppedBuckets: count,
  callbacks: count,
  busyMsTotal: z.number().finite().nonnegative(),
  slow: z.array(slowCallbackSchema).max(1000),
}).refine((trace) => trace.bucketStart.length === trace.busyMs.length, { message: 'bucketStart and busyMs differ in length' });

export const processRecordingSchema = z.object({
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative(),
  /** The nearest ancestor in the run when the parent is not in it; absent in older recordings. */
  parentInRun: z.number().int().positive().optional(),
  argv: z.array(z.string().max(4096)).max(1000),
  cwd: z.string().max(4096).optional(),
  /** Absent for a program the run started that no probe described. */
  runtime: runtimeSchema.optional(),
  processRole: z.string().min(1).max(100).optional(),
  startedAt: time,
  endedAt: time.optional(),
  exitCode: z.number().int().optional(),
  signal: z.string().max(100).optional(),
  connected: z.boolean(),
  droppedFrames: count,
  /** What observing it cost (CPU ms); absent where its probe did not count it. */
  probeCost: z.object({ probeCpuMs: time, cpuMs: time }).optional(),
  sampledAt: time.optional(),
  threads: z.array(tracked(threadSchema)).max(200_000),
  tasks: z.array(tracked(taskSchema)).max(200_000),
  loops: z.array(tracked(loopSchema)).max(20_000),
  children: z.array(tracked(childSchema)).max(20_000),
  /** Lag samples per loop; absent in recordings made before it was kept. */
  lag: z.array(lagHistorySchema).max(20_000).optional(),
  /** Trace mode: what each loop ran; absent without trace mode. */
  trace: z.array(loopTraceSchema).max(20_000).optional(),
});

export const runRecordingSchema = z.object({
  format: z.literal(RECORDING_FORMAT),
  version: z.literal(RECORDING_VERSION),
  blockedThresholdMs: z.number().finite().positive().optional(),
  processes: z.array(processRecordingSchema).max(10_000),
  blockedEvents: z.array(blockedEventSchema).max(100_000),
  counters: z.object({ threads: count, tasksCreated: count, tasksFailed: count, tasksCancelled: count, blocks: count }),
  longestBlock: blockedEventSchema.optional(),
  /** How the run ended; absent in a recording made while it went on (then `recordedAt`) or before outcomes were kept. */
  outcome: z.object({
    endedAt: time,
    exitCode: z.number().int().optional(),
    signal: z.string().max(100).optional(),
    stillRunning: z.boolean().optional(),
  }).optional(),
  recordedAt: time.optional(),
});
export type RunRecording = z.infer<typeof runRecordingSchema>;
export type ProcessRecording = z.infer<typeof processRecordingSchema>;

/** Validates a parsed recording (e.g. from a file); never throws. */
export function parseRunRecording(value: unknown): { ok: true; recording: RunRecording } | { ok: false; error: string } {
  const result = runRecordingSchema.safeParse(value);
  if (result.success) return { ok: true, recording: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || '(recording)'}: ${issue.message}` : 'invalid recording' };
}

/** The last run the views showed, as saved for the next window (its title and recording). */
export interface SavedRun {
  readonly title: string;
  readonly recording: RunRecording;
}

/** Validates a saved run read back from storage; undefined when it is not one. */
export function parseSavedRun(value: unknown): SavedRun | undefined {
  if (typeof value !== 'object' || value === null || !('title' in value) || !('recording' in value)) return undefined;
  const { title, recording } = value;
  if (typeof title !== 'string' || title.length > 1000) return undefined;
  const parsed = parseRunRecording(recording);
  return parsed.ok ? { title, recording: parsed.recording } : undefined;
}
