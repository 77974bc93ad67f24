import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { attachNodeProbe } from '../../src/core/attach/attachNode';
import { attachPythonDescendants, attachPythonProbe, gdbFailure } from '../../src/core/attach/attachPython';
import { inspectorPortOf, listRuntimeProcesses, runtimeOf, selfAndAncestors } from '../../src/core/attach/processes';
import { ProbeServer } from '../../src/core/probe/server';
import { probeInstall } from '../../src/core/runs/launchSpec';
import { descendantPids } from '../../src/core/runs/processTree';
import { RunSession } from '../../src/core/runs/runSession';

const root = path.resolve(__dirname, '..', '..');
const install = probeInstall(path.join(root, 'probes'));
const server = path.join(root, 'test', 'fixtures', 'attach', 'server.mjs');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) child.kill('SIGKILL');
});

/** Starts a program and resolves once it printed `ready` (and with each later line). */
async function target(command: string, args: string[], options: { uid?: number; gid?: number; cwd?: string } = {}): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  started.push(child);
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    // A program that cannot start (e.g. another user who may not read this checkout) fails the test instead of hanging it.
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready`)));
    child.stdout.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (lines.includes('ready')) resolve();
    });
  });
  return { child, lines };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function inspectorAnswers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe('processes to attach to', () => {
  it('reads the inspector port a process was started with, from its command line or NODE_OPTIONS', () => {
    assert.equal(inspectorPortOf(['node', 'app.js'], undefined), undefined);
    assert.equal(inspectorPortOf(['node', '--inspect', 'app.js'], undefined), 9229);
    assert.equal(inspectorPortOf(['node', '--inspect=127.0.0.1:9333', 'app.js'], undefined), 9333);
    assert.equal(inspectorPortOf(['node', '--inspect-brk=9444', 'app.js'], undefined), 9444);
    assert.equal(inspectorPortOf(['node', 'app.js', '--inspect=9555'], undefined), undefined, 'after the script it is the program\'s argument');
    assert.equal(inspectorPortOf(['node', 'app.js'], '--max-old-space-size=100 --inspect=9666'), 9666);
    assert.equal(inspectorPortOf(['node', '--inspect-port=9777', 'app.js'], undefined), undefined, 'a port alone opens nothing');
    assert.equal(inspectorPortOf(['node', '--inspect=0', 'app.js'], undefined), undefined, 'a random port cannot be known');
  });

  it('lists this user\'s Node.js and Python processes with their command lines, never the ones excluded', async () => {
    const node = await target(process.execPath, [server]);
    const python = await target('python3', ['-c', 'import time; print("ready", flush=True); time.sleep(30)']);
    const listed = listRuntimeProcesses(process.getuid!(), selfAndAncestors(process.pid));
    assert.deepEqual(listed.find((candidate) => candidate.pid === node.child.pid), { pid: node.child.pid, runtime: 'node', argv: [process.execPath, server] });
    assert.equal(runtimeOf(python.child.pid!), 'python');
    assert.ok(!listed.some((candidate) => candidate.pid === process.pid), 'this process is excluded');
    python.child.kill();
  });
});

describe('attaching to a running Node.js process', () => {
  it('loads the probe through the inspector it opens and closes again: the process, its running Worker, and a child started later report to the run', async () => {
    const { child, lines } = await target(process.execPath, [server]);
    const pid = child.pid!;
    const probes = await ProbeServer.start({ logger: quiet });
    const session = new RunSession(probes, { logger: quiet, ownsProcesses: false });
    try {
      session.adoptRoot(pid, [process.execPath, server], undefined, Date.now());
      const result = await attachNodeProbe({ pid, install, env: probes.environment });
      assert.deepEqual(result, { ok: true, openedInspector: true, workers: 1, argv: [process.execPath, server] });
      assert.equal(await inspectorAnswers(9229), false, 'the inspector we opened is closed again');
      const record = await until('the attached process with its Worker', () => {
        const found = session.model.process(pid);
        return found?.runtime && [...found.entities.thread.values()].some((thread) => thread.info.kind === 'worker' && thread.info.state !== 'exited') && found;
      });
      assert.equal(record.runtime?.name, 'node');
      assert.equal(session.model.rootProcesses()[0]?.pid, pid);
      child.kill('SIGUSR2');
      const childPid = Number((await until('the child\'s pid', () => lines.find((line) => line.startsWith('child ')))).slice(6));
      await until('the child process, probed, under the attached one', () => session.model.childProcesses(pid).some((process) => process.pid === childPid && process.runtime));
      child.kill('SIGHUP');
      await until('the blocked loop', () => session.model.blockedEvents().some((event) => event.pid === pid && event.durationMs >= 300));
      const again = await attachNodeProbe({ pid, install, env: probes.environment });
      assert.equal(again.ok === false && again.reason, 'already-monitored');
      child.kill('SIGTERM');
      await session.ended;
    } finally {
      session.dispose();
    }
  });

  it('uses the inspector a process was started with, and leaves it open', async () => {
    const { child } = await target(process.execPath, ['--inspect=127.0.0.1:9339', server]);
    const probes = await ProbeServer.start({ logger: quiet });
    const session = new RunSession(probes, { logger: quiet, ownsProcesses: false });
    try {
      const result = await attachNodeProbe({ pid: child.pid!, install, env: probes.environment });
      assert.equal(result.ok && result.openedInspector, false);
      assert.equal(await inspectorAnswers(9339), true, 'not ours to close');
      await until('its hello', () => session.model.process(child.pid!)?.runtime);
    } finally {
      child.kill('SIGKILL');
      session.dispose();
    }
  });

  it('refuses a process that is gone, one of another user, one that is not Node.js, and a port that is someone else\'s', async () => {
    const env = { CONCURRENCY_LENS_ADDRESS: 'unix:/nowhere', CONCURRENCY_LENS_TOKEN: 'x' };
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.once('exit', resolve));
    assert.equal(((await attachNodeProbe({ pid: gone.pid!, install, env })) as { reason: string }).reason, 'gone');

    // Root can start a process as another user; anyone else finds init's process owned by root.
    // Its program is inline and runs in /, because a checkout in a private folder is not readable by that user.
    const otherUsers = process.getuid!() === 0 ? (await target(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { uid: 65534, gid: 65534, cwd: '/' })).child.pid! : 1;
    assert.equal(((await attachNodeProbe({ pid: otherUsers, install, env })) as { reason: string }).reason, 'other-user');

    const python = await target('python3', ['-c', 'import time; print("ready", flush=True); time.sleep(30)']);
    assert.equal(((await attachNodeProbe({ pid: python.child.pid!, install, env })) as { reason: string }).reason, 'not-node');

    const holder = await target(process.execPath, ['--inspect=127.0.0.1:9229', server]);
    const { child } = await target(process.execPath, [server]);
    const taken = await attachNodeProbe({ pid: child.pid!, install, env });
    assert.equal((taken as { reason: string }).reason, 'port-taken');
    assert.equal(await inspectorAnswers(9229), true, 'the other process\'s inspector is left alone');
    holder.child.kill('SIGKILL');
  });
});

describe('attaching to a running Python process', () => {
  const deadlock = path.join(root, 'test', 'fixtures', 'attach', 'deadlock.py');
  const python = 'python3';

  it('runs the probe in a process stuck in a deadlock (gdb): its threads, what each waits for, and the program runs on', async () => {
    const { child } = await target(python, [deadlock]);
    const pid = child.pid!;
    const probes = await ProbeServer.start({ logger: quiet });
    const session = new RunSession(probes, { logger: quiet, ownsProcesses: false });
    try {
      session.adoptRoot(pid, [python, deadlock], undefined, Date.now());
      assert.deepEqual(await attachPythonProbe({ pid, install, env: probes.environment }), { ok: true });
      const waits = await until('both threads waiting for the lock the other holds', () => {
        const threads = [...(session.model.process(pid)?.entities.thread.values() ?? [])].map((thread) => thread.info);
        const named = (name: string) => threads.find((thread) => thread.name === name)?.wait;
        const [transfer, audit] = [named('transfer'), named('audit')];
        return transfer?.kind === 'lock' && audit?.kind === 'lock' && { transfer, audit, main: named('MainThread') };
      });
      assert.equal(waits.transfer.name, 'journal');
      assert.equal(waits.audit.name, 'accounts');
      assert.equal(waits.main?.kind, 'join');
      assert.equal(session.model.process(pid)?.runtime?.name, 'python');
      assert.deepEqual(session.model.process(pid)?.argv, [deadlock], 'the program\'s own argv, not the bootstrap\'s');
      const again = await attachPythonProbe({ pid, install, env: probes.environment });
      assert.deepEqual(again.ok === false && again.reason, 'already-monitored');
      assert.equal(child.exitCode, null, 'still running');
      child.kill('SIGTERM');
      await session.ended;
    } finally {
      session.dispose();
    }
  });

  it('attaches to the Python processes it had started too: a parent waiting for its child is seen with what the child waits on', async () => {
    const program = path.join(root, 'test', 'fixtures', 'attach', 'waits_for_child.py');
    const { child } = await target(python, [program]);
    const pid = child.pid!;
    const probes = await ProbeServer.start({ logger: quiet });
    const session = new RunSession(probes, { logger: quiet, ownsProcesses: false });
    // Its child, killed with it at the end (orphaned, it would no longer be found under it).
    const started = descendantPids(pid);
    try {
      session.adoptRoot(pid, [python, program], undefined, Date.now());
      assert.deepEqual(await attachPythonProbe({ pid, install, env: probes.environment }), { ok: true });
      const { attached, failed } = await attachPythonDescendants({ pid, install, env: probes.environment });
      assert.deepEqual(failed, []);
      assert.equal(attached.length, 1);
      const [childPid] = attached;
      const waits = await until('the parent waiting for its child, the child waiting for its event', () => {
        const main = (process: number) => [...(session.model.process(process)?.entities.thread.values() ?? [])].find((thread) => thread.info.name === 'MainThread')?.info.wait;
        const [parent, grandchild] = [main(pid), main(childPid!)];
        return parent?.kind === 'subprocess' && grandchild?.kind === 'event' && { parent, grandchild };
      });
      assert.equal(waits.parent.pid, childPid);
      assert.equal(session.model.process(childPid!)?.ppid, pid);
      assert.deepEqual(attached, started);
      assert.deepEqual(await attachPythonDescendants({ pid, install, env: probes.environment }), { attached: [], failed: [] }, 'attached once');
    } finally {
      for (const left of started) process.kill(left, 'SIGKILL');
      child.kill('SIGKILL');
      session.dispose();
    }
  });

  it('says why when it cannot: gone, another user\'s, a main thread that never waits, no gdb, a probe that cannot be imported', async () => {
    const env = { CONCURRENCY_LENS_ADDRESS: 'unix:/nowhere', CONCURRENCY_LENS_TOKEN: 'x' };
    const reason = async (pid: number, options: { gdb?: string; busyWaitMs?: number; pythonRoot?: string } = {}) => {
      const result = await attachPythonProbe({ pid, install: { ...install, pythonRoot: options.pythonRoot ?? install.pythonRoot }, env, gdb: options.gdb, busyWaitMs: options.busyWaitMs });
      return result.ok ? 'ok' : `${result.reason}: ${result.detail}`;
    };
    const gone = spawn(python, ['-c', 'pass']);
    await new Promise((resolve) => gone.once('exit', resolve));
    assert.match(await reason(gone.pid!), /^gone: /);
    const otherUsers = process.getuid!() === 0 ? (await target(python, ['-c', 'import time; print("ready", flush=True); time.sleep(30)'], { uid: 65534, gid: 65534, cwd: '/' })).child.pid! : 1;
    assert.match(await reason(otherUsers), /^other-user: /);
    const spinning = await target(python, ['-c', 'print("ready", flush=True)\nwhile True: pass']);
    assert.match(await reason(spinning.child.pid!, { busyWaitMs: 300 }), /^main-thread-busy: /);
    spinning.child.kill();
    const sleeping = await target(python, ['-c', 'import time; print("ready", flush=True); time.sleep(30)']);
    assert.match(await reason(sleeping.child.pid!, { gdb: path.join(root, 'no-such-gdb') }), /^no-gdb: /);
    assert.match(await reason(sleeping.child.pid!, { pythonRoot: path.join(root, 'no-such-folder') }), /^failed: failed: ModuleNotFoundError/);
    assert.equal(sleeping.child.exitCode, null, 'the failed attach left it running');
    assert.equal(sleeping.lines.length, 1, 'and printed nothing into its output');
    sleeping.child.kill();
  });

  it('reads why gdb could not run the bootstrap from what it printed', () => {
    const run = (output: string) => gdbFailure({ started: true, output, timedOut: false }).reason;
    assert.equal(run('Could not attach to process.  If your uid matches the uid of the target\nptrace: Operation not permitted.\n'), 'ptrace-denied');
    assert.equal(run('ptrace: No such process.\n'), 'gone');
    assert.equal(run('No symbol "PyGILState_Ensure" in current context.\n'), 'not-python');
    assert.equal(run('something else\n'), 'failed');
    assert.equal(gdbFailure({ started: false, output: '', timedOut: false }).reason, 'no-gdb');
  });
});
