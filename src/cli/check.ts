/**
 * `check`: find the files under the given paths and analyse each with the editor's engine.
 *
 * For each file, in this order: the pre-filter (rules whose trigger words the text lacks do not
 * run; a file no rule can fire on is not parsed), the result cache (same content, rules and
 * cross-file facts: the stored findings), else an analysis — in worker threads when there is enough
 * work. Files the trigger words rule out are looked at once more after the analyses, when the
 * summaries of the modules they import are known: one that mentions an async function or a
 * renamed outside API those modules offer is analysed after all.
 */
import { type Stats, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { factsDigest, importSpecifiers, importedFiles, importedWords } from '../core/analysis/crossFile';
import { NOT_WORKSPACE_FOLDERS, ResolutionMemo, type WorkspaceFiles } from '../core/analysis/workspaceFiles';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import { type RuleConfiguration, onlyRules } from '../core/analysis/configuration';
import { mentionsATriggerWord, mentionsAny, rulesThatCanFire } from '../core/analysis/prefilter';
import type { GrammarLoader } from '../core/syntax/grammars';
import { type SourceLanguage, familyOf, languageForFileName } from '../core/syntax/languages';
import type { CheckOptions } from './arguments';
import { ResultCache, resultKey } from './cache';
import type { FileAnalyzer } from './fileAnalyzer';
import type { WorkerPool } from './pool';
import type { FileFinding } from './reports';
import type { FileJob, FileResult, LocatedFinding, ParsedSummary } from './workerProtocol';
import { replay } from './runRecord';
import { FileChangedError, SourceTexts } from './sources';
import { CliWorkspace, type SummarySource } from './workspace';

export class MissingPathError extends Error {}

/** A file to check, with what `stat` said of it. */
export interface SourceFile {
  readonly file: string;
  readonly stats: Stats;
}

/** Files to check under `paths`, in a stable order; a path that does not exist is a usage error. */
export function collectFiles(paths: readonly string[]): SourceFile[] {
  const files = new Map<string, Stats>();
  const visit = (entry: string, explicit: boolean): void => {
    const stats = statSync(entry, { throwIfNoEntry: false });
    if (!stats) {
      if (explicit) throw new MissingPathError(`No such file or folder: ${entry}`);
      return;
    }
    if (stats.isDirectory()) {
      if (!explicit && NOT_WORKSPACE_FOLDERS.has(path.basename(entry))) return;
      for (const child of readdirSync(entry).sort()) visit(path.join(entry, child), false);
    } else if (stats.isFile() && (explicit || languageForFileName(entry)) && !files.has(entry)) {
      files.set(entry, stats);
    }
  };
  for (const entry of paths) visit(entry, true);
  return [...files].map(([file, stats]) => ({ file, stats }));
}

/** What `check` needs besides its options. */
export interface CheckEnvironment {
  /** Where the grammars are (for this thread and every worker). */
  readonly wasmDirectory: string;
  /** The script worker threads run (the CLI bundle); without it, everything runs in this thread. */
  readonly workerScript?: string;
  /** Identifies this build of the tool (cached results of another build are not used). */
  readonly buildId: string;
}

/** What a run did, for `--statistics`. */
export interface CheckStatistics {
  readonly files: number;
  readonly lines: number;
  /** Parsed and analysed. */
  readonly analysed: number;
  /** Ruled out by the pre-filter without parsing. */
  readonly skipped: number;
  /** Findings taken from the result cache. */
  readonly cached: number;
  /** Files parsed for their summary alone (modules that checked files import). */
  readonly parsedForSummary: number;
  readonly threads: number;
  /** Files read (the others' content was known from their stamps). */
  readonly read: number;
}

export interface CheckRun {
  readonly findings: FileFinding[];
  readonly statistics: CheckStatistics;
  /** Files not checked for their size (`--max-file-size`), as shown. */
  readonly tooLarge: readonly string[];
}

/** Below this much text to analyse, starting workers costs more than it saves. */
const MIN_TEXT_FOR_WORKERS = 300_000;

interface Candidate {
  readonly entry: Entry;
  /** Whether the pre-filter may turn off the rules that cannot fire on it (else every rule runs). */
  readonly filtered: boolean;
}

interface Entry {
  readonly index: number;
  /** Absolute. */
  readonly file: string;
  readonly shown: string;
  readonly language: SourceLanguage;
  /** In bytes. */
  readonly size: number;
  /** Of the content (read, or known from the file's stamp). */
  readonly hash: string;
}

export async function checkFiles(files: readonly SourceFile[], options: CheckOptions, environment: CheckEnvironment): Promise<CheckRun> {
  try {
    return await checkOnce(files, options, environment, true);
  } catch (error) {
    if (!(error instanceof FileChangedError)) throw error;
    // A file changed while it was checked, after its stamp was read: once more, reading everything.
    return checkOnce(files, options, environment, false);
  }
}

async function checkOnce(files: readonly SourceFile[], options: CheckOptions, environment: CheckEnvironment, trustStamps: boolean): Promise<CheckRun> {
  const startedAt = Date.now();
  const configuration: RuleConfiguration = options.rules ? onlyRules(options.rules) : {};
  const root = process.cwd();
  const cache = options.cacheDirectory === undefined ? undefined : ResultCache.open(path.resolve(options.cacheDirectory), environment.buildId, options.paths.map((entry) => path.resolve(entry)), configuration);
  const sources = new SourceTexts(cache, trustStamps, startedAt);
  const entries: Entry[] = [];
  const tooLarge: string[] = [];
  for (const { file, stats } of files) {
    const language = languageForFileName(file);
    if (!language) continue;
    const shown = (path.relative(root, file) || file).split(path.sep).join('/');
    if (stats.size > options.maxFileSize) {
      tooLarge.push(shown);
      continue;
    }
    const absolute = path.resolve(file);
    entries.push({ index: entries.length, file: absolute, shown, language, size: stats.size, hash: sources.hash(absolute, stats) });
  }
  const workspace = new CliWorkspace(root, entries.map((entry) => entry.file));
  const replayed = trustStamps && cache ? replay(cache.runRecord(root, options.prefilter), {
    entries,
    hashOf: (file) => sources.hash(file),
    isFile: (file) => workspace.isFile(file),
    findings: (key) => cache.findings(key),
  }) : undefined;
  if (cache && replayed) {
    // Nothing any finding depends on changed since the last run: its findings, as they were.
    const lines = entries.reduce((sum, entry) => sum + cachedLines(cache, sources, entry), 0);
    cache.keepAll();
    saveCache(cache);
    const cached = replayed.filter((findings) => findings !== 'none').length;
    const findings = entries.flatMap((entry, index) => {
      const stored = replayed[index];
      return stored === undefined || stored === 'none' ? [] : stored.map((finding) => ({ file: entry.shown, ...finding }));
    });
    return { findings, tooLarge, statistics: { files: entries.length, lines, analysed: 0, skipped: entries.length - cached, cached, parsedForSummary: 0, threads: 0, read: sources.reads } };
  }
  /**
   * The parsers and the rules' checks (web-tree-sitter, the analyses): loaded when a file must be
   * parsed, so that a run that finds everything in the cache neither reads nor compiles them.
   */
  let engine: Promise<Engine> | undefined;
  const loadEngine = (): Promise<Engine> => (engine ??= loadAnalysisEngine(environment.wasmDirectory, workspace));
  const checked = new Map(entries.map((entry) => [entry.file, entry]));
  const hashOf = (file: string): string => checked.get(file)?.hash ?? sources.hash(file);
  const fromCache: SummarySource = (file) => {
    const language = languageForFileName(file);
    return cache && language ? cache.summary(language, hashOf(file)) : undefined;
  };
  const fromCacheOrParsing: SummarySource = async (file) => {
    const cached = fromCache(file);
    if (cached) return cached;
    const parsed = await (await loadEngine()).analyzer.parseSummary(file);
    parsedForSummary += 1;
    const language = languageForFileName(file);
    if (parsed && language) cache?.putSummary(language, hashOf(file), parsed);
    return parsed;
  };
  /** The rules that can fire on each file's text (`rulesThatCanFire`), worked out once a run. */
  const rulesOfText = new Map<number, RuleConfiguration | undefined>();
  const rulesThatCanFireOn = (entry: Entry): RuleConfiguration | undefined => {
    if (!rulesOfText.has(entry.index)) rulesOfText.set(entry.index, rulesThatCanFire(sources.text(entry.file), familyOf(entry.language), configuration));
    return rulesOfText.get(entry.index);
  };
  /** What the pre-filter learns of a text, kept in the cache by content: a file whose stamp is unchanged is not read for it. */
  const known = {
    specifiers: (file: string, language: SourceLanguage): ReadonlySet<string> | readonly string[] => {
      const hash = hashOf(file);
      const cached = cache?.specifiers(language, hash);
      if (cached) return cached;
      const specifiers = importSpecifiers(sources.text(file), familyOf(language));
      cache?.putSpecifiers(language, hash, [...specifiers]);
      return specifiers;
    },
    canFire: (entry: Entry): boolean => {
      let canFire = cache?.canFire(entry.language, entry.hash);
      if (canFire === undefined) {
        canFire = rulesThatCanFireOn(entry) !== undefined;
        cache?.putCanFire(entry.language, entry.hash, canFire);
      }
      return canFire;
    },
    triggerWord: (file: string, language: SourceLanguage): boolean => {
      const hash = hashOf(file);
      let mentions = cache?.triggerWord(language, hash);
      if (mentions === undefined) {
        mentions = mentionsATriggerWord(sources.text(file), familyOf(language), configuration);
        cache?.putTriggerWord(language, hash, mentions);
      }
      return mentions;
    },
  };
  const jobOf = ({ entry, filtered }: Candidate): FileJob => {
    const rules = filtered && options.prefilter ? (rulesThatCanFireOn(entry) ?? configuration) : configuration;
    return { id: entry.index, file: entry.file, language: entry.language, text: sources.text(entry.file), hash: entry.hash, configuration: rules, unfiltered: configuration };
  };

  const results = new Map<number, readonly LocatedFinding[]>();
  /** Where each file's findings are in the cache (for the run's record). */
  const resultKeys = new Map<number, string>();
  /** Whether files exist, as the workers found out. */
  const probes = new Map<string, boolean>();
  let cached = 0;
  let analysed = 0;
  let parsedForSummary = 0;
  let runner: WorkerPool | undefined;

  /**
   * The cached findings of `entry` (its summary and those of what it imports are needed to know
   * its cross-file facts); 'later' when a module it imports is still to be analysed in this wave.
   */
  const cachedFindings = async (entry: Entry, source: SummarySource, pending: ReadonlySet<string>): Promise<readonly LocatedFinding[] | 'later' | undefined> => {
    const summary = cache?.summary(entry.language, entry.hash);
    if (!cache || !summary) return undefined;
    remember({ file: entry.file, language: entry.language, hash: entry.hash, summary });
    const facts = await workspace.factsOf(entry.file, summary, source);
    if (facts.missing.some((file) => pending.has(file))) return 'later';
    if (facts.missing.length > 0) return undefined;
    const key = resultKey(entry.language, entry.hash, configuration, factsDigest(facts), options.prefilter);
    const findings = cache.findings(key);
    if (findings) resultKeys.set(entry.index, key);
    return findings;
  };
  /** Analyses a wave of files, taking from the cache what it has: a file whose imported modules change in this wave waits for their new summaries. */
  const analyse = async (wave: readonly Candidate[]): Promise<void> => {
    let candidates = wave;
    while (candidates.length > 0) {
      const pending = new Set(candidates.map(({ entry }) => entry.file));
      const source: SummarySource = (file) => (pending.has(file) ? undefined : fromCacheOrParsing(file));
      const jobs: FileJob[] = [];
      const later: Candidate[] = [];
      for (const candidate of candidates) {
        const { entry } = candidate;
        const stored = await cachedFindings(entry, source, pending);
        if (stored === 'later') {
          later.push(candidate);
          continue;
        }
        if (stored) {
          pending.delete(entry.file); // its summary is known: no need to wait for it
          results.set(entry.index, stored);
          cached += 1;
        } else {
          jobs.push(jobOf(candidate));
        }
      }
      // Waiting on each other (an import cycle of changed files), with nothing else to wait for: analyse them all.
      if (jobs.length === 0 && later.length === candidates.length) jobs.push(...later.splice(0).map(jobOf));
      await runJobs(jobs);
      candidates = later;
    }
  };
  const runJobs = async (jobs: readonly FileJob[]): Promise<void> => {
    if (jobs.length === 0) return;
    runner ??= startPool(await loadEngine(), jobs.reduce((sum, job) => sum + job.text.length, 0), jobs.length, [], options, environment, root, entries);
    // Largest first (a job that needs a module's summary gets that module scheduled next).
    await runner.run([...jobs].sort((a, b) => b.text.length - a.text.length), workspace.known(), (result: FileResult) => {
      const entry = entries[result.id];
      if (!entry) return;
      results.set(entry.index, result.findings);
      analysed += 1;
      remember({ file: entry.file, language: entry.language, hash: entry.hash, summary: result.summary });
      const key = resultKey(entry.language, entry.hash, configuration, result.factsDigest, options.prefilter);
      cache?.putFindings(key, result.findings);
      resultKeys.set(entry.index, key);
      for (const parsed of result.summaries) remember(parsed);
      for (const [file, exists] of result.probes) probes.set(file, exists);
      parsedForSummary += result.summaries.length;
    });
  };
  /** Files other than those checked whose summaries were parsed elsewhere (a worker), with their hashes. */
  const parsedElsewhere = new Map<string, string>();
  const remember = (parsed: ParsedSummary): void => {
    if (!checked.has(parsed.file)) parsedElsewhere.set(parsed.file, parsed.hash);
    workspace.add(parsed.file, parsed.summary);
    cache?.putSummary(parsed.language, parsed.hash, parsed.summary);
  };

  // Files whose content the cache has never seen will be parsed: when they are many, the worker
  // threads start now, and the grammars load, while this thread pre-filters and looks up the rest.
  const unseen = cache ? entries.filter((entry) => !cache.summary(entry.language, entry.hash)) : entries;
  const unseenText = unseen.reduce((sum, entry) => sum + entry.size, 0);
  if (unseenText >= MIN_TEXT_FOR_WORKERS) {
    const engine = await loadEngine();
    const languages = [...new Set(unseen.map((entry) => entry.language))];
    for (const language of languages) engine.grammars.grammar(language).catch(() => undefined); // a failure shows when a parser is made
    runner = startPool(engine, unseenText, unseen.length, languages, options, environment, root, entries);
  }

  try {
    // A summary depends on the content alone: the cached ones of the files checked hold, whether
    // their findings are cached or not, and cross-file facts are then found in one pass.
    for (const entry of entries) {
      const summary = cache?.summary(entry.language, entry.hash);
      if (summary) workspace.add(entry.file, summary);
    }
    const ruledOut: Entry[] = [];
    const firstWave: Candidate[] = [];
    for (const entry of entries) {
      if (!options.prefilter || known.canFire(entry)) firstWave.push({ entry, filtered: true });
      else ruledOut.push(entry);
    }
    await analyse(firstWave);
    // Names imported from other workspace files may stand for async functions or renamed outside APIs.
    const relevant = relevantModules(workspace, known);
    const secondWave: Candidate[] = [];
    for (const entry of ruledOut) {
      const family = familyOf(entry.language);
      const specifiers = known.specifiers(entry.file, entry.language);
      if (!importedFiles(entry.file, specifiers, family, workspace).some((file) => relevant.offersFacts(file))) {
        results.set(entry.index, []);
        continue;
      }
      let imported = importedWords(entry.file, specifiers, family, relevant);
      while (imported.missing.length > 0 && (await workspace.load(imported.missing, fromCacheOrParsing))) imported = importedWords(entry.file, specifiers, family, relevant);
      if (imported.anyUse || (imported.words.size > 0 && mentionsAny(sources.text(entry.file), imported.words))) secondWave.push({ entry, filtered: false });
      else results.set(entry.index, []);
    }
    await analyse(secondWave);
  } finally {
    await runner?.close();
  }
  const lines = entries.reduce((sum, entry) => sum + cachedLines(cache, sources, entry), 0);
  if (cache) {
    for (const [file, exists] of workspace.takeProbes()) probes.set(file, exists);
    const hashes: Record<string, string> = {};
    for (const [file, hash] of [...parsedElsewhere, ...sources.hashed()]) if (!checked.has(file)) hashes[file] = hash;
    cache.putRunRecord(root, options.prefilter, {
      entries: entries.map((entry) => [entry.file, entry.hash, resultKeys.get(entry.index) ?? null]),
      hashes,
      probes: Object.fromEntries([...probes].map(([file, exists]) => [file, exists ? 1 : 0])),
    });
  }
  saveCache(cache);

  const findings = entries.flatMap((entry) => (results.get(entry.index) ?? []).map((finding) => ({ file: entry.shown, ...finding })));
  return { findings, tooLarge, statistics: { files: entries.length, lines, analysed, skipped: entries.length - analysed - cached, cached, parsedForSummary, threads: runner?.threads ?? 0, read: sources.reads } };
}

/** How many lines a file has: known by content in the cache, or counted. */
function cachedLines(cache: ResultCache | undefined, sources: SourceTexts, entry: Entry): number {
  let lines = cache?.lines(entry.hash);
  if (lines === undefined) {
    lines = countLines(sources.text(entry.file));
    cache?.putLines(entry.hash, lines);
  }
  return lines;
}

/** What `relevantModules` asks of a module without parsing it. */
interface TextKnowledge {
  /** Whether the text mentions a trigger word of an enabled rule. */
  triggerWord(file: string, language: SourceLanguage): boolean;
  /** The module specifiers the text may import (`importSpecifiers`). */
  specifiers(file: string, language: SourceLanguage): Iterable<string>;
}

/**
 * The workspace as the pre-filter's second look sees it. A module whose text has no trigger word
 * of an enabled rule, and whose imports (read from the text) reach none that has, cannot offer an
 * async function or an outside API a rule knows (rules that ask about async functions trigger on
 * `async`; an outside API is imported, by a word the rule triggers on, where it enters the
 * workspace): it counts as offering nothing, so it need not be parsed for its summary.
 */
function relevantModules(workspace: CliWorkspace, text: TextKnowledge): WorkspaceFiles & { offersFacts(file: string): boolean } {
  const offers = new Map<string, boolean>();
  const offersFacts = (file: string): boolean => {
    const known = offers.get(file);
    if (known !== undefined) return known;
    const language = languageForFileName(file);
    if (!language) return false;
    offers.set(file, false); // an import cycle of such modules offers nothing either
    const result = text.triggerWord(file, language) || importedFiles(file, text.specifiers(file, language), familyOf(language), workspace).some(offersFacts);
    offers.set(file, result);
    return result;
  };
  return {
    pythonRoots: workspace.pythonRoots,
    memo: new ResolutionMemo(),
    isFile: (file) => workspace.isFile(file),
    summaryOf: (file) => (offersFacts(file) ? workspace.summaryOf(file) : emptySummary(file)),
    offersFacts,
  };
}

function emptySummary(file: string): ModuleSummary {
  const language = languageForFileName(file);
  return { family: language ? familyOf(language) : 'python', names: [], reExportsAllOf: [], imports: [] };
}

/** What parsing and analysing takes, in this thread. */
interface Engine {
  readonly grammars: GrammarLoader;
  /** Cores this process may use. */
  readonly cores: number;
  /** Parses the summaries of imported files the cache does not have. */
  readonly analyzer: FileAnalyzer;
  readonly WorkerPool: typeof WorkerPool;
}

async function loadAnalysisEngine(wasmDirectory: string, workspace: CliWorkspace): Promise<Engine> {
  const [{ GrammarLoader, wasmInDirectory }, { FileAnalyzer }, { WorkerPool }, { availableParallelism }] = await Promise.all([import('../core/syntax/grammars'), import('./fileAnalyzer'), import('./pool'), import('node:os')]);
  const grammars = new GrammarLoader(wasmInDirectory(wasmDirectory));
  return { grammars, cores: availableParallelism(), analyzer: new FileAnalyzer(grammars, workspace), WorkerPool };
}

/** Workers for `jobs` jobs of `text` characters (or bytes) in all; they load the grammars of `languages` as they start. */
function startPool({ grammars, cores, WorkerPool }: Engine, text: number, jobs: number, languages: readonly SourceLanguage[], options: CheckOptions, environment: CheckEnvironment, root: string, entries: readonly Entry[]): WorkerPool {
  const wanted = options.jobs ?? (text < MIN_TEXT_FOR_WORKERS ? 1 : cores);
  const setup = { wasmDirectory: environment.wasmDirectory, root, files: entries.map((entry) => entry.file), languages };
  return new WorkerPool(setup, grammars, Math.max(1, Math.min(wanted, jobs)), environment.workerScript);
}

/** A cache that cannot be written costs speed, not results: say so, once, and go on. */
function saveCache(cache: ResultCache | undefined): void {
  try {
    cache?.save();
  } catch (error) {
    process.stderr.write(`concurrency-lens: could not write the cache (${error instanceof Error ? error.message : String(error)}); use --cache-dir or --no-cache\n`);
  }
}

function countLines(text: string): number {
  let lines = text.length > 0 && !text.endsWith('\n') ? 1 : 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) lines += 1;
  return lines;
}
