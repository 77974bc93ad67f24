import * as vscode from 'vscode';
import { GuideController } from './guide/guidePanel';
import * as guide from './guide';
import * as liveTasks from './liveTasks';
import { LiveTasksController } from './liveTasks/liveTasksController';
import { nodeLauncher, pythonLauncher } from './liveTasks/launchers';
import * as recordings from './recordings';
import * as runs from './runs';
import { ShownRun } from './runs/shownRun';
import * as timeline from './timeline';
import { TimelineController } from './timeline/timelinePanel';

/** What `activate` returns: used by our integration tests to observe state they cannot see otherwise. */
export interface ConcurrencyLensApi {
  readonly guide: GuideController;
  readonly liveTasks: LiveTasksController;
  readonly shownRun: ShownRun;
  readonly timeline: TimelineController;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const guideController = new GuideController(context.extensionUri, log);
  const liveTasksController = new LiveTasksController([pythonLauncher(context.extensionUri, log), nodeLauncher(context.extensionUri)], log);
  context.subscriptions.push(log, guideController, ...guide.register(guideController), liveTasksController, ...liveTasks.register(liveTasksController));
  const shownRun = new ShownRun();
  const timelineController = new TimelineController(context.extensionUri, shownRun, log);
  context.subscriptions.push(shownRun, ...runs.register(liveTasksController, shownRun), timelineController, ...timeline.register(timelineController), ...recordings.register(shownRun, log));
  return { guide: guideController, liveTasks: liveTasksController, shownRun, timeline: timelineController };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
