import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENV_ADDRESS, type BlockedFrame, type ChildInfo, type HelloFrame, type ProbeFrame, type ThreadInfo } from '../../../src/core/probe/protocol';
import { fixture, runProgram, startTestEndpoint, type ProbedProcess, type TestEndpoint } from './harness';

let endpoint: TestEndpoint;
before(async () => {
  endpoint = await startTestEndpoint();
});
after(() => endpoint.close());

/** Runs a fixture under the probe and returns its result plus the frames of every process it started. */
async function probed(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const before = endpoint.connections().length;
  const result = await runProgram(fixture(file), args, { probe: true, endpoint: endpoint.environment, env });
  const processes = await endpoint.settle(before);
  return { result, processes };
}

function hello(process: ProbedProcess): HelloFrame {
  const first = process.frames[0];
  assert.ok(first?.kind === 'hello');
  return first;
}

/** The latest version of every thread / child entity seen across snapshots and deltas. */
function latest<K extends 'threads' | 'children'>(frames: ProbeFrame[], set: K): Map<string, K extends 'threads' ? ThreadInfo : ChildInfo> {
  const entities = new Map<string, K extends 'threads' ? ThreadInfo : ChildInfo>();
  for (const frame of frames) {
    const list = frame.kind === 'snapshot' ? frame[set] : frame.kind === 'delta' ? frame.upsert?.[set] : undefined;
    for (const entity of list ?? []) entities.set(entity.id, entity as K extends 'threads' ? ThreadInfo : ChildInfo);
  }
  return entities;
}

describe('node probe: transparency', () => {
  it('leaves exit code, stdout, stderr and process.argv exactly as without it', async () => {
    const args = ['7', '--flag', 'two words'];
    const plain = await runProgram(fixture('exit-code.js'), args, { probe: false });
    const { result, processes } = await probed('exit-code.js', args);
    assert.equal(plain.code, 7);
    assert.deepEqual(result, plain);
    assert.equal(processes.length, 1);
    assert.deepEqual(hello(processes[0]!).argv.slice(2), args);
  });

  it('keeps the uncaught-exception crash: exit code 1, the stack on stderr, an exit frame', async () => {
    const plain = await runProgram(fixture('crash.js'), [], { probe: false });
    const { result, processes } = await probed('crash.js');
    assert.equal(result.code, 1);
    assert.equal(result.code, plain.code);
    assert.equal(result.stderr, plain.stderr);
    assert.match(result.stderr, /boom from the program/);
    const exit = processes[0]!.frames.at(-1);
    assert.deepEqual(exit?.kind === 'exit' ? exit.exitCode : undefined, 1);
  });

  it('keeps the unhandled-rejection behaviour (default mode: exit code 1 with the error)', async () => {
    const plain = await runProgram(fixture('unhandled-rejection.js'), [], { probe: false });
    const { result } = await probed('unhandled-rejection.js');
    assert.equal(plain.code, 1);
    assert.equal(result.code, plain.code);
    assert.equal(result.stderr, plain.stderr);
  });

  it('never keeps a program alive, even when nothing listens at the address', async () => {
    const listening = await probed('idle.js');
    assert.equal(listening.result.code, 0);
    assert.equal(listening.result.stdout, 'idle\n');
    const nobody = await runProgram(fixture('idle.js'), [], { probe: true, endpoint: { ...endpoint.environment, [ENV_ADDRESS]: `${endpoint.environment[ENV_ADDRESS]}.missing` } });
    assert.equal(nobody.code, 0);
    assert.equal(nobody.stdout, 'idle\n');
    assert.equal(nobody.stderr, '');
  });

  it('loads once when required twice (two copies of the file)', async () => {
    const { processes } = await probed('idle.js', [], { NODE_OPTIONS: `--require ${endpoint.probeCopy}` });
    assert.equal(processes.length, 1);
    assert.equal(processes[0]!.frames.filter((frame) => frame.kind === 'hello').length, 1);
  });
});

