import type * as vscode from 'vscode';
import type { LiveTasksController } from '../liveTasks/liveTasksController';
import type { ShownRun } from './shownRun';

/**
 * Keeps the shown run (timeline, export) and the Live Tasks tree on the same run: a monitored run
 * is shown from its start (live) to its end; an opened recording replaces it in the tree too.
 */
export function register(liveTasks: LiveTasksController, shownRun: ShownRun): vscode.Disposable[] {
  return [
    liveTasks.onDidStartRun((run) => {
      const { title } = run;
      shownRun.show({ model: run.model, title, live: true });
      run.onDidEnd(() => {
        if (shownRun.run?.model === run.model) shownRun.show({ model: run.model, title, live: false });
      });
    }),
    shownRun.onDidChange((shown) => {
      if (shown && !shown.live && shown.model !== liveTasks.currentRun?.model) liveTasks.tree.setRun({ model: shown.model, isRunning: false });
    }),
  ];
}
