import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFaultHandlerDump, withoutProbeLauncher } from '../../src/core/attach/gilHolder';

describe('parseFaultHandlerDump', () => {
  it('reads each thread\'s frames, outermost first, keyed by its ident', () => {
    const dump = [
      'Thread 0x00007f064e3146c0 (most recent call first):',
      '  File "/w/app.py", line 7 in other',
      '  File "/usr/lib/python3.12/threading.py", line 1010 in run',
      '',
      'Current thread 0x00007f064ec20b80 (most recent call first):',
      '  File "/usr/lib/python3.12/re/__init__.py", line 167 in match',
      '  File "app.py", line 11 in check',
      '  File "app.py", line 12 in <module>',
      '',
    ].join('\n');
    assert.deepEqual(parseFaultHandlerDump(dump), new Map([
      [0x7f064e3146c0, [{ file: '/usr/lib/python3.12/threading.py', line: 1010, function: 'run' }, { file: '/w/app.py', line: 7, function: 'other' }]],
      [0x7f064ec20b80, [
        { file: 'app.py', line: 12, function: '<module>' }, { file: 'app.py', line: 11, function: 'check' },
        { file: '/usr/lib/python3.12/re/__init__.py', line: 167, function: 'match' },
      ]],
    ]));
  });

  it('skips what is not a frame (a truncated stack, a thread without Python frames, a name after the ident) and tolerates a dump cut short', () => {
    const dump = [
      'Thread 0x0000000000000abc [worker-1] (most recent call first):',
      '  <no Python frame>',
      'Thread 0x0000000000000def (most recent call first):',
      '  File "/w/a.py", line 3 in f',
      '  ...',
      'Thread 0x0000000000000123 (most recent call first):',
      '  File "/w/b.py", line ',
    ].join('\n');
    assert.deepEqual(parseFaultHandlerDump(dump), new Map([
      [0xabc, []],
      [0xdef, [{ file: '/w/a.py', line: 3, function: 'f' }]],
      [0x123, []],
    ]));
  });
});

describe('withoutProbeLauncher', () => {
  it('drops the frames that started the script under the probe, and keeps a stack the probe did not start whole', () => {
    const program = [{ file: '/w/gil_held.py', line: 20, function: '<module>' }, { file: '/w/gil_held.py', line: 12, function: 'backtrack' }];
    const launched = [
      { file: '/ext/probes/python/sitecustomize.py', line: 26, function: '_run_module_as_main' },
      { file: '<frozen runpy>', line: 198, function: '_run_module_as_main' },
      { file: '/ext/probes/python/concurrency_lens_probe/__main__.py', line: 50, function: '<module>' },
      { file: '/ext/probes/python/concurrency_lens_probe/__main__.py', line: 19, function: '_main' },
      { file: '<frozen runpy>', line: 291, function: 'run_path' },
      { file: '/usr/lib/python3.11/runpy.py', line: 98, function: '_run_module_code' },
      ...program,
    ];
    assert.deepEqual(withoutProbeLauncher(launched), program);
    const thread = [{ file: '/usr/lib/python3.11/threading.py', line: 1010, function: 'run' }, ...program];
    assert.deepEqual(withoutProbeLauncher(thread), thread);
  });
});
