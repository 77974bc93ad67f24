/**
 * `check`'s result cache, on by default in `.concurrency-lens-cache/` of the current folder (like
 * ruff's `.ruff_cache`), elsewhere with `--cache-dir`, off with `--no-cache`.
 *
 * Per build of the tool (version and a hash of its own code) a folder; in it one file per set of
 * checked paths, holding module summaries keyed by a file's content, and findings keyed by the
 * file's content, the rule configuration and the cross-file facts the file was analysed with — so a
 * file whose imported module changed what it offers (a function became async) is analysed again,
 * and an edit elsewhere in that module is not. Beside them, what a run need not read a file again
 * to know: each file's stamp (size, times, inode) with the hash of the content it had then
 * (src/cli/sources.ts decides when a stamp can be trusted), and what the pre-filter learnt of each
 * content (its lines, the modules it may import, whether the configuration's trigger words occur).
 * Written atomically (temporary file + rename), only when something changed; entries this run did
 * not use are dropped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RuleConfiguration } from '../core/analysis/configuration';
import type { SourceLanguage } from '../core/syntax/languages';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import type { LocatedFinding } from './workerProtocol';

export const DEFAULT_CACHE_DIRECTORY = '.concurrency-lens-cache';
const FORMAT = 2;

/** A file as `stat` saw it before its content was hashed, and that hash: `[size, mtimeMs, ctimeMs, ino, hash]`. */
export type FileStamp = readonly [size: number, mtimeMs: number, ctimeMs: number, ino: number, hash: string];

/** The sections of the cache file, each a map from key to value. */
interface Sections {
  /** By absolute path. */
  readonly stamps: FileStamp;
  /** By content hash: how many lines the text has. */
  readonly lines: number;
  /** By language and content hash: the module specifiers the text may import (`importSpecifiers`). */
  readonly specifiers: readonly string[];
  /** By configuration, language and content hash: whether a rule can fire (`rulesThatCanFire`), 1 or 0. */
  readonly canFire: number;
  /** By configuration, language and content hash: whether an enabled rule's trigger word occurs (`mentionsATriggerWord`), 1 or 0. */
  readonly triggerWord: number;
  /** By language and content hash. */
  readonly summaries: ModuleSummary;
  /** By `resultKey`. */
  readonly results: readonly LocatedFinding[];
}

type SectionName = keyof Sections;
const SECTIONS: readonly SectionName[] = ['stamps', 'lines', 'specifiers', 'canFire', 'triggerWord', 'summaries', 'results'];

type CacheFile = { readonly format: number } & { readonly [Name in SectionName]: Record<string, Sections[Name]> };

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** One section: what was loaded, what this run put, and which keys it used (the others are dropped on save). */
class Section<T> {
  readonly entries = new Map<string, T>();
  readonly used = new Set<string>();

  constructor(stored: Record<string, T> | undefined) {
    if (stored) for (const key of Object.keys(stored)) this.entries.set(key, stored[key] as T);
  }

  get(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.used.add(key);
    return value;
  }

  /** Whether the section changed (a key derived from content always holds the same value: putting it again changes nothing). */
  put(key: string, value: T, same: (a: T, b: T) => boolean): boolean {
    this.used.add(key);
    const known = this.entries.get(key);
    if (known !== undefined && same(known, value)) return false;
    this.entries.set(key, value);
    return true;
  }

  /** The used entries, and whether any loaded one was not used. */
  kept(): { readonly record: Record<string, T>; readonly dropped: boolean } {
    const record: Record<string, T> = {};
    for (const key of this.used) record[key] = this.entries.get(key) as T;
    return { record, dropped: this.used.size < this.entries.size };
  }
}

const sameKey = (): boolean => true;
const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.every((value, index) => value === b[index]);

export class ResultCache {
  private readonly sections: { readonly [Name in SectionName]: Section<Sections[Name]> };
  private changed = false;

  private constructor(
    private readonly file: string,
    stored: CacheFile | undefined,
    /** Keys what the pre-filter learns under the run's rule configuration. */
    private readonly configurationKey: string,
  ) {
    this.sections = {
      stamps: new Section(stored?.stamps),
      lines: new Section(stored?.lines),
      specifiers: new Section(stored?.specifiers),
      canFire: new Section(stored?.canFire),
      triggerWord: new Section(stored?.triggerWord),
      summaries: new Section(stored?.summaries),
      results: new Section(stored?.results),
    };
  }

