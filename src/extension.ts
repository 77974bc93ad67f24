import * as vscode from 'vscode';
import { GuideController } from './guide/guidePanel';
import * as guide from './guide';
import * as liveTasks from './liveTasks';
import { LiveTasksController } from './liveTasks/liveTasksController';
import { pythonLauncher } from './liveTasks/launchers';

/** What `activate` returns: used by our integration tests to observe state they cannot see otherwise. */
export interface ConcurrencyLensApi {
  readonly guide: GuideController;
  readonly liveTasks: LiveTasksController;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const guideController = new GuideController(context.extensionUri, log);
  const liveTasksController = new LiveTasksController([pythonLauncher(context.extensionUri, log)], log);
  context.subscriptions.push(log, guideController, ...guide.register(guideController), liveTasksController, ...liveTasks.register(liveTasksController));
  return { guide: guideController, liveTasks: liveTasksController };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
