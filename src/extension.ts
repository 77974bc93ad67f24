import * as vscode from 'vscode';
import { GuideController } from './guide/guidePanel';
import * as guide from './guide';
import * as liveTasks from './liveTasks';
import * as recordings from './recordings';
import { ShownRun } from './runs/shownRun';
import * as timeline from './timeline';
import { TimelineController } from './timeline/timelinePanel';

/** What `activate` returns: used by our integration tests to observe state they cannot see otherwise. */
export interface ConcurrencyLensApi {
  readonly guide: GuideController;
  readonly shownRun: ShownRun;
  readonly timeline: TimelineController;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const guideController = new GuideController(context.extensionUri, log);
  const shownRun = new ShownRun();
  const timelineController = new TimelineController(context.extensionUri, shownRun, log);
  context.subscriptions.push(log, guideController, ...guide.register(guideController), ...liveTasks.register());
  context.subscriptions.push(shownRun, timelineController, ...timeline.register(timelineController), ...recordings.register(shownRun, log));
  return { guide: guideController, shownRun, timeline: timelineController };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
