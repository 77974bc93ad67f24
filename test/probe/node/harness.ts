/**
 * Runs fixture programs under the Node probe against a real socket endpoint that validates every
 * frame with the shared protocol schema.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ProbeServer } from '../../../src/core/probe/server';
import { ENV_ADDRESS, ENV_TOKEN, type HelloFrame, type ProbeFrame } from '../../../src/core/probe/protocol';

const root = path.resolve(__dirname, '..', '..', '..');
export const PROBE_PATH = path.join(root, 'probes', 'node', 'probe.cjs');

export function fixture(name: string): string {
  return path.join(root, 'test', 'fixtures', 'node-probe', name);
}

export interface ProbedProcess {
  /** The hello first, then every frame the server accepted. */
  readonly frames: ProbeFrame[];
  closed: boolean;
}

export interface TestEndpoint {
  /** CONCURRENCY_LENS_ADDRESS and CONCURRENCY_LENS_TOKEN for a program. */
  readonly environment: Record<string, string>;
  readonly token: string;
  /** A second copy of the probe, to check the load-once guard. */
  readonly probeCopy: string;
  /** Frames the server dropped or connections it refused (its warnings). */
  readonly warnings: string[];
  connections(): readonly ProbedProcess[];
  /** Waits until every connection accepted after the first `from` has closed; returns those. */
  settle(from: number): Promise<ProbedProcess[]>;
  close(): Promise<void>;
}

/** The extension's own probe endpoint (ProbeServer), recording each connection's frames. */
export async function startTestEndpoint(transport: 'auto' | 'tcp' = 'auto'): Promise<TestEndpoint> {
  const warnings: string[] = [];
  const server = await ProbeServer.start({ transport, logger: { info: () => undefined, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) } });
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-node-probe-'));
  const probeCopy = path.join(dir, 'probe-copy.cjs');
  copyFileSync(PROBE_PATH, probeCopy);
  const byId = new Map<number, ProbedProcess>();
  const connections: ProbedProcess[] = [];
  server.onHello((connection) => {
    const probed: ProbedProcess = { frames: [connection.hello satisfies HelloFrame], closed: false };
    byId.set(connection.id, probed);
    connections.push(probed);
  });
  server.onFrame(({ connection, frame }) => byId.get(connection.id)?.frames.push(frame));
  server.onClose(({ connection }) => {
    const probed = byId.get(connection.id);
    if (probed) probed.closed = true;
  });
  return {
    environment: server.environment,
    token: server.token,
    probeCopy,
    warnings,
    connections: () => connections,
    async settle(from) {
      for (let waited = 0; waited < 5000; waited += 20) {
        if (connections.slice(from).every((connection) => connection.closed)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return connections.slice(from);
    },
    async close() {
      await server.dispose();
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
  /** CONCURRENCY_LENS_ADDRESS and CONCURRENCY_LENS_TOKEN. */
  readonly endpoint?: Record<string, string>;
  readonly env?: NodeJS.ProcessEnv;
  /** `ignore` sends the program's stdout to /dev/null: writes never wait for a reader. */
  readonly stdout?: 'pipe' | 'ignore';
}

/** Runs `node file args…`, with the probe preloaded through NODE_OPTIONS when asked. */
export function runProgram(file: string, args: readonly string[], options: RunOptions): Promise<ProgramResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env[ENV_ADDRESS];
  delete env[ENV_TOKEN];
  if (options.probe) {
    env.NODE_OPTIONS = [`--require ${PROBE_PATH}`, options.env?.NODE_OPTIONS].filter(Boolean).join(' ');
    Object.assign(env, options.endpoint);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env, cwd: path.dirname(file), stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
