import * as vscode from 'vscode';
import type { RuleId } from '../core/analysis/types';
import type { Refactor, RefactorId } from '../core/refactors/types';
import { EDITOR_LANGUAGE_IDS } from '../core/syntax/languages';
import { DIAGNOSTIC_SOURCE, ruleIdOf } from '../diagnostics/documentAnalyses';
import type { SyntaxDocuments } from '../syntax/documents';

/** Concurrency refactors on a selection (rewrite awaits concurrently, move work to threads or processes). */
export function register(syntax: SyntaxDocuments): vscode.Disposable[] {
  const selector = EDITOR_LANGUAGE_IDS.map((language) => ({ language }));
  return [
    vscode.languages.registerCodeActionsProvider(selector, new ConcurrencyRefactorProvider(syntax), {
      providedCodeActionKinds: ConcurrencyRefactorProvider.providedCodeActionKinds,
    }),
  ];
}

const TITLES: Readonly<Record<RefactorId, () => string>> = {
  'python.toThread': () => vscode.l10n.t('Run in a background thread (asyncio.to_thread)'),
  'python.threadPool': () => vscode.l10n.t('Run in a thread pool'),
  'python.processPool': () => vscode.l10n.t('Run in a process pool'),
  'python.gather': () => vscode.l10n.t('Run these awaits concurrently (asyncio.gather)'),
  'python.taskGroup': () => vscode.l10n.t('Run these awaits concurrently (TaskGroup)'),
  'python.gatherLoop': () => vscode.l10n.t('Run the iterations concurrently with asyncio.gather'),
  'node.promiseAll': () => vscode.l10n.t('Run these awaits concurrently (Promise.all)'),
  'node.promiseAllLoop': () => vscode.l10n.t('Run the iterations concurrently with Promise.all'),
  'node.workerThread': () => vscode.l10n.t('Move to a worker thread'),
  'node.childProcess': () => vscode.l10n.t('Run as a child process'),
};

class ConcurrencyRefactorProvider implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.RefactorRewrite, vscode.CodeActionKind.RefactorExtract];

  constructor(private readonly syntax: SyntaxDocuments) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    if (range.isEmpty) return [];
    // The refactors load with the first selection, not at activation.
    const { refactorsFor } = await import('../core/refactors');
    const doc = await this.syntax.get(document);
    if (!doc) return [];
    return refactorsFor(doc, document.offsetAt(range.start), document.offsetAt(range.end))
      .filter((refactor) => !offeredByQuickFix(refactor.id, range, context.diagnostics))
      .map((refactor) => toCodeAction(document, refactor))
      .filter((action) => !context.only || (action.kind !== undefined && context.only.contains(action.kind)));
  }
}

/** Loop rewrites that are also the quick fix of a diagnostic: where that diagnostic is shown, the lightbulb lists them once (as its fix). */
const QUICK_FIX_RULES: Partial<Record<RefactorId, RuleId>> = { 'python.gatherLoop': 'py/await-in-loop', 'node.promiseAllLoop': 'js/await-in-loop' };

function offeredByQuickFix(id: RefactorId, range: vscode.Range, diagnostics: readonly vscode.Diagnostic[]): boolean {
  const rule = QUICK_FIX_RULES[id];
  return rule !== undefined && diagnostics.some((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE && ruleIdOf(diagnostic) === rule && range.contains(diagnostic.range));
}

function toCodeAction(document: vscode.TextDocument, refactor: Refactor): vscode.CodeAction {
  const kind = refactor.kind === 'extract' ? vscode.CodeActionKind.RefactorExtract : vscode.CodeActionKind.RefactorRewrite;
  const action = new vscode.CodeAction(TITLES[refactor.id](), kind);
  const edit = new vscode.WorkspaceEdit();
  edit.set(
    document.uri,
    refactor.changes.map((change) => vscode.TextEdit.replace(new vscode.Range(document.positionAt(change.offset), document.positionAt(change.offset + change.deleteLength)), change.insertText)),
  );
  action.edit = edit;
  return action;
}
