/**
 * A running Node.js process's inspector, opened for a moment (see the shared note "attach-node"):
 * on loopback, through SIGUSR1 or the port the process was started with, confirmed over the
 * connection to be the process asked for, and closed again by whoever opened it. While the port is
 * open any local process could use it, so that window is kept short and always closed.
 */
import WebSocket from 'ws';
import { commandLine } from '../runs/processTree';
import { inspectorPortOf, ownerOf, runtimeOf, startEnvironmentOf } from './processes';

/** How long the inspector gets to open after SIGUSR1 (it takes ~250 ms on an idle machine). */
const INSPECTOR_OPEN_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 10_000;
const OBJECT_GROUP = 'concurrency-lens-inspector';

export type InspectorFailure =
  | 'unsupported-platform' | 'gone' | 'other-user' | 'not-node' | 'already-monitored' | 'no-inspector' | 'port-taken' | 'failed';

export class InspectorError extends Error {
  constructor(readonly reason: InspectorFailure, detail: string) {
    super(detail);
  }
}

export interface OpenInspector {
  readonly session: InspectorSession;
  /** We opened it (SIGUSR1): close it when done (`session.close(true)`). */
  readonly openedInspector: boolean;
  /** The process's command line. */
  readonly argv: readonly string[];
}

/** Opens and connects to the inspector of Node.js process `pid` (ours to use and close); throws an InspectorError. */
export async function openInspector(pid: number, onStep?: (step: 'inspector-open' | 'connected') => void): Promise<OpenInspector> {
  if (process.platform === 'win32') throw new InspectorError('unsupported-platform', 'opening the inspector needs SIGUSR1, which Windows does not have');
  const owner = ownerOf(pid);
  if (owner === undefined) throw new InspectorError('gone', `process ${pid} does not exist (any more)`);
  if (process.getuid && owner !== process.getuid()) throw new InspectorError('other-user', `process ${pid} belongs to uid ${owner}`);
  if (runtimeOf(pid) !== 'node') throw new InspectorError('not-node', `process ${pid} does not run Node.js`);
  const argv = commandLine(pid) ?? [];
  const startedWith = inspectorPortOf(argv, startEnvironmentOf(pid)?.NODE_OPTIONS);
  const port = startedWith ?? 9229;
  let openedInspector = false;
  let target = await debuggerUrl(port, 0);
  if (target === undefined) {
    if (startedWith !== undefined) throw new InspectorError('no-inspector', `process ${pid} was started with an inspector on port ${port}, but nothing answers there`);
    signal(pid, 'SIGUSR1');
    openedInspector = true;
    target = await debuggerUrl(port, INSPECTOR_OPEN_TIMEOUT_MS);
    if (target === undefined) throw new InspectorError('no-inspector', `no inspector answered on 127.0.0.1:${port} within ${INSPECTOR_OPEN_TIMEOUT_MS} ms of SIGUSR1`);
  }
  onStep?.('inspector-open');
  const session = await InspectorSession.connect(target);
  onStep?.('connected');
  let reachedPid: unknown;
  try {
    reachedPid = await session.evaluate('process.pid');
  } catch (error) {
    await session.close(openedInspector);
    throw error;
  }
  if (reachedPid !== pid) {
    // Someone else's inspector holds the port: ours could not open, and theirs is none of our business.
    await session.close(false);
    throw new InspectorError('port-taken', `127.0.0.1:${port} is the inspector of process ${String(reachedPid)}, not of ${pid}`);
  }
  return { session, openedInspector, argv };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new InspectorError('gone', `process ${pid} exited`);
    if (code === 'EPERM') throw new InspectorError('other-user', `not allowed to signal process ${pid}`);
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

export interface EvaluateAnswer {
  result?: { value?: unknown; objectId?: string };
  exceptionDetails?: { text?: string; exception?: { description?: string } };
}

/** A Chrome DevTools Protocol connection to one inspector target: requests by id, results or errors. */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly closed: Promise<void>;
  /** The object group the session's evaluations keep their objects in (released at close). */
  readonly objectGroup = OBJECT_GROUP;

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
      socket.once('error', (error) => reject(new InspectorError('failed', `cannot connect to the inspector: ${error.message}`)));
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new InspectorError('failed', `the inspector did not answer ${method} within ${REQUEST_TIMEOUT_MS} ms`));
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

  /**
   * Evaluates in the main thread, with the console's command-line API (`require`); returns the
   * value, throws what it threw. A thread busy in JavaScript (or parked in `Atomics.wait`) runs it
   * at its next interrupt check, on top of what it was doing.
   */
  async evaluate(expression: string): Promise<unknown> {
    const answer = await this.send('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true, objectGroup: OBJECT_GROUP }) as EvaluateAnswer;
    if (answer.exceptionDetails) throw new InspectorError('failed', answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text ?? 'exception');
    return answer.result?.value;
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
