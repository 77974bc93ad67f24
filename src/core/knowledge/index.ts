import type { GuideLanguage } from '../../shared/guideProtocol';
import { pythonClassLineage } from '../syntax/receivers';
import { NODE_ENTRIES } from './node';
import { PYTHON_ASYNCIO } from './pythonAsyncio';
import { PYTHON_INTERPRETERS } from './pythonInterpreters';
import { PYTHON_PROCESSES } from './pythonProcesses';
import { PYTHON_THREADS } from './pythonThreads';
import type { KnowledgeEntry, Locale } from './types';

export const KNOWLEDGE_BASE: readonly KnowledgeEntry[] = [
  ...PYTHON_ASYNCIO, ...PYTHON_THREADS, ...PYTHON_INTERPRETERS, ...PYTHON_PROCESSES, ...NODE_ENTRIES,
];

const byLanguage = new Map<GuideLanguage, Map<string, KnowledgeEntry>>();
for (const entry of KNOWLEDGE_BASE) {
  const entries = byLanguage.get(entry.guide.language) ?? new Map<string, KnowledgeEntry>();
  entries.set(entry.canonicalName, entry);
  byLanguage.set(entry.guide.language, entries);
}

/** The entry for a canonical name (`asyncio.gather`, `child_process.spawn`, `await`), if we document it. */
export function lookupKnowledge(language: GuideLanguage, canonicalName: string): KnowledgeEntry | undefined {
  const entries = byLanguage.get(language);
  const entry = entries?.get(canonicalName);
  if (entry) return entry;
  // An inherited method is documented on its base: `ProcessPoolExecutor.map` is `Executor.map`.
  const dot = canonicalName.lastIndexOf('.');
  if (dot <= 0 || language !== 'python') return undefined;
  for (const base of pythonClassLineage(canonicalName.slice(0, dot)).slice(1)) {
    const inherited = entries?.get(`${base}${canonicalName.slice(dot)}`);
    if (inherited) return inherited;
  }
  return undefined;
}

/** VS Code reports `zh-cn`, `zh-CN`, `zh-hans`…; every other display language gets English. */
export function localeFor(displayLanguage: string): Locale {
  return /^zh(-(cn|hans|sg))?$/i.test(displayLanguage) ? 'zh-cn' : 'en';
}
