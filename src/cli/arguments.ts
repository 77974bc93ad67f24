/** Command-line parsing for `concurrency-lens check [paths…] [--format text|json|sarif] [--rules a,b] [--cache-dir DIR | --no-cache] …`. */
import { RULE_IDS, type RuleId, isRuleId } from '../core/analysis/types';
import { DEFAULT_CACHE_DIRECTORY } from './cache';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface CheckOptions {
  readonly command: 'check';
  readonly paths: readonly string[];
  readonly format: OutputFormat;
  /** Only these rules; undefined = all. */
  readonly rules: readonly RuleId[] | undefined;
  /** Where the result cache lives; undefined = no cache. */
  readonly cacheDirectory: string | undefined;
  /** Whether files that no rule's trigger words occur in are left unparsed (off only to compare). */
  readonly prefilter: boolean;
  /** Worker threads; undefined = one per core when the work is large enough. */
  readonly jobs: number | undefined;
  /** Print what the run did (files, lines, analysed / skipped / cached) on stderr. */
  readonly statistics: boolean;
  /** Larger files (minified bundles, generated code) are not checked, as in the editor. */
  readonly maxFileSize: number;
}

/** The editor's limit too (documents longer than this are not analysed). */
export const DEFAULT_MAX_FILE_SIZE = 2_000_000;

export type ParsedArguments = CheckOptions | { readonly command: 'help' } | { readonly command: 'version' } | { readonly command: 'error'; readonly message: string };

export const USAGE = `Usage: concurrency-lens check [paths…] [--format text|json|sarif] [--rules rule-a,rule-b]
                               [--cache-dir DIR | --no-cache] [--jobs N] [--max-file-size BYTES]
                               [--no-prefilter] [--statistics]
       concurrency-lens record [options] -- <command> [args…]   (see concurrency-lens record --help)

Checks Python, JavaScript and TypeScript files for concurrency mistakes.
Paths may be files or folders (default: the current folder).
Results are cached in ${DEFAULT_CACHE_DIRECTORY}/ of the current folder (--cache-dir elsewhere).
Exit code: 0 no findings, 1 findings, 2 bad usage.

Rules: ${RULE_IDS.join(', ')}`;

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-v') return { command: 'version' };
  if (command !== 'check') return { command: 'error', message: `Unknown command "${command}".` };
  const paths: string[] = [];
  let format: OutputFormat = 'text';
  let rules: RuleId[] | undefined;
  let cacheDirectory: string | undefined = DEFAULT_CACHE_DIRECTORY;
  let prefilter = true;
  let jobs: number | undefined;
  let statistics = false;
  let maxFileSize = DEFAULT_MAX_FILE_SIZE;
  for (let index = 0; index < rest.length; index += 1) {
    const argument = rest[index] ?? '';
    const [flag, inlineValue] = argument.startsWith('--') && argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    const value = (): string | undefined => inlineValue ?? rest[++index];
    switch (flag) {
      case '--format': {
        const chosen = value();
        if (!FORMATS.includes(chosen as OutputFormat)) return { command: 'error', message: `--format must be one of ${FORMATS.join(', ')}.` };
        format = chosen as OutputFormat;
        break;
      }
      case '--rules': {
        const list = (value() ?? '').split(',').map((rule) => rule.trim()).filter((rule) => rule !== '');
        const unknown = list.filter((rule) => !isRuleId(rule));
        if (list.length === 0 || unknown.length > 0) return { command: 'error', message: `Unknown rule(s): ${unknown.join(', ') || '(none given)'}. Known rules: ${RULE_IDS.join(', ')}.` };
        rules = list.filter(isRuleId);
        break;
      }
      case '--cache-dir': {
        const directory = value();
        if (directory === undefined || directory === '') return { command: 'error', message: '--cache-dir needs a folder.' };
        cacheDirectory = directory;
        break;
      }
      case '--no-cache':
        cacheDirectory = undefined;
        break;
      case '--no-prefilter':
        prefilter = false;
        break;
      case '--jobs': {
        const count = Number(value());
        if (!Number.isInteger(count) || count < 1) return { command: 'error', message: '--jobs must be a whole number of at least 1.' };
        jobs = count;
        break;
      }
      case '--max-file-size': {
        const size = Number(value());
        if (!Number.isInteger(size) || size < 1) return { command: 'error', message: '--max-file-size must be a whole number of bytes.' };
        maxFileSize = size;
        break;
      }
      case '--statistics':
        statistics = true;
        break;
      case '--help':
      case '-h':
        return { command: 'help' };
      default:
        if (argument.startsWith('-')) return { command: 'error', message: `Unknown option "${argument}".` };
        paths.push(argument);
    }
  }
  return { command: 'check', paths: paths.length > 0 ? paths : ['.'], format, rules, cacheDirectory, prefilter, jobs, statistics, maxFileSize };
}
