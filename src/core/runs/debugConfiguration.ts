/**
 * Monitoring a debug session: which launch configurations get the probes, and how their
 * environment carries them without dropping anything the configuration itself sets.
 */
import { type ProbeEnvironmentOptions, probeEnvironment } from './launchSpec';

/** Debug types whose programs run Node.js (js-debug) or Python (debugpy, the Python extension). */
export const MONITORED_DEBUG_TYPES = ['node', 'pwa-node', 'node-terminal', 'debugpy', 'python'] as const;

/** The part of a debug configuration this module reads and writes. */
export interface DebugConfigurationLike {
  type: string;
  request: string;
  name: string;
  /** `null` values unset a variable (js-debug). */
  env?: Record<string, string | null | undefined>;
  envFile?: unknown;
  [key: string]: unknown;
}

/**
 * True for a configuration that launches a program of a monitored type. Attach configurations are
 * left alone (the process runs already), and so are the child sessions that js-debug starts for
 * each process and Worker of a session (they carry `__pendingTargetId`: the session's own run
 * follows those processes through the probe).
 */
export function launchesMonitoredProgram(config: DebugConfigurationLike): boolean {
  return (MONITORED_DEBUG_TYPES as readonly string[]).includes(config.type)
    && config.request === 'launch'
    && config.__pendingTargetId === undefined;
}

export interface DebugProbeOptions extends Omit<ProbeEnvironmentOptions, 'baseEnv' | 'nodeProbePosition'> {
  /** The environment the debugger starts the program with, before the configuration's own. */
  readonly inheritedEnv: Readonly<Record<string, string | undefined>>;
  /** The variables of the configuration's `envFile`, when it has one. */
  readonly envFileValues?: Readonly<Record<string, string>>;
}

/**
 * The configuration with the probes' variables in its `env`: the endpoint, our preload appended to
 * NODE_OPTIONS (the debugger appends its bootloader there too) and our folder first on PYTHONPATH,
 * each over the value the program would otherwise get (`env`, else `envFile`, else inherited).
 * Every other variable and setting stays as the configuration has it.
 */
export function withProbeEnvironment<T extends DebugConfigurationLike>(config: T, options: DebugProbeOptions): T {
  const effective = (name: string): string | undefined => {
    const own = config.env?.[name];
    if (own === null) return undefined; // the configuration unsets it
    return own ?? options.envFileValues?.[name] ?? options.inheritedEnv[name];
  };
  const added = probeEnvironment({
    ...options,
    baseEnv: { NODE_OPTIONS: effective('NODE_OPTIONS'), PYTHONPATH: effective('PYTHONPATH') },
    nodeProbePosition: 'last',
  });
  return { ...config, env: { ...config.env, ...added } };
}
