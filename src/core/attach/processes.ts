/** Finding the processes a user may attach the monitor to (Linux /proc). */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { commandLine, parentPid } from '../runs/processTree';

export type AttachRuntime = 'node' | 'python';

export interface RuntimeProcess {
  readonly pid: number;
  readonly runtime: AttachRuntime;
  readonly argv: readonly string[];
}

/** The names their executables go by: `node`, `nodejs`, `node20`; `python3`, `python3.12`, `python3.13t`. */
const EXECUTABLES: Readonly<Record<AttachRuntime, RegExp>> = {
  node: /^node(js)?([-._]?\d+(\.\d+)*)?$/,
  python: /^python(\d+(\.\d+)*t?)?$/,
};

/** Which runtime `pid` runs, from its executable's name (the command line's first word if unreadable). */
export function runtimeOf(pid: number): AttachRuntime | undefined {
  let executable: string | undefined;
  try {
    executable = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    executable = commandLine(pid)?.[0];
  }
  if (executable === undefined) return undefined;
  const name = path.basename(executable.replace(/ \(deleted\)$/, ''));
  return (Object.keys(EXECUTABLES) as AttachRuntime[]).find((runtime) => EXECUTABLES[runtime].test(name));
}

/** The owner (uid) of `pid`, or undefined when it is gone. */
export function ownerOf(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/** `pid` and its ancestors up to init: the editor's own processes, never offered. */
export function selfAndAncestors(pid: number): Set<number> {
  const found = new Set<number>();
  for (let current: number | undefined = pid; current !== undefined && current > 1 && !found.has(current); current = parentPid(current)) found.add(current);
  return found;
}

/** This user's Node.js and Python processes, newest (highest pid) first, without those in `exclude`. Linux only; elsewhere none. */
export function listRuntimeProcesses(uid: number, exclude: ReadonlySet<number>): RuntimeProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: RuntimeProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (exclude.has(pid) || ownerOf(pid) !== uid) continue;
    const runtime = runtimeOf(pid);
    const argv = runtime && commandLine(pid);
    if (runtime && argv) found.push({ pid, runtime, argv });
  }
  return found.sort((a, b) => b.pid - a.pid);
}

/**
 * The inspector port a Node.js process was started with (`--inspect[-brk|-wait][=[host:]port]`,
 * `--inspect-port`), in its command line or NODE_OPTIONS; undefined when it has none (or port 0,
 * which cannot be known from outside).
 */
export function inspectorPortOf(argv: readonly string[], nodeOptions: string | undefined): number | undefined {
  const flags = [...(nodeOptions?.split(/\s+/) ?? []), ...nodeFlags(argv)];
  let enabled = false;
  let port = 9229;
  for (const flag of flags) {
    const match = /^--(inspect(?:-brk|-wait)?|inspect-port|debug-port)(?:=(?:.*:)?(\d+))?$/.exec(flag);
    if (!match) continue;
    if (match[1] !== 'inspect-port' && match[1] !== 'debug-port') enabled = true;
    if (match[2] !== undefined) port = Number(match[2]);
  }
  return enabled && port > 0 && port < 65536 ? port : undefined;
}

/** The options before the script (Node reads no flags after it). */
function nodeFlags(argv: readonly string[]): string[] {
  const flags: string[] = [];
  for (const word of argv.slice(1)) {
    if (!word.startsWith('-')) break;
    flags.push(word);
  }
  return flags;
}

/** The variables `pid` was started with (same user only), or undefined. */
export function startEnvironmentOf(pid: number): Record<string, string> | undefined {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((entry) => entry.includes('='));
    return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  } catch {
    return undefined;
  }
}
