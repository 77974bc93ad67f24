import * as vscode from 'vscode';
import { CommandId } from '../ids';
import type { SyntaxDocuments } from '../syntax/documents';

/** "Insert Concurrency Pattern…"; the patterns and the knowledge base load when it first runs, not at activation. */
export function register(syntax: SyntaxDocuments): vscode.Disposable[] {
  return [vscode.commands.registerCommand(CommandId.InsertPattern, async (arg?: unknown) => (await import('./insertPattern')).insertPattern(syntax, arg))];
}
