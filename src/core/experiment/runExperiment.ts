/**
 * Runs one language's experiment script as a child process and streams its parsed events. The
 * child gets its own process group so that cancelling kills the whole tree (pool workers,
 * worker processes), not only the interpreter we started.
 */
import { spawn } from 'node:child_process';
import type { GuideLanguage } from '../../shared/guideProtocol';
import { parseExperimentLine, type ExperimentEvent } from './experimentOutput';

export interface ExperimentLaunch {
  readonly language: GuideLanguage;
  /** The interpreter: a Python or Node.js executable (a path, or a name looked up on PATH). */
  readonly executable: string;
  /** Absolute path of the experiment script for this language. */
  readonly script: string;
  /** Multiplies the amount of work; 1 is the full run (~10–20 s on 2 cores). */
  readonly scale?: number;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: ExperimentEvent) => void;
}

export type ExperimentOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'missingExecutable'; readonly executable: string }
  | { readonly kind: 'failed'; readonly exitCode: number | null; readonly stderr: string };

const STDERR_LIMIT = 4000;

export function killProcessTree(pid: number): void {
  try {
    if (process.platform === 'win32') spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' });
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export function runExperiment(launch: ExperimentLaunch): Promise<ExperimentOutcome> {
  const args = [launch.script, '--scale', String(launch.scale ?? 1)];
  return new Promise((resolve) => {
    if (launch.signal?.aborted) {
      resolve({ kind: 'cancelled' });
      return;
    }
    const child = spawn(launch.executable, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    let pending = '';
    let stderr = '';
    let sawDone = false;
    const onAbort = (): void => {
      if (child.pid !== undefined) killProcessTree(child.pid);
    };
    launch.signal?.addEventListener('abort', onAbort, { once: true });
    const handleLine = (line: string): void => {
      const event = parseExperimentLine(line.trim());
      if (!event) return;
      if (event.type === 'done') sawDone = true;
      launch.onEvent(event);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(handleLine);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT);
    });
    let settled = false;
    const finish = (outcome: ExperimentOutcome): void => {
      if (settled) return;
      settled = true;
      launch.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish(error.code === 'ENOENT' || error.code === 'EACCES'
        ? { kind: 'missingExecutable', executable: launch.executable }
        : { kind: 'failed', exitCode: null, stderr: error.message });
    });
    child.once('close', (exitCode) => {
      if (pending) handleLine(pending);
      if (launch.signal?.aborted) finish({ kind: 'cancelled' });
      else if (exitCode === 0 && sawDone) finish({ kind: 'done' });
      else finish({ kind: 'failed', exitCode, stderr: stderr.trim() });
    });
  });
}
