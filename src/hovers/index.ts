import * as vscode from 'vscode';
import type { HoverLabels } from '../core/hovers/hover';
import { EDITOR_LANGUAGE_IDS } from '../core/syntax/languages';
import { CommandId } from '../ids';
import type { SyntaxDocuments } from '../syntax/documents';

/** Hovers that explain the concurrency API or keyword under the cursor, for every language we parse. */
export function register(syntax: SyntaxDocuments): vscode.Disposable[] {
  const selector = EDITOR_LANGUAGE_IDS.flatMap((language) => [
    { language, scheme: 'file' },
    { language, scheme: 'untitled' },
  ]);
  return [vscode.languages.registerHoverProvider(selector, new ConcurrencyHoverProvider(syntax))];
}

class ConcurrencyHoverProvider implements vscode.HoverProvider {
  private labels: HoverLabels | undefined;

  constructor(private readonly syntax: SyntaxDocuments) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    // The knowledge base loads with the first hover, not at activation.
    const [{ hoverAt }, { localeFor }] = await Promise.all([import('../core/hovers/hover'), import('../core/knowledge')]);
    const doc = await this.syntax.get(document);
    if (!doc) return undefined;
    const content = hoverAt(doc, document.offsetAt(position), localeFor(vscode.env.language), this.hoverLabels());
    if (!content) return undefined;
    const markdown = new vscode.MarkdownString(content.markdown, true);
    // Trust only our own command link, never arbitrary command: URIs.
    markdown.isTrusted = { enabledCommands: [CommandId.OpenGuide] };
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(content.start), document.positionAt(content.end)));
  }

  private hoverLabels(): HoverLabels {
    this.labels ??= {
      models: {
        coroutine: vscode.l10n.t('Coroutine'),
        thread: vscode.l10n.t('Thread'),
        interpreter: vscode.l10n.t('Interpreter'),
        process: vscode.l10n.t('Process'),
        synchronization: vscode.l10n.t('Synchronization'),
        scheduling: vscode.l10n.t('Scheduling'),
      },
      whenToUse: vscode.l10n.t('When to use'),
      pitfall: vscode.l10n.t('Pitfall'),
      documentation: vscode.l10n.t('Documentation'),
      openInGuide: vscode.l10n.t('Open in guide'),
    };
    return this.labels;
  }
}
