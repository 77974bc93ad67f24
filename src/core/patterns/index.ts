import { NODE_PATTERNS } from './node';
import { PYTHON_PATTERNS } from './python';
import type { ConcurrencyPattern, PatternLanguage } from './types';

export const PATTERNS: readonly ConcurrencyPattern[] = [...PYTHON_PATTERNS, ...NODE_PATTERNS];

export function patternsFor(language: PatternLanguage): readonly ConcurrencyPattern[] {
  return PATTERNS.filter((pattern) => pattern.language === language);
}
