/**
 * The record of a `check` run: which findings each checked file got, and everything those findings
 * depended on besides the files' own content — the content of the other files that went into them
 * (module summaries, what the pre-filter's second look read) and whether each file that resolving
 * imports asked about exists. When the next run (same build, paths, rules, pre-filter and current
 * folder) finds the same files with the same content, those other files unchanged and every such
 * file present or absent as before, every finding is what it was: the run takes them from the
 * cache without resolving a single import. Anything different, and the run goes the usual way.
 */
import type { LocatedFinding } from './workerProtocol';

export interface RunRecord {
  /** The files checked, in order: path, content hash, and the key of their findings in the cache (null: none, ruled out by the pre-filter). */
  readonly entries: readonly (readonly [file: string, hash: string, result: string | null])[];
  /** Other files whose content the findings depend on, with its hash. */
  readonly hashes: Readonly<Record<string, string>>;
  /** Files whose existence resolving imports asked about: 1 a file of the workspace, 0 not. */
  readonly probes: Readonly<Record<string, number>>;
}

/** What replaying a record needs to know of this run. */
export interface ReplayContext {
  /** The files checked, in order, with their content hashes. */
  readonly entries: readonly { readonly file: string; readonly hash: string }[];
  /** The hash of a file's content now (throws if it cannot be read). */
  hashOf(file: string): string;
  /** Whether `file` is a file of the workspace now. */
  isFile(file: string): boolean;
  /** Cached findings by key. */
  findings(key: string): readonly LocatedFinding[] | undefined;
}

/** The findings of each entry, in order, if `record` still holds for this run; else undefined. */
export function replay(record: RunRecord | undefined, context: ReplayContext): (readonly LocatedFinding[] | 'none')[] | undefined {
  if (!record || record.entries.length !== context.entries.length) return undefined;
  for (const [index, [file, hash]] of record.entries.entries()) {
    const entry = context.entries[index];
    if (entry?.file !== file || entry.hash !== hash) return undefined;
  }
  for (const [file, hash] of Object.entries(record.hashes)) {
    try {
      if (context.hashOf(file) !== hash) return undefined;
    } catch {
      return undefined; // gone, or unreadable
    }
  }
  for (const [file, exists] of Object.entries(record.probes)) if (context.isFile(file) !== (exists === 1)) return undefined;
  const results: (readonly LocatedFinding[] | 'none')[] = [];
  for (const [, , key] of record.entries) {
    const findings = key === null ? 'none' : context.findings(key);
    if (!findings) return undefined;
    results.push(findings);
  }
  return results;
}
