import * as vscode from 'vscode';
import { ExperimentRunner } from './guide/experimentRunner';
import { GuideController } from './guide/guidePanel';
import * as guide from './guide';
import * as liveTasks from './liveTasks';

/** What `activate` returns: used by our integration tests to observe state they cannot see otherwise. */
export interface ConcurrencyLensApi {
  readonly guide: GuideController;
  readonly experiments: ExperimentRunner;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const experiments = new ExperimentRunner(context.extensionUri, log);
  const guideController = new GuideController(context.extensionUri, log, experiments);
  context.subscriptions.push(log, experiments, guideController, ...guide.register(guideController, experiments), ...liveTasks.register());
  return { guide: guideController, experiments };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