describe('node probe: what it sees', () => {
  it('says hello with the token, pid, ppid, runtime and argv, then a snapshot; seq counts every frame', async () => {
    const { processes } = await probed('idle.js');
    const process = processes[0]!;
    const first = hello(process);
    assert.equal(first.token, endpoint.token);
    assert.equal(first.runtime.name, 'node');
    assert.equal(first.runtime.version, globalThis.process.versions.node);
    assert.equal(first.ppid, globalThis.process.pid);
    assert.equal(process.frames[1]?.kind, 'snapshot');
    assert.deepEqual(process.frames.map((frame) => frame.seq), process.frames.map((_, index) => index));
    assert.deepEqual(endpoint.warnings, []);
  });

  it('follows a Worker (limits, exit code), a forked Node child (its own connection) and a spawned command', async () => {
    const { result, processes } = await probed('workers.js');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /worker exit 0, fork exit 5\nshell exit 4/);
    const parent = processes.find((process) => hello(process).argv[1]?.endsWith('workers.js'));
    const forked = processes.find((process) => hello(process).argv[1]?.endsWith('exit-code.js'));
    assert.ok(parent && forked, 'both Node processes connect');
    assert.equal(hello(forked).ppid, hello(parent).pid);
    assert.deepEqual(hello(forked).argv.slice(2), ['5']);

    const threads = [...latest(parent.frames, 'threads').values()];
    const worker = threads.find((thread) => thread.kind === 'worker');
    assert.equal(threads.filter((thread) => thread.kind === 'worker').length, 1);
    assert.equal(worker?.state, 'exited');
    assert.equal(worker?.exitCode, 0);
    assert.equal(worker?.resourceLimits?.maxOldGenerationSizeMb, 64);

    const children = [...latest(parent.frames, 'children').values()];
    const fork = children.find((child) => child.command.includes('exit-code.js'));
    const shell = children.find((child) => child.command === 'sh -c exit 4');
    assert.equal(fork?.pid, hello(forked).pid);
    assert.equal(fork?.exitCode, 5);
    assert.equal(shell?.exitCode, 4);
    assert.ok(shell?.pid && shell.endedAt !== undefined);
  });

  it('follows a Worker started inside a Worker, with the Worker that started it', async () => {
    const { result, processes } = await probed('nested-workers.js');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /inner exit 3\nouter exit 0/);
    const workers = [...latest(processes[0]!.frames, 'threads').values()].filter((thread) => thread.kind === 'worker');
    assert.equal(workers.length, 2, JSON.stringify(workers));
    const outer = workers.find((thread) => thread.parentThreadId === undefined);
    const inner = workers.find((thread) => thread.parentThreadId !== undefined);
    assert.ok(outer && inner);
    assert.equal(inner.parentThreadId, outer.id);
    assert.equal(inner.state, 'exited');
    assert.equal(inner.exitCode, 3);
    assert.equal(inner.resourceLimits?.maxOldGenerationSizeMb, 32);
    assert.equal(outer.exitCode, 0);
  });

  it('connects over loopback TCP as well as a Unix socket', async () => {
    const tcp = await startTestEndpoint('tcp');
    try {
      assert.match(tcp.environment[ENV_ADDRESS] ?? '', /^tcp:127\.0\.0\.1:\d+$/);
      await runProgram(fixture('idle.js'), [], { probe: true, endpoint: tcp.environment });
      const [process] = await tcp.settle(0);
      assert.equal(process?.frames.at(-1)?.kind, 'exit');
    } finally {
      await tcp.close();
    }
  });

  it('works for an ES module entry point', async () => {
    const { result, processes } = await probed('esm-entry.mjs');
    assert.equal(result.stdout, 'esm true\n');
    assert.equal(processes.length, 1);
    assert.deepEqual(processes[0]!.frames.map((frame) => frame.kind).at(-1), 'exit');
  });

  it('reports a blocked loop with its duration and the blocking function', async () => {
    const { processes } = await probed('block.js');
    const blocked = processes[0]!.frames.filter((frame): frame is BlockedFrame => frame.kind === 'blocked');
    // On a loaded machine the OS can also starve the loop; the program's own block is the one in block.js.
    const inBlockJs = blocked.filter((frame) => frame.stack.some((location) => location.file === fixture('block.js')));
    assert.equal(inBlockJs.length, 1, JSON.stringify(blocked));
    assert.ok(inBlockJs[0]!.durationMs >= 250, `duration ${inBlockJs[0]!.durationMs}`);
    assert.equal(inBlockJs[0]!.stack.at(-1)?.file, fixture('block.js'), 'innermost: the program’s code (blockTheLoop or its caller, when V8 inlined it)');
    assert.ok(!JSON.stringify(blocked).includes('probe.cjs'), 'the probe’s own frames are left out');
  });

  it('samples event-loop utilisation and active resources by type', async () => {
    const { processes } = await probed('block.js');
    const loops = processes[0]!.frames.flatMap((frame) => (frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []));
    assert.ok(loops.some((loop) => (loop.utilization ?? 0) > 0.5), 'the busy loop shows as utilised');
    assert.ok(loops.some((loop) => (loop.resources?.Timeout ?? 0) >= 1), 'the pending timer shows as a resource');
  });

  it('counts pending promises only in the optional detail mode', async () => {
    const plain = await probed('esm-entry.mjs');
    const detail = await probed('esm-entry.mjs', [], { CONCURRENCY_LENS_NODE_PROMISES: '1' });
    const promiseCounts = (processes: ProbedProcess[]) =>
      processes[0]!.frames.flatMap((frame) => (frame.kind === 'delta' ? frame.upsert?.loops ?? [] : [])).map((loop) => loop.resources?.Promise);
    assert.ok(promiseCounts(plain.processes).every((count) => count === undefined));
    assert.ok(promiseCounts(detail.processes).some((count) => count !== undefined));
  });
});
