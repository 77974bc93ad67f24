import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, it } from 'node:test';
import { ENV_ADDRESS, ENV_TOKEN, parseProbeAddress, PROTOCOL_VERSION } from '../../src/core/probe/protocol';
import { ProbeServer } from '../../src/core/probe/server';
import { heldSystemCall } from '../../src/core/attach/systemCall';
import { PauseLog } from '../../src/core/runs/pauses';
import { SILENT_MIN_MS } from '../../src/core/runs/heldThreads';
import { RunSession } from '../../src/core/runs/runSession';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sessions: RunSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

async function start(options: Partial<ConstructorParameters<typeof RunSession>[1]> = {}): Promise<RunSession> {
  const server = await ProbeServer.start({ logger: quiet });
  const session = new RunSession(server, { logger: quiet, ...options });
  sessions.push(session);
  return session;
}

/** A fake probe: connects, says hello as `pid` (child of `ppid`), then sends what it is given. */
async function probe(session: RunSession, pid: number, ppid: number, runtime: 'node' | 'python' = 'node', hello: Record<string, unknown> = {}): Promise<{ send(...frames: Record<string, unknown>[]): void; close(): Promise<void> }> {
  const address = parseProbeAddress(session.server.environment[ENV_ADDRESS]!)!;
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const connection = address.transport === 'unix' ? net.connect(address.path) : net.connect(address.port, address.host);
    connection.once('connect', () => resolve(connection));
    connection.once('error', reject);
  });
  let seq = 0;
  const write = (frame: Record<string, unknown>) => socket.write(`${JSON.stringify({ seq: seq++, t: Date.now(), ...frame })}\n`);
  write({
    kind: 'hello', token: session.server.environment[ENV_TOKEN], protocol: PROTOCOL_VERSION, pid, ppid,
    runtime: { name: runtime, version: runtime === 'node' ? '20.0.0' : '3.12.1' }, argv: ['node', `p${pid}`], startedAt: Date.now(),
    // As the real probes say: a frame at least this often.
    silentAtMostMs: runtime === 'node' ? 1000 : 2000, ...hello,
  });
  await until(() => session.model.process(pid)?.connected === true);
  return {
    send: (...frames) => frames.forEach(write),
    close: () => new Promise((resolve) => socket.end(() => resolve())),
  };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether anything listens on the default inspector port (a best effort: /proc/net/tcp, IPv4). */
