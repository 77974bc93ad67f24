import type * as vscode from 'vscode';
import type { LiveTasksController } from '../liveTasks/liveTasksController';
import type { ShownRun } from './shownRun';

/**
 * Keeps the shown run (timeline, export) on the run selected in Live Tasks: a monitored run is
 * shown from its start (live) to its end; an opened recording is listed in Live Tasks beside the runs.
 */
export function register(liveTasks: LiveTasksController, shownRun: ShownRun): vscode.Disposable[] {
  return [
    liveTasks.onDidSelectRun((run) => {
      if (shownRun.run?.model === run.model && shownRun.run.live === run.isRunning) return;
      shownRun.show({ model: run.model, title: run.title, live: run.isRunning });
    }),
    liveTasks.onDidStartRun((run) => {
      run.onDidEnd(() => {
        if (shownRun.run?.model === run.model) shownRun.show({ model: run.model, title: run.title, live: false });
      });
    }),
    shownRun.onDidChange((shown) => {
      if (shown && !shown.live && !liveTasks.runs.some((run) => run.model === shown.model)) liveTasks.addRecording(shown.model, shown.title);
    }),
  ];
}
