import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter, type Subscription } from '../emitter';
import { FrameDecoder } from './frameDecoder';
import {
  ENV_ADDRESS, ENV_TOKEN, FRAMES_BY_ROLE, formatProbeAddress, MAX_FRAME_BYTES, PROTOCOL_VERSION,
  type HelloFrame, type ProbeAddress, type ProbeFrame,
} from './protocol';

/** Where the server writes what it drops or refuses; a `vscode.LogOutputChannel` fits. */
export interface ProbeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One probed process that said hello with the right token. */
export interface ProbeConnection {
  /** Unique per server, in order of connection. */
  readonly id: number;
  readonly hello: HelloFrame;
}

export interface ProbeFrameEvent {
  readonly connection: ProbeConnection;
  /** Any frame after the hello (never a hello). */
  readonly frame: ProbeFrame;
}

export interface ProbeCloseEvent {
  readonly connection: ProbeConnection;
  /** True when the stream ended in the middle of a frame or with an error. */
  readonly abrupt: boolean;
}

export interface ProbeServerOptions {
  logger: ProbeLogger;
  /** `auto` (default): a Unix socket, loopback TCP on Windows or when the socket cannot be created. */
  transport?: 'auto' | 'tcp';
  maxFrameBytes?: number;
  /** Connections open at once (one per probed process); more are refused. Default 512. */
  maxConnections?: number;
  /** A connection that has not said hello by then is closed. Default 10 s. */
  helloTimeoutMs?: number;
}

/** Invalid frames logged one by one per connection; after that, one line per this many more. */
const DETAILED_DROPS = 100;
const AGGREGATED_DROPS = 1000;
/** A chunk that yielded this many frames makes the socket pause for one turn of the event loop. */
const FRAMES_BEFORE_YIELD = 256;
/** Longest line accepted before the hello: an unauthenticated client cannot make us buffer more. */
const MAX_HELLO_BYTES = 64 * 1024;

/**
 * The host end of the probe protocol. It listens on a Unix socket in a private 0700 temp
 * directory (or loopback TCP), hands out the address and a random 256-bit token through
 * {@link environment}, accepts any number of probed processes at once, checks each hello's token
 * in constant time, validates every frame and its sequence number, and reports frames through
 * {@link onFrame}. Nothing a probe sends can crash it or make it buffer more than one frame per
 * connection: frames are handled synchronously as each chunk arrives, so a flooding probe is held
 * back by socket backpressure. Every dropped or refused frame is logged.
 */
export class ProbeServer {
  private readonly helloEmitter = new Emitter<ProbeConnection>();
  private readonly frameEmitter = new Emitter<ProbeFrameEvent>();
  private readonly closeEmitter = new Emitter<ProbeCloseEvent>();
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  private disposed = false;

  /** A probe said hello with the right token: a new probed process. */
  readonly onHello: (listener: (connection: ProbeConnection) => void) => Subscription = this.helloEmitter.event;
  /** A valid, in-sequence frame from an accepted connection. */
  readonly onFrame: (listener: (event: ProbeFrameEvent) => void) => Subscription = this.frameEmitter.event;
  /** An accepted connection ended (the process exited, or its probe went away). */
  readonly onClose: (listener: (event: ProbeCloseEvent) => void) => Subscription = this.closeEmitter.event;

