/**
 * What cross-file knowledge asks of the workspace (`WorkspaceFiles`), which files are its own, and
 * the answers worth keeping between questions. Apart from crossFile.ts so that the editor's
 * workspace index can hold them at activation without loading the resolution code.
 */
import * as path from 'node:path';
import type { ModuleSummary } from './moduleSummary';

export interface WorkspaceFiles {
  /** Whether `file` (an absolute path) is a file of the workspace; undefined while not known yet. */
  isFile(file: string): boolean | undefined;
  /** The summary of a workspace source file; undefined while not known yet. */
  summaryOf(file: string): ModuleSummary | undefined;
  /** Folders Python absolute imports resolve from, besides the folder above the importing file's package (workspace folders). */
  readonly pythonRoots: readonly string[];
  /** Answers kept between questions: `forgetOffers()` when a summary changes or arrives for a file that was missing, `clear()` when files appear or vanish. */
  readonly memo?: ResolutionMemo;
}

/** Folders whose files are not the workspace's own code (dependencies, VCS data, caches, virtual environments). */
export const NOT_WORKSPACE_FOLDERS: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.concurrency-lens-cache']);

/** Whether `file` lies under `folder` and outside every folder of `NOT_WORKSPACE_FOLDERS`. */
export function isWorkspaceFile(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) && !relative.split(path.sep).some((part) => NOT_WORKSPACE_FOLDERS.has(part));
}

/** Resolutions worth keeping across files (what a module offers, where a specifier leads): only complete answers are kept. */
export class ResolutionMemo {
  readonly offers = new Map<string, { readonly offers: readonly (readonly [string, Target])[]; readonly dependencies: readonly string[] }>();
  readonly modules = new Map<string, ModuleTarget>();
  readonly pythonModules = new Map<string, string | undefined>();

  /** What modules offer depends on summaries. */
  forgetOffers(): void {
    this.offers.clear();
  }

  /** Where specifiers lead depends on which files exist. */
  clear(): void {
    this.offers.clear();
    this.modules.clear();
    this.pythonModules.clear();
  }
}

/** Where a module specifier leads: a workspace file, outside the workspace, or nowhere known. */
export type ModuleTarget = { readonly file: string } | 'external' | undefined;

/** What a name resolves to. `absent`: the module does not define it (as opposed to `unknown`: cannot tell). */
export type Target =
  | { readonly kind: 'loopRunner' | 'other' | 'unknown' | 'absent' }
  | { readonly kind: 'async'; readonly catchesOwnErrors?: true }
  | { readonly kind: 'module'; readonly file: string }
  | { readonly kind: 'external'; readonly name: string }
  | { readonly kind: 'instance'; readonly class: string };
