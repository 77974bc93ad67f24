/** Command-line parsing for `concurrency-lens check [paths…] [--format text|json|sarif] [--rules a,b]`. */
import { RULE_IDS, type RuleId, isRuleId } from '../core/analysis/types';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface CheckOptions {
  readonly command: 'check';
  readonly paths: readonly string[];
  readonly format: OutputFormat;
  /** Only these rules; undefined = all. */
  readonly rules: readonly RuleId[] | undefined;
}

export type ParsedArguments = CheckOptions | { readonly command: 'help' } | { readonly command: 'version' } | { readonly command: 'error'; readonly message: string };

export const USAGE = `Usage: concurrency-lens check [paths…] [--format text|json|sarif] [--rules rule-a,rule-b]
       concurrency-lens record [options] -- <command> [args…]   (see concurrency-lens record --help)

Checks Python, JavaScript and TypeScript files for concurrency mistakes.
Paths may be files or folders (default: the current folder).
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
      case '--help':
      case '-h':
        return { command: 'help' };
      default:
        if (argument.startsWith('-')) return { command: 'error', message: `Unknown option "${argument}".` };
        paths.push(argument);
    }
  }
  return { command: 'check', paths: paths.length > 0 ? paths : ['.'], format, rules };
}
