/**
 * Attaching the monitor to a Python process that is already running (Linux, CPython 3.8+): gdb
 * stops the process for a moment and has its main thread run the probe's bootstrap through
 * functions every CPython exports (`PyGILState_Ensure`, `PyRun_SimpleString`,
 * `PyGILState_Release`), then lets it go on (probes/python/concurrency_lens_probe/_attach.py).
 *
 * Only while the main thread waits (a system call: a sleep, a lock, a join, I/O): stopped in the
 * middle of the interpreter's own work, code run there could corrupt it. Python 3.14's
 * `sys.remote_exec` runs its script at a safe point instead, but only once the main thread runs
 * Python code again — never, for a main thread stuck in a join, the case users attach for — so gdb
 * is used on every version.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { descendantPids, threadState } from '../runs/processTree';
import type { ProbeInstall } from '../runs/launchSpec';
import { ownerOf, runtimeOf } from './processes';

export type PythonAttachFailure =
  | 'unsupported-platform' | 'gone' | 'other-user' | 'already-monitored' | 'no-gdb' | 'ptrace-denied' | 'not-python' | 'main-thread-busy' | 'failed';

export type PythonAttachResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: PythonAttachFailure; readonly detail: string };

export interface PythonAttachOptions {
  readonly pid: number;
  readonly install: ProbeInstall;
  /** The endpoint variables (and the blocked-loop threshold) the probe reads. */
  readonly env: Readonly<Record<string, string>>;
  /** The gdb to run (default: `gdb` on PATH). */
  readonly gdb?: string;
  /** How long to wait for a moment when the main thread waits (default 3 s). */
  readonly busyWaitMs?: number;
}

/** What the bootstrap writes when the probe runs (probes/python/concurrency_lens_probe/_attach.py). */
const ATTACHED = 'attached';
const ALREADY_MONITORED = 'already-monitored';
const GDB_TIMEOUT_MS = 20_000;
const BUSY_POLL_MS = 20;

