import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { heldSystemCall, sleepsInSystemCall } from '../../src/core/attach/systemCall';
import { systemCallWords } from '../../src/core/runs/treeShape';

const started: ChildProcess[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'cl-syscall-'));
after(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  started.push(child);
  return child;
}

/** Its system call once it sleeps in one (a process just started is still loading). */
async function sleepingCall(pid: number) {
  for (let tries = 0; tries < 200; tries += 1) {
    const call = heldSystemCall(pid);
    if (call && call.name !== 'execve') return call;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

describe('heldSystemCall: what a thread held in the kernel waits in (Linux /proc)', () => {
  it('names a read of standard input that nobody writes (Node.js gives a child a socket pair for `pipe`)', async () => {
    const reader = run('cat', []);
    const call = await sleepingCall(reader.pid!);
    assert.deepEqual(call, { name: 'read', file: 'fd 0 (stdin)', fileKind: 'socket' });
    assert.equal(systemCallWords(call), 'in read() on a socket, fd 0 (stdin)');
  });

  it('names the named pipe an open() waits on for a writer, read from the process\'s memory', async () => {
    const fifo = path.join(dir, 'requests');
    spawnSync('mkfifo', [fifo]);
    const reader = run('cat', [fifo]);
    const call = await sleepingCall(reader.pid!);
    assert.equal(call?.file, fifo);
    assert.equal(call?.fileKind, 'fifo');
    assert.match(call.name, /^open(at)?$/);
    assert.equal(systemCallWords(call), `in ${call.name}() on the named pipe ${fifo}`);
  });

  it('says nothing of a running thread, nor of a process that is gone', async () => {
    const busy = run(process.execPath, ['-e', 'for (;;);']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(heldSystemCall(busy.pid!), undefined);
    const gone = spawnSync('true');
    assert.equal(heldSystemCall(gone.pid), undefined);
  });

  it('tells a call a signal would cut short (a read) from a futex wait (Atomics.wait) and a running thread', async () => {
    const reader = run('cat', []);
    await sleepingCall(reader.pid!);
    assert.equal(sleepsInSystemCall(reader.pid!), true);
    const parked = run(process.execPath, ['-e', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)']);
    assert.equal((await sleepingCall(parked.pid!))?.name, 'futex');
    assert.equal(sleepsInSystemCall(parked.pid!), false);
    const busy = run(process.execPath, ['-e', 'for (;;);']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sleepsInSystemCall(busy.pid!), false);
  });
});
