/**
 * Keeps one `DocumentAnalysis` per open Python / JS / TS document, re-analysed (debounced) as the
 * text changes and published as diagnostics; everything is dropped when the document closes.
 * The analysis reads the one syntax tree `SyntaxDocuments` keeps for the document (shared with
 * hovers, patterns and refactors); grammars load lazily, on the first document of their language.
 * For a document on disk, the workspace index tells what its imports are in other files: when
 * one of those changes (edited in the editor or on disk), the document's findings refresh.
 */
import * as vscode from 'vscode';
import type { DocumentAnalysis, WorkspaceContext } from '../core/analysis/analyzer';
import type { RuleConfiguration } from '../core/analysis/configuration';
import type { Finding, Locale, Severity } from '../core/analysis/types';
import { languageForEditorId } from '../core/syntax/languages';
import type { SyntaxDocuments } from '../syntax/documents';
import type { WorkspaceIndex } from './workspaceIndex';

const DEBOUNCE_MS = 200;
/** Larger documents (minified bundles, generated data) are not analysed: parsing them would stall the extension host. */
const MAX_DOCUMENT_LENGTH = 2_000_000;
/** Documents that are views of other documents (diffs, output) are not analysed. */
const SKIPPED_SCHEMES = new Set(['git', 'output', 'vscode-scm', 'debug']);
export const DIAGNOSTIC_SOURCE = 'Concurrency Lens';

/** Rounds of loading the files an analysis's imports reach (each round may reveal more: re-exports). */
const MAX_LOAD_ROUNDS = 8;

/** The analysis engine (rules, resolution, their texts): loaded with the first document, not at activation. */
type Engine = Awaited<ReturnType<typeof loadEngine>>;

async function loadEngine() {
  const [analyzer, crossFile, configuration, rules] = await Promise.all([
    import('../core/analysis/analyzer'),
    import('../core/analysis/crossFile'),
    import('../core/analysis/configuration'),
    import('../core/analysis/rules'),
  ]);
  return { DocumentAnalysis: analyzer.DocumentAnalysis, importedFacts: crossFile.importedFacts, parseRuleConfiguration: configuration.parseRuleConfiguration, ruleMeta: rules.ruleMeta };
}

interface Entry {
  readonly document: vscode.TextDocument;
  /** Undefined until the document's tree is first available. */
  analysis: DocumentAnalysis | undefined;
  /** The rule configuration `analysis` was made with. */
  configuration: RuleConfiguration | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The rule id of one of our diagnostics (its `code` is `{ value: ruleId, target: docs }`). */
export function ruleIdOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' ? String(code.value) : code === undefined ? undefined : String(code);
}

export function userLocale(): Locale {
  return vscode.env.language.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en';
}

