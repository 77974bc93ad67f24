import * as vscode from 'vscode';
import type { RunModel } from '../core/runs/runModel';

export interface RunView {
  readonly model: RunModel;
  /** What the run is: the program's file name, or the recording's. */
  readonly title: string;
  /** True while the program runs; false for an ended run or an opened recording. */
  readonly live: boolean;
}

/**
 * The run the views show: the monitored run in progress (or the last one), or a recording opened
 * from a file. The run command and "Open Recording…" set it; the timeline (and export) read it.
 */
export class ShownRun implements vscode.Disposable {
  private current: RunView | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<RunView | undefined>();
  /** A different run is shown, or the shown one started or stopped being live. */
  readonly onDidChange = this.changeEmitter.event;

  get run(): RunView | undefined {
    return this.current;
  }

  show(run: RunView | undefined): void {
    this.current = run;
    this.changeEmitter.fire(run);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
