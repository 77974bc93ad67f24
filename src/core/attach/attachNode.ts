/**
 * Attaching the monitor to a Node.js process that is already running, through its inspector
 * (see the shared note "attach-node"): open the inspector on loopback (SIGUSR1, or the port the
 * process was started with), confirm over it that it is the process asked for, hand the probe its
 * endpoint through `process.env` (children started later inherit it, with NODE_OPTIONS and
 * PYTHONPATH that load their own probes), load the probe in the main thread with the console's
 * `require`, and close the inspector again if we opened it. While the port is open any local
 * process could use it, so that window is kept short and always closed.
 */
import * as path from 'node:path';
import WebSocket from 'ws';
import type { ProbeInstall } from '../runs/launchSpec';
import { inspectorPortOf, ownerOf, runtimeOf, startEnvironmentOf } from './processes';
import { commandLine } from '../runs/processTree';

/** How long the inspector gets to open after SIGUSR1 (it takes ~250 ms on an idle machine). */
const INSPECTOR_OPEN_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Set by the probe once it runs in a process (probes/node/probe.cjs). */
const PROBE_GUARD = "Symbol.for('concurrencyLens.nodeProbe')";
/** Where the probe finds the Workers that were running before it was loaded. */
const ATTACHED_WORKERS = "Symbol.for('concurrencyLens.attachedWorkers')";
const OBJECT_GROUP = 'concurrency-lens-attach';

export type AttachFailure =
  | 'unsupported-platform' | 'gone' | 'other-user' | 'not-node' | 'already-monitored' | 'no-inspector' | 'port-taken' | 'failed';

export type AttachResult =
  | { readonly ok: true; readonly openedInspector: boolean; readonly workers: number; readonly argv: readonly string[] }
  | { readonly ok: false; readonly reason: AttachFailure; readonly detail: string };

export interface AttachOptions {
  readonly pid: number;
  readonly install: ProbeInstall;
  /** The endpoint variables (and the blocked-loop threshold) the probe reads. */
  readonly env: Readonly<Record<string, string>>;
  /** Hook for the steps, in order (a benchmark times them). */
  readonly onStep?: (step: 'inspector-open' | 'connected' | 'probe-loaded' | 'inspector-closed') => void;
}

class AttachError extends Error {
  constructor(readonly reason: AttachFailure, detail: string) {
    super(detail);
  }
}

