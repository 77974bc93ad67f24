import * as vscode from 'vscode';
import { localeFor } from '../core/knowledge';
import { patternsFor } from '../core/patterns';
import { planImports } from '../core/patterns/imports';
import { patternBody } from '../core/patterns/snippets';
import { type ConcurrencyPattern, PATTERN_MODELS, type PatternModel } from '../core/patterns/types';
import { familyOf, languageForEditorId } from '../core/syntax/languages';
import type { SyntaxDocuments } from '../syntax/documents';


interface PatternItem extends vscode.QuickPickItem {
  readonly pattern?: ConcurrencyPattern;
}

/** The optional argument (keybindings, tests): `{ id }` of a pattern, which skips the QuickPick. */
function requestedPatternId(arg: unknown): string | undefined {
  return typeof arg === 'object' && arg !== null && 'id' in arg && typeof arg.id === 'string' ? arg.id : undefined;
}

/** "Insert Concurrency Pattern…": a QuickPick of patterns for the editor's language, inserted as a snippet. */
export async function insertPattern(syntax: SyntaxDocuments, arg: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const language = editor && languageForEditorId(editor.document.languageId);
  if (!editor || !language) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a Python, JavaScript or TypeScript file to insert a concurrency pattern.'));
    return;
  }
  const patterns = patternsFor(familyOf(language));
  const requested = requestedPatternId(arg);
  const pattern = requested !== undefined ? patterns.find((candidate) => candidate.id === requested) : await pickPattern(patterns);
  if (!pattern) return;
  await insertIntoEditor(editor, syntax, pattern);
}

const MODEL_GROUPS: Readonly<Record<PatternModel, () => string>> = {
  coroutine: () => vscode.l10n.t('Coroutines'),
  thread: () => vscode.l10n.t('Threads'),
  process: () => vscode.l10n.t('Processes'),
};

async function pickPattern(patterns: readonly ConcurrencyPattern[]): Promise<ConcurrencyPattern | undefined> {
  const locale = localeFor(vscode.env.language);
  const items: PatternItem[] = PATTERN_MODELS.flatMap((model) => [
    { label: MODEL_GROUPS[model](), kind: vscode.QuickPickItemKind.Separator },
    ...patterns
      .filter((pattern) => pattern.model === model)
      .map((pattern) => ({ label: pattern.title[locale], description: pattern.prefix, detail: pattern.description[locale], pattern })),
  ]);
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Insert Concurrency Pattern'),
    placeHolder: vscode.l10n.t('Choose a pattern to insert at the cursor'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.pattern;
}

/** The pattern at the cursor (tab stops live) and its missing imports at the top: one edit, one undo step. */
async function insertIntoEditor(editor: vscode.TextEditor, syntax: SyntaxDocuments, pattern: ConcurrencyPattern): Promise<void> {
  const document = editor.document;
  const parsed = await syntax.get(document);
  const importEdit = parsed && planImports(parsed, pattern.imports);
  const edits: (vscode.TextEdit | vscode.SnippetTextEdit)[] = [];
  if (importEdit) edits.push(vscode.TextEdit.insert(document.positionAt(importEdit.offset), importEdit.text));
  edits.push(new vscode.SnippetTextEdit(editor.selection, new vscode.SnippetString(patternBody(pattern).join('\n'))));
  const edit = new vscode.WorkspaceEdit();
  edit.set(document.uri, edits);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The pattern could not be inserted because the document changed. Try again.'));
  }
}
