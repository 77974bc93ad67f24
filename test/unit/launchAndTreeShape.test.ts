import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { interpreterCandidates, pythonLaunchSpec } from '../../src/core/runs/launchSpec';
import type { TrackedEntity } from '../../src/core/runs/runModel';
import { blockingFrame, formatDuration, groupTasksByCoroutine, processLabel } from '../../src/core/runs/treeShape';

describe('python launch spec', () => {
  const base = {
    interpreter: '/usr/bin/python3', script: '/w/app.py', args: ['--n', '3'], cwd: '/w', probeRoot: '/ext/probes/python',
    probeEnv: { CONCURRENCY_LENS_ADDRESS: 'unix:/tmp/x/probe.sock', CONCURRENCY_LENS_TOKEN: 'f'.repeat(64) }, blockedThresholdMs: 250,
  };

  it('runs the probe module with the script and its arguments, endpoint in the environment only, nothing else added', () => {
    const spec = pythonLaunchSpec({ ...base, baseEnv: { HOME: '/root', UNSET: undefined } });
    assert.deepEqual([spec.command, ...spec.args], ['/usr/bin/python3', '-m', 'concurrency_lens_probe', '/w/app.py', '--n', '3']);
    assert.equal(spec.args.some((arg) => arg.includes('f'.repeat(64))), false);
    assert.equal(spec.env.CONCURRENCY_LENS_TOKEN, 'f'.repeat(64));
    assert.equal(spec.env.CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS, '250');
    assert.equal(spec.env.PYTHONPATH, '/ext/probes/python');
    // Only what the program needs on top of its terminal's environment.
    assert.deepEqual(Object.keys(spec.env).sort(), ['CONCURRENCY_LENS_ADDRESS', 'CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS', 'CONCURRENCY_LENS_TOKEN', 'PYTHONPATH']);
  });

  it('puts the probe first on an existing PYTHONPATH', () => {
    const spec = pythonLaunchSpec({ ...base, baseEnv: { PYTHONPATH: '/mine' } });
    assert.equal(spec.env.PYTHONPATH, `/ext/probes/python${path.delimiter}/mine`);
  });

  it('tries the Python extension, then the setting, then python3, once each', () => {
    assert.deepEqual(interpreterCandidates('/venv/bin/python', ' /opt/py '), ['/venv/bin/python', '/opt/py', 'python3']);
    assert.deepEqual(interpreterCandidates(undefined, ''), ['python3']);
    assert.deepEqual(interpreterCandidates('python3', 'python3'), ['python3']);
  });
});

describe('tree shape', () => {
  const task = (id: string, coroutine: string) => ({ kind: 'task', info: { id, coroutine }, live: true, history: [], droppedIntervals: 0 }) as unknown as TrackedEntity<'task'>;

  it('groups tasks by coroutine, biggest group first', () => {
    const groups = groupTasksByCoroutine([task('1', 'fetch'), task('2', 'parse'), task('3', 'fetch'), task('4', 'all')]);
    assert.deepEqual(groups.map((group) => [group.coroutine, group.tasks.length]), [['fetch', 2], ['all', 1], ['parse', 1]]);
  });

  it('formats durations and process labels', () => {
    assert.deepEqual([formatDuration(850), formatDuration(4200), formatDuration(185_000), formatDuration(7_260_000)], ['850 ms', '4.2 s', '3 min 5 s', '2 h 1 min']);
    assert.equal(processLabel(['/home/me/app.py', '--fast']), 'app.py --fast');
    assert.equal(processLabel([]), '');
  });

  it('points a blocked loop at the innermost frame in the user\'s files', () => {
    const stack = [{ file: '/w/app.py', line: 3 }, { file: '/w/app.py', line: 9 }, { file: '/usr/lib/python3.12/json/decoder.py', line: 40 }];
    assert.deepEqual(blockingFrame(stack, (file) => file.startsWith('/w/')), { file: '/w/app.py', line: 9 });
    assert.deepEqual(blockingFrame(stack, () => false), stack[2]);
    assert.equal(blockingFrame([], () => true), undefined);
  });
});
