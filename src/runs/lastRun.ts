import * as vscode from 'vscode';
import type { SavedRun } from '../core/runs/recording';
import { RunModel } from '../core/runs/runModel';
import type { RunView, ShownRun } from './shownRun';

/**
 * Keeps the last ended run (or opened recording) the views showed in the extension's storage, so
 * that a timeline restored after a window reload can show it again.
 */
export class LastRunStore implements vscode.Disposable {
  private writing: Promise<void> = Promise.resolve();
  private readonly subscription: vscode.Disposable;
  private readonly onDidSaveEmitter = new vscode.EventEmitter<void>();
  /** Fires after the shown run was written (for tests). */
  readonly onDidSave = this.onDidSaveEmitter.event;

  constructor(
    private readonly folder: vscode.Uri,
    shownRun: ShownRun,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // A live run is saved when it ends (it is shown again, no longer live).
    this.subscription = shownRun.onDidChange((run) => {
      if (run && !run.live) this.save(run);
    });
  }

  private get file(): vscode.Uri {
    return vscode.Uri.joinPath(this.folder, 'last-run.json');
  }

  private save(run: RunView): void {
    const saved: SavedRun = { title: run.title, recording: run.model.toRecording() };
    const bytes = new TextEncoder().encode(JSON.stringify(saved));
    this.writing = this.writing
      .then(async () => {
        await vscode.workspace.fs.createDirectory(this.folder);
        await vscode.workspace.fs.writeFile(this.file, bytes);
        this.onDidSaveEmitter.fire();
      })
      .catch((error: unknown) => this.log.warn(`Could not save the last run to ${this.file.toString()}: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** The saved run, or undefined when there is none (or it cannot be read). */
  async load(): Promise<RunView | undefined> {
    await this.writing;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(this.file));
    } catch {
      return undefined; // nothing saved yet
    }
    // The recording's validation loads when a saved run is read, not at activation.
    const { parseSavedRun } = await import('../core/runs/recording');
    let saved: SavedRun | undefined;
    try {
      saved = parseSavedRun(JSON.parse(text));
    } catch {
      saved = undefined;
    }
    if (!saved) {
      this.log.warn(`Ignored ${this.file.toString()}: not a saved run`);
      return undefined;
    }
    return { model: RunModel.fromRecording(saved.recording), title: saved.title, live: false };
  }

  dispose(): void {
    this.subscription.dispose();
    this.onDidSaveEmitter.dispose();
  }
}
