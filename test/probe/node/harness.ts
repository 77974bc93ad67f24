/**
 * Runs fixture programs under the Node probe against a real socket endpoint that validates every
 * frame with the shared protocol schema.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ENV_ADDRESS, ENV_TOKEN, type ProbeFrame, validateFrame } from '../../../src/core/probe/protocol';

const root = path.resolve(__dirname, '..', '..', '..');
export const PROBE_PATH = path.join(root, 'probes', 'node', 'probe.cjs');

export function fixture(name: string): string {
  return path.join(root, 'test', 'fixtures', 'node-probe', name);
}

export interface ProbedProcess {
  readonly frames: ProbeFrame[];
  /** Lines that were not valid frames. */
  invalid: number;
  closed: boolean;
}

export interface TestEndpoint {
  readonly address: string;
  readonly token: string;
  /** A second copy of the probe, to check the load-once guard. */
  readonly probeCopy: string;
  connections(): readonly ProbedProcess[];
  /** Waits until every connection opened after the first `from` has closed; returns those. */
  settle(from: number): Promise<ProbedProcess[]>;
  close(): void;
}

export async function startTestEndpoint(): Promise<TestEndpoint> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-node-probe-'));
  const address = path.join(dir, 'probe.sock');
  const probeCopy = path.join(dir, 'probe-copy.cjs');
  copyFileSync(PROBE_PATH, probeCopy);
  const token = randomBytes(32).toString('hex');
  const connections: ProbedProcess[] = [];
  const server = net.createServer((socket) => {
    const connection: ProbedProcess = { frames: [], invalid: 0, closed: false };
    connections.push(connection);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const result = validateFrame(JSON.parse(line));
        if (result.ok) connection.frames.push(result.frame);
        else connection.invalid += 1;
      }
    });
    socket.on('close', () => {
      connection.closed = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(address, resolve));
  return {
    address,
    token,
    probeCopy,
    connections: () => connections,
    async settle(from) {
      for (let waited = 0; waited < 5000; waited += 20) {
        if (connections.slice(from).every((connection) => connection.closed)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return connections.slice(from);
    },
    close() {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProgramResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly probe: boolean;
  readonly address?: string;
  readonly token?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `node file args…`, with the probe preloaded through NODE_OPTIONS when asked. */
export function runProgram(file: string, args: readonly string[], options: RunOptions): Promise<ProgramResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env[ENV_ADDRESS];
  delete env[ENV_TOKEN];
  if (options.probe) {
    env.NODE_OPTIONS = [`--require ${PROBE_PATH}`, options.env?.NODE_OPTIONS].filter(Boolean).join(' ');
    env[ENV_ADDRESS] = options.address;
    env[ENV_TOKEN] = options.token;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env, cwd: path.dirname(file), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
