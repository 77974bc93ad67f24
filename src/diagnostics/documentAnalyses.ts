/**
 * Keeps one `DocumentAnalysis` per open Python / JS / TS document, re-analysed (debounced) as the
 * text changes and published as diagnostics; everything is dropped when the document closes.
 * Grammars load lazily, on the first document of their language.
 */
import * as vscode from 'vscode';
import { DocumentAnalysis } from '../core/analysis/analyzer';
import { type RuleConfiguration, parseRuleConfiguration } from '../core/analysis/configuration';
import { ruleMeta } from '../core/analysis/rules';
import type { Finding, Locale, Severity } from '../core/analysis/types';
import type { GrammarLoader } from '../core/syntax/grammars';
import { languageForEditorId } from '../core/syntax/languages';
import { singleChange } from '../core/syntax/text';

const DEBOUNCE_MS = 200;
/** Larger documents (minified bundles, generated data) are not analysed: parsing them would stall the extension host. */
const MAX_DOCUMENT_LENGTH = 2_000_000;
/** Documents that are views of other documents (diffs, output) are not analysed. */
const SKIPPED_SCHEMES = new Set(['git', 'output', 'vscode-scm', 'debug']);
export const DIAGNOSTIC_SOURCE = 'Concurrency Lens';

interface Entry {
  analysis: DocumentAnalysis | undefined;
  ready: Promise<DocumentAnalysis | undefined>;
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
  private configuration: RuleConfiguration = readConfiguration();
  private reportedLoadFailure = false;

  constructor(
    private readonly grammars: GrammarLoader,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      this.diagnostics,
      vscode.workspace.onDidOpenTextDocument((document) => this.open(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.scheduleUpdate(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.close(document)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('concurrencyLens.rules')) this.reconfigure();
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.open(document);
  }

  /** The analysis of `document`, brought up to date with its current text (undefined if not analysed). */
  async analysisOf(document: vscode.TextDocument): Promise<DocumentAnalysis | undefined> {
    const entry = this.entries.get(document.uri.toString());
    const analysis = await entry?.ready;
    if (!entry || !analysis) return undefined;
    if (entry.timer !== undefined || analysis.document.text !== document.getText()) this.update(document, entry);
    return analysis;
  }

  dispose(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      entry.analysis?.dispose();
    }
    this.entries.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private open(document: vscode.TextDocument): void {
    const language = languageForEditorId(document.languageId);
    const key = document.uri.toString();
    if (!language || SKIPPED_SCHEMES.has(document.uri.scheme) || this.entries.has(key)) return;
    if (document.getText().length > MAX_DOCUMENT_LENGTH) {
      this.log.info(`Not analysing ${key}: larger than ${MAX_DOCUMENT_LENGTH} characters`);
      return;
    }
    const entry: Entry = { analysis: undefined, ready: Promise.resolve(undefined), timer: undefined };
    entry.ready = this.grammars.createParser(language).then(
      (parser) => {
        if (this.entries.get(key) !== entry) return undefined; // closed while loading
        entry.analysis = new DocumentAnalysis(parser, language, document.getText(), this.configuration);
        this.publish(document.uri, document, entry.analysis.findings);
        return entry.analysis;
      },
      (error: unknown) => {
        this.log.error(`Could not load the ${language} grammar`, error);
        if (!this.reportedLoadFailure) {
          this.reportedLoadFailure = true;
          void vscode.window.showWarningMessage(vscode.l10n.t('Concurrency Lens could not load its {0} parser, so it cannot check this file. See the Concurrency Lens output for details.', language));
        }
        return undefined;
      },
    );
    this.entries.set(key, entry);
  }

  private scheduleUpdate(document: vscode.TextDocument): void {
    const entry = this.entries.get(document.uri.toString());
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.update(document, entry), DEBOUNCE_MS);
  }

  private update(document: vscode.TextDocument, entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    const analysis = entry.analysis;
    if (!analysis || document.isClosed) return;
    try {
      const change = singleChange(analysis.document.text, document.getText());
      const findings = change ? analysis.update([change]) : analysis.findings;
      this.publish(document.uri, document, findings);
    } catch (error) {
      this.log.error(`Analysis of ${document.uri.toString()} failed`, error);
    }
  }

  private close(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.analysis?.dispose();
    this.entries.delete(key);
    this.diagnostics.delete(document.uri);
  }

  private reconfigure(): void {
    this.configuration = readConfiguration();
    for (const document of vscode.workspace.textDocuments) {
      const entry = this.entries.get(document.uri.toString());
      if (!entry?.analysis) continue;
      this.update(document, entry);
      this.publish(document.uri, document, entry.analysis.configure(this.configuration));
    }
  }

  private publish(uri: vscode.Uri, document: vscode.TextDocument, findings: readonly Finding[]): void {
    const locale = userLocale();
    this.diagnostics.set(uri, findings.map((finding) => toDiagnostic(document, finding, locale)));
  }
}

function readConfiguration(): RuleConfiguration {
  return parseRuleConfiguration(vscode.workspace.getConfiguration('concurrencyLens').get('rules'));
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function toDiagnostic(document: vscode.TextDocument, finding: Finding, locale: Locale): vscode.Diagnostic {
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