/** Never throws: every way it can fail comes back as a reason (for the user's words) and a detail (for the log). */
export async function attachNodeProbe(options: AttachOptions): Promise<AttachResult> {
  try {
    return await attach(options);
  } catch (error) {
    if (error instanceof AttachError) return { ok: false, reason: error.reason, detail: error.message };
    return { ok: false, reason: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

async function attach({ pid, install, env, onStep }: AttachOptions): Promise<AttachResult> {
  if (process.platform === 'win32') throw new AttachError('unsupported-platform', 'attaching needs SIGUSR1, which Windows does not have');
  const owner = ownerOf(pid);
  if (owner === undefined) throw new AttachError('gone', `process ${pid} does not exist (any more)`);
  if (process.getuid && owner !== process.getuid()) throw new AttachError('other-user', `process ${pid} belongs to uid ${owner}`);
  if (runtimeOf(pid) !== 'node') throw new AttachError('not-node', `process ${pid} does not run Node.js`);
  const argv = commandLine(pid) ?? [];
  const startedWith = inspectorPortOf(argv, startEnvironmentOf(pid)?.NODE_OPTIONS);
  const port = startedWith ?? 9229;
  let openedInspector = false;
  let target = await debuggerUrl(port, 0);
  if (target === undefined) {
    if (startedWith !== undefined) throw new AttachError('no-inspector', `process ${pid} was started with an inspector on port ${port}, but nothing answers there`);
    signal(pid, 'SIGUSR1');
    openedInspector = true;
    target = await debuggerUrl(port, INSPECTOR_OPEN_TIMEOUT_MS);
    if (target === undefined) throw new AttachError('no-inspector', `no inspector answered on 127.0.0.1:${port} within ${INSPECTOR_OPEN_TIMEOUT_MS} ms of SIGUSR1`);
  }
  onStep?.('inspector-open');
  const session = await InspectorSession.connect(target);
  try {
    onStep?.('connected');
    const reachedPid = await session.evaluate('process.pid');
    if (reachedPid !== pid) {
      // Someone else's inspector holds the port: ours could not open, and theirs is none of our business.
      openedInspector = false;
      throw new AttachError('port-taken', `127.0.0.1:${port} is the inspector of process ${String(reachedPid)}, not of ${pid}`);
    }
    if (await session.evaluate(`globalThis[${PROBE_GUARD}] === true`)) throw new AttachError('already-monitored', `process ${pid} runs the probe already`);
    const workers = await session.stashRunningWorkers();
    const loaded = await session.evaluate([
      `Object.assign(process.env, ${JSON.stringify(env)});`,
      `process.env.NODE_OPTIONS = [${JSON.stringify(`--require ${JSON.stringify(install.nodeProbe)}`)}, process.env.NODE_OPTIONS].filter(Boolean).join(' ');`,
      `process.env.PYTHONPATH = [${JSON.stringify(install.pythonRoot)}, process.env.PYTHONPATH].filter(Boolean).join(${JSON.stringify(path.delimiter)});`,
      `require(${JSON.stringify(install.nodeProbe)});`,
      `globalThis[${PROBE_GUARD}] === true`,
    ].join('\n'));
    if (loaded !== true) throw new AttachError('failed', `the probe did not start in process ${pid}`);
    onStep?.('probe-loaded');
    return { ok: true, openedInspector, workers, argv };
  } finally {
    await session.close(openedInspector);
    onStep?.('inspector-closed');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new AttachError('gone', `process ${pid} exited`);
    if (code === 'EPERM') throw new AttachError('other-user', `not allowed to signal process ${pid}`);
    throw error;
  }
}

/** The WebSocket URL of the inspector target on 127.0.0.1:`port`, polled for up to `timeoutMs`. */
async function debuggerUrl(port: number, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) });
      const targets = (await response.json()) as { webSocketDebuggerUrl?: unknown }[];
      const url = targets.find((candidate) => typeof candidate.webSocketDebuggerUrl === 'string')?.webSocketDebuggerUrl as string | undefined;
      // Loopback only: the target names its own host; never follow it anywhere else.
      if (url !== undefined && new URL(url).hostname === '127.0.0.1') return url;
    } catch {
      // not listening (yet)
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A Chrome DevTools Protocol connection to one inspector target: requests by id, results or errors. */
class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly closed: Promise<void>;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      let message: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        message = JSON.parse(buffer.toString('utf8')) as typeof message;
      } catch {
        return;
      }
      const waiting = message.id !== undefined ? this.pending.get(message.id) : undefined;
      if (!waiting) return; // an event
      this.pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error.message ?? 'inspector error'));
      else waiting.resolve(message.result);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => {
      for (const waiting of this.pending.values()) waiting.reject(new Error('the inspector closed the connection'));
      this.pending.clear();
      resolve();
    }));
  }

  static connect(url: string): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: REQUEST_TIMEOUT_MS });
      socket.once('open', () => resolve(new InspectorSession(socket)));
      socket.once('error', (error) => reject(new AttachError('failed', `cannot connect to the inspector: ${error.message}`)));
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AttachError('failed', `the inspector did not answer ${method} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates in the main thread, with the console's command-line API (`require`); returns the value, throws what it threw. */
  async evaluate(expression: string): Promise<unknown> {
    const answer = await this.send('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true, objectGroup: OBJECT_GROUP }) as EvaluateAnswer;
    if (answer.exceptionDetails) throw new AttachError('failed', answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text ?? 'exception');
    return answer.result?.value;
  }

  /**
   * Hands the probe the Workers that run already (it sees only those started after it loads):
   * V8 lists the objects built on Worker.prototype. Returns how many; none when that fails.
   */
  async stashRunningWorkers(): Promise<number> {
    try {
      const prototype = await this.send('Runtime.evaluate', {
        expression: "require('node:worker_threads').Worker.prototype", includeCommandLineAPI: true, objectGroup: OBJECT_GROUP,
      }) as EvaluateAnswer;
      if (!prototype.result?.objectId) return 0;
      const objects = await this.send('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId, objectGroup: OBJECT_GROUP }) as { objects?: { objectId?: string } };
      if (!objects.objects?.objectId) return 0;
      const stashed = await this.send('Runtime.callFunctionOn', {
        objectId: objects.objects.objectId,
        // Instances only (subclass prototypes are listed too), and only running ones (threadId -1 once exited).
        functionDeclaration: `function () {
          const running = this.filter((worker) => { try { return worker.threadId >= 0; } catch { return false; } });
          globalThis[${ATTACHED_WORKERS}] = running;
          return running.length;
        }`,
        returnByValue: true,
      }) as EvaluateAnswer;
      return typeof stashed.result?.value === 'number' ? stashed.result.value : 0;
    } catch {
      return 0;
    }
  }

  /** Lets go of what we looked at and closes; `closeInspector`: shut the inspector we opened as well. */
  async close(closeInspector: boolean): Promise<void> {
    const closed = Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    try {
      await this.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
      // `inspector.close()` drops this connection: no answer comes.
      if (closeInspector) void this.send('Runtime.evaluate', { expression: "require('node:inspector').close()", includeCommandLineAPI: true }).catch(() => undefined);
      else this.socket.close();
    } catch {
      // the connection is gone already
    }
    await closed;
    this.socket.terminate();
  }
}

interface EvaluateAnswer {
  result?: { value?: unknown; objectId?: string };
  exceptionDetails?: { text?: string; exception?: { description?: string } };
}
