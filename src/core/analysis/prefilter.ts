/**
 * The pre-filter of `check`: which rules could report anything in a file, decided from its text
 * alone, without parsing it. Each rule declares trigger words (`RuleMeta.triggers`), one of which
 * every file it can report on contains; a rule without triggers can always fire. Names a file
 * imports from other workspace files can stand for async functions or outside APIs under another
 * name: if the text mentions one of those (`importedWords`), every rule runs.
 */
import type { LanguageFamily } from '../syntax/languages';
import { containsWord } from '../syntax/text';
import { type RuleConfiguration, isRuleEnabled } from './configuration';
import { RULES } from './rules';
import type { RuleMeta } from './types';

/**
 * `configuration` with the enabled rules of `family` that cannot fire on `text` turned off, or
 * undefined when none can (the file need not be parsed).
 */
export function rulesThatCanFire(text: string, family: LanguageFamily, configuration: RuleConfiguration, rules: readonly RuleMeta[] = RULES): RuleConfiguration | undefined {
  const found = new Map<string, boolean>();
  const mentions = (word: string): boolean => {
    let result = found.get(word);
    if (result === undefined) {
      result = containsWord(text, word);
      found.set(word, result);
    }
    return result;
  };
  const silenced: RuleConfiguration[] = [];
  let canFire = false;
  for (const rule of rules) {
    if (rule.family !== family || !isRuleEnabled(configuration, rule.id)) continue;
    if (!rule.triggers || rule.triggers.some(mentions)) canFire = true;
    else silenced.push({ [rule.id]: 'off' });
  }
  return canFire ? Object.assign({}, configuration, ...silenced) as RuleConfiguration : undefined;
}

/** Whether `text` mentions any of `words` (whole identifiers). */
export function mentionsAny(text: string, words: Iterable<string>): boolean {
  for (const word of words) if (containsWord(text, word)) return true;
  return false;
}