  private constructor(
    private readonly server: net.Server,
    readonly address: ProbeAddress,
    /** Hex of 32 random bytes. */
    readonly token: string,
    private readonly privateDir: string | undefined,
    private readonly options: Required<Omit<ProbeServerOptions, 'transport'>>,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => options.logger.error(`probe endpoint error: ${error.message}`));
  }

  /** Opens the endpoint. Rejects only when neither a Unix socket nor loopback TCP can listen. */
  static async start(options: ProbeServerOptions): Promise<ProbeServer> {
    const settings = {
      logger: options.logger,
      maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES,
      maxConnections: options.maxConnections ?? 512,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    };
    const { server, address, privateDir } = await listenPrivately(options.logger, options.transport);
    return new ProbeServer(server, address, randomBytes(32).toString('hex'), privateDir, settings);
  }

  /** The variables a probed program needs in its environment (inherited by its children). */
  get environment(): Record<string, string> {
    return { [ENV_ADDRESS]: formatProbeAddress(this.address), [ENV_TOKEN]: this.token };
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Closes every connection and the endpoint, and removes the socket and its directory. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.privateDir) await rm(this.privateDir, { recursive: true, force: true });
    this.helloEmitter.dispose();
    this.frameEmitter.dispose();
    this.closeEmitter.dispose();
  }

  private accept(socket: net.Socket): void {
    const { logger } = this.options;
    const connectionId = this.nextConnectionId++;
    if (this.disposed || this.sockets.size >= this.options.maxConnections) {
      logger.warn(`probe connection #${connectionId} refused: ${this.disposed ? 'the run is over' : `more than ${this.options.maxConnections} connections`}`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const decoder = new FrameDecoder(Math.min(MAX_HELLO_BYTES, this.options.maxFrameBytes));
    let connection: ProbeConnection | undefined;
    let lastSeq = -1;
    let dropped = 0;
    let abrupt = false;
    const label = () => (connection ? `probe #${connectionId} (pid ${connection.hello.pid})` : `probe connection #${connectionId}`);
    /** Logs a dropped frame; returns true: the connection goes on. */
    const drop = (reason: string): true => {
      dropped += 1;
      if (dropped <= DETAILED_DROPS) logger.warn(`${label()}: dropped a frame: ${reason}`);
      else if (dropped % AGGREGATED_DROPS === 0) logger.warn(`${label()}: ${dropped} frames dropped so far (latest: ${reason})`);
      return true;
    };
    /** Logs why and closes the connection; returns false: stop reading it. */
    const refuse = (reason: string): false => {
      logger.warn(`${label()} refused: ${reason}`);
      abrupt = true;
      socket.destroy();
      return false;
    };
    const helloTimer = setTimeout(() => refuse(`no hello within ${this.options.helloTimeoutMs} ms`), this.options.helloTimeoutMs);

    const handle = (frame: ProbeFrame): boolean => {
      if (!connection) {
        if (frame.kind !== 'hello') return refuse(`first frame is "${frame.kind}", not "hello"`);
        if (!this.tokenMatches(frame.token)) return refuse('wrong token');
        if (frame.protocol !== PROTOCOL_VERSION) return refuse(`protocol ${frame.protocol} is not the supported ${PROTOCOL_VERSION}`);
        clearTimeout(helloTimer);
        decoder.maxFrameBytes = this.options.maxFrameBytes;
        connection = { id: connectionId, hello: frame };
        lastSeq = frame.seq;
        logger.info(`${label()} connected: ${frame.runtime.name} ${frame.runtime.version}, ${frame.argv.join(' ')}`);
        this.helloEmitter.fire(connection, (error) => logger.error(`Live Tasks failed on a hello: ${describe(error)}`));
        return true;
      }
      if (frame.kind === 'hello') return drop('a second hello');
      const role = connection.hello.role ?? 'probe';
      if (!(FRAMES_BY_ROLE[role] as readonly string[]).includes(frame.kind)) return drop(`a "${frame.kind}" frame from a ${role}`);
      if (frame.seq <= lastSeq) return drop(`seq ${frame.seq} after ${lastSeq} (out of order)`);
      if (frame.seq !== lastSeq + 1) logger.warn(`${label()}: ${frame.seq - lastSeq - 1} frame(s) missing before seq ${frame.seq}`);
      lastSeq = frame.seq;
      const event = { connection, frame };
      this.frameEmitter.fire(event, (error) => logger.error(`Live Tasks failed on a "${frame.kind}" frame: ${describe(error)}`));
      return true;
    };

    const consume = (results: ReturnType<FrameDecoder['push']>) => {
      for (const result of results) {
        const goOn = result.ok ? handle(result.frame) : connection ? drop(result.error) : refuse(result.error);
        if (!goOn) return;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      const results = decoder.push(chunk);
      consume(results);
      if (results.length >= FRAMES_BEFORE_YIELD && !socket.destroyed) {
        // Let the rest of the extension host run between bursts of a flooding probe.
        socket.pause();
        setImmediate(() => socket.resume());
      }
    });
    socket.on('error', (error) => {
      abrupt = true;
      logger.warn(`${label()}: ${error.message}`);
    });
    socket.on('close', () => {
      clearTimeout(helloTimer);
      const leftover = decoder.end();
      for (const result of leftover) if (!result.ok) drop(result.error);
      this.sockets.delete(socket);
      if (!connection) return;
      if (dropped > DETAILED_DROPS) logger.warn(`${label()}: ${dropped} frames dropped in total`);
      logger.info(`${label()} disconnected`);
      this.closeEmitter.fire({ connection, abrupt: abrupt || leftover.length > 0 }, (error) => logger.error(`Live Tasks failed on a disconnect: ${describe(error)}`));
    });
  }

  private tokenMatches(candidate: string): boolean {
    return sameSecret(candidate, this.token);
  }
}

/** Compares a presented token with ours in constant time. */
export function sameSecret(candidate: string, secret: string): boolean {
  // Hash both sides: timingSafeEqual needs equal lengths, and the length must not leak either.
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(secret));
}

export interface PrivateListener {
  readonly server: net.Server;
  readonly address: ProbeAddress;
  /** The 0700 directory holding the socket (removed by its owner when done). */
  readonly privateDir: string | undefined;
}

/**
 * Listens where only this user can connect: a Unix socket in a fresh 0700 temp directory, or
 * loopback TCP on Windows, when asked, or when the socket cannot be created.
 */
export async function listenPrivately(logger: ProbeLogger, transport: 'auto' | 'tcp' = 'auto'): Promise<PrivateListener> {
  if (transport === 'auto' && process.platform !== 'win32') {
    // mkdtemp creates the directory with mode 0700: only this user can reach the socket.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clens-'));
    const socketPath = path.join(dir, 'probe.sock');
    try {
      const server = await listen((s) => s.listen(socketPath));
      return { server, address: { transport: 'unix', path: socketPath }, privateDir: dir };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      logger.warn(`cannot listen on a Unix socket (${describe(error)}); using loopback TCP`);
    }
  }
  const server = await listen((s) => s.listen(0, '127.0.0.1'));
  const port = (server.address() as net.AddressInfo).port;
  return { server, address: { transport: 'tcp', host: '127.0.0.1', port }, privateDir: undefined };
}

function listen(start: (server: net.Server) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
    start(server);
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
