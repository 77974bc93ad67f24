import * as vscode from 'vscode';
import * as diagnostics from './diagnostics';
import * as guide from './guide';
import { ExperimentRunner } from './guide/experimentRunner';
import { GuideController } from './guide/guidePanel';
import * as hovers from './hovers';
import * as liveTasks from './liveTasks';
import { DebugSessionMonitor } from './liveTasks/debugSessions';
import { nodeLauncher, pythonLauncher } from './liveTasks/launchers';
import { LiveTasksController } from './liveTasks/liveTasksController';
import * as patterns from './patterns';
import * as recordings from './recordings';
import * as refactors from './refactors';
import * as runs from './runs';
import { LastRunStore } from './runs/lastRun';
import { ShownRun } from './runs/shownRun';
import { SyntaxDocuments, extensionGrammars } from './syntax/documents';
import * as timeline from './timeline';
import { TimelineController } from './timeline/timelinePanel';

/** What `activate` returns: used by our integration tests to observe state they cannot see otherwise. */
export interface ConcurrencyLensApi {
  readonly guide: GuideController;
  readonly experiments: ExperimentRunner;
  readonly liveTasks: LiveTasksController;
  readonly debugSessions: DebugSessionMonitor;
  readonly shownRun: ShownRun;
  readonly timeline: TimelineController;
  readonly lastRun: LastRunStore;
  readonly syntax: SyntaxDocuments;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLensApi {
  const log = vscode.window.createOutputChannel('Concurrency Lens', { log: true });
  const experiments = new ExperimentRunner(context.extensionUri, log);
  const guideController = new GuideController(context.extensionUri, log, experiments);
  const grammars = extensionGrammars(context.extensionUri);
  const syntax = new SyntaxDocuments(grammars);
  const supervisor = vscode.Uri.joinPath(context.extensionUri, 'dist', 'supervisor.mjs').fsPath;
  const liveTasksController = new LiveTasksController([pythonLauncher(context.extensionUri, log), nodeLauncher(context.extensionUri)], supervisor, context.extensionUri, log, grammars);
  const debugSessions = new DebugSessionMonitor(liveTasksController);
  const shownRun = new ShownRun();
  const lastRun = new LastRunStore(context.storageUri ?? context.globalStorageUri, shownRun, log);
  const timelineController = new TimelineController(context.extensionUri, shownRun, log, lastRun);
  context.subscriptions.push(
    log,
    experiments,
    guideController,
    syntax,
    liveTasksController,
    debugSessions,
    shownRun,
    lastRun,
    timelineController,
    ...guide.register(guideController, experiments),
    ...diagnostics.register(syntax, log),
    ...hovers.register(syntax),
    ...patterns.register(syntax),
    ...refactors.register(syntax),
    ...liveTasks.register(liveTasksController, debugSessions, context.workspaceState),
    ...runs.register(liveTasksController, shownRun),
    ...timeline.register(timelineController),
    ...recordings.register(shownRun, log),
  );
  return { guide: guideController, experiments, liveTasks: liveTasksController, debugSessions, shownRun, timeline: timelineController, lastRun, syntax };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
