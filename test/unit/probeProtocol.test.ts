import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProbeAddress, parseProbeAddress, PROTOCOL_VERSION, validateFrame } from '../../src/core/probe/protocol';

const hello = {
  kind: 'hello', seq: 0, t: 1_700_000_000_000, token: 'a'.repeat(64), protocol: PROTOCOL_VERSION,
  pid: 4242, ppid: 1, runtime: { name: 'python', version: '3.12.1', implementation: 'CPython' },
  argv: ['demo.py'], startedAt: 1_700_000_000_000,
};

describe('probe protocol', () => {
  it('accepts each kind of frame', () => {
    const frames = [
      hello,
      { kind: 'snapshot', seq: 1, t: 1, threads: [{ id: 't1', kind: 'main', name: 'MainThread', state: 'running', startedAt: 1 }], tasks: [] },
      { kind: 'delta', seq: 2, t: 2, dropped: 3, upsert: { tasks: [{ id: 'k1', threadId: 't1', loopId: 'l1', name: 'Task-1', coroutine: 'main', state: 'pending', startedAt: 2 }] }, remove: { children: ['c1'] } },
      { kind: 'blocked', seq: 3, t: 3, loopId: 'l1', threadId: 't1', durationMs: 310, stack: [{ file: '/a.py', line: 4, function: 'main' }] },
      { kind: 'exit', seq: 4, t: 4, exitCode: 0 },
    ];
    for (const frame of frames) assert.equal(validateFrame(frame).ok, true, JSON.stringify(validateFrame(frame)));
  });

  it('rejects unknown kinds, wrong types and out-of-range values with the offending path', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...hello, kind: 'nope' }, /kind/],
      [{ ...hello, pid: -1 }, /^pid/],
      [{ ...hello, runtime: { name: 'ruby', version: '3' } }, /^runtime\.name/],
      [{ kind: 'snapshot', seq: 1, t: 1, threads: [{ id: '', kind: 'main', name: 'x', state: 'running', startedAt: 1 }] }, /^threads\.0\.id/],
      [{ kind: 'blocked', seq: 1, t: 1, loopId: 'l', threadId: 't', durationMs: Number.NaN, stack: [] }, /^durationMs/],
      ['hello', /frame/],
      [null, /frame/],
    ];
    for (const [value, path] of cases) {
      const result = validateFrame(value);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, path);
    }
  });

  it('validates what keeps a process alive: every field, a bounded list, unknown kinds as other', () => {
    const loop = (keptAliveBy: unknown[], extra: Record<string, unknown> = {}) => ({
      kind: 'delta', seq: 1, t: 1, upsert: { loops: [{ id: 'loop-main', threadId: 'main', lagMs: 0, idleSince: 1, keptAliveBy, ...extra }] },
    });
    const handles = [
      { kind: 'server', address: '127.0.0.1:8080', at: { file: '/app.js', line: 3 } },
      { kind: 'timer', delayMs: 60_000, at: { file: '/app.js', line: 4 } },
      { kind: 'timer', count: 2 },
      { kind: 'worker', threadId: 'worker-1' },
      { kind: 'child', pid: 77, command: 'sleep 100' },
      { kind: 'other', type: 'FSWatcher' },
    ];
    const accepted = validateFrame(loop(handles, { keptAliveByMore: 3 }));
    assert.equal(accepted.ok, true, JSON.stringify(accepted));
    const future = validateFrame(loop([{ kind: 'quantum-link' }]));
    assert.ok(future.ok && future.frame.kind === 'delta');
    assert.equal(future.frame.upsert?.loops?.[0]?.keptAliveBy?.[0]?.kind, 'other');
    const cases: [unknown, RegExp][] = [
      [loop([{ kind: 'timer', delayMs: -1 }]), /keptAliveBy\.0\.delayMs/],
      [loop([{ kind: 'child', pid: 0 }]), /keptAliveBy\.0\.pid/],
      [loop([{ kind: 'timer', count: 0 }]), /keptAliveBy\.0\.count/],
      [loop([{ kind: 'server', at: { file: '/app.js', line: 0 } }]), /keptAliveBy\.0\.at\.line/],
      [loop([{ kind: 'socket', address: 'x'.repeat(4001) }]), /keptAliveBy\.0\.address/],
      [loop(Array.from({ length: 101 }, () => ({ kind: 'timer' }))), /keptAliveBy/],
      [loop([], { keptAliveByMore: -2 }), /keptAliveByMore/],
    ];
    for (const [value, path] of cases) {
      const result = validateFrame(value);
      assert.equal(result.ok, false, JSON.stringify(value).slice(0, 200));
      if (!result.ok) assert.match(result.error, path);
    }
  });

  it('drops fields it does not know instead of passing them on', () => {
    const result = validateFrame({ ...hello, extra: '<img src=x onerror=alert(1)>' });
    assert.equal(result.ok, true);
    if (result.ok) assert.equal('extra' in result.frame, false);
  });

  it('formats and parses endpoint addresses, loopback TCP only', () => {
    for (const address of [{ transport: 'unix', path: '/tmp/clens-x/probe.sock' }, { transport: 'tcp', host: '127.0.0.1', port: 4567 }] as const) {
      assert.deepEqual(parseProbeAddress(formatProbeAddress(address)), address);
    }
    for (const text of ['', 'unix:', 'tcp:10.0.0.1:80', 'tcp:127.0.0.1:0', 'tcp:127.0.0.1:70000', '/tmp/x.sock']) assert.equal(parseProbeAddress(text), undefined, text);
  });
});
