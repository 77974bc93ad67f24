/**
 * `check`'s result cache, on by default in `.concurrency-lens-cache/` of the current folder (like
 * ruff's `.ruff_cache`), elsewhere with `--cache-dir`, off with `--no-cache`.
 *
 * Per build of the tool (version and a hash of its own code) a folder; in it, per set of checked
 * paths, module summaries keyed by a file's content, and findings keyed by the file's content, the
 * rule configuration and the cross-file facts the file was analysed with — so a file whose imported
 * module changed what it offers (a function became async) is analysed again, and an edit elsewhere
 * in that module is not. Beside them, what a run need not read a file again to know: each file's
 * stamp (size, times, inode) with the hash of the content it had then (src/cli/sources.ts decides
 * when a stamp can be trusted), what the pre-filter learnt of each content (its lines, the modules
 * it may import, whether the configuration's trigger words occur), and the last run's record
 * (src/cli/runRecord.ts). Written atomically (temporary file + rename), only when something
 * changed; entries this run did not use are dropped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RuleConfiguration } from '../core/analysis/configuration';
import type { SourceLanguage } from '../core/syntax/languages';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import type { RunRecord } from './runRecord';
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
  /** By configuration, pre-filter and current folder: the last run's record (src/cli/runRecord.ts). */
  readonly runs: RunRecord;
}

type SectionName = keyof Sections;

/**
 * The cache is two files, each read when first needed: what a run that replays its record needs
 * (stamps, lines, findings, the record), and what a run that resolves imports or pre-filters texts
 * needs besides (summaries and what the pre-filter learnt). Every key is derived from content, so
 * any pair of the two files, written by whichever runs, is consistent.
 */
const PARTS = {
  replay: ['stamps', 'lines', 'results', 'runs'],
  knowledge: ['specifiers', 'canFire', 'triggerWord', 'summaries'],
} as const satisfies Record<string, readonly SectionName[]>;

type PartName = keyof typeof PARTS;
const PART_OF = Object.fromEntries(Object.entries(PARTS).flatMap(([part, names]) => names.map((name) => [name, part]))) as Record<SectionName, PartName>;

type Sectioned = { -readonly [Name in SectionName]?: Section<Sections[Name]> };

/** One file of the cache: its sections once read, and whether this run changed it. */
interface Part {
  readonly file: string;
  sections: Sectioned | undefined;
  changed: boolean;
}

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** One section: what was loaded, what this run put, and which keys it used (the others are dropped on save). */
class Section<T> {
  readonly entries: Map<string, T>;
  readonly used = new Set<string>();

  constructor(stored: Record<string, T> | undefined) {
    this.entries = new Map(stored ? Object.entries(stored) : []);
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

  /** The used entries (all, if `all`), and whether any loaded one was left out. */
  kept(all: boolean): { readonly record: Record<string, T>; readonly dropped: boolean } {
    if (all) return { record: Object.fromEntries(this.entries), dropped: false };
    const record: Record<string, T> = {};
    for (const key of this.used) record[key] = this.entries.get(key) as T;
    return { record, dropped: this.used.size < this.entries.size };
  }
}

const sameKey = (): boolean => true;
const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.every((value, index) => value === b[index]);

export class ResultCache {
  private readonly parts: Record<PartName, Part>;
  /** Whether every entry is kept on save, used or not. */
  private keepingAll = false;

  private constructor(
    directory: string,
    scope: string,
    /** Keys what the pre-filter learns under the run's rule configuration. */
    private readonly configurationKey: string,
  ) {
    this.parts = {
      replay: { file: path.join(directory, `${scope}.json`), sections: undefined, changed: false },
      knowledge: { file: path.join(directory, `${scope}.knowledge.json`), sections: undefined, changed: false },
    };
  }

  /** The cache for checking `paths` (absolute) with this build (`buildId`) and `configuration` under `directory`; an unreadable or foreign file counts as empty. */
  static open(directory: string, buildId: string, paths: readonly string[], configuration: RuleConfiguration): ResultCache {
    const scope = contentHash(JSON.stringify([...paths].sort()));
    return new ResultCache(path.join(directory, buildId), scope, configurationKey(configuration));
  }

  stamp(file: string): FileStamp | undefined {
    return this.section('stamps').get(file);
  }

  putStamp(file: string, stamp: FileStamp): void {
    this.put('stamps', file, stamp, sameStamp);
  }

  lines(hash: string): number | undefined {
    return this.section('lines').get(hash);
  }