function inspectorListening(): boolean {
  const port = (9229).toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').some((line) => line.includes(`:${port} `) && line.split(/\s+/)[4] === '0A');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('RunSession', () => {
  it('shows a process whose parent is not in the run under its nearest ancestor that is (sh → npm → sh → node)', async () => {
    // 10: the program the run started (npm); 20: the `sh -c` npm runs, not probed; 30: node under it.
    const parents: Record<number, number> = { 30: 20, 20: 10, 10: 5 };
    const session = await start({ parentOf: (pid) => parents[pid] });
    session.programStarted(10, ['npm', 'run', 'start'], '/w', Date.now());
    await probe(session, 30, 20);
    assert.deepEqual(session.model.rootProcesses().map((process) => process.pid), [10]);
    assert.deepEqual(session.model.childProcesses(10).map((process) => process.pid), [30]);
    assert.equal(session.model.process(30)?.ppid, 20, 'its real parent is kept');
    assert.equal(recordedParentInRun(session), 10, 'a recording keeps where it is shown');
  });

  it('keeps a process with no ancestor in the run as a root of its own', async () => {
    const session = await start({ parentOf: () => 1 });
    await probe(session, 40, 39);
    assert.deepEqual(session.model.rootProcesses().map((process) => process.pid), [40]);
  });

  it('drops a blocked loop that overlaps a debugger pause, and keeps the others', async () => {
    const session = await start({ parentOf: () => undefined });
    const program = await probe(session, 50, 1);
    const pausedAt = Date.now();
    session.setPaused(true, pausedAt);
    assert.equal(session.isPaused, true);
    session.setPaused(false, pausedAt + 400);
    // Held at the breakpoint for 400 ms: the probe sees a 450 ms block ending just after the resume.
    program.send({ kind: 'blocked', t: pausedAt + 420, loopId: 'loop-main', threadId: 'main', durationMs: 450, stack: [] });
    // A real block a second later.
    program.send({ kind: 'blocked', t: pausedAt + 1600, loopId: 'loop-main', threadId: 'main', durationMs: 300, stack: [] });
    await until(() => session.model.blockedEvents().length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(session.model.blockedEvents().map((event) => event.durationMs), [300]);
  });

  it('lets a block reported before a pause end, though its last report overlaps the pause', async () => {
    const session = await start({ parentOf: () => undefined });
    const program = await probe(session, 60, 1);
    const now = Date.now();
    program.send({ kind: 'blocked', t: now, loopId: 'l', threadId: 'main', durationMs: 200, stack: [], ongoing: true });
    await until(() => session.model.blockedEvents().length === 1);
    session.setPaused(true, now + 10);
    program.send({ kind: 'blocked', t: now + 300, loopId: 'l', threadId: 'main', durationMs: 500, stack: [], ongoing: false });
    await until(() => session.model.blockedEvents()[0]?.ongoing === false);
    assert.equal(session.model.blockedEvents()[0]?.durationMs, 500);
  });

  it('takes a Node.js probe silent past SILENT_MIN_MS for a held main thread, until the probe reports the block itself; not a Python one that cannot dump its stacks', async () => {
    const session = await start({ parentOf: () => undefined });
    const program = await probe(session, 70, 1);
    const python = await probe(session, 71, 1, 'python');
    await until(() => session.model.blockedEvents().length > 0, SILENT_MIN_MS + 2000);
    const [held] = session.model.blockedEvents();
    assert.deepEqual([held?.pid, held?.loopId, held?.threadId, held?.ongoing, held?.stack], [70, 'loop-main', 'main', true, []]);
    assert.ok(held!.durationMs >= SILENT_MIN_MS, String(held!.durationMs));
    // The thread comes back: the probe's own report, with the line, ends that same block.
    const stack = [{ file: '/app/spin.js', line: 3, function: 'spin' }];
    program.send({ kind: 'blocked', loopId: 'loop-main', threadId: 'main', durationMs: SILENT_MIN_MS + 900, stack });
    await until(() => session.model.blockedEvents()[0]?.ongoing === false);
    assert.deepEqual(session.model.blockedEvents().map((event) => [event.pid, event.stack]), [[70, stack]]);
    await python.close();
  });

  it('finds where a held Node.js main thread is through its inspector, opened for the moment and closed again', async () => {
    // A real Node.js process held in an endless loop; the fake probe speaks for it, then falls silent as its probe would.
    const held = spawn(process.execPath, ['-e', 'function spin() { let total = 0; for (;;) total += Math.sqrt(total + 1); }\nsetTimeout(spin, 50);'], { stdio: 'ignore' });
    try {
      const session = await start({ parentOf: () => undefined });
      await probe(session, held.pid!, 1);
      await until(() => (session.model.blockedEvents()[0]?.stack.length ?? 0) > 0, SILENT_MIN_MS + 10_000);
      const [block] = session.model.blockedEvents();
      assert.equal(block?.ongoing, true);
      assert.deepEqual(block?.stack.at(-1), { file: '[eval]', line: 1, function: 'spin' });
      await until(() => !inspectorListening(), 5000); // closed again
    } finally {
      held.kill('SIGKILL');
    }
  });

  /** A real Python process that registers the probe's stack dump, prints what `prints` says as JSON, then runs `hold`. */
  async function heldPython(dir: string, prints: string, hold: string[]): Promise<{ held: ReturnType<typeof spawn>; said: unknown[]; nextLine: () => Promise<string> }> {
    writeFileSync(path.join(dir, 'held.py'), [
      'import json, re, threading, time',
      'from concurrency_lens_probe import _stacks',
      `print(json.dumps([_stacks.register(), ${prints}]), flush=True)`,
      ...hold,
    ].join('\n'));
    const held = spawn('python3', ['held.py'], { cwd: dir, env: { ...process.env, PYTHONPATH: path.resolve(__dirname, '../../probes/python') }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: held.stdout })[Symbol.asyncIterator]();
    const nextLine = async (): Promise<string> => String((await lines.next()).value);
    return { held, said: JSON.parse(await nextLine()) as unknown[], nextLine };
  }

  it('finds the Python thread holding the GIL in C code from a stack dump, reports its hold until the probe is heard again, and drops the probe\'s own late report of it', async () => {
    // Held by a regular expression that backtracks for seconds; the fake probe speaks for the process, then falls silent as its probe would.
    const dir = mkdtempSync(path.join(tmpdir(), 'clens-gil-'));
    const { held, said: [stackDump, ident, nativeId] } = await heldPython(dir, 'threading.get_ident(), threading.get_native_id()', ['time.sleep(0.3)', 're.match(r"(a+)+$", "a" * 32 + "b")']);
    try {
      const session = await start({ parentOf: () => undefined });
      const program = await probe(session, held.pid!, 1, 'python', { stackDump, cwd: dir });
      const main = { id: 'main', kind: 'main', name: 'MainThread', state: 'running', startedAt: Date.now(), ident, nativeId };
      program.send({ kind: 'snapshot', threads: [main, { ...main, id: 't1', kind: 'thread', name: 'idle', ident: Number(ident) + 1, nativeId: Number(nativeId) + 1 }], tasks: [], loops: [], children: [] });
      await until(() => session.model.blockedEvents().length > 0, SILENT_MIN_MS + 10_000);
      const [hold] = session.model.blockedEvents();
      assert.deepEqual([hold?.loopId, hold?.threadId, hold?.gil, hold?.ongoing], ['gil:main', 'main', true, true]);
      assert.deepEqual(hold?.stack.at(-2), { file: path.join(dir, 'held.py'), line: 5, function: '<module>' }, 'relative to the process\'s directory where the dump says so');
      assert.equal(hold?.stack.at(-1)?.function, 'match');
      // Heard again: the hold is over; the probe's own report of it, with the line it found once it ran again, is left out.
      program.send({ kind: 'delta' });
      await until(() => session.model.blockedEvents()[0]?.ongoing === false);
      program.send({ kind: 'blocked', loopId: 'loop-1', threadId: 'main', durationMs: hold.durationMs, stack: [{ file: path.join(dir, 'held.py'), line: 4 }] });
      program.send({ kind: 'delta' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(session.model.blockedEvents().length, 1);
      assert.ok(session.model.blockedEvents()[0]!.durationMs >= SILENT_MIN_MS);
    } finally {
      held.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a Python thread that took the GIL as it started, before its probe described it, and names it once the probe does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clens-gil-'));
    const { held, said: [stackDump, ident, nativeId], nextLine } = await heldPython(dir, 'threading.get_ident(), threading.get_native_id()', [
      'def crunch():',
      '    print(threading.get_ident(), flush=True)',
      '    re.match(r"(a+)+$", "a" * 32 + "b")',
      'time.sleep(0.3)',
      'threading.Thread(target=crunch, name="cruncher").start()',
    ]);
    try {
      const cruncherIdent = Number(await nextLine());
      const session = await start({ parentOf: () => undefined });
      const program = await probe(session, held.pid!, 1, 'python', { stackDump, cwd: dir });
      const main = { id: 'main', kind: 'main', name: 'MainThread', state: 'waiting', startedAt: Date.now(), ident, nativeId };
      program.send({ kind: 'snapshot', threads: [main], tasks: [], loops: [], children: [] });
      await until(() => session.model.blockedEvents().length > 0, SILENT_MIN_MS + 10_000);
      const [hold] = session.model.blockedEvents();
      assert.deepEqual([hold?.threadId, hold?.stack.at(-2)?.function], [`ident:${cruncherIdent}`, 'crunch']);
      program.send({ kind: 'blocked', loopId: 'loop-1', threadId: 'main', durationMs: 4000, stack: [] }); // heard again: not yet described
      program.send({ kind: 'delta', upsert: { threads: [{ ...main, id: 't2', kind: 'thread', name: 'cruncher', ident: cruncherIdent }] } });
      await until(() => session.model.blockedEvents().some((event) => event.gil && event.threadId === 't2' && !event.ongoing));
    } finally {
      held.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not signal a Python process whose stack-dump descriptor now holds another file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clens-gil-'));
    const { held, said: [stackDump, ident, nativeId] } = await heldPython(dir, 'threading.get_ident(), threading.get_native_id()', [
      'import os',
      'other = open("other.txt", "w+")',
      'os.dup2(other.fileno(), _stacks._dump)  # the program reuses the descriptor',
      'time.sleep(0.3)',
      're.match(r"(a+)+$", "a" * 32 + "b")',
    ]);
    try {
      const session = await start({ parentOf: () => undefined });
      const program = await probe(session, held.pid!, 1, 'python', { stackDump, cwd: dir });
      program.send({ kind: 'snapshot', threads: [{ id: 'main', kind: 'main', name: 'MainThread', state: 'running', startedAt: Date.now(), ident, nativeId }], tasks: [], loops: [], children: [] });
      await new Promise((resolve) => setTimeout(resolve, SILENT_MIN_MS + 2000));
      assert.deepEqual(session.model.blockedEvents(), []);
      assert.equal(readFileSync(path.join(dir, 'other.txt'), 'utf8'), '', 'nothing written into the program\'s file');
    } finally {
      held.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the line of a Node.js main thread held by a synchronous child process from what its probe said before the call, without the inspector', async () => {
    const session = await start({ parentOf: () => undefined });
    const program = await probe(session, 73, 1);
    const at = { file: '/app/build.mjs', line: 7, function: 'build' };
    program.send({ kind: 'snapshot', threads: [{ id: 'main', kind: 'main', name: 'main', state: 'waiting', startedAt: Date.now(), wait: { kind: 'subprocess', call: 'execSync', at, since: Date.now() } }], loops: [], children: [] });
    await until(() => (session.model.blockedEvents()[0]?.stack.length ?? 0) > 0, SILENT_MIN_MS + 2000);
    assert.deepEqual(session.model.blockedEvents()[0]?.stack, [at]);
    assert.equal(inspectorListening(), false);
  });

  it('says what system call a silent Node.js main thread sleeps in, where no line can be had (Linux)', async () => {
    // A process blocked reading a pipe nobody writes, speaking as a Node.js probe gone silent.
    const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const session = await start({ parentOf: () => undefined, useInspector: false });
      await probe(session, reader.pid!, 1);
      await until(() => session.model.blockedEvents()[0]?.systemCall !== undefined, SILENT_MIN_MS + 2000);
      const [held] = session.model.blockedEvents();
      assert.deepEqual(held!.systemCall, { name: 'read', file: 'fd 0 (stdin)', fileKind: 'socket' });
      assert.deepEqual(held!.stack, []);
      assert.deepEqual(session.model.toRecording().blockedEvents[0]?.systemCall, held!.systemCall, 'recorded');
    } finally {
      reader.kill('SIGKILL');
    }
  });

  it('does not open the inspector of a Node.js main thread held in a blocking read: its signal would make the read fail with EINTR', async () => {
    const reader = spawn(process.execPath, ['-e', 'require("node:fs").readSync(0, Buffer.alloc(16)); process.exit(0)'], { stdio: ['pipe', 'ignore', 'ignore'] });
    let ended: number | null | undefined;
    reader.on('exit', (code) => (ended = code));
    try {
      await until(() => heldSystemCall(reader.pid!)?.name === 'read');
      const session = await start({ parentOf: () => undefined });
      await probe(session, reader.pid!, 1);
      await until(() => session.model.blockedEvents()[0]?.systemCall !== undefined, SILENT_MIN_MS + 2000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(ended, undefined, 'still reading');
      assert.equal(inspectorListening(), false);
      reader.stdin.end('x');
      await until(() => ended !== undefined);
      assert.equal(ended, 0, 'the read returned its byte, no EINTR');
    } finally {
      reader.kill('SIGKILL');
    }
  });

  it('ends a Node.js hold itself when the probe, heard again, reports no block (the machine held it, not the program)', async () => {
    const session = await start({ parentOf: () => undefined, useInspector: false });
    const program = await probe(session, 74, 1);
    await until(() => session.model.blockedEvents().length > 0, SILENT_MIN_MS + 2000);
    program.send({ kind: 'delta' });
    await until(() => session.model.blockedEvents()[0]?.ongoing === false, 3000);
    const [held] = session.model.blockedEvents();
    assert.ok(held!.durationMs >= SILENT_MIN_MS && held!.durationMs < SILENT_MIN_MS + 2000, String(held!.durationMs));
  });

  it('does not take the silence of a stopped process (SIGSTOP) for a held thread', async () => {
    const stopped = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      process.kill(stopped.pid!, 'SIGSTOP');
      const session = await start({ parentOf: () => undefined });
      await probe(session, stopped.pid!, 1);
      await new Promise((resolve) => setTimeout(resolve, SILENT_MIN_MS + 800));
      assert.deepEqual(session.model.blockedEvents(), []);
    } finally {
      stopped.kill('SIGKILL');
    }
  });

  it('does not take a Node.js probe\'s silence for a block while a debugger holds the run paused', async () => {
    const session = await start({ parentOf: () => undefined });
    await probe(session, 72, 1);
    session.setPaused(true);
    await new Promise((resolve) => setTimeout(resolve, SILENT_MIN_MS + 800));
    assert.deepEqual(session.model.blockedEvents(), []);
  });

  it('ends a run attached to a process when that process goes, with its exit code, leaving the rest alone', async () => {
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const session = await start({ ownsProcesses: false, parentOf: () => undefined });
      session.adoptRoot(70, ['node', 'server.js'], undefined, Date.now());
      const root = await probe(session, 70, 1);
      await probe(session, bystander.pid!, 70);
      root.send({ kind: 'exit', exitCode: 4 });
      await root.close();
      const outcome = await session.ended;
      assert.equal(outcome.exitCode, 4);
      assert.ok(alive(bystander.pid!), 'a run that did not start its processes kills none of them');
    } finally {
      bystander.kill('SIGKILL');
    }
  });

  it('kills what the program left behind when it owns its processes', async () => {
    const leftover = spawn('sleep', ['30'], { stdio: 'ignore' });
    const session = await start({ parentOf: () => undefined });
    session.programStarted(80, ['python3', 'app.py'], '/w', Date.now());
    await probe(session, leftover.pid!, 80);
    const gone = new Promise((resolve) => leftover.once('exit', (_code, signal) => resolve(signal)));
    session.programExited({ endedAt: Date.now(), exitCode: 0 });
    assert.equal(await gone, 'SIGKILL');
    await session.ended;
  });

  it('ends a run whose source went away (a debug session, a terminal) with its one root process\'s status', async () => {
    const session = await start({ ownsProcesses: false, parentOf: () => undefined });
    const program = await probe(session, 90, 1);
    program.send({ kind: 'exit', exitCode: 0 });
    await program.close();
    await until(() => session.model.process(90)?.connected === false);
    session.end();
    assert.deepEqual(await session.ended, { endedAt: session.model.outcome!.endedAt, exitCode: 0 });
  });
});

/** Where the recording of the session's model shows process 30 (its nearest ancestor in the run). */
function recordedParentInRun(session: RunSession): number | undefined {
  const recording = session.model.toRecording();
  return recording.processes.find((process) => process.pid === 30)?.parentInRun;
}

describe('PauseLog', () => {
  it('tells whether a span overlaps a pause, an open one lasting until now', () => {
    const pauses = new PauseLog();
    assert.equal(pauses.overlaps(0, 10), false);
    pauses.pause(100);
    pauses.resume(200);
    pauses.pause(300);
    assert.equal(pauses.isPaused, true);
    assert.equal(pauses.overlaps(50, 99), false);
    assert.equal(pauses.overlaps(50, 150), true);
    assert.equal(pauses.overlaps(150, 160), true);
    assert.equal(pauses.overlaps(201, 299), false);
    assert.equal(pauses.overlaps(250, 1000), true, 'the pause still going');
    pauses.resume(400);
    assert.equal(pauses.isPaused, false);
    assert.equal(pauses.overlaps(401, 500), false);
  });
});
