/**
 * The parts of the probe protocol a connecting program needs before any frame: the environment
 * variables, the address forms and the limits. Kept apart from the frame schemas (protocol.ts) so
 * that the small programs that connect (the supervisor) do not load the schema library.
 */

export const PROTOCOL_VERSION = 1;
/** Longest frame a host accepts (bytes, without the newline); a longer line is discarded. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Environment variables through which the host hands the endpoint to the probes. */
export const ENV_ADDRESS = 'CONCURRENCY_LENS_ADDRESS';
export const ENV_TOKEN = 'CONCURRENCY_LENS_TOKEN';
/** Optional: the event-loop block (ms) a probe reports; the `concurrencyLens.monitor.blockedThresholdMs` setting. */
export const ENV_BLOCKED_THRESHOLD_MS = 'CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS';
/** Optional, `1`: trace mode (every event-loop callback timed); `concurrencyLens.monitor.trace` or "Run … (trace every step)". */
export const ENV_TRACE = 'CONCURRENCY_LENS_TRACE';
/** Optional, `1`: every task's creation site and parent, every finished task (Python's task factory); `concurrencyLens.monitor.taskCreation`. */
export const ENV_TASK_LIFECYCLE = 'CONCURRENCY_LENS_TASK_LIFECYCLE';

/**
 * Where a probe connects, as written in CONCURRENCY_LENS_ADDRESS: `unix:<absolute socket path>`
 * or `tcp:127.0.0.1:<port>` (loopback only).
 */
export type ProbeAddress = { transport: 'unix'; path: string } | { transport: 'tcp'; host: string; port: number };

export function formatProbeAddress(address: ProbeAddress): string {
  return address.transport === 'unix' ? `unix:${address.path}` : `tcp:${address.host}:${address.port}`;
}

/** Parses CONCURRENCY_LENS_ADDRESS; undefined when it is not one of the two forms. */
export function parseProbeAddress(text: string): ProbeAddress | undefined {
  if (text.startsWith('unix:') && text.length > 5) return { transport: 'unix', path: text.slice(5) };
  const tcp = /^tcp:(127\.0\.0\.1|\[::1\]):(\d{1,5})$/.exec(text);
  if (!tcp) return undefined;
  const port = Number(tcp[2]);
  return port > 0 && port < 65536 ? { transport: 'tcp', host: tcp[1]!, port } : undefined;
}

/**
 * The run broker (src/core/runs/runBroker.ts): a task's supervisor asks it for a run when the task
 * actually runs, so each run of a task gets an endpoint of its own. Its address and token.
 */
export const ENV_BROKER = 'CONCURRENCY_LENS_BROKER';
export const ENV_BROKER_TOKEN = 'CONCURRENCY_LENS_BROKER_TOKEN';

/** A supervisor asks the broker for a run: one line of JSON. */
export interface RunRequest {
  readonly kind: 'run-request';
  readonly token: string;
  readonly protocol: number;
  /** What the run is called (the task's name). */
  readonly title: string;
  readonly argv: readonly string[];
  readonly cwd: string;
}

/** The broker's one-line answer: the run's endpoint variables, or why there is none. */
export type RunReply = { readonly kind: 'run-granted'; readonly env: Readonly<Record<string, string>> } | { readonly kind: 'run-refused'; readonly reason: string };