  putLines(hash: string, lines: number): void {
    this.put('lines', hash, lines);
  }

  specifiers(language: SourceLanguage, hash: string): readonly string[] | undefined {
    return this.section('specifiers').get(`${language}:${hash}`);
  }

  putSpecifiers(language: SourceLanguage, hash: string, specifiers: readonly string[]): void {
    this.put('specifiers', `${language}:${hash}`, specifiers);
  }

  /** Whether a rule of the run's configuration can fire on the content (`rulesThatCanFire`). */
  canFire(language: SourceLanguage, hash: string): boolean | undefined {
    return flag(this.section('canFire').get(`${this.configurationKey}:${language}:${hash}`));
  }

  putCanFire(language: SourceLanguage, hash: string, canFire: boolean): void {
    this.put('canFire', `${this.configurationKey}:${language}:${hash}`, canFire ? 1 : 0);
  }

  /** Whether the content mentions a trigger word of an enabled rule (`mentionsATriggerWord`). */
  triggerWord(language: SourceLanguage, hash: string): boolean | undefined {
    return flag(this.section('triggerWord').get(`${this.configurationKey}:${language}:${hash}`));
  }

  putTriggerWord(language: SourceLanguage, hash: string, mentions: boolean): void {
    this.put('triggerWord', `${this.configurationKey}:${language}:${hash}`, mentions ? 1 : 0);
  }

  summary(language: SourceLanguage, hash: string): ModuleSummary | undefined {
    return this.section('summaries').get(`${language}:${hash}`);
  }

  putSummary(language: SourceLanguage, hash: string, summary: ModuleSummary): void {
    this.put('summaries', `${language}:${hash}`, summary);
  }

  findings(key: string): readonly LocatedFinding[] | undefined {
    return this.section('results').get(key);
  }

  putFindings(key: string, findings: readonly LocatedFinding[]): void {
    this.put('results', key, findings);
  }

  /** The record of the last run in `root` with the pre-filter on or off (and this configuration). */
  runRecord(root: string, prefilter: boolean): RunRecord | undefined {
    return this.section('runs').get(JSON.stringify([this.configurationKey, prefilter, root]));
  }

  putRunRecord(root: string, prefilter: boolean, record: RunRecord): void {
    this.put('runs', JSON.stringify([this.configurationKey, prefilter, root]), record, () => false);
  }

  /** Keeps every entry on save, used this run or not (a run that replayed its record used little of what made it). */
  keepAll(): void {
    this.keepingAll = true;
  }

  /** Writes the files whose entries changed, or lost entries this run did not use; throws what the file system says. */
  save(): void {
    for (const part of Object.values(this.parts)) {
      const sections = part.sections;
      if (!sections) continue; // not read this run: as it was
      const kept = (Object.entries(sections) as [string, Section<unknown>][]).map(([name, section]) => [name, section.kept(this.keepingAll)] as const);
      if (!part.changed && !kept.some(([, section]) => section.dropped)) continue;
      const directory = path.dirname(part.file);
      mkdirSync(directory, { recursive: true });
      markCacheDirectory(path.dirname(directory));
      const temporary = `${part.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(Object.fromEntries([['format', FORMAT], ...kept.map(([name, section]) => [name, section.record])])));
      renameSync(temporary, part.file);
    }
  }

  /** A section, its part read from disk on first use (an unreadable or foreign file counts as empty). */
  private section<Name extends SectionName>(name: Name): Section<Sections[Name]> {
    const part = this.parts[PART_OF[name]];
    if (!part.sections) {
      let stored: Record<string, unknown> | undefined;
      try {
        const parsed = JSON.parse(readFileSync(part.file, 'utf8')) as Record<string, unknown>;
        if (parsed.format === FORMAT && PARTS[PART_OF[name]].every((each) => typeof parsed[each] === 'object' && parsed[each] !== null)) stored = parsed;
      } catch {
        stored = undefined; // no cache yet, or not ours: start empty
      }
      const sections: Sectioned = {};
      for (const each of PARTS[PART_OF[name]]) (sections as Record<string, Section<unknown>>)[each] = new Section(stored?.[each] as Record<string, unknown> | undefined);
      part.sections = sections;
    }
    return part.sections[name] as Section<Sections[Name]>;
  }

  private put<Name extends SectionName>(name: Name, key: string, value: Sections[Name], same: (a: Sections[Name], b: Sections[Name]) => boolean = sameKey): void {
    if (this.section(name).put(key, value, same)) this.parts[PART_OF[name]].changed = true;
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
