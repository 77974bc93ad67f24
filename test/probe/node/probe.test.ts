import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENV_ADDRESS, type BlockedFrame, type ChildInfo, type HelloFrame, type ProbeFrame, type SourceLocation, type ThreadInfo } from '../../../src/core/probe/protocol';
import { RunModel } from '../../../src/core/runs/runModel';
import { SILENT_MIN_MS } from '../../../src/core/runs/heldThreads';
import { diagnose } from '../../../src/core/runs/stuck';
import { fixture, PROBE_PATH, runProgram, startTestEndpoint, type ProbedProcess, type TestEndpoint } from './harness';

let endpoint: TestEndpoint;
before(async () => {
  endpoint = await startTestEndpoint();
});
after(() => endpoint.close());

/** Runs a fixture under the probe and returns its result plus the frames of every process it started. */
async function probed(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, stdout: 'pipe' | 'ignore' = 'pipe') {
  const before = endpoint.connections().length;
  const result = await runProgram(fixture(file), args, { probe: true, endpoint: endpoint.environment, env, stdout });
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

  it('leaves the program as it is when its lib files are missing (a damaged install)', async () => {
    const args = ['7'];
    const plain = await runProgram(fixture('exit-code.js'), args, { probe: false });
    // The copy sits alone in a temporary folder: none of its lib/*.cjs is beside it.
    const damaged = await runProgram(fixture('exit-code.js'), args, { probe: false, env: { ...endpoint.environment, NODE_OPTIONS: `--require ${endpoint.probeCopy}` } });
    assert.deepEqual(damaged, plain);
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
    assert.equal(first.silentAtMostMs, 1000, 'how long it stays silent at most, for the host to tell a held main thread');
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

  it('says, before a synchronous child process holds the main thread, where it waits and for which command; each child listed with its exit code', async () => {
    const { result, processes } = await probed('sync-children.mjs');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'exit 3\nspawnSync 0\n');
    const { frames } = processes[0]!;
    // The frame written as execSync began: the main thread waits for a child process at its line.
    const waiting = frames.flatMap((frame) => (frame.kind === 'delta' ? frame.upsert?.threads ?? [] : [])).find((thread) => thread.wait?.kind === 'subprocess');
    assert.deepEqual([waiting?.state, waiting?.wait?.call, waiting?.wait?.at?.line], ['waiting', 'execSync', 6]);
    assert.ok(waiting?.wait?.at?.file.endsWith('sync-children.mjs'));
    const children = [...latest(frames, 'children').values()].map((child) => [child.command, child.exitCode, child.endedAt !== undefined]);
    assert.deepEqual(children, [['sleep 0.6', 0, true], ['sh -c exit 3', 3, true], ['true', 0, true]]);
    assert.equal(latest(frames, 'threads').get('main')?.wait, undefined, 'back to its loop: no longer waiting');
  });

  it('says hello before the main script runs: a main thread held before the loop\'s first turn is seen', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl-held-at-start-'));
    const fifo = path.join(dir, 'request');
    try {
      const before = endpoint.connections().length;
      const run = runProgram(fixture('held-at-start.cjs'), [fifo], { probe: true, endpoint: endpoint.environment });
      let exited = false;
      void run.then(() => (exited = true));
      // The script cannot go on until the pipe has a writer: whatever arrives now, it sent while held.
      const sentWhileHeld = () => endpoint.connections()[before]?.frames ?? [];
      const mkfifo = () => [...latest(sentWhileHeld(), 'children').values()].find((child) => child.command.startsWith('mkfifo'));
      for (let waited = 0; !exited && mkfifo()?.exitCode === undefined && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      const frames = sentWhileHeld().map((frame) => frame.kind);
      // Back from `mkfifo` before the read, and said so: not reported as waiting for it.
      const mainWhileHeld = latest(sentWhileHeld(), 'threads').get('main');
      const mkfifoWhileHeld = mkfifo();
      while (!existsSync(fifo)) await new Promise((resolve) => setTimeout(resolve, 20));
      writeFileSync(fifo, 'go');
      const result = await run;
      assert.equal(result.stdout, 'got go\n');
      assert.deepEqual(frames.slice(0, 2), ['hello', 'snapshot']);
      assert.equal(mainWhileHeld?.wait, undefined);
      assert.equal(mkfifoWhileHeld?.exitCode, 0);
      assert.equal(hello(endpoint.connections()[before]!).argv[1], fixture('held-at-start.cjs'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees a synchronous child process that a CommonJS script runs as it starts, before the loop\'s first turn', async () => {
    const { result, processes } = await probed('sync-child-top-level.cjs');
    assert.equal(result.code, 0, result.stderr);
    const waiting = processes[0]!.frames.flatMap((frame) => (frame.kind === 'delta' ? frame.upsert?.threads ?? [] : frame.kind === 'snapshot' ? frame.threads ?? [] : []))
      .find((thread) => thread.wait?.kind === 'subprocess');
    assert.deepEqual([waiting?.wait?.call, waiting?.wait?.at?.line], ['execSync', 5]);
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

  it('samples event-loop utilisation and active resources by type', async () => {
    const { processes } = await probed('block.js');
    const loops = processes[0]!.frames.flatMap((frame) => (frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []));
    assert.ok(loops.some((loop) => (loop.utilization ?? 0) > 0.5), 'the busy loop shows as utilised');
    assert.ok(loops.some((loop) => (loop.resources?.Timeout ?? 0) >= 1), 'the pending timer shows as a resource');
    // The second before the block the loop only waits: the profiler's signals must not make it read busy
    // (libuv's idle time loses the wait before each of them).
    const [block] = allBlocks(processes);
    assert.ok(block, 'the block is reported');
    const idle = processes[0]!.frames.filter((frame) => frame.kind === 'delta' && frame.t >= block.t - block.durationMs - 600 && frame.t <= block.t - block.durationMs - 50);
    const idleLoops = idle.flatMap((frame) => (frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []));
    assert.ok(idleLoops.length >= 1, 'the idle loop was sampled');
    assert.ok(idleLoops.every((loop) => (loop.utilization ?? 0) < 0.5), JSON.stringify(idleLoops));
    const main = processes[0]!.frames.filter((frame) => frame.t <= block.t - block.durationMs - 50);
    assert.equal(latest(main, 'threads').get('main')?.state, 'waiting');
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

const GARBAGE_COLLECTION = { file: '<garbage collection>', line: 1, function: '(garbage collector)' };

/** Every blocked frame of a run's processes. */
function allBlocks(processes: ProbedProcess[]): BlockedFrame[] {
  return processes.flatMap((process) => process.frames.filter((frame): frame is BlockedFrame => frame.kind === 'blocked'));
}

/**
 * The blocks of the program's code: a garbage-collection pause is a real block too, named as such
 * (see its own test), but a loaded machine can stretch any collection past the threshold.
 */
function blocks(processes: ProbedProcess[]): BlockedFrame[] {
  return allBlocks(processes).filter((block) => block.stack[0]?.file !== GARBAGE_COLLECTION.file);
}

/** The innermost frame of the program's own code (not Node's internals), as the host picks it. */
function programFrame(block: BlockedFrame): SourceLocation | undefined {
  return [...block.stack].reverse().find((location) => !location.file.startsWith('node:'));
}

/** Every lag a process reported, in order. */
function lags(process: ProbedProcess): number[] {
  return process.frames.flatMap((frame) => (frame.kind === 'snapshot' ? frame.loops ?? [] : frame.kind === 'delta' ? frame.upsert?.loops ?? [] : [])).map((loop) => loop.lagMs);
}

/**
 * Where a block says the loop was stuck: the busy loop's line in its function, or, when V8 inlined
 * that function into its caller, the caller's line that calls it (the profile then has no frame of its own for it).
 */
function stuckAt(block: BlockedFrame | undefined): string {
  const innermost = block?.stack.at(-1);
  return innermost ? `${path.basename(innermost.file)}:${innermost.line}` : 'nowhere';
}

function describeBlocks(found: BlockedFrame[]): string {
  return JSON.stringify(found.map((block) => ({ durationMs: block.durationMs, stack: block.stack.slice(-4) })));
}

describe('node probe: blocked loops', () => {
  const quiet: { name: string; file: string; env?: NodeJS.ProcessEnv; stdout?: 'ignore' }[] = [
    { name: 'idle timers', file: 'quiet-timers.js' },
    { name: 'file and socket I/O', file: 'quiet-io.js' },
    { name: 'an HTTP server and its clients', file: 'quiet-server.js' },
    // To /dev/null: a pipe whose reader stalls would really block the program (Node writes stdout
    // synchronously to pipes on Linux), which the probe reports as a block inside Node's internals.
    { name: '200,000 lines to stdout', file: 'quiet-output.js', stdout: 'ignore' },
    { name: 'an ES module app', file: 'esm-app/main.mjs' },
    { name: 'TypeScript through --import tsx (its start-up is not a block)', file: 'ts-app/main.ts', env: { NODE_OPTIONS: '--import tsx' } },
  ];
  it('speaks at least once a second while nothing changes, so that the host can tell a held main thread by its silence', async () => {
    const stateModule = (await import(path.join(path.dirname(PROBE_PATH), 'lib', 'state.cjs'))) as { createState: (parts: unknown) => { publish: () => void } };
    const { createState } = stateModule;
    const sent: { kind: string }[] = [];
    const transport = { needSnapshot: false, frame: (kind: string, body: object) => ({ kind, ...body }), enqueue: (frame: { kind: string }) => sent.push(frame) };
    const state = createState({ transport, own: { work: <F>(work: F) => work }, startedAt: Date.now() });
    state.publish();
    assert.equal(sent.length, 1, 'the first sample says what there is');
    state.publish();
    assert.equal(sent.length, 1, 'nothing changed: nothing to say yet');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    state.publish();
    assert.deepEqual(sent.slice(1), [{ kind: 'delta' }], 'a second of nothing: an empty delta all the same');
    assert.ok(SILENT_MIN_MS >= 2 * 1000, 'the host waits for two of them before it speaks for the probe');
  });

  for (const { name, file, env, stdout } of quiet) {
    it(`reports no block for a program that never blocks: ${name}`, async () => {
      const { result, processes } = await probed(file, [], env, stdout);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(processes.length, 1);
      assert.deepEqual(describeBlocks(blocks(processes)), '[]');
    });
  }

  it('reports the line that was running, not the function\'s first line', async () => {
    const { processes } = await probed('block.js');
    const found = blocks(processes);
    assert.equal(found.length, 1, describeBlocks(found));
    assert.ok(found[0]!.durationMs >= 250, `duration ${found[0]!.durationMs}`);
    assert.ok(['block.js:6', 'block.js:10'].includes(stuckAt(found[0])), describeBlocks(found));
    assert.equal(found[0]!.stack.at(-1)?.file, fixture('block.js'));
    assert.ok(!JSON.stringify(found).includes('probes/node/'), 'the probe’s own frames are left out');
  });

  it('still measures when the program replaces the global performance (fake timers in its tests)', async () => {
    const { result, processes } = await probed('block-fake-performance.js');
    assert.equal(result.code, 0, result.stderr);
    const found = blocks(processes);
    assert.equal(found.length, 1, describeBlocks(found));
    assert.ok(found[0]!.durationMs >= 250, `duration ${found[0]!.durationMs}`);
    assert.ok(['block-fake-performance.js:9', 'block-fake-performance.js:13'].includes(stuckAt(found[0])), describeBlocks(found));
  });

  it('reports a busy loop at the top level of an ES module at its line', async () => {
    // The program of the extension's own integration test (the monitor's workspace).
    const program = '../workspace/monitor/blocks_loop.mjs';
    const { processes } = await probed(program);
    const found = blocks(processes);
    assert.equal(found.length, 1, describeBlocks(found));
    assert.deepEqual(found[0]!.stack.at(-1), { file: fixture(program), line: 6, function: '(anonymous)' });
  });

  it('reports each block once, each at its own line', async () => {
    const { processes } = await probed('block-twice.js');
    const found = blocks(processes);
    assert.equal(found.length, 2, describeBlocks(found));
    assert.ok(['block-twice.js:5', 'block-twice.js:15'].includes(stuckAt(found[0])), describeBlocks(found));
    assert.ok(['block-twice.js:11', 'block-twice.js:17'].includes(stuckAt(found[1])), describeBlocks(found));
    assert.ok(found[0]!.durationMs >= 200 && found[1]!.durationMs >= 300, describeBlocks(found));
  });

  it('attributes a block inside Node\'s internals to the program frame nearest to it, with the internal frames after it', async () => {
    const { processes } = await probed('block-in-node.js');
    const found = blocks(processes);
    assert.equal(found.length, 1, describeBlocks(found));
    const stack = found[0]!.stack;
    assert.deepEqual(programFrame(found[0]!), { file: fixture('block-in-node.js'), line: 5, function: 'waitForChild' });
    const after = stack.slice(stack.indexOf(programFrame(found[0]!)!) + 1);
    assert.ok(after.length > 0 && after.every((location) => location.file.startsWith('node:')), describeBlocks(found));
    assert.ok(after.some((location) => location.function === 'execFileSync'), describeBlocks(found));
  });

  it('names a block spent collecting garbage as such, with no line of the program', async () => {
    const { processes } = await probed('block-in-gc.js', [], { NODE_OPTIONS: '--expose-gc' });
    const found = allBlocks(processes);
    assert.ok(found.length >= 1, describeBlocks(found));
    assert.deepEqual(found.map((block) => block.stack), found.map(() => [GARBAGE_COLLECTION]), describeBlocks(found));
  });

  it('maps the lines of TypeScript run through --import tsx back to the .ts file', async () => {
    const { result, processes } = await probed('ts-app/block.ts', [], { NODE_OPTIONS: '--import tsx' });
    assert.equal(result.code, 0, result.stderr);
    const found = blocks(processes);
    assert.equal(found.length, 1, describeBlocks(found));
    // tsx writes a module on one generated line: the profile can name the function, mapped to its first line.
    assert.deepEqual(found[0]!.stack.at(-1), { file: fixture('ts-app/block.ts'), line: 9, function: 'spin' });
  });

  it('adds no block of its own, even with a big heap and a low threshold', async () => {
    const { processes } = await probed('big-heap-block.js', [], { CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS: '50' });
    const found = blocks(processes);
    assert.equal(found.length, 3, describeBlocks(found));
    for (const block of found) assert.ok(['big-heap-block.js:13', 'big-heap-block.js:16'].includes(stuckAt(block)), describeBlocks(found));
  });

  it('reports lag and blocks from one measure: a sample\'s lag is the largest since the previous one', async () => {
    const { processes } = await probed('block.js');
    const [block] = blocks(processes);
    assert.ok(block, 'the block is reported');
    const largest = Math.max(...lags(processes[0]!));
    assert.ok(Math.abs(largest - block.durationMs) <= 1, `largest lag ${largest} ms, block ${block.durationMs} ms`);
  });
});

describe('node probe: trace mode', () => {
  it('times every callback of the loop, names the slowest by type with the line that created it, and counts promises', async () => {
    const { result, processes } = await probed('traced.js', [], { CONCURRENCY_LENS_TRACE: '1' });
    assert.equal(result.stdout, 'done true\n');
    const frames = processes[0]!.frames;
    const traces = frames.filter((frame): frame is Extract<ProbeFrame, { kind: 'trace' }> => frame.kind === 'trace');
    const durations = traces.flatMap((frame) => frame.duration);
    // The interval's ticks, the two timeouts and the promise chain's turns: many callbacks, each timed.
    assert.ok(durations.length >= 20, `${durations.length} callbacks`);
    for (const frame of traces) assert.equal(frame.start.length, frame.duration.length);
    const slowest = traces.flatMap((frame) => frame.slow ?? []).sort((a, b) => b.durationMs - a.durationMs)[0];
    assert.equal(slowest?.callback, 'Timeout');
    assert.ok(slowest.durationMs >= 55, `${slowest.durationMs} ms`);
    assert.deepEqual([path.basename(slowest.location?.file ?? ''), slowest.location?.line], ['traced.js', 12]);
    const loops = frames.flatMap((frame) => frame.kind === 'snapshot' ? frame.loops ?? [] : frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []);
    assert.ok(loops.some((loop) => typeof loop.resources?.Promise === 'number'), 'pending promises counted');
    // Without trace mode: no trace frames.
    const plain = await probed('traced.js');
    assert.equal(plain.processes[0]!.frames.filter((frame) => frame.kind === 'trace').length, 0);
  });
});

describe('node probe: what keeps a process alive', () => {
  it('once the main script has run and the loop only waits, lists each handle with the line that created it, and a Worker parked in Atomics.wait', async () => {
    const { result, processes } = await probed('kept-alive.js', [], { KEPT_ALIVE_MS: '9000' });
    assert.equal(result.code, 0, result.stderr);
    const frames = processes[0]!.frames;
    const loops = frames.flatMap((frame) => frame.kind === 'snapshot' ? frame.loops ?? [] : frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []);
    const idle = loops.filter((loop) => loop.keptAliveBy !== undefined);
    assert.ok(idle.length > 0, 'the waiting loop says what keeps the process alive');
    // Not from the start: the loop must have waited a while first.
    assert.equal(loops[0]?.keptAliveBy, undefined);
    const handles = idle.at(-1)!.keptAliveBy!;
    const line = (kind: string) => {
      const handle = handles.find((entry) => entry.kind === kind);
      return handle?.at ? [path.basename(handle.at.file), handle.at.line] : undefined;
    };
    assert.deepEqual(line('server'), ['kept-alive.js', 9]);
    assert.deepEqual(line('timer'), ['kept-alive.js', 10]);
    assert.deepEqual(line('interval'), ['kept-alive.js', 11]);
    assert.deepEqual(line('child'), ['kept-alive.js', 12]);
    assert.deepEqual(line('worker'), ['kept-alive.js', 13]);
    assert.deepEqual(line('message-port'), ['kept-alive.js', 14]);
    assert.match(handles.find((entry) => entry.kind === 'server')?.address ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(handles.find((entry) => entry.kind === 'timer')?.delayMs, 600_000);
    assert.equal(handles.find((entry) => entry.kind === 'interval')?.delayMs, 300_000);
    const child = handles.find((entry) => entry.kind === 'child');
    assert.equal(child?.command, 'sh -c read line');
    assert.ok(child?.pid);
    // The child's stdin pipe is part of the child; the unref'd exit timer and the probe's own handles keep nothing alive.
    assert.equal(handles.length, 6, JSON.stringify(handles));

    const worker = [...latest(frames, 'threads').values()].find((thread) => thread.kind === 'worker' && thread.id === handles.find((entry) => entry.kind === 'worker')?.threadId);
    const parked = frames.flatMap((frame) => frame.kind === 'snapshot' ? frame.threads ?? [] : frame.kind === 'delta' ? frame.upsert?.threads ?? [] : [])
      .find((thread) => thread.id === worker?.id && thread.wait);
    assert.equal(parked?.wait?.kind, 'atomics');
    assert.equal(parked.wait.call, 'Atomics.wait');
    assert.deepEqual([path.basename(parked.wait.at?.file ?? ''), parked.wait.at?.line, parked.wait.at?.function], ['kept-alive-worker.js', 4, 'park']);
    assert.equal(parked.state, 'waiting');
    assert.deepEqual(endpoint.warnings, []);
  });

  it('a child whose output the program never reads: its pipe is full, and the main thread waits for it', async () => {
    const { result, processes } = await probed('full-pipe-child.cjs');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^child ended SIGTERM$/m, 'the child was blocked until killed');
    const frames = processes[0]!.frames;
    const loops = frames.flatMap((frame) => frame.kind === 'snapshot' ? frame.loops ?? [] : frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []);
    const child = loops.flatMap((loop) => loop.keptAliveBy ?? []).find((handle) => handle.kind === 'child' && handle.pipeFull);
    assert.ok(child?.pid, 'the child, its pipe full');
    assert.equal(child.command, 'seq 1 400000');
    const waits = frames.flatMap((frame) => frame.kind === 'snapshot' ? frame.threads ?? [] : frame.kind === 'delta' ? frame.upsert?.threads ?? [] : [])
      .filter((thread) => thread.id === 'main' && thread.wait).map((thread) => thread.wait!);
    assert.ok(waits.length > 0, 'the main thread waits');
    assert.deepEqual(waits.map(({ kind, pid, pipeFull }) => ({ kind, pid, pipeFull })), waits.map(() => ({ kind: 'subprocess', pid: child.pid, pipeFull: true })));
    assert.equal(new Set(waits.map((wait) => wait.since)).size, 1, 'since the pipe was first seen full');
    assert.deepEqual([path.basename(waits[0]!.at?.file ?? ''), waits[0]!.at?.line], ['full-pipe-child.cjs', 6]);

    // A timer that will read it is a way out: no such wait while it is pending.
    const later = await probed('full-pipe-child.cjs', [], { READ_AFTER_MS: '2500' });
    assert.match(later.result.stdout, /^child ended 0$/m, later.result.stderr);
    const laterFrames = later.processes[0]!.frames;
    const laterLoops = laterFrames.flatMap((frame) => frame.kind === 'snapshot' ? frame.loops ?? [] : frame.kind === 'delta' ? frame.upsert?.loops ?? [] : []);
    assert.ok(laterLoops.some((loop) => loop.keptAliveBy?.some((handle) => handle.kind === 'child' && handle.pipeFull)), 'its pipe was full meanwhile');
    const laterWaits = laterFrames.flatMap((frame) => frame.kind === 'snapshot' ? frame.threads ?? [] : frame.kind === 'delta' ? frame.upsert?.threads ?? [] : []).filter((thread) => thread.id === 'main' && thread.wait);
    assert.deepEqual(laterWaits, []);
  });

  it('leaves Atomics.wait, the timer functions and MessageChannel working as before', async () => {
    const { result } = await probed('kept-alive-apis.js');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'wait ok not-equal timed-out\ntimers 2 promisified\nchannel true hello\n');
  });
});

describe('node probe: why is it stuck', () => {
  /** The diagnosis of the ended run as the extension makes it: every frame of every process into a run model. */
  function diagnosed(processes: readonly ProbedProcess[], exitCode: number | null) {
    const model = new RunModel();
    let endedAt = 0;
    for (const process of processes) {
      const [first, ...rest] = process.frames;
      assert.ok(first?.kind === 'hello');
      model.addProcess(first);
      for (const frame of rest) {
        model.apply(first.pid, frame);
        endedAt = Math.max(endedAt, frame.t);
      }
    }
    model.finish(endedAt, exitCode === null ? {} : { exitCode });
    return diagnose(model, () => undefined);
  }

  it('says nothing can wake Workers parked in Atomics.wait on each other once the main thread has nothing else, naming them and the line', async () => {
    const { result, processes } = await probed('atomics-deadlock.js', [], { STUCK_MS: '4000' });
    assert.equal(result.code, 0, result.stderr);
    const [report, ...others] = diagnosed(processes, result.code);
    assert.deepEqual(others, []);
    assert.equal(report?.pattern, 'no-waker');
    assert.deepEqual(report.steps.map((step) => [step.waiter.kind, step.waiter.wait?.kind]), [['thread', 'loop-idle'], ['thread', 'atomics'], ['thread', 'atomics']]);
    assert.equal(report.steps[0]!.waiter.id, 'main');
    for (const step of report.steps.slice(1)) {
      assert.deepEqual([path.basename(step.waiter.wait?.at?.file ?? ''), step.waiter.wait?.at?.line, step.waiter.wait?.at?.function], ['atomics-deadlock-worker.js', 6, 'waitForTurn']);
    }
  });

  it('is not stuck when something can still wake the Workers: a server the main thread serves, or a timeout on their waits', async () => {
    for (const env of [{ POOL: '1' }, { TIMED: '1' }]) {
      const { result, processes } = await probed('atomics-deadlock.js', [], { STUCK_MS: '4000', ...env });
      assert.equal(result.code, 0, result.stderr);
      const threads = processes[0]!.frames.flatMap((frame) => frame.kind === 'snapshot' ? frame.threads ?? [] : frame.kind === 'delta' ? frame.upsert?.threads ?? [] : []);
      assert.ok(threads.some((thread) => thread.wait?.kind === 'atomics'), `the Workers were seen waiting (${JSON.stringify(env)})`);
      assert.deepEqual(diagnosed(processes, result.code), [], JSON.stringify(env));
    }
  });

  it('explains exit code 13: an ES module\'s top-level await on a promise nothing could settle (Node\'s code kept)', async () => {
    const { result, processes } = await probed('unsettled-await.mjs');
    assert.equal(result.code, 13, result.stderr);
    const exit = processes[0]!.frames.find((frame) => frame.kind === 'exit');
    assert.equal(exit?.kind === 'exit' ? exit.exitCode : undefined, 13);
    const [report, ...others] = diagnosed(processes, result.code);
    assert.deepEqual(others, []);
    assert.equal(report?.pattern, 'no-waker');
    assert.deepEqual(report.steps.map((step) => [step.waiter.id, step.waiter.wait?.kind]), [['main', 'top-level-await']]);
  });

  it('does not call a top-level await that settles stuck', async () => {
    const settles = await probed('unsettled-await.mjs', [], { SETTLES: '1' });
    assert.deepEqual([settles.result.code, settles.result.stdout], [0, 'got hello\n']);
    assert.deepEqual(diagnosed(settles.processes, settles.result.code), []);
  });

  it('is not stuck: a program kept alive by a server, timers, a child, a port and a Worker parked in Atomics.wait', async () => {
    for (const file of ['kept-alive.js']) {
      const { result, processes } = await probed(file, [], { KEPT_ALIVE_MS: '4000' });
      assert.deepEqual(diagnosed(processes, result.code), [], file);
    }
  });
});
