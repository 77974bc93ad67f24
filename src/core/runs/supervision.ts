/**
 * Supervising a monitored program: starting it with the terminal's own stdin, stdout and stderr
 * (so its output runs at a plain terminal's speed and it sees a TTY), forwarding the signals the
 * terminal or a user sends to the whole process tree, and reporting to the host — at once — the
 * pid it started and, from waitpid, how it ended. Used by the terminal supervisor of the editor's
 * runs (src/supervisor/main.ts) and by the `record` command line. Node.js only; no `vscode`.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import {
  ENV_ADDRESS, ENV_BROKER, ENV_BROKER_TOKEN, ENV_TOKEN, parseProbeAddress, PROTOCOL_VERSION, type ProbeAddress, type RunReply, type RunRequest,
} from '../probe/endpoint';
import type { ReapedFrame, SpawnFrame } from '../probe/protocol';
import type { ExitStatus } from './runModel';

/** Signals the supervisor passes on to the program's process group (it runs in a group of its own). */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGWINCH', 'SIGUSR1', 'SIGUSR2'] as const;

/** Linux signal numbers, for the exit code a shell would give a program killed by one (128 + n). */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};

export interface ProgramExit extends ExitStatus {
  /** ms since the epoch. */
  readonly endedAt: number;
  /** Set when the program could not start at all (e.g. the command does not exist). */
  readonly error?: string;
}

/** The exit code a shell reports for `exit`: the program's own, 128 + n after signal n, 127 when it could not start. */
export function shellExitCode(exit: ProgramExit): number {
  if (exit.error !== undefined) return 127;
  if (exit.signal !== undefined) return 128 + (SIGNAL_NUMBERS[exit.signal] ?? 0);
  return exit.exitCode ?? 1;
}

export interface SupervisedProgram {
  /** Undefined when it could not start. */
  readonly pid: number | undefined;
  readonly startedAt: number;
  readonly exited: Promise<ProgramExit>;
  /** Stops forwarding signals (after it exited). */
  dispose(): void;
}

export interface SuperviseOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Starts `command` in a process group of its own with this process's stdio, and forwards
 * {@link FORWARDED_SIGNALS} received here to that group: a Ctrl+C in the terminal reaches this
 * process's group, and `kill` of this process reaches nothing else, so every signal arrives at
 * the program's tree exactly once.
 */
export function superviseProgram(options: SuperviseOptions): SupervisedProgram {
  const startedAt = Date.now();
  const child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: 'inherit', detached: true });
  const forwarders = FORWARDED_SIGNALS.map((signal) => {
    const forward = () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    process.on(signal, forward);
    return () => process.off(signal, forward);
  });
  const exited = new Promise<ProgramExit>((resolve) => {
    child.once('error', (error) => resolve({ endedAt: Date.now(), error: error.message }));
    child.once('exit', (code, signal) => resolve({ endedAt: Date.now(), ...(signal ? { signal } : { exitCode: code ?? undefined }) }));
  });
  return { pid: child.pid, startedAt, exited, dispose: () => forwarders.forEach((stop) => stop()) };
}

/**
 * The supervisor's connection to the host: a hello with the `supervisor` role, then `spawn` and
 * `reaped`. Frames wait until the connection is up (the program is never held back for it); a host
 * that is gone is ignored, as by the probes.
 */
export class SupervisorLink {
  private readonly socket: net.Socket;
  private seq = 0;

  private constructor(address: ProbeAddress, token: string) {
    this.socket = net.createConnection(address.transport === 'unix' ? { path: address.path } : { host: address.host, port: address.port });
    this.socket.on('error', () => this.socket.destroy());
    this.send({
      kind: 'hello', token, protocol: PROTOCOL_VERSION, role: 'supervisor', pid: process.pid, ppid: process.ppid,
      runtime: { name: 'node', version: process.versions.node }, argv: process.argv.slice(1, 1000).map((arg) => arg.slice(0, 4096)), startedAt: Date.now(),
    });
  }

  /** A link to the endpoint in `env`, or undefined when the environment names none. */
  static fromEnvironment(env: NodeJS.ProcessEnv): SupervisorLink | undefined {
    const address = parseProbeAddress(env[ENV_ADDRESS] ?? '');
    const token = env[ENV_TOKEN];
    return address && token ? new SupervisorLink(address, token) : undefined;
  }

  spawned(frame: Omit<SpawnFrame, 'kind' | 'seq' | 't'>): void {
    this.send({ kind: 'spawn', ...frame });
  }

  reaped(exit: ProgramExit & { pid?: number }): void {
    const frame: Omit<ReapedFrame, 'seq' | 't'> = {
      kind: 'reaped',
      ...(exit.pid !== undefined ? { pid: exit.pid } : {}),
      ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
      ...(exit.signal !== undefined ? { signal: exit.signal } : {}),
      ...(exit.error !== undefined ? { error: exit.error.slice(0, 4000) } : {}),
    };
    this.send(frame, exit.endedAt);
  }

  /** Sends what is queued and closes; resolves once done (or after `timeoutMs`). */
  close(timeoutMs = 1000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, timeoutMs);
      this.socket.end(() => {
        clearTimeout(timer);
        resolve();
      });
      if (this.socket.destroyed) {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private send(frame: Record<string, unknown>, time = Date.now()): void {
    if (this.socket.destroyed) return;
    this.socket.write(`${JSON.stringify({ ...frame, seq: this.seq++, t: time })}\n`);
  }
}

/** How long a supervisor waits for the broker's answer before it runs the program unmonitored. */
const BROKER_TIMEOUT_MS = 10_000;

/**
 * Asks the run broker named in `env` (a task's supervisor: see src/core/runs/runBroker.ts) for a
 * run of its own: resolves with the run's endpoint variables, or with why there is none.
 */
export function requestRun(env: NodeJS.ProcessEnv, details: Omit<RunRequest, 'kind' | 'token' | 'protocol'>): Promise<RunReply> {
  const address = parseProbeAddress(env[ENV_BROKER] ?? '');
  const token = env[ENV_BROKER_TOKEN];
  if (!address || !token) return Promise.resolve({ kind: 'run-refused', reason: 'no broker in the environment' });
  return new Promise((resolve) => {
    const socket = net.createConnection(address.transport === 'unix' ? { path: address.path } : { host: address.host, port: address.port });
    let answer = '';
    const finish = (reply: RunReply) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(BROKER_TIMEOUT_MS, () => finish({ kind: 'run-refused', reason: 'the editor did not answer' }));
    socket.on('error', (error) => finish({ kind: 'run-refused', reason: error.message }));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    socket.on('end', () => {
      try {
        const reply = JSON.parse(answer) as RunReply;
        finish(reply.kind === 'run-granted' && typeof reply.env === 'object' ? reply : { kind: 'run-refused', reason: reply.kind === 'run-refused' ? String(reply.reason) : 'no run' });
      } catch {
        finish({ kind: 'run-refused', reason: 'an unreadable answer' });
      }
    });
    const request: RunRequest = { kind: 'run-request', token, protocol: PROTOCOL_VERSION, ...details };
    socket.write(`${JSON.stringify(request)}\n`);
  });
}
