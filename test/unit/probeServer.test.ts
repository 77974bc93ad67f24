import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ENV_ADDRESS, ENV_TOKEN, parseProbeAddress, PROTOCOL_VERSION } from '../../src/core/probe/protocol';
import { type ProbeCloseEvent, type ProbeConnection, type ProbeFrameEvent, ProbeServer } from '../../src/core/probe/server';
import { RunModel } from '../../src/core/runs/runModel';
import { seededRandom } from './seededRandom';

class RecordingLogger {
  readonly lines: string[] = [];
  info(message: string): void { this.lines.push(`info ${message}`); }
  warn(message: string): void { this.lines.push(`warn ${message}`); }
  error(message: string): void { this.lines.push(`error ${message}`); }
  matching(pattern: RegExp): string[] { return this.lines.filter((lineText) => pattern.test(lineText)); }
}

const servers: ProbeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});

async function startServer(options: Partial<Parameters<typeof ProbeServer.start>[0]> = {}) {
  const logger = new RecordingLogger();
  const server = await ProbeServer.start({ logger, ...options });
  servers.push(server);
  const hellos: ProbeConnection[] = [];
  const frames: ProbeFrameEvent[] = [];
  const closes: ProbeCloseEvent[] = [];
  server.onHello((connection) => hellos.push(connection));
  server.onFrame((event) => frames.push(event));
  server.onClose((event) => closes.push(event));
  return { server, logger, hellos, frames, closes };
}

