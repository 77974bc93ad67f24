import * as path from 'node:path';
import { ENV_BLOCKED_THRESHOLD_MS } from '../probe/environment';

/**
 * How to start one monitored program: what the run command needs from a language. Each language
 * (Python here, Node.js in its own module) turns a file into a LaunchSpec; the run itself —
 * endpoint, terminal, process group, stop — is the same for all.
 */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment of the program (the probe endpoint included). */
  readonly env: Readonly<Record<string, string>>;
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
}

/**
 * `python -m concurrency_lens_probe script args…`, with the probe folder first on PYTHONPATH so
 * that child Python processes inherit it and start their own probe through its `sitecustomize`.
 */
export function pythonLaunchSpec(options: PythonLaunchOptions): LaunchSpec {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.baseEnv)) if (value !== undefined) env[name] = value;
  const pythonPath = env.PYTHONPATH ? `${options.probeRoot}${path.delimiter}${env.PYTHONPATH}` : options.probeRoot;
  return {
    command: options.interpreter,
    args: ['-m', 'concurrency_lens_probe', options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: {
      ...env,
      ...options.probeEnv,
      PYTHONPATH: pythonPath,
      // Output reaches the terminal as it is printed, not when a pipe buffer fills.
      PYTHONUNBUFFERED: '1',
      [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
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
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.baseEnv)) if (value !== undefined) env[name] = value;
  // NODE_OPTIONS takes double-quoted values with backslash escapes: JSON quoting fits.
  const preload = `--require ${JSON.stringify(options.probePath)}`;
  return {
    command: options.node,
    args: [...runnerArgs, options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: {
      ...env,
      ...options.probeEnv,
      NODE_OPTIONS: env.NODE_OPTIONS ? `${preload} ${env.NODE_OPTIONS}` : preload,
      [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
    },
  };
}
