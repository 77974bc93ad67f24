import * as vscode from 'vscode';
import * as diagnostics from './diagnostics';
import { ExperimentRunner } from './guide/experimentRunner';
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
  readonly experiments: ExperimentRunner;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const experiments = new ExperimentRunner(context.extensionUri, log);
  const guideController = new GuideController(context.extensionUri, log, experiments);
  const syntax = new SyntaxDocuments(context.extensionUri);
  context.subscriptions.push(
    log,
    experiments,
    guideController,
    syntax,
    ...guide.register(guideController, experiments),
    ...liveTasks.register(),
    ...diagnostics.register(context.extensionUri, log),
    ...hovers.register(syntax),
    ...patterns.register(syntax),
    ...refactors.register(syntax),
  );
  return { guide: guideController, experiments };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
