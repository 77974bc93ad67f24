/**
 * The workspace as `check` sees it: the files it was asked to check, and any other source file
 * under the current folder (the project) outside dependency and cache folders. Summaries of the
 * files imports reach are loaded on demand (from the result cache, or by parsing) and kept for the run.
 */
import { statSync } from 'node:fs';
import { type ImportedFacts, importedFacts } from '../core/analysis/crossFile';
import { ResolutionMemo, type WorkspaceFiles, isWorkspaceFile } from '../core/analysis/workspaceFiles';
import { type ModuleSummary } from '../core/analysis/moduleSummary';
import type { KnownSummary } from './workerProtocol';

/** Where a summary not held yet comes from; undefined when it cannot be had (this way). */
export type SummarySource = (file: string) => ModuleSummary | undefined | Promise<ModuleSummary | undefined>;

export class CliWorkspace implements WorkspaceFiles {
  readonly pythonRoots: readonly string[];
  readonly memo = new ResolutionMemo();
  /** Summaries do not change during a run, and the memo keeps only answers no missing summary went into: it never goes stale. */
  private readonly summaries = new Map<string, ModuleSummary>();
  private readonly files = new Map<string, boolean>();
  /** Answers of `isFile` found since `takeProbes()` last asked (what the run's record keeps). */
  private probed: (readonly [string, boolean])[] = [];
  /** Summaries on their way (analyses waiting for the same module share one load). */
  private readonly loading = new Map<string, Promise<ModuleSummary | undefined>>();
  /** Files whose summary a source could not give: asked once per source. */
  private readonly unavailable = new WeakMap<SummarySource, Set<string>>();

  constructor(
    private readonly root: string,
    checked: Iterable<string>,
  ) {
    this.pythonRoots = [root];
    for (const file of checked) this.files.set(file, true);
  }

  isFile(file: string): boolean {
    let known = this.files.get(file);
    if (known === undefined) {
      known = isWorkspaceFile(this.root, file) && isRegularFile(file);
      this.files.set(file, known);
      this.probed.push([file, known]);
    }
    return known;
  }

  /** The answers `isFile` found (not the files checked, known from the start) since the last call. */
  takeProbes(): (readonly [string, boolean])[] {
    const probed = this.probed;
    this.probed = [];
    return probed;
  }

  summaryOf(file: string): ModuleSummary | undefined {
    return this.summaries.get(file);
  }

  /** Every summary held, for handing to worker threads. */
  known(): KnownSummary[] {
    return [...this.summaries].map(([file, summary]) => ({ file, summary }));
  }

  add(file: string, summary: ModuleSummary): void {
    if (this.summaries.has(file)) return; // a file's content does not change during a run
    this.summaries.set(file, summary);
  }

  /** Loads what `source` can give of the summaries of `files`; false when none of them could be had. */
  async load(files: readonly string[], source: SummarySource): Promise<boolean> {
    let unavailable = this.unavailable.get(source);
    if (!unavailable) {
      unavailable = new Set();
      this.unavailable.set(source, unavailable);
    }
    let loaded = false;
    for (const file of files) {
      if (this.summaries.has(file) || unavailable.has(file) || !this.isFile(file)) continue;
      let pending = this.loading.get(file);
      if (!pending) {
        pending = Promise.resolve(source(file));
        this.loading.set(file, pending);
        void pending.finally(() => this.loading.delete(file)).catch(() => undefined);
      }
      const summary = await pending;
      if (summary) {
        this.add(file, summary);
        loaded = true;
      } else {
        unavailable.add(file);
      }
    }
    return loaded;
  }

  /** The imported facts of `file`, loading summaries from `source` until complete (or nothing more can be loaded). */
  async factsOf(file: string, summary: ModuleSummary, source: SummarySource): Promise<ImportedFacts> {
    for (;;) {
      const facts = importedFacts(file, summary, this);
      if (facts.missing.length === 0 || !(await this.load(facts.missing, source))) return facts;
    }
  }
}

/** Whether `file` exists and is a regular file. A path through a file is none: `require('../package.json')` makes resolution try `package.json/index.ts`, which stat rejects with ENOTDIR. */
function isRegularFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}