/** Never throws: every way it can fail comes back as a reason (for the user's words) and a detail (for the log). */
export async function attachPythonProbe(options: PythonAttachOptions): Promise<PythonAttachResult> {
  if (process.platform !== 'linux') return { ok: false, reason: 'unsupported-platform', detail: process.platform };
  const owner = ownerOf(options.pid);
  if (owner === undefined) return { ok: false, reason: 'gone', detail: `process ${options.pid} does not exist (any more)` };
  if (process.getuid && owner !== process.getuid()) return { ok: false, reason: 'other-user', detail: `process ${options.pid} belongs to uid ${owner}` };
  const waiting = await mainThreadWaits(options.pid, options.busyWaitMs ?? 3000);
  if (waiting === undefined) return { ok: false, reason: 'gone', detail: `process ${options.pid} exited` };
  if (!waiting) return { ok: false, reason: 'main-thread-busy', detail: `the main thread of ${options.pid} stayed on a CPU for ${options.busyWaitMs ?? 3000} ms` };
  const folder = mkdtempSync(path.join(tmpdir(), 'concurrency-lens-attach-'));
  try {
    const result = path.join(folder, 'result');
    const bootstrap = path.join(folder, 'bootstrap.py');
    writeFileSync(bootstrap, bootstrapScript(options.install.pythonRoot, options.env, result), { mode: 0o600 });
    const gdb = await runGdb(options.gdb ?? 'gdb', gdbArguments(options.pid, bootstrap));
    let outcome: string | undefined;
    try {
      outcome = readFileSync(result, 'utf8');
    } catch {
      outcome = undefined;
    }
    if (outcome === ATTACHED) return { ok: true };
    if (outcome === ALREADY_MONITORED) return { ok: false, reason: 'already-monitored', detail: `process ${options.pid} runs the probe already` };
    if (outcome !== undefined) return { ok: false, reason: 'failed', detail: outcome };
    return { ok: false, ...gdbFailure(gdb) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** How long each process a program had started before the attach gets to wait (its own is asked 3 s). */
const DESCENDANT_BUSY_WAIT_MS = 1000;

/**
 * The Python processes `options.pid` had started before the attach (pool workers, `subprocess`
 * children, at any depth), each attached in turn, oldest first, so that a parent waiting on a child
 * is seen with what that child waits on. Those started later start their own probe (the endpoint is
 * in the environment they inherit). What could not be attached, and why, comes back for the log.
 */
export async function attachPythonDescendants(options: PythonAttachOptions): Promise<{ attached: number[]; failed: { pid: number; reason: PythonAttachFailure; detail: string }[] }> {
  const attached: number[] = [];
  const failed: { pid: number; reason: PythonAttachFailure; detail: string }[] = [];
  for (const pid of descendantPids(options.pid).sort((a, b) => a - b)) {
    if (runtimeOf(pid) !== 'python') continue;
    const result = await attachPythonProbe({ ...options, pid, busyWaitMs: options.busyWaitMs ?? DESCENDANT_BUSY_WAIT_MS });
    if (result.ok) attached.push(pid);
    else if (result.reason !== 'gone' && result.reason !== 'already-monitored') failed.push({ pid, reason: result.reason, detail: result.detail });
  }
  return { attached, failed };
}

/** True once the main thread is seen waiting within `withinMs`, false if it never was, undefined when the process is gone. */
async function mainThreadWaits(pid: number, withinMs: number): Promise<boolean | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const state = threadState(pid);
    if (state !== 'R') return state === undefined ? undefined : true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
  }
}

/**
 * The script the process runs: the probe's package put on its path (appended: never in front of
 * the program's own modules), then `_attach.attach`. Its outcome goes to `result`, also when the
 * package cannot be imported; nothing reaches the program's stderr.
 */
export function bootstrapScript(pythonRoot: string, env: Readonly<Record<string, string>>, result: string): string {
  // JSON strings and objects of strings are Python literals too.
  const root = JSON.stringify(pythonRoot);
  return [
    '# Written by Concurrency Lens for one attach: run once by the process it attaches to.',
    'try:',
    '    import sys',
    `    if ${root} not in sys.path:`,
    `        sys.path.append(${root})`,
    '    from concurrency_lens_probe._attach import attach',
    'except BaseException as error:',
    `    with open(${JSON.stringify(result)}, "w") as outcome:`,
    '        outcome.write("failed: %r" % (error,))',
    'else:',
    `    attach({"env": ${JSON.stringify(env)}, "pythonRoot": ${root}, "result": ${JSON.stringify(result)}})`,
    '',
  ].join('\n');
}

/** gdb in batch mode, no init files, nothing fetched or auto-loaded: the bootstrap run on the main thread with the GIL taken (and given back as it was). */
export function gdbArguments(pid: number, bootstrap: string): string[] {
  // In a namespace of its own, so nothing lands in the program's __main__, with builtins taken from
  // their module (the program's __main__ may have its own `open`). Not runpy.run_path, which would
  // change sys.argv[0] while the probe reads it.
  const builtins = "__import__('builtins')";
  const file = JSON.stringify(bootstrap);
  const python = `${builtins}.exec(${builtins}.compile(${builtins}.open(${file}).read(), ${file}, 'exec'), {'__name__': '__concurrency_lens_attach__', '__builtins__': ${builtins}})`;
  return [
    '-p', String(pid), '-batch', '-nx',
    '-iex', 'set debuginfod enabled off', '-iex', 'set auto-load off', '-iex', 'set confirm off',
    '-ex', 'call (int)PyGILState_Ensure()',
    '-ex', `call (int)PyRun_SimpleString(${JSON.stringify(python)})`,
    '-ex', 'call (void)PyGILState_Release($1)',
  ];
}

interface GdbRun {
  readonly started: boolean;
  readonly output: string;
  readonly timedOut: boolean;
}

function runGdb(gdb: string, args: readonly string[]): Promise<GdbRun> {
  return new Promise((resolve) => {
    execFile(gdb, args, { timeout: GDB_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve({ started: code !== 'ENOENT', output: `${stdout}${stderr}`, timedOut: error?.killed === true });
    });
  });
}

/** Why gdb did not get the bootstrap to run, from what it printed. */
export function gdbFailure(run: GdbRun): { reason: PythonAttachFailure; detail: string } {
  const detail = run.output.trim().split('\n').slice(-6).join('\n');
  if (!run.started) return { reason: 'no-gdb', detail: 'gdb was not found' };
  if (run.timedOut) return { reason: 'failed', detail: `gdb did not finish within ${GDB_TIMEOUT_MS} ms\n${detail}` };
  if (/ptrace: Operation not permitted/.test(run.output)) return { reason: 'ptrace-denied', detail };
  if (/ptrace: No such process/.test(run.output)) return { reason: 'gone', detail };
  if (/No symbol "Py\w+" in current context/.test(run.output)) return { reason: 'not-python', detail };
  return { reason: 'failed', detail };
}
