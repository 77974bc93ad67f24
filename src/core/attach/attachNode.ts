/**
 * Attaching the monitor to a Node.js process that is already running, through its inspector
 * (opened for the moment: see ./inspector): hand the probe its endpoint through `process.env`
 * (children started later inherit it, with NODE_OPTIONS and PYTHONPATH that load their own
 * probes), and load the probe in the main thread with the console's `require`.
 */
import * as path from 'node:path';
import type { ProbeInstall } from '../runs/launchSpec';
import { type EvaluateAnswer, InspectorError, type InspectorFailure, type InspectorSession, openInspector } from './inspector';

/** Set by the probe once it runs in a process (probes/node/probe.cjs). */
const PROBE_GUARD = "Symbol.for('concurrencyLens.nodeProbe')";
/** Where the probe finds the Workers that were running before it was loaded. */
const ATTACHED_WORKERS = "Symbol.for('concurrencyLens.attachedWorkers')";

export type AttachFailure = InspectorFailure;

export type AttachResult =
  | { readonly ok: true; readonly openedInspector: boolean; readonly workers: number; readonly argv: readonly string[] }
  | { readonly ok: false; readonly reason: AttachFailure; readonly detail: string };

export interface AttachOptions {
  readonly pid: number;
  readonly install: ProbeInstall;
  /** The endpoint variables (and the blocked-loop threshold) the probe reads. */
  readonly env: Readonly<Record<string, string>>;
  /** Hook for the steps, in order (a benchmark times them). */
  readonly onStep?: (step: 'inspector-open' | 'connected' | 'probe-loaded' | 'inspector-closed') => void;
}

/** Never throws: every way it can fail comes back as a reason (for the user's words) and a detail (for the log). */
export async function attachNodeProbe(options: AttachOptions): Promise<AttachResult> {
  try {
    return await attach(options);
  } catch (error) {
    if (error instanceof InspectorError) return { ok: false, reason: error.reason, detail: error.message };
    return { ok: false, reason: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

async function attach({ pid, install, env, onStep }: AttachOptions): Promise<AttachResult> {
  const { session, openedInspector, argv } = await openInspector(pid, onStep);
  try {
    if (await session.evaluate(`globalThis[${PROBE_GUARD}] === true`)) throw new InspectorError('already-monitored', `process ${pid} runs the probe already`);
    const workers = await stashRunningWorkers(session);
    const loaded = await session.evaluate([
      `Object.assign(process.env, ${JSON.stringify(env)});`,
      `process.env.NODE_OPTIONS = [${JSON.stringify(`--require ${JSON.stringify(install.nodeProbe)}`)}, process.env.NODE_OPTIONS].filter(Boolean).join(' ');`,
      `process.env.PYTHONPATH = [${JSON.stringify(install.pythonRoot)}, process.env.PYTHONPATH].filter(Boolean).join(${JSON.stringify(path.delimiter)});`,
      `require(${JSON.stringify(install.nodeProbe)});`,
      `globalThis[${PROBE_GUARD}] === true`,
    ].join('\n'));
    if (loaded !== true) throw new InspectorError('failed', `the probe did not start in process ${pid}`);
    onStep?.('probe-loaded');
    return { ok: true, openedInspector, workers, argv };
  } finally {
    await session.close(openedInspector);
    onStep?.('inspector-closed');
  }
}

/**
 * Hands the probe the Workers that run already (it sees only those started after it loads):
 * V8 lists the objects built on Worker.prototype. Returns how many; none when that fails.
 */
async function stashRunningWorkers(session: InspectorSession): Promise<number> {
  try {
    const prototype = await session.send('Runtime.evaluate', {
      expression: "require('node:worker_threads').Worker.prototype", includeCommandLineAPI: true, objectGroup: session.objectGroup,
    }) as EvaluateAnswer;
    if (!prototype.result?.objectId) return 0;
    const objects = await session.send('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId, objectGroup: session.objectGroup }) as { objects?: { objectId?: string } };
    if (!objects.objects?.objectId) return 0;
    const stashed = await session.send('Runtime.callFunctionOn', {
      objectId: objects.objects.objectId,
      // Instances only (subclass prototypes are listed too), and only running ones (threadId -1 once exited).
      functionDeclaration: `function () {
        const running = this.filter((worker) => { try { return worker.threadId >= 0; } catch { return false; } });
        globalThis[${ATTACHED_WORKERS}] = running;
        return running.length;
      }`,
      returnByValue: true,
    }) as EvaluateAnswer;
    return typeof stashed.result?.value === 'number' ? stashed.result.value : 0;
  } catch {
    return 0;
  }
}
