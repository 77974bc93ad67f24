import * as path from 'node:path';
import { ENV_BLOCKED_THRESHOLD_MS, ENV_TASK_LIFECYCLE, ENV_TRACE } from '../probe/endpoint';

/**
 * How to start one monitored program: what the run command needs from a language. Each language
 * (Python here, Node.js in its own module) turns a file into a LaunchSpec; the run itself —
 * endpoint, terminal, process group, stop — is the same for all.
 */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /**
   * What the program's environment needs on top of the terminal's: the probe endpoint, and the
   * variables that load the probes (with the values they had in `baseEnv` kept after ours).
   */
  readonly env: Readonly<Record<string, string>>;
}

/** What a run asks its probes to record beyond the default sampling (each costs more: see the README). */
export interface ProbeDetail {
  /** Every event-loop callback timed (trace mode); implies `taskCreation` in Python. */
  readonly trace?: boolean;
  /** Every asyncio task's creation site and parent, and every finished task, short ones included. */
  readonly taskCreation?: boolean;
}

/** The environment variables that ask the probes for `detail`. */
export function probeDetailEnv(detail: ProbeDetail = {}): Record<string, string> {
  return { ...(detail.trace ? { [ENV_TRACE]: '1' } : {}), ...(detail.taskCreation ? { [ENV_TASK_LIFECYCLE]: '1' } : {}) };
}

/** The blocked-loop threshold (ms) a spec hands its probes, when it sets one. */
export function blockedThresholdOf(spec: LaunchSpec): number | undefined {
  const value = Number(spec.env[ENV_BLOCKED_THRESHOLD_MS]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export interface PythonLaunchOptions {
  interpreter: string;
  script: string;
  args?: readonly string[];
  cwd: string;
  /** The folder holding `concurrency_lens_probe/` and `sitecustomize.py` (shipped in the extension). */
  probeRoot: string;
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** The endpoint variables (`ProbeServer.environment`). */
  probeEnv: Readonly<Record<string, string>>;
  blockedThresholdMs: number;
  detail?: ProbeDetail;
}

/**
 * `python -m concurrency_lens_probe script args…`, with the probe folder first on PYTHONPATH so
 * that child Python processes inherit it and start their own probe through its `sitecustomize`.
 */
export function pythonLaunchSpec(options: PythonLaunchOptions): LaunchSpec {
  const existing = options.baseEnv.PYTHONPATH;
  return {
    command: options.interpreter,
    args: ['-m', 'concurrency_lens_probe', options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: {
      ...options.probeEnv,
      PYTHONPATH: existing ? `${options.probeRoot}${path.delimiter}${existing}` : options.probeRoot,
      [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
      ...probeDetailEnv(options.detail),
    },
  };
}

/** Interpreters to try, best first, without duplicates: the Python extension's, the setting, `python3`. */
export function interpreterCandidates(fromPythonExtension: string | undefined, fromSetting: string | undefined): string[] {
  return [...new Set([fromPythonExtension, fromSetting?.trim(), 'python3'].filter((candidate): candidate is string => !!candidate))];
}

/** How a `.ts` file runs: through a runner resolvable from the workspace, if any. */
export type TypeScriptRunner = 'tsx' | 'ts-node';

export interface NodeLaunchOptions {
  /** The Node.js executable (setting, else `node`). */
  node: string;
  script: string;
  args?: readonly string[];
  cwd: string;
  /** Absolute path of `probes/node/probe.cjs` (shipped in the extension). */
  probePath: string;
  /** Needed for `.ts`, `.mts` and `.cts` files. */
  typeScriptRunner?: TypeScriptRunner;
  baseEnv: Readonly<Record<string, string | undefined>>;
  probeEnv: Readonly<Record<string, string>>;
  blockedThresholdMs: number;
  detail?: ProbeDetail;
}

export const NODE_SCRIPT_EXTENSIONS = ['.js', '.mjs', '.cjs'] as const;
export const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts'] as const;

export function isTypeScriptFile(file: string): boolean {
  return (TYPESCRIPT_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

/**
 * `node [--import tsx | --require ts-node/register] script args…` with the probe preloaded through
 * NODE_OPTIONS, which child Node processes and Workers inherit. The user's own NODE_OPTIONS stay,
 * after ours. Returns undefined for a TypeScript file without a runner.
 */
export function nodeLaunchSpec(options: NodeLaunchOptions): LaunchSpec | undefined {
  const runnerArgs = !isTypeScriptFile(options.script)
    ? []
    : options.typeScriptRunner === 'tsx'
      ? ['--import', 'tsx']
      : options.typeScriptRunner === 'ts-node'
        ? ['--require', 'ts-node/register']
        : undefined;
  if (!runnerArgs) return undefined;
  // NODE_OPTIONS takes double-quoted values with backslash escapes: JSON quoting fits.
  const preload = `--require ${JSON.stringify(options.probePath)}`;
  const existing = options.baseEnv.NODE_OPTIONS;
  return {
    command: options.node,
    args: [...runnerArgs, options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: {
      ...options.probeEnv,
      NODE_OPTIONS: existing ? `${preload} ${existing}` : preload,
      [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
      ...probeDetailEnv(options.detail),
    },
  };
}
