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
