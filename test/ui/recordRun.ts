/**
 * Records a real run of a demo program under our probes, the way the extension does (the probe
 * endpoint feeding a RunModel), and returns it as a recording file the workbench can open.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ENV_BLOCKED_THRESHOLD_MS } from '../../src/core/probe/protocol';
import { ProbeServer } from '../../src/core/probe/server';
import type { RunRecording } from '../../src/core/runs/recording';
import { RunModel } from '../../src/core/runs/runModel';
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
  const model = new RunModel({ blockedThresholdMs: BLOCKED_THRESHOLD_MS });
  server.onHello(({ hello }) => model.addProcess(hello));
  server.onFrame(({ connection, frame }) => model.apply(connection.hello.pid, frame));
  server.onClose(({ connection }) => model.endProcess(connection.hello.pid, Date.now()));
  try {
    const { command, args, env } = launch(language, script);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { cwd: path.dirname(script), env: { ...process.env, ...env, ...server.environment, [ENV_BLOCKED_THRESHOLD_MS]: String(BLOCKED_THRESHOLD_MS) }, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    for (let waited = 0; server.connectionCount > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    return model.toRecording();
  } finally {
    await server.dispose();
  }
}