function connect(server: ProbeServer): Promise<net.Socket> {
  const address = parseProbeAddress(server.environment[ENV_ADDRESS]!);
  assert.ok(address);
  return new Promise((resolve, reject) => {
    const socket = address.transport === 'unix' ? net.connect(address.path) : net.connect(address.port, address.host);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

const hello = (token: string, pid = 100, ppid = 1) => ({
  kind: 'hello', seq: 0, t: 1000, token, protocol: PROTOCOL_VERSION, pid, ppid,
  runtime: { name: 'python', version: '3.12.0' }, argv: ['app.py'], startedAt: 1000,
});
const send = (socket: net.Socket, ...frames: unknown[]) => socket.write(frames.map((frame) => `${JSON.stringify(frame)}\n`).join(''));
const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('ProbeServer', () => {
  it('listens on a Unix socket in a private 0700 directory with a 256-bit token, and cleans up', async () => {
    const { server } = await startServer();
    assert.equal(server.address.transport, 'unix');
    assert.match(server.environment[ENV_TOKEN]!, /^[0-9a-f]{64}$/);
    assert.equal(server.environment[ENV_ADDRESS], `unix:${server.address.transport === 'unix' ? server.address.path : ''}`);
    const dir = server.address.transport === 'unix' ? path.dirname(server.address.path) : '';
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    await server.dispose();
    assert.equal(existsSync(dir), false);
  });

  it('accepts a probe with the right token and reports its frames in order (loopback TCP too)', async () => {
    for (const transport of ['auto', 'tcp'] as const) {
      const { server, hellos, frames, closes } = await startServer({ transport });
      const socket = await connect(server);
      send(socket, hello(server.token), { kind: 'snapshot', seq: 1, t: 1001 }, { kind: 'exit', seq: 2, t: 1002, exitCode: 3 });
      await until(() => frames.length === 2);
      assert.equal(hellos[0]?.hello.pid, 100);
      assert.deepEqual(frames.map((event) => event.frame.kind), ['snapshot', 'exit']);
      socket.end();
      await until(() => closes.length === 1);
      assert.equal(closes[0]?.abrupt, false);
    }
  });

  it('refuses a wrong token, a missing token and a first frame that is not hello, with a log line each', async () => {
    const { server, logger, hellos } = await startServer();
    const attempts: unknown[] = [hello('f'.repeat(64)), { ...hello(server.token), token: undefined }, { kind: 'exit', seq: 0, t: 1 }, { ...hello(server.token), protocol: 99 }];
    for (const attempt of attempts) {
      const socket = await connect(server);
      send(socket, attempt);
      await closed(socket);
    }
    assert.equal(hellos.length, 0);
    assert.equal(logger.matching(/refused: wrong token/).length, 1);
    assert.equal(logger.matching(/refused: invalid frame: token/).length, 1);
    assert.equal(logger.matching(/refused: first frame is "exit"/).length, 1);
    assert.equal(logger.matching(/refused: protocol 99/).length, 1);
  });

  it('limits an unauthenticated line to the size of a hello', async () => {
    const { server, logger } = await startServer();
    const socket = await connect(server);
    socket.on('error', () => undefined);
    socket.write(Buffer.alloc(1024 * 1024, 0x20));
    await closed(socket);
    assert.equal(logger.matching(/refused: frame longer than 65536 bytes dropped/).length, 1);
  });

  it('closes a connection that never says hello', async () => {
    const { server, logger } = await startServer({ helloTimeoutMs: 30 });
    const socket = await connect(server);
    await closed(socket);
    assert.equal(logger.matching(/refused: no hello within 30 ms/).length, 1);
  });

  it('serves several processes at once, each with its own sequence', async () => {
    const { server, frames, logger } = await startServer();
    const [first, second] = [await connect(server), await connect(server)];
    send(first, hello(server.token, 200));
    send(second, hello(server.token, 201, 200));
    send(first, { kind: 'snapshot', seq: 1, t: 1 });
    send(second, { kind: 'snapshot', seq: 1, t: 1 }, { kind: 'snapshot', seq: 1, t: 2 }, { kind: 'snapshot', seq: 5, t: 3 });
    send(first, { kind: 'snapshot', seq: 2, t: 2 });
    await until(() => frames.length === 4);
    const seqsOf = (pid: number) => frames.filter((event) => event.connection.hello.pid === pid).map((event) => event.frame.seq);
    assert.deepEqual(seqsOf(200), [1, 2]);
    assert.deepEqual(seqsOf(201), [1, 5]);
    assert.equal(logger.matching(/pid 201\): dropped a frame: seq 1 after 1 \(out of order\)/).length, 1);
    assert.equal(logger.matching(/pid 201\): 3 frame\(s\) missing before seq 5/).length, 1);
  });

  it('drops a 10 MB line, invalid UTF-8 and a second hello after hello, logging each, and keeps the connection', async () => {
    const { server, frames, logger } = await startServer();
    const socket = await connect(server);
    send(socket, hello(server.token));
    socket.write(Buffer.alloc(10 * 1024 * 1024, 0x61));
    socket.write(Buffer.from([0x0a, 0xc3, 0x28, 0x0a]));
    send(socket, hello(server.token), { kind: 'exit', seq: 1, t: 2 });
    await until(() => frames.length === 1);
    assert.equal(frames[0]?.frame.kind, 'exit');
    assert.equal(logger.matching(/dropped a frame: frame longer than 4194304 bytes dropped/).length, 1);
    assert.equal(logger.matching(/dropped a frame: frame is not valid UTF-8/).length, 1);
    assert.equal(logger.matching(/dropped a frame: a second hello/).length, 1);
  });

  it('survives random bytes from a client', async () => {
    const { server, logger, hellos } = await startServer();
    const socket = await connect(server);
    socket.on('error', () => undefined);
    const random = seededRandom(7);
    const bytes = Buffer.alloc(256 * 1024);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(random() * 256);
    socket.write(bytes);
    await closed(socket);
    assert.equal(hellos.length, 0);
    assert.equal(logger.matching(/refused/).length, 1);
  });

  it('reports a half frame then disconnect as an abrupt close with a log line', async () => {
    const { server, closes, logger } = await startServer();
    const socket = await connect(server);
    send(socket, hello(server.token));
    socket.end('{"kind":"snapshot","seq":1');
    await until(() => closes.length === 1);
    assert.equal(closes[0]?.abrupt, true);
    assert.equal(logger.matching(/connection closed in the middle of a frame/).length, 1);
  });

  it('takes a 100k-task flood into a run model with bounded memory', async () => {
    const { server, frames } = await startServer();
    const model = new RunModel();
    server.onHello((connection) => model.addProcess(connection.hello));
    server.onFrame(({ connection, frame }) => model.apply(connection.hello.pid, frame));
    const socket = await connect(server);
    send(socket, hello(server.token));
    const task = (index: number, state: string) => ({ id: `k${index}`, threadId: 't1', loopId: 'l1', name: `Task-${index}`, coroutine: 'work', state, startedAt: index });
    const total = 100_000;
    let seq = 1;
    let lines: string[] = [];
    for (let index = 0; index < total; index += 1) {
      lines.push(JSON.stringify({ kind: 'delta', seq: seq++, t: index, upsert: { tasks: [task(index, 'pending')] } }));
      lines.push(JSON.stringify({ kind: 'delta', seq: seq++, t: index + 1, upsert: { tasks: [task(index, 'done')] } }));
      if (lines.length >= 2000) {
        if (!socket.write(`${lines.join('\n')}\n`)) await new Promise((resolve) => socket.once('drain', resolve));
        lines = [];
      }
    }
    await until(() => frames.length === 2 * total);
    const summary = model.summary();
    assert.equal(summary.tasksCreated, total);
    const retained = model.process(100)?.entities.task.size ?? 0;
    assert.ok(retained <= 12_500, `${retained} tasks retained`);
    assert.equal(server.connectionCount, 1);
  });
});
