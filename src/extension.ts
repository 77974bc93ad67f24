import * as vscode from 'vscode';
import * as diagnostics from './diagnostics';
import { GuideController } from './guide/guidePanel';
import * as guide from './guide';
import * as hovers from './hovers';
import * as liveTasks from './liveTasks';
import * as patterns from './patterns';
import * as refactors from './refactors';
import { SyntaxDocuments } from './syntax/documents';

/** What `activate` returns: used by our integration tests to observe state they cannot see otherwise. */
export interface ConcurrencyLensApi {
  readonly guide: GuideController;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const guideController = new GuideController(context.extensionUri, log);
  context.subscriptions.push(log, guideController, ...guide.register(guideController), ...liveTasks.register());
  context.subscriptions.push(...diagnostics.register(context.extensionUri, log));
  const syntax = new SyntaxDocuments(context.extensionUri);
  context.subscriptions.push(syntax, ...hovers.register(syntax), ...patterns.register(syntax), ...refactors.register(syntax));
  return { guide: guideController };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
