/**
 * Which rules run and how loud they are: the `concurrencyLens.rules` setting and the CLI's
 * `--rules`. A setting maps a rule id to `"off"`, `"on"` (default severity) or a severity.
 */
import { RULES } from './rules';
import { type RuleId, SEVERITIES, type Severity, isRuleId } from './types';

export type RuleSetting = 'off' | 'on' | Severity;
export type RuleConfiguration = Readonly<Partial<Record<RuleId, RuleSetting>>>;

const SETTINGS: readonly string[] = ['off', 'on', ...SEVERITIES];

/** Keeps the valid entries of an untrusted settings object (unknown ids or values are ignored). */
export function parseRuleConfiguration(value: unknown): RuleConfiguration {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const result: Partial<Record<RuleId, RuleSetting>> = {};
  for (const [key, setting] of Object.entries(value as Record<string, unknown>)) {
    if (isRuleId(key) && typeof setting === 'string' && SETTINGS.includes(setting)) result[key] = setting as RuleSetting;
    if (isRuleId(key) && typeof setting === 'boolean') result[key] = setting ? 'on' : 'off';
  }
  return result;
}

/** A configuration that runs only `rules` (the CLI's `--rules a,b`). */
export function onlyRules(rules: readonly RuleId[]): RuleConfiguration {
  return Object.fromEntries(RULES.map((rule) => [rule.id, rules.includes(rule.id) ? 'on' : 'off']));
}

export function isRuleEnabled(configuration: RuleConfiguration, rule: RuleId): boolean {
  return configuration[rule] !== 'off';
}

export function severityFor(configuration: RuleConfiguration, rule: RuleId, defaultSeverity: Severity): Severity {
  const setting = configuration[rule];
  return setting === undefined || setting === 'on' || setting === 'off' ? defaultSeverity : setting;
}
