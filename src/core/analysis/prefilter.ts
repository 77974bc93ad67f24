/**
 * The pre-filter of `check`: which rules could report anything in a file, decided from its text
 * alone, without parsing it. Each rule declares triggers (`RuleMeta.triggers`: words, or groups
 * of words), one of which every file it can report on mentions; a rule without triggers can always
 * fire. Names a file
 * imports from other workspace files can stand for async functions or outside APIs under another
 * name: if the text mentions one of those (`importedWords`), every rule runs.
 */
import type { LanguageFamily } from '../syntax/languages';
import { containsWord } from '../syntax/text';
import { type RuleConfiguration, isRuleEnabled } from './configuration';
import { RULES } from './rules';
import type { RuleMeta, Trigger } from './types';

/**
 * `configuration` with the enabled rules of `family` that cannot fire on `text` turned off, or
 * undefined when none can (the file need not be parsed).
 */
export function rulesThatCanFire(text: string, family: LanguageFamily, configuration: RuleConfiguration, rules: readonly RuleMeta[] = RULES): RuleConfiguration | undefined {
  const mentions = wordFinder(text);
  const triggered = (trigger: Trigger): boolean => (typeof trigger === 'string' ? mentions(trigger) : trigger.every(mentions));
  const silenced: RuleConfiguration[] = [];
  let canFire = false;
  for (const rule of enabledRules(family, configuration, rules)) {
    if (!rule.triggers || rule.triggers.some(triggered)) canFire = true;
    else silenced.push({ [rule.id]: 'off' });
  }
  return canFire ? Object.assign({}, configuration, ...silenced) as RuleConfiguration : undefined;
}

/**
 * Whether `text` mentions any word of an enabled rule's triggers, grouped or not: what a module
 * must mention to offer other files a fact (a sync function that starts an event loop offers it to
 * coroutines elsewhere, though it mentions no `async` itself).
 */
export function mentionsATriggerWord(text: string, family: LanguageFamily, configuration: RuleConfiguration, rules: readonly RuleMeta[] = RULES): boolean {
  const mentions = wordFinder(text);
  return enabledRules(family, configuration, rules).some((rule) => !rule.triggers || rule.triggers.flat().some(mentions));
}

function enabledRules(family: LanguageFamily, configuration: RuleConfiguration, rules: readonly RuleMeta[]): RuleMeta[] {
  return rules.filter((rule) => rule.family === family && isRuleEnabled(configuration, rule.id));
}

/** `containsWord` over one text, each word looked up once. */
function wordFinder(text: string): (word: string) => boolean {
  const found = new Map<string, boolean>();
  return (word) => {
    let result = found.get(word);
    if (result === undefined) {
      result = containsWord(text, word);
      found.set(word, result);
    }
    return result;
  };
}

/** Whether `text` mentions any of `words` (whole identifiers). */
export function mentionsAny(text: string, words: Iterable<string>): boolean {
  for (const word of words) if (containsWord(text, word)) return true;
  return false;
}
