/** Concurrency diagnostics and their code actions for Python, JavaScript and TypeScript (incl. JSX/TSX). */
import * as vscode from 'vscode';
import { EDITOR_LANGUAGE_IDS } from '../core/syntax/languages';
import { CommandId } from '../ids';
import type { SyntaxDocuments } from '../syntax/documents';
import { ConcurrencyCodeActions, disableRule } from './codeActions';
import { DocumentAnalyses } from './documentAnalyses';
import { WorkspaceIndex } from './workspaceIndex';

export function register(syntax: SyntaxDocuments, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const index = new WorkspaceIndex(syntax, log);
  const analyses = new DocumentAnalyses(syntax, index, log);
  const selector = EDITOR_LANGUAGE_IDS.map((language) => ({ language }));
  return [
    analyses,
    index,
    vscode.languages.registerCodeActionsProvider(selector, new ConcurrencyCodeActions(analyses), { providedCodeActionKinds: ConcurrencyCodeActions.providedCodeActionKinds }),
    vscode.commands.registerCommand(CommandId.DisableRule, (rule: unknown) => disableRule(rule)),
  ];
}
