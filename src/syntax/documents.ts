import * as vscode from 'vscode';
import type { Parser } from 'web-tree-sitter';
import type { GrammarLoader } from '../core/syntax/grammars';
import { type SourceLanguage, familyOf, languageForEditorId } from '../core/syntax/languages';
import type { ModuleSummary } from '../core/analysis/moduleSummary';
import { ParsedDocument } from '../core/syntax/parsedDocument';

interface Entry {
  /** The editor document this tree belongs to: a URI can be reused by a new document (untitled files). */
  readonly document: vscode.TextDocument;
  /** The document version the parsed text matches; -1 when an edit arrived before the parse finished. */
  version: number;
  parsed: ParsedDocument | undefined;
  readonly ready: Promise<ParsedDocument>;
}

/**
 * One incrementally updated syntax tree per open editor document, parsed on first request and
 * kept in step with every edit; trees are freed when the document closes.
 */
/**
 * The one grammar loader of the extension host, itself loaded on first use (web-tree-sitter's code
 * is not needed to activate); each grammar's wasm is loaded once, on first use too.
 */
export function extensionGrammars(extensionUri: vscode.Uri): () => Promise<GrammarLoader> {
  let loader: Promise<GrammarLoader> | undefined;
  return () => (loader ??= import('../core/syntax/grammars').then(({ GrammarLoader, wasmInDirectory }) => new GrammarLoader(wasmInDirectory(vscode.Uri.joinPath(extensionUri, 'dist', 'wasm').fsPath))));
}

export class SyntaxDocuments implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptions: vscode.Disposable[];

  private loaded: GrammarLoader | undefined;

  constructor(private readonly grammars: () => Promise<GrammarLoader>) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.applyChanges(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
    ];
  }

  /** The parsed document, or undefined for languages we do not parse. */
  async get(document: vscode.TextDocument): Promise<ParsedDocument | undefined> {
    const language = languageForEditorId(document.languageId);
    if (!language) return undefined;
    const key = document.uri.toString();
    let entry = this.entries.get(key);
    if (entry && (entry.document !== document || (entry.parsed !== undefined && entry.parsed.language !== language))) {
      this.forget(document.uri); // another document under the same URI, or the user changed the language
      entry = undefined;
    }
    if (!entry) {
      const text = document.getText();
      const created: Entry = {
        document,
        version: document.version,
        parsed: undefined,
        ready: this.parser(language).then((parser) => {
          const parsed = ParsedDocument.parse(parser, language, text);
          created.parsed = parsed;
          return parsed;
        }),
      };
      created.ready.catch(() => this.entries.delete(key));
      this.entries.set(key, created);
      entry = created;
    }
    const parsed = await entry.ready;
    if (entry.version !== document.version) {
      parsed.replaceText(document.getText());
      entry.version = document.version;
    }
    return parsed;
  }

  /** Languages whose grammar has been requested so far (the rest load on first use). */
  requestedLanguages(): SourceLanguage[] {
    return this.loaded?.requestedLanguages() ?? [];
  }

  /** What a file that is not open offers other files (parsed with the same grammars, then freed). */
  async summaryOfText(language: SourceLanguage, text: string): Promise<ModuleSummary> {
    const tree = (await this.parser(language)).parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    try {
      // With the parser: summaries use the analysis' own detectors, which need web-tree-sitter loaded.
      const { moduleSummary } = await import('../core/analysis/moduleSummary');
      return moduleSummary(tree, familyOf(language));
    } finally {
      tree.delete();
    }
  }

  /**
   * The trees kept here, and every tree alive in this extension host: equal when no feature
   * parses an open document a second time (observable for tests).
   */
  treeCounts(): { readonly kept: number; readonly live: number } {
    let kept = 0;
    for (const entry of this.entries.values()) if (entry.parsed) kept += 1;
    return { kept, live: ParsedDocument.liveCount };
  }

  private async parser(language: SourceLanguage): Promise<Parser> {
    this.loaded ??= await this.grammars();
    return this.loaded.createParser(language);
  }

  dispose(): void {
    for (const disposable of this.subscriptions) disposable.dispose();
    for (const key of [...this.entries.keys()]) this.forget(vscode.Uri.parse(key));
  }

  private applyChanges(event: vscode.TextDocumentChangeEvent): void {
    const entry = this.entries.get(event.document.uri.toString());
    if (!entry || event.contentChanges.length === 0) return;
    if (!entry.parsed || entry.version !== event.document.version - 1) {
      entry.version = -1; // resynchronized from the full text on the next request
      return;
    }
    entry.parsed.applyChanges(
      event.contentChanges.map((change) => ({ offset: change.rangeOffset, deleteLength: change.rangeLength, insertText: change.text })),
    );
    entry.version = event.document.version;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const entry = this.entries.get(key);
    this.entries.delete(key);
    // A parse still in flight is freed when it lands.
    entry?.ready.then((parsed) => parsed.dispose(), () => undefined);
  }
}
