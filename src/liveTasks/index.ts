import * as vscode from 'vscode';
import { ViewId } from '../ids';

/**
 * The Live Tasks view. Until a monitored run exists it has no nodes, so VS Code shows the view's
 * `viewsWelcome` content (declared in package.json) with the actions to start one.
 */
class LiveTasksProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}

export function register(): vscode.Disposable[] {
  return [vscode.window.createTreeView(ViewId.LiveTasks, { treeDataProvider: new LiveTasksProvider(), showCollapseAll: true })];
}
