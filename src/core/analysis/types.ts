/**
 * The vocabulary of the analyzer: rules (id, default severity, bilingual texts, equivalent codes
 * in other tools, guide page) and findings (a rule, a range of UTF-16 offsets, a message).
 */
import type { LanguageFamily } from '../syntax/languages';

export interface Localized {
  readonly en: string;
  readonly 'zh-cn': string;
}

export type Locale = keyof Localized;

export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RULE_IDS = [
  'py/blocking-sleep',
  'py/blocking-http',
  'py/blocking-subprocess',
  'py/blocking-file-io',
  'py/blocking-input',
  'py/unawaited-coroutine',
  'py/dangling-task',
  'py/await-in-loop',
  'py/missing-main-guard',
  'py/unpicklable-target',
  'py/cpu-bound-in-thread',
  'py/swallowed-cancellation',
  'py/pipe-deadlock',
  'py/lost-future-exception',
  'py/fork-with-threads',
  'py/nested-event-loop',
  'py/sync-wait-in-async',
  'py/busy-wait',
  'py/yield-in-scope',
  'js/sync-io-in-async',
  'js/floating-promise',
  'js/await-in-loop',
  'js/unhandled-worker-events',
  'js/misused-async-callback',
  'js/async-promise-executor',
  'js/uncloneable-message',
  'js/lost-update',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: unknown): value is RuleId {
  return typeof value === 'string' && (RULE_IDS as readonly string[]).includes(value);
}

/** Where "Open in guide" leads (arguments of the `concurrencyLens.openGuide` command). */
export interface GuideLink {
  readonly language: 'python' | 'node';
  readonly model: 'coroutines' | 'threads' | 'processes';
}

export interface RuleMeta {
  readonly id: RuleId;
  readonly family: LanguageFamily;
  readonly defaultSeverity: Severity;
  readonly title: Localized;
  /** Why it matters and what to do instead (shown in the hover and the README). */
  readonly explanation: Localized;
  /** Codes of equivalent checks in other tools (ruff, ESLint, typescript-eslint, Pyright). */
  readonly related: readonly string[];
  readonly guide: GuideLink;
  /** An https page that explains the problem (official docs); the rule id links to it in the Problems panel. */
  readonly docs: string;
  /**
   * What every file this rule can report on mentions (whole identifiers): one of the triggers,
   * each a word or a group of words that must all be there (`['async', 'yield']`: an async
   * generator). Files with none are not parsed for it (`check`'s pre-filter). Outside APIs that a
   * workspace module re-exports under another name are accounted for by the pre-filter itself.
   * Without triggers, the rule runs on every file.
   */
  readonly triggers?: readonly Trigger[];
}

/** A trigger word, or words that must all be in the file. */
export type Trigger = string | readonly string[];

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** Range in the document, UTF-16 offsets; `start` is the first character of the call or statement. */
  readonly start: number;
  readonly end: number;
  readonly message: Localized;
}
