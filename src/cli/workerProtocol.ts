/** The messages between `check` and its worker threads, and what a file's analysis yields. */
import type { RuleConfiguration } from '../core/analysis/configuration';
import type { SourceLanguage } from '../core/syntax/languages';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import type { FileFinding } from './reports';

/** What a worker needs to start: where the grammars are, the project folder, the files being checked, the grammars to load at once. */
export interface WorkerSetup {
  readonly wasmDirectory: string;
  readonly root: string;
  readonly files: readonly string[];
  readonly languages: readonly SourceLanguage[];
}

export interface FileJob {
  readonly id: number;
  readonly file: string;
  readonly language: SourceLanguage;
  readonly text: string;
  /** `contentHash(text)`. */
  readonly hash: string;
  /** The rules to run on this file (the pre-filter may have turned some off). */
  readonly configuration: RuleConfiguration;
  /**
   * The rules before the pre-filter: run when the file imports async functions, loop runners or
   * renamed outside APIs from workspace files, whose uses the pre-filter's trigger words cannot see.
   */
  readonly unfiltered: RuleConfiguration;
}

/** A finding located by line and column, without its file (what the result cache keeps). */
export type LocatedFinding = Omit<FileFinding, 'file'>;

export interface FileResult {
  readonly id: number;
  readonly findings: readonly LocatedFinding[];
  /** The file's own summary (other files' facts may need it). */
  readonly summary: ModuleSummary;
  /** The cross-file facts the findings were made with (`factsDigest`). */
  readonly factsDigest: string;
  /** Summaries of other files parsed on the way. */
  readonly summaries: readonly ParsedSummary[];
  /** Whether files exist, as the worker found out on the way (`CliWorkspace.takeProbes`): part of what the findings depend on. */
  readonly probes: readonly (readonly [string, boolean])[];
}

export interface KnownSummary {
  readonly file: string;
  readonly summary: ModuleSummary;
}

/** A file's summary and the hash of the content it was made from (the cache's key). */
export interface ParsedSummary extends KnownSummary {
  readonly language: SourceLanguage;
  readonly hash: string;
}

export type ToWorker =
  /** The files the coming jobs analyse: their summaries will arrive, so wait for them rather than parse them. */
  | { readonly type: 'expect'; readonly files: readonly string[] }
  | { readonly type: 'check'; readonly job: FileJob }
  /** Summaries known elsewhere (the cache, other workers): saves parsing those files again. */
  | { readonly type: 'summaries'; readonly summaries: readonly KnownSummary[] };

export type FromWorker =
  /** A job's own summary, as soon as it is parsed. */
  | { readonly type: 'summary'; readonly parsed: ParsedSummary }
  /** A job waits for these files' summaries: schedule them first (and send this worker another job meanwhile). */
  | { readonly type: 'needs'; readonly files: readonly string[] }
  | { readonly type: 'result'; readonly result: FileResult }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
