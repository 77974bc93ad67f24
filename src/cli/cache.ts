/**
 * `check`'s result cache, on by default in `.concurrency-lens-cache/` of the current folder (like
 * ruff's `.ruff_cache`), elsewhere with `--cache-dir`, off with `--no-cache`.
 *
 * Per build of the tool (version and a hash of its own code) a folder; in it one file per set of
 * checked paths, holding module summaries keyed by a file's content, and findings keyed by the
 * file's content, the rule configuration and the cross-file facts the file was analysed with — so a
 * file whose imported module changed what it offers (a function became async) is analysed again,
 * and an edit elsewhere in that module is not. Written atomically (temporary file + rename);
 * entries this run did not use are dropped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RuleConfiguration } from '../core/analysis/configuration';
import type { SourceLanguage } from '../core/syntax/languages';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import type { LocatedFinding } from './workerProtocol';

export const DEFAULT_CACHE_DIRECTORY = '.concurrency-lens-cache';
const FORMAT = 1;

interface CacheFile {
  readonly format: number;
  readonly summaries: Record<string, ModuleSummary>;
  readonly results: Record<string, readonly LocatedFinding[]>;
}

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

export class ResultCache {
  private readonly summaries = new Map<string, ModuleSummary>();
  private readonly results = new Map<string, readonly LocatedFinding[]>();
  private readonly used = new Set<string>();
  private changed = false;

  private constructor(
    private readonly file: string,
    stored: CacheFile | undefined,
  ) {
    if (!stored) return;
    for (const [key, summary] of Object.entries(stored.summaries)) this.summaries.set(key, summary);
    for (const [key, findings] of Object.entries(stored.results)) this.results.set(key, findings);
  }

  /** The cache for checking `paths` (absolute) with this build (`buildId`) under `directory`; an unreadable or foreign file counts as empty. */
  static open(directory: string, buildId: string, paths: readonly string[]): ResultCache {
    const scope = contentHash(JSON.stringify([...paths].sort()));
    const file = path.join(directory, buildId, `${scope}.json`);
    let stored: CacheFile | undefined;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
      if (parsed.format === FORMAT && typeof parsed.summaries === 'object' && typeof parsed.results === 'object') stored = parsed as CacheFile;
    } catch {
      stored = undefined; // no cache yet, or not ours: start empty
    }
    return new ResultCache(file, stored);
  }

  summary(language: SourceLanguage, hash: string): ModuleSummary | undefined {
    return this.read(this.summaries, `${language}:${hash}`);
  }

  putSummary(language: SourceLanguage, hash: string, summary: ModuleSummary): void {
    this.write(this.summaries, `${language}:${hash}`, summary);
  }

  findings(key: string): readonly LocatedFinding[] | undefined {
    return this.read(this.results, key);
  }

  putFindings(key: string, findings: readonly LocatedFinding[]): void {
    this.write(this.results, key, findings);
  }

  /** Writes the entries this run used, if anything changed; throws what the file system says. */
  save(): void {
    const dropped = [...this.summaries.keys(), ...this.results.keys()].some((key) => !this.used.has(key));
    if (!this.changed && !dropped) return;
    const keep = <T>(entries: Map<string, T>): Record<string, T> => Object.fromEntries([...entries].filter(([key]) => this.used.has(key)));
    const contents: CacheFile = { format: FORMAT, summaries: keep(this.summaries), results: keep(this.results) };
    const directory = path.dirname(this.file);
    mkdirSync(directory, { recursive: true });
    markCacheDirectory(path.dirname(directory));
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(contents));
    renameSync(temporary, this.file);
  }

  private read<T>(entries: Map<string, T>, key: string): T | undefined {
    const value = entries.get(key);
    if (value !== undefined) this.used.add(key);
    return value;
  }

  private write<T>(entries: Map<string, T>, key: string, value: T): void {
    entries.set(key, value);
    this.used.add(key);
    this.changed = true;
  }
}

/** The key of a file's findings: its content, the rules it ran with, what it knew of other files, and whether the pre-filter ran. */
export function resultKey(language: SourceLanguage, hash: string, configuration: RuleConfiguration, factsDigest: string, prefilter: boolean): string {
  return contentHash(JSON.stringify([language, hash, Object.entries(configuration).sort(), factsDigest, prefilter]));
}

/** Like ruff's cache folder: tagged for backup tools (CACHEDIR.TAG) and ignored by git. */
function markCacheDirectory(directory: string): void {
  writeIfMissing(path.join(directory, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by concurrency-lens.\n');
  writeIfMissing(path.join(directory, '.gitignore'), '# Automatically created by concurrency-lens.\n*\n');
}

function writeIfMissing(file: string, text: string): void {
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
