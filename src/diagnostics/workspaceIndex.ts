/**
 * The editor's workspace index: what the other files of the workspace offer (module summaries),
 * for the diagnostics of open documents. Nothing is read at activation: a file is looked at when
 * an open document's imports reach it (parsed once, then kept). An open document speaks for its
 * file with its current text; a FileSystemWatcher reports changes on disk. When a summary or the
 * set of files changes, the index says which files changed, and analyses that read them refresh.
 */
import * as vscode from 'vscode';
import { ResolutionMemo, type WorkspaceFiles, isWorkspaceFile } from '../core/analysis/workspaceFiles';
import { Emitter } from '../core/emitter';
import { languageForFileName } from '../core/syntax/languages';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import type { SyntaxDocuments } from '../syntax/documents';

/** Files the index does not parse (minified bundles, generated data): as in the editor, they offer nothing. */
const MAX_FILE_LENGTH = 2_000_000;
const WATCHED = '**/*.{py,pyw,js,mjs,cjs,jsx,ts,mts,cts,tsx}';

export class WorkspaceIndex implements WorkspaceFiles, vscode.Disposable {
  readonly memo = new ResolutionMemo();
  private readonly summaries = new Map<string, ModuleSummary>();
  private readonly existing = new Map<string, boolean>();
  /** Files whose summary comes from an open document (its text, not the disk's). */
  private readonly fromDocuments = new Set<string>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly changes = new Emitter<ReadonlySet<string> | 'files'>();
  private watcher: vscode.FileSystemWatcher | undefined;

  /** Files whose summary changed, or `files` when files appeared or vanished (every resolution may change). */
  readonly onDidChange = this.changes.event;

  constructor(
    private readonly syntax: SyntaxDocuments,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get pythonRoots(): readonly string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
  }

  isFile(file: string): boolean | undefined {
    if (this.fromDocuments.has(file)) return true;
    return this.isInWorkspace(file) ? this.existing.get(file) : false;
  }

  summaryOf(file: string): ModuleSummary | undefined {
    return this.summaries.get(file);
  }

  /** An open document's summary (its current text); tells dependants when it differs from what they knew. */
  setFromDocument(file: string, summary: ModuleSummary): void {
    const before = this.summaries.get(file);
    const known = this.fromDocuments.has(file);
    this.fromDocuments.add(file);
    this.summaries.set(file, summary);
    if (!known) this.existing.set(file, true);
    if (!before || JSON.stringify(before) !== JSON.stringify(summary)) this.changed(file);
  }

  /** The document closed: its file speaks for itself again (read from disk when next needed). */
  documentClosed(file: string): void {
    if (!this.fromDocuments.delete(file)) return;
    this.existing.delete(file);
    this.summaries.delete(file);
    this.changed(file);
  }

  /** Finds out whether `files` exist and parses those that do (files already known are skipped). */
  async load(files: readonly string[]): Promise<void> {
    this.watch();
    await Promise.all(
      files.map((file) => {
        let pending = this.loading.get(file);
        if (!pending) {
          pending = this.loadOne(file).finally(() => this.loading.delete(file));
          this.loading.set(file, pending);
        }
        return pending;
      }),
    );
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changes.dispose();
  }

  private async loadOne(file: string): Promise<void> {
    if (!this.isInWorkspace(file) || this.summaries.has(file)) return;
    const uri = vscode.Uri.file(file);
    let exists = this.existing.get(file);
    if (exists === undefined) {
      exists = await vscode.workspace.fs.stat(uri).then((stat) => (stat.type & vscode.FileType.File) !== 0, () => false);
      this.existing.set(file, exists);
    }
    const language = languageForFileName(file);
    if (!exists || !language) return;
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      if (text.length > MAX_FILE_LENGTH || this.fromDocuments.has(file)) return;
      const summary = await this.syntax.summaryOfText(language, text);
      if (!this.fromDocuments.has(file)) this.summaries.set(file, summary);
    } catch (error) {
      this.log.warn(`Could not read ${file} for what it offers other files`, error);
    }
  }

  private isInWorkspace(file: string): boolean {
    return this.pythonRoots.some((folder) => isWorkspaceFile(folder, file));
  }

  /** Watches the workspace once something was loaded from it. */
  private watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
    this.watcher.onDidChange((uri) => this.changedOnDisk(uri.fsPath));
    this.watcher.onDidCreate((uri) => this.filesChanged(uri.fsPath));
    this.watcher.onDidDelete((uri) => this.filesChanged(uri.fsPath));
  }

  private changedOnDisk(file: string): void {
    if (this.fromDocuments.has(file) || !this.summaries.delete(file)) return;
    this.changed(file);
  }

  /** A file appeared or vanished: where imports lead may change anywhere. */
  private filesChanged(file: string): void {
    if (this.fromDocuments.has(file)) return;
    this.summaries.delete(file);
    this.existing.clear();
    this.memo.clear();
    this.changes.fire('files', (error) => this.log.error('Workspace index listener failed', error));
  }

  private changed(file: string): void {
    this.memo.forgetOffers();
    this.changes.fire(new Set([file]), (error) => this.log.error('Workspace index listener failed', error));
  }
}