export class DocumentAnalyses implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('concurrencyLens');
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The `concurrencyLens.rules` setting, read with the engine (undefined until then, and after it changes). */
  private configuration: RuleConfiguration | undefined;
  private engine: Promise<Engine> | undefined;
  private loadedEngine: Engine | undefined;
  private reportedLoadFailure = false;

  constructor(
    private readonly syntax: SyntaxDocuments,
    private readonly index: WorkspaceIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      this.diagnostics,
      index.onDidChange((changed) => this.otherFilesChanged(changed)),
      vscode.workspace.onDidOpenTextDocument((document) => this.open(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.scheduleUpdate(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.close(document)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('concurrencyLens.rules')) this.reconfigure();
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.open(document);
  }

  /**
   * The analysis of `document`, brought up to date with its current text (undefined if not
   * analysed). Read it before the next `await`: its document follows the editor's edits.
   */
  async analysisOf(document: vscode.TextDocument): Promise<DocumentAnalysis | undefined> {
    const entry = this.entries.get(document.uri.toString());
    return entry && this.update(document, entry);
  }

  dispose(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private open(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (!languageForEditorId(document.languageId) || SKIPPED_SCHEMES.has(document.uri.scheme) || this.entries.has(key)) return;
    if (document.getText().length > MAX_DOCUMENT_LENGTH) {
      this.log.info(`Not analysing ${key}: larger than ${MAX_DOCUMENT_LENGTH} characters`);
      return;
    }
    const entry: Entry = { document, analysis: undefined, configuration: this.configuration, timer: undefined };
    this.entries.set(key, entry);
    void this.update(document, entry);
  }

  private scheduleUpdate(document: vscode.TextDocument): void {
    const entry = this.entries.get(document.uri.toString());
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.update(document, entry), DEBOUNCE_MS);
  }

  /** Brings the entry's analysis up to the document's text and configuration, publishing its findings when they changed. */
  private async update(document: vscode.TextDocument, entry: Entry): Promise<DocumentAnalysis | undefined> {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    // Asking SyntaxDocuments about a closed document would parse it again, for nobody.
    if (!this.isCurrent(document, entry)) return undefined;
    const parsed = await this.syntax.get(document).catch((error: unknown) => this.reportLoadFailure(document, entry, error));
    this.engine ??= loadEngine();
    const engine = await this.engine;
    this.loadedEngine = engine;
    // Closed, or its language changed, while the tree and the engine were on their way.
    if (!parsed || !this.isCurrent(document, entry)) return undefined;
    const configuration = (this.configuration ??= engine.parseRuleConfiguration(vscode.workspace.getConfiguration('concurrencyLens').get('rules')));
    let analysis = entry.analysis;
    try {
      // SyntaxDocuments replaces (and disposes) a document's tree when the URI gets another document or language: never touch the old one.
      if (analysis?.document !== parsed) analysis = entry.analysis = engine.DocumentAnalysis.ofDocument(parsed, configuration, this.workspaceContext(document, engine));
      else if (entry.configuration !== configuration) analysis.configure(configuration);
      else if (!analysis.isUpToDate) analysis.refresh();
      else return analysis;
      entry.configuration = configuration;
      this.publish(document.uri, document, analysis.findings);
      this.analysed(entry, analysis);
    } catch (error) {
      this.log.error(`Analysis of ${document.uri.toString()} failed`, error);
    }
    return analysis;
  }

  /** Only documents on disk take part in the workspace index (an untitled file imports nothing of the workspace). */
  private workspaceContext(document: vscode.TextDocument, engine: Engine): WorkspaceContext | undefined {
    if (document.uri.scheme !== 'file') return undefined;
    return { file: document.uri.fsPath, importedFacts: (file, summary) => engine.importedFacts(file, summary, this.index) };
  }

  /** Tells the index what the document offers now, and loads the files its imports reach that the index does not know yet. */
  private analysed(entry: Entry, analysis: DocumentAnalysis): void {
    if (entry.document.uri.scheme !== 'file') return;
    this.index.setFromDocument(entry.document.uri.fsPath, analysis.summary);
    void this.completeImportedFacts(entry, analysis);
  }

  private async completeImportedFacts(entry: Entry, analysis: DocumentAnalysis): Promise<void> {
    for (let round = 0; round < MAX_LOAD_ROUNDS && analysis.importedFacts.missing.length > 0; round += 1) {
      await this.index.load(analysis.importedFacts.missing);
      if (!this.isCurrent(entry.document, entry) || entry.analysis !== analysis) return;
      if (analysis.refreshImportedFacts()) this.publish(entry.document.uri, entry.document, analysis.findings);
    }
  }

  /** Other files changed what they offer (or files came and went): analyses that read them ask again. */
  private otherFilesChanged(changed: ReadonlySet<string> | 'files'): void {
    for (const entry of this.entries.values()) {
      const analysis = entry.analysis;
      if (!analysis || entry.document.isClosed) continue;
      if (changed !== 'files' && !analysis.importedFacts.dependencies.some((file) => changed.has(file)) && !analysis.importedFacts.missing.some((file) => changed.has(file))) continue;
      try {
        if (analysis.refreshImportedFacts()) this.publish(entry.document.uri, entry.document, analysis.findings);
        this.analysed(entry, analysis);
      } catch (error) {
        this.log.error(`Analysis of ${entry.document.uri.toString()} failed`, error);
      }
    }
  }

  private isCurrent(document: vscode.TextDocument, entry: Entry): boolean {
    return !document.isClosed && this.entries.get(document.uri.toString()) === entry;
  }

  /** The grammar could not load (the tree comes with it): say so once, and stop analysing this document. */
  private reportLoadFailure(document: vscode.TextDocument, entry: Entry, error: unknown): undefined {
    const language = languageForEditorId(document.languageId) ?? document.languageId;
    this.log.error(`Could not load the ${language} grammar`, error);
    if (this.isCurrent(document, entry)) this.entries.delete(document.uri.toString());
    if (!this.reportedLoadFailure) {
      this.reportedLoadFailure = true;
      void vscode.window.showWarningMessage(vscode.l10n.t('Concurrency Lens could not load its {0} parser, so it cannot check this file. See the Concurrency Lens output for details.', language));
    }
    return undefined;
  }

  private close(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    this.diagnostics.delete(document.uri);
    if (document.uri.scheme === 'file') this.index.documentClosed(document.uri.fsPath);
  }

  private reconfigure(): void {
    this.configuration = undefined;
    for (const document of vscode.workspace.textDocuments) {
      const entry = this.entries.get(document.uri.toString());
      if (entry) void this.update(document, entry);
    }
  }

  private publish(uri: vscode.Uri, document: vscode.TextDocument, findings: readonly Finding[]): void {
    const engine = this.loadedEngine;
    if (!engine) return; // nothing was analysed without it
    const locale = userLocale();
    this.diagnostics.set(uri, findings.map((finding) => toDiagnostic(document, finding, locale, engine.ruleMeta)));
  }
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function toDiagnostic(document: vscode.TextDocument, finding: Finding, locale: Locale, ruleMeta: Engine['ruleMeta']): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end));
  const diagnostic = new vscode.Diagnostic(range, finding.message[locale], SEVERITY[finding.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  const meta = ruleMeta(finding.rule);
  // The rule id becomes a link (Problems panel, hover) to a page that explains it; only https targets are allowed there.
  diagnostic.code = { value: finding.rule, target: vscode.Uri.parse(meta.docs) };
  const related = meta.related;
  if (related.length > 0) diagnostic.message += ` (${related.join(', ')})`;
  return diagnostic;
}
