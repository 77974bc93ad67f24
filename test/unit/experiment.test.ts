import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  EXPECTED_VARIANTS, applyExperimentEvent, emptySnapshot, machineLoad, parallelism, parseExperimentLine, speedup, type ExperimentEvent,
} from '../../src/core/experiment/experimentOutput';
import { runExperiment } from '../../src/core/experiment/runExperiment';

const root = path.resolve(__dirname, '..', '..');
const SCRIPTS = {
  python: path.join(root, 'experiments', 'python', 'experiment.py'),
  node: path.join(root, 'experiments', 'node', 'experiment.mjs'),
} as const;

describe('experiment output parser', () => {
  it('parses each kind of line', () => {
    assert.deepEqual(parseExperimentLine('{"type":"start","language":"python","runtime":"3.11.7","implementation":"cpython","gilEnabled":true,"cpus":2}'),
      { type: 'start', language: 'python', runtime: '3.11.7', implementation: 'cpython', gilEnabled: true, cpus: 2 });
    assert.deepEqual(parseExperimentLine('{"type": "startup", "model": "threads", "perUnitMs": 0.25}'), { type: 'startup', model: 'threads', perUnitMs: 0.25 });
    assert.deepEqual(parseExperimentLine('{"type":"result","workload":"cpu","model":"sequential","units":4,"wallMs":2500.5,"extra":1}'),
      { type: 'result', workload: 'cpu', model: 'sequential', units: 4, wallMs: 2500.5 });
    assert.deepEqual(parseExperimentLine('{"type":"done"}'), { type: 'done' });
  });

  it('parses CPU time and load averages, dropping a malformed CPU time but keeping its result', () => {
    assert.deepEqual(parseExperimentLine('{"type":"result","workload":"cpu","model":"processes","units":4,"wallMs":1000,"cpuMs":1900}'),
      { type: 'result', workload: 'cpu', model: 'processes', units: 4, wallMs: 1000, cpuMs: 1900 });
    assert.deepEqual(parseExperimentLine('{"type":"result","workload":"cpu","model":"processes","units":4,"wallMs":1000,"cpuMs":-3}'),
      { type: 'result', workload: 'cpu', model: 'processes', units: 4, wallMs: 1000 });
    assert.deepEqual(parseExperimentLine('{"type":"load","when":"after","load1":2.5}'), { type: 'load', when: 'after', load1: 2.5 });
    for (const line of ['{"type":"load","when":"during","load1":1}', '{"type":"load","when":"before","load1":"high"}', '{"type":"startup","model":"interpreters","perUnitMs":1}']) {
      assert.equal(parseExperimentLine(line), undefined, line);
    }
  });

  it('computes parallelism as CPU time ÷ wall time, and nothing without a CPU time', () => {
    assert.equal(parallelism({ workload: 'cpu', model: 'processes', units: 4, wallMs: 1000, cpuMs: 1900 }), 1.9);
    assert.equal(parallelism({ workload: 'cpu', model: 'threads', units: 4, wallMs: 2000, cpuMs: 2000 }), 1);
    assert.equal(parallelism({ workload: 'io', model: 'coroutines', units: 16, wallMs: 150, cpuMs: 3 }), 0.02);
    assert.equal(parallelism({ workload: 'cpu', model: 'processes', units: 4, wallMs: 1000 }), undefined);
    assert.equal(parallelism({ workload: 'cpu', model: 'processes', units: 4, wallMs: 0, cpuMs: 5 }), undefined);
  });

  it('calls the machine busy when the load average before or after reaches the CPU count', () => {
    const start: ExperimentEvent = { type: 'start', language: 'python', runtime: '3.13.0', implementation: 'cpython', gilEnabled: true, cpus: 2 };
    const run = (...events: ExperimentEvent[]) => machineLoad([start, ...events].reduce(applyExperimentEvent, emptySnapshot('python')));
    assert.equal(run({ type: 'load', when: 'before', load1: 0.4 }, { type: 'load', when: 'after', load1: 1.2 }), 'idle');
    assert.equal(run({ type: 'load', when: 'before', load1: 2 }), 'busy', 'at the CPU count');
    assert.equal(run({ type: 'load', when: 'before', load1: 0.3 }, { type: 'load', when: 'after', load1: 3.4 }), 'busy', 'busy by the end');
    assert.equal(run(), 'unknown', 'no load average (Windows)');
    assert.equal(machineLoad(applyExperimentEvent(emptySnapshot('node'), { type: 'load', when: 'before', load1: 9 })), 'unknown', 'no CPU count yet');
  });

  it('drops malformed lines without throwing', () => {
    for (const line of ['', 'not json', '[]', 'null', '42', '{"type":"nope"}', '{"type":"result","workload":"gpu","model":"threads","units":4,"wallMs":1}',
      '{"type":"result","workload":"cpu","model":"fibers","units":4,"wallMs":1}', '{"type":"result","workload":"cpu","model":"threads","units":0,"wallMs":1}',
      '{"type":"result","workload":"cpu","model":"threads","units":4,"wallMs":-1}', '{"type":"startup","model":"sequential","perUnitMs":1}',
      '{"type":"start","language":"ruby","runtime":"3","implementation":"x","gilEnabled":true,"cpus":2}',
      `{"type":"start","language":"node","runtime":"${'x'.repeat(100)}","implementation":"v8","gilEnabled":false,"cpus":2}`]) {
      assert.equal(parseExperimentLine(line), undefined, line);
    }
  });

  it('folds events into a snapshot and computes speed-ups against the sequential run', () => {
    const events: ExperimentEvent[] = [
      { type: 'start', language: 'python', runtime: '3.13.0', implementation: 'cpython', gilEnabled: true, cpus: 2 },
      { type: 'startup', model: 'processes', perUnitMs: 30 },
      { type: 'result', workload: 'cpu', model: 'sequential', units: 4, wallMs: 2000 },
      { type: 'result', workload: 'cpu', model: 'processes', units: 4, wallMs: 1000 },
      { type: 'done' },
    ];
    const snapshot = events.reduce(applyExperimentEvent, { ...emptySnapshot('python'), status: 'running' as const });
    assert.equal(snapshot.status, 'done');
    assert.equal(snapshot.runtime?.runtime, '3.13.0');
    assert.equal(snapshot.startupMs.processes, 30);
    assert.equal(snapshot.results.length, 2);
    assert.equal(speedup(snapshot.results, 'cpu', 1000), 2);
    assert.equal(speedup(snapshot.results, 'io', 1000), undefined);
  });
});

