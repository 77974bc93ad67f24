/**
 * What shows the listed runs: the Live Tasks tree view, the stuck watch (wait-for graphs and stuck
 * reports) and the runtime diagnostics with their code actions. The controller loads this module
 * with the first run it lists, not at activation: until then the view has no data provider, so
 * VS Code shows its welcome content, which is what an empty Live Tasks shows anyway.
 */
import * as vscode from 'vscode';
import type { Grammars } from '../core/syntax/withItemFiles';
import { ViewId } from '../ids';
import { type LiveNode, type LiveTasksMode, LiveTasksTreeProvider, type RunView } from './liveTasksTree';
import { RuntimeDiagnostics } from './runtimeDiagnostics';
import { StuckWatch } from './stuckWatch';

export class LiveTasksViews implements vscode.Disposable {
  readonly stuck: StuckWatch;
  readonly tree: LiveTasksTreeProvider;
  readonly diagnostics: RuntimeDiagnostics;
  readonly view: vscode.TreeView<LiveNode>;
  private readonly subscriptions: vscode.Disposable[];

  constructor(isUserFile: (file: string) => boolean, grammars: Grammars, mode: LiveTasksMode, onSelect: (node: LiveNode | undefined) => void) {
    this.stuck = new StuckWatch(grammars);
    this.tree = new LiveTasksTreeProvider(isUserFile, this.stuck);
    this.tree.setMode(mode);
    this.diagnostics = new RuntimeDiagnostics(isUserFile);
    this.view = vscode.window.createTreeView(ViewId.LiveTasks, { treeDataProvider: this.tree, showCollapseAll: true });
    this.subscriptions = [
      this.view.onDidChangeSelection((event) => onSelect(event.selection[0])),
      this.stuck.onDidChange(() => this.diagnostics.updateStuck(this.stuck.states)),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this.diagnostics, { providedCodeActionKinds: RuntimeDiagnostics.providedCodeActionKinds }),
    ];
  }

  /** One run: its processes are the top rows, and its title goes above them (several: each run has a row). */
  showRuns(runs: readonly RunView[]): void {
    this.tree.setRuns(runs);
    this.view.message = runs.length === 1 ? runs[0]!.title : undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.view.dispose();
    this.tree.dispose();
    this.stuck.dispose();
    this.diagnostics.dispose();
  }
}
