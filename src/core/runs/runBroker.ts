/**
 * The run broker: hands a fresh run (its own endpoint and token) to each supervisor that asks.
 *
 * A task's execution is fixed before it runs, and the editor resolves a task whenever it lists
 * tasks, not only when one runs, so a task cannot carry a run's endpoint. It carries the broker's
 * instead (one per editor window, a private socket and token like a run's): when the task really
 * runs, its supervisor asks the broker for a run, and the broker opens one there and then.
 *
 * Wire: the supervisor writes one line of JSON (`RunRequest`), the broker answers with one line
 * (`RunReply`) and closes the connection.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type * as net from 'node:net';
import { z } from 'zod';
import { ENV_BROKER, ENV_BROKER_TOKEN, formatProbeAddress, PROTOCOL_VERSION, type RunReply, type RunRequest } from '../probe/endpoint';
import { listenPrivately, type ProbeLogger, sameSecret } from '../probe/server';

/** Longest request accepted (bytes); an unauthenticated client cannot make the broker buffer more. */
const MAX_REQUEST_BYTES = 256 * 1024;
/** A connection that has not sent its request by then is closed. */
const REQUEST_TIMEOUT_MS = 10_000;

const requestSchema = z.object({
  kind: z.literal('run-request'),
  token: z.string().min(1).max(200),
  protocol: z.number().int(),
  title: z.string().max(1000),
  argv: z.array(z.string().max(4096)).max(1000),
  cwd: z.string().max(4096),
});

/** Opens a run for a request and returns its endpoint variables; throws (with a reason) to refuse. */
export type RunOpener = (request: Omit<RunRequest, 'token'>) => Promise<Readonly<Record<string, string>>>;

export class RunBroker {
  private readonly sockets = new Set<net.Socket>();
  private disposed = false;

  private constructor(
    private readonly server: net.Server,
    private readonly addressText: string,
    private readonly token: string,
    private readonly privateDir: string | undefined,
    private readonly openRun: RunOpener,
    private readonly logger: ProbeLogger,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => logger.error(`run broker error: ${error.message}`));
  }

  static async start(openRun: RunOpener, logger: ProbeLogger): Promise<RunBroker> {
    const { server, address, privateDir } = await listenPrivately(logger);
    return new RunBroker(server, formatProbeAddress(address), randomBytes(32).toString('hex'), privateDir, openRun, logger);
  }

  /** The variables a supervisor needs to reach the broker. */
  get environment(): Record<string, string> {
    return { [ENV_BROKER]: this.addressText, [ENV_BROKER_TOKEN]: this.token };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.privateDir) await rm(this.privateDir, { recursive: true, force: true });
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end === -1) {
        if (buffered.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.off('data', onData);
      void this.answer(buffered.slice(0, end)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    };
    socket.on('data', onData);
  }

  private async answer(line: string): Promise<RunReply> {
    let request: RunRequest;
    try {
      request = requestSchema.parse(JSON.parse(line));
    } catch {
      this.logger.warn('run broker: refused a request that is not a run request');
      return { kind: 'run-refused', reason: 'not a run request' };
    }
    if (!sameSecret(request.token, this.token)) {
      this.logger.warn('run broker: refused a request with a wrong token');
      return { kind: 'run-refused', reason: 'wrong token' };
    }
    if (request.protocol !== PROTOCOL_VERSION) return { kind: 'run-refused', reason: `protocol ${request.protocol} is not the supported ${PROTOCOL_VERSION}` };
    try {
      return { kind: 'run-granted', env: await this.openRun({ kind: request.kind, protocol: request.protocol, title: request.title, argv: request.argv, cwd: request.cwd }) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`run broker: no run for "${request.title}": ${reason}`);
      return { kind: 'run-refused', reason };
    }
  }
}