describe('experiment scripts (real interpreters, reduced size)', () => {
  for (const [language, executable] of [['python', 'python3'], ['node', process.execPath]] as const) {
    it(`${language}: reports start-up costs and every workload × model`, async () => {
      const events: ExperimentEvent[] = [];
      const outcome = await runExperiment({ language, executable, script: SCRIPTS[language], scale: 0.02, onEvent: (event) => events.push(event) });
      assert.deepEqual(outcome, { kind: 'done' });
      assert.equal(events[0]?.type, 'start');
      assert.deepEqual(events.filter((event) => event.type === 'startup').map((event) => event.model).sort(), ['coroutines', 'processes', 'threads']);
      const results = events.flatMap((event) => (event.type === 'result' ? [`${event.workload}.${event.model}`] : []));
      assert.deepEqual(results.sort(), EXPECTED_VARIANTS.map((variant) => `${variant.workload}.${variant.model}`).sort());
      // CPU time of the process and its children: the process pool's workers are counted on POSIX.
      const cpuBound = events.flatMap((event) => (event.type === 'result' && event.workload === 'cpu' ? [event] : []));
      for (const result of cpuBound) assert.ok(result.cpuMs !== undefined && result.cpuMs > 0, `${result.model} CPU time`);
      const processes = cpuBound.find((result) => result.model === 'processes')!;
      const sequential = cpuBound.find((result) => result.model === 'sequential')!;
      assert.ok(processes.cpuMs! >= 0.5 * sequential.cpuMs!, 'the workers\' CPU time is counted, not only the parent\'s');
      if (process.platform !== 'win32') assert.deepEqual(events.filter((event) => event.type === 'load').map((event) => event.when), ['before', 'after']);
    });
  }

  it('reports a missing interpreter instead of failing obscurely', async () => {
    const outcome = await runExperiment({ language: 'python', executable: 'python3-that-does-not-exist', script: SCRIPTS.python, onEvent: () => undefined });
    assert.deepEqual(outcome, { kind: 'missingExecutable', executable: 'python3-that-does-not-exist' });
  });

  it('cancelling kills the run and its worker processes', async () => {
    const controller = new AbortController();
    const outcome = await runExperiment({
      language: 'python', executable: 'python3', script: SCRIPTS.python, scale: 0.3, signal: controller.signal,
      // Abort during the CPU workload, while the process pool's workers are computing.
      onEvent: (event) => event.type === 'result' && event.model === 'threads' && controller.abort(),
    });
    assert.deepEqual(outcome, { kind: 'cancelled' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const survivors = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(SCRIPTS.python));
    assert.deepEqual(survivors, []);
  });

  it('reports a script failure with its exit code', async () => {
    const outcome = await runExperiment({ language: 'node', executable: process.execPath, script: path.join(root, 'does-not-exist.mjs'), onEvent: () => undefined });
    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.kind === 'failed' && outcome.exitCode, 1);
  });
});
