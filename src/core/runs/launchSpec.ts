import * as path from 'node:path';
import { ENV_BLOCKED_THRESHOLD_MS } from '../probe/protocol';

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
