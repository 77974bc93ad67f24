/**
 * Records a real run of a demo program under our probes, the way the extension does (a run session:
 * the probe endpoint feeding a RunModel), and returns it as a recording file the workbench can open.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ENV_BLOCKED_THRESHOLD_MS } from '../../src/core/probe/protocol';
import { ProbeServer } from '../../src/core/probe/server';
import type { RunRecording } from '../../src/core/runs/recording';
import { RunSession } from '../../src/core/runs/runSession';
import { REPO_ROOT } from '../runner/codeServer';

export type DemoLanguage = 'node' | 'python';

function launch(language: DemoLanguage, script: string): { command: string; args: string[]; env: Record<string, string> } {
  if (language === 'node') {
    return { command: process.execPath, args: [script], env: { NODE_OPTIONS: `--require ${path.join(REPO_ROOT, 'probes', 'node', 'probe.cjs')}` } };
  }
  return { command: 'python3', args: ['-m', 'concurrency_lens_probe', script], env: { PYTHONPATH: path.join(REPO_ROOT, 'probes', 'python') } };
}

/** The extension's default `concurrencyLens.monitor.blockedThresholdMs`. */
const BLOCKED_THRESHOLD_MS = 100;

export async function recordRun(language: DemoLanguage, script: string): Promise<RunRecording> {
  const server = await ProbeServer.start({ logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  const session = new RunSession(server, { logger: { info: () => undefined, warn: () => undefined, error: () => undefined }, blockedThresholdMs: BLOCKED_THRESHOLD_MS });
  try {
    const { command, args, env } = launch(language, script);
    const child = spawn(command, args, { cwd: path.dirname(script), env: { ...process.env, ...env, ...server.environment, [ENV_BLOCKED_THRESHOLD_MS]: String(BLOCKED_THRESHOLD_MS) }, stdio: 'ignore', detached: true });
    if (child.pid !== undefined) session.programStarted(child.pid, [command, ...args], path.dirname(script), Date.now());
    child.on('error', (error) => session.programExited({ endedAt: Date.now(), error: error.message }));
    child.on('exit', (code, signal) => session.programExited({ endedAt: Date.now(), ...(signal ? { signal } : { exitCode: code ?? undefined }) }));
    await session.ended;
    return session.model.toRecording();
  } finally {
    session.dispose();
  }
}
