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
  return {
    command: options.interpreter,
    args: ['-m', 'concurrency_lens_probe', options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: {
      ...options.probeEnv,
      PYTHONPATH: withPythonProbe(options.baseEnv.PYTHONPATH, options.probeRoot),
      [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
      ...probeDetailEnv(options.detail),
    },
  };
}

/** PYTHONPATH with the probe folder first (its `sitecustomize` starts the probe), the user's entries kept after it. */
export function withPythonProbe(existing: string | undefined, probeRoot: string): string {
  return existing ? `${probeRoot}${path.delimiter}${existing}` : probeRoot;
}

/**
 * NODE_OPTIONS that preload the Node probe, the user's own options kept: ours `first` (our runs)
 * or `last` (a debug configuration's, to which the debugger appends its own bootloader too).
 */
export function withNodeProbe(existing: string | undefined, probePath: string, position: 'first' | 'last' = 'first'): string {
  // NODE_OPTIONS takes double-quoted values with backslash escapes: JSON quoting fits.
  const preload = `--require ${JSON.stringify(probePath)}`;
  if (!existing?.trim()) return preload;
  return position === 'first' ? `${preload} ${existing}` : `${existing} ${preload}`;
}

/** Where the probes are: shipped in the extension, or beside the command line. */
export interface ProbeInstall {
  /** The folder holding `concurrency_lens_probe/` and `sitecustomize.py`. */
  readonly pythonRoot: string;
  /** Absolute path of `probes/node/probe.cjs`. */
  readonly nodeProbe: string;
}

export function probeInstall(probesFolder: string): ProbeInstall {
  return { pythonRoot: path.join(probesFolder, 'python'), nodeProbe: path.join(probesFolder, 'node', 'probe.cjs') };
}

export interface ProbeEnvironmentOptions {
  readonly install: ProbeInstall;
  /** The environment the variables are added to (their existing values are kept). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** The endpoint variables (`ProbeServer.environment`). */
  readonly probeEnv: Readonly<Record<string, string>>;
  readonly blockedThresholdMs: number;
  readonly nodeProbePosition?: 'first' | 'last';
  readonly detail?: ProbeDetail;
}

/**
 * The variables that make any Python or Node.js process started with them load its probe and
 * report to the endpoint — a command line's, a terminal's, a debug session's processes, at any
 * depth, since children inherit them.
 */
export function probeEnvironment(options: ProbeEnvironmentOptions): Record<string, string> {
  return {
    ...options.probeEnv,
    NODE_OPTIONS: withNodeProbe(options.baseEnv.NODE_OPTIONS, options.install.nodeProbe, options.nodeProbePosition),
    PYTHONPATH: withPythonProbe(options.baseEnv.PYTHONPATH, options.install.pythonRoot),
    [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
    ...probeDetailEnv(options.detail),
  };
}

/** Shells that run a command line as a POSIX shell does (`-c`, quoting, `&&`, pipes). */
const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash']);

/** The user's login shell when it is a POSIX shell, else `/bin/sh` (fish or nushell read other syntax). */
export function posixShell(userShell: string | undefined): string {
  return userShell && path.isAbsolute(userShell) && POSIX_SHELLS.has(path.basename(userShell)) ? userShell : '/bin/sh';
}

export interface CommandLaunchOptions extends ProbeEnvironmentOptions {
  /** A command line as typed in a terminal. */
  readonly commandLine: string;
  readonly shell: string;
  readonly cwd: string;
}

/** `$SHELL -c "<command line>"`, with every Python and Node.js process below it probed. */
export function commandLaunchSpec(options: CommandLaunchOptions): LaunchSpec {
  return { command: options.shell, args: ['-c', options.commandLine], cwd: options.cwd, env: probeEnvironment(options) };
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
  return {
    command: options.node,
    args: [...runnerArgs, options.script, ...(options.args ?? [])],
    cwd: options.cwd,
    env: {
      ...options.probeEnv,
      NODE_OPTIONS: withNodeProbe(options.baseEnv.NODE_OPTIONS, options.probePath),
      [ENV_BLOCKED_THRESHOLD_MS]: String(options.blockedThresholdMs),
      ...probeDetailEnv(options.detail),
    },
  };
}