  /** The cache for checking `paths` (absolute) with this build (`buildId`) and `configuration` under `directory`; an unreadable or foreign file counts as empty. */
  static open(directory: string, buildId: string, paths: readonly string[], configuration: RuleConfiguration): ResultCache {
    const scope = contentHash(JSON.stringify([...paths].sort()));
    const file = path.join(directory, buildId, `${scope}.json`);
    let stored: CacheFile | undefined;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
      if (parsed.format === FORMAT && SECTIONS.every((name) => typeof parsed[name] === 'object' && parsed[name] !== null)) stored = parsed as CacheFile;
    } catch {
      stored = undefined; // no cache yet, or not ours: start empty
    }
    return new ResultCache(file, stored, configurationKey(configuration));
  }

  stamp(file: string): FileStamp | undefined {
    return this.sections.stamps.get(file);
  }

  putStamp(file: string, stamp: FileStamp): void {
    this.changed = this.sections.stamps.put(file, stamp, sameStamp) || this.changed;
  }

  lines(hash: string): number | undefined {
    return this.sections.lines.get(hash);
  }

  putLines(hash: string, lines: number): void {
    this.put('lines', hash, lines);
  }

  specifiers(language: SourceLanguage, hash: string): readonly string[] | undefined {
    return this.sections.specifiers.get(`${language}:${hash}`);
  }

  putSpecifiers(language: SourceLanguage, hash: string, specifiers: readonly string[]): void {
    this.put('specifiers', `${language}:${hash}`, specifiers);
  }

  /** Whether a rule of the run's configuration can fire on the content (`rulesThatCanFire`). */
  canFire(language: SourceLanguage, hash: string): boolean | undefined {
    return flag(this.sections.canFire.get(`${this.configurationKey}:${language}:${hash}`));
  }

  putCanFire(language: SourceLanguage, hash: string, canFire: boolean): void {
    this.put('canFire', `${this.configurationKey}:${language}:${hash}`, canFire ? 1 : 0);
  }

  /** Whether the content mentions a trigger word of an enabled rule (`mentionsATriggerWord`). */
  triggerWord(language: SourceLanguage, hash: string): boolean | undefined {
    return flag(this.sections.triggerWord.get(`${this.configurationKey}:${language}:${hash}`));
  }

  putTriggerWord(language: SourceLanguage, hash: string, mentions: boolean): void {
    this.put('triggerWord', `${this.configurationKey}:${language}:${hash}`, mentions ? 1 : 0);
  }

  summary(language: SourceLanguage, hash: string): ModuleSummary | undefined {
    return this.sections.summaries.get(`${language}:${hash}`);
  }

  putSummary(language: SourceLanguage, hash: string, summary: ModuleSummary): void {
    this.put('summaries', `${language}:${hash}`, summary);
  }

  findings(key: string): readonly LocatedFinding[] | undefined {
    return this.sections.results.get(key);
  }

  putFindings(key: string, findings: readonly LocatedFinding[]): void {
    this.put('results', key, findings);
  }

  /** Writes the entries this run used, if anything changed; throws what the file system says. */
  save(): void {
    const kept = SECTIONS.map((name) => [name, this.sections[name].kept()] as const);
    if (!this.changed && !kept.some(([, section]) => section.dropped)) return;
    const contents = Object.fromEntries([['format', FORMAT], ...kept.map(([name, section]) => [name, section.record])]) as CacheFile;
    const directory = path.dirname(this.file);
    mkdirSync(directory, { recursive: true });
    markCacheDirectory(path.dirname(directory));
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(contents));
    renameSync(temporary, this.file);
  }

  private put<Name extends Exclude<SectionName, 'stamps'>>(name: Name, key: string, value: Sections[Name]): void {
    this.changed = (this.sections[name] as Section<Sections[Name]>).put(key, value, sameKey) || this.changed;
  }
}

function flag(value: number | undefined): boolean | undefined {
  return value === undefined ? undefined : value === 1;
}

function configurationKey(configuration: RuleConfiguration): string {
  return contentHash(JSON.stringify(Object.entries(configuration).sort())).slice(0, 12);
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
