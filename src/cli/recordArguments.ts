/**
 * Command-line parsing for `concurrency-lens record [options] -- <command…>`.
 */
import { FAIL_CONDITIONS, FAIL_CONDITION_IDS } from '../core/runs/failConditions';

export const SUMMARY_FORMATS = ['text', 'json', 'none'] as const;
export type SummaryFormat = (typeof SUMMARY_FORMATS)[number];

/** The exit code when the program exited 0 but a `--fail-on` condition held. */
export const FAIL_ON_EXIT_CODE = 3;
/** The exit code of bad usage (as `check`'s). */
export const USAGE_EXIT_CODE = 2;

export interface RecordOptions {
  readonly command: 'record';
  /** The program and its arguments. */
  readonly program: readonly string[];
  readonly out: string | undefined;
  readonly trace: string | undefined;
  readonly summary: SummaryFormat;
  readonly blockedThresholdMs: number;
  readonly failOn: readonly string[];
}

export type ParsedRecordArguments = RecordOptions | { readonly command: 'help' } | { readonly command: 'error'; readonly message: string };

export const DEFAULT_BLOCKED_THRESHOLD_MS = 100;

export const RECORD_USAGE = `Usage: concurrency-lens record [options] -- <command> [args…]

Runs a command with the Concurrency Lens probes: every Python and Node.js process it starts is
monitored (processes, threads, asyncio tasks, Workers, blocked event loops). Its stdin, stdout and
stderr pass through; SIGINT and SIGTERM are passed on to it. At the end a summary goes to stderr.

Options:
  --out FILE                 write the recording ("Open Recording…" in the editor opens it)
  --trace FILE               write a Chrome trace (Perfetto, chrome://tracing)
  --summary text|json|none   the summary on stderr (default: text)
  --blocked-threshold-ms N   report event loops blocked for N ms or more (default: ${DEFAULT_BLOCKED_THRESHOLD_MS})
  --fail-on a,b              exit with ${FAIL_ON_EXIT_CODE} when one of these held (and the command exited 0):
${FAIL_CONDITIONS.map((condition) => `                               ${condition.id}: ${condition.help}`).join('\n')}

Exit code: the command's own (128 + n when signal n ended it, 127 when it could not start);
${FAIL_ON_EXIT_CODE} when it exited 0 but a --fail-on condition held; ${USAGE_EXIT_CODE} on bad usage.`;

export function parseRecordArguments(argv: readonly string[]): ParsedRecordArguments {
  let out: string | undefined;
  let trace: string | undefined;
  let summary: SummaryFormat = 'text';
  let blockedThresholdMs = DEFAULT_BLOCKED_THRESHOLD_MS;
  let failOn: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--' || !argument.startsWith('-')) {
      const program = argv.slice(argument === '--' ? index + 1 : index);
      if (program.length === 0) return { command: 'error', message: 'No command to record after --.' };
      return { command: 'record', program, out, trace, summary, blockedThresholdMs, failOn };
    }
    const [flag, inlineValue] = argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    if (flag === '--help' || flag === '-h') return { command: 'help' };
    const value = inlineValue ?? argv[++index];
    if (value === undefined) return { command: 'error', message: `${flag} needs a value.` };
    switch (flag) {
      case '--out':
        out = value;
        break;
      case '--trace':
        trace = value;
        break;
      case '--summary':
        if (!(SUMMARY_FORMATS as readonly string[]).includes(value)) return { command: 'error', message: `--summary must be one of ${SUMMARY_FORMATS.join(', ')}.` };
        summary = value as SummaryFormat;
        break;
      case '--blocked-threshold-ms': {
        const threshold = Number(value);
        if (!Number.isFinite(threshold) || threshold < 1) return { command: 'error', message: '--blocked-threshold-ms must be a number of milliseconds (1 or more).' };
        blockedThresholdMs = threshold;
        break;
      }
      case '--fail-on': {
        failOn = value.split(',').map((id) => id.trim()).filter((id) => id !== '');
        const unknown = failOn.filter((id) => !FAIL_CONDITION_IDS.includes(id));
        if (failOn.length === 0 || unknown.length > 0) return { command: 'error', message: `Unknown --fail-on condition(s): ${unknown.join(', ') || '(none given)'}. Known: ${FAIL_CONDITION_IDS.join(', ')}.` };
        break;
      }
      default:
        return { command: 'error', message: `Unknown option "${flag}".` };
    }
  }
  return { command: 'error', message: 'No command to record (concurrency-lens record [options] -- <command> [args…]).' };
}
