import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { attachNodeProbe } from '../../src/core/attach/attachNode';
import { inspectorPortOf, listRuntimeProcesses, runtimeOf, selfAndAncestors } from '../../src/core/attach/processes';
import { ProbeServer } from '../../src/core/probe/server';
import { probeInstall } from '../../src/core/runs/launchSpec';
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
