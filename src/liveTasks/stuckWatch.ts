import * as vscode from 'vscode';
import type { RunModel } from '../core/runs/runModel';
import { diagnose, type StuckReport } from '../core/runs/stuck';
import { buildWaitGraph, type PauseState, stackFiles, type WaitGraph, type WithItemsOf } from '../core/runs/waitGraph';
import { type Grammars, WithItemFiles } from '../core/syntax/withItemFiles';

/** The diagnosis runs at most this often while frames arrive (a settled wait takes a second anyway). */
const DIAGNOSIS_INTERVAL_MS = 250;

/** A run whose stuck reports are kept: its model, and when a debugger held it paused. */
export interface StuckRun {
  readonly model: RunModel;
  readonly pauses?: PauseState;
}

/** A run's wait-for graph and what is stuck in it. */
export interface StuckState {
  readonly graph: WaitGraph;
  readonly reports: readonly StuckReport[];
}

interface Watched {
  run: StuckRun;
  readonly subscription: { dispose(): void };
  state?: StuckState;
  signature: string;
}

/**
 * Keeps the wait-for graph and the stuck reports of every listed run up to date: after its changes
 * (at most every {@link DIAGNOSIS_INTERVAL_MS}), once the Python files its waiting frames point into
 * are parsed (their `with` blocks tell who holds a plain lock). Files open in the editor are read
 * from the editor; an edit makes a file read again. A run a debugger holds paused is never stuck.
 */
export class StuckWatch implements vscode.Disposable {
  private readonly files: WithItemFiles;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly watched = new Map<RunModel, Watched>();
  private timer: NodeJS.Timeout | undefined;

  /** Fires when the reports or the graph's edges of a run changed. */
  readonly onDidChange = this.changeEmitter.event;
  readonly withItemsOf: WithItemsOf;

  constructor(grammars: Grammars) {
    this.files = new WithItemFiles(grammars, readText);
    this.withItemsOf = (file) => this.files.itemsOf(file);
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0) return;
        this.files.forget(event.document.uri.fsPath);
        this.schedule();
      }),
    ];
  }

  /** Follows these runs (forgetting the others). */
  setRuns(runs: readonly StuckRun[]): void {
    const models = new Set(runs.map((run) => run.model));
    for (const [model, entry] of this.watched) {
      if (models.has(model)) continue;
      entry.subscription.dispose();
      this.watched.delete(model);
    }
    for (const run of runs) {
      const known = this.watched.get(run.model);
      if (known) known.run = run;
      else this.watched.set(run.model, { run, subscription: run.model.onDidChange(() => this.schedule()), signature: '' });
    }
    this.schedule();
  }

  /** A run paused or went on: diagnose again soon. */
  runChanged(): void {
    this.schedule();
  }

  /** What is stuck in the run of `model`, as last diagnosed. */
  of(model: RunModel | undefined): StuckState | undefined {
    return model ? this.watched.get(model)?.state : undefined;
  }

  /** Every run's state, in the order they were listed. */
  get states(): readonly StuckState[] {
    return [...this.watched.values()].flatMap((entry) => entry.state ? [entry.state] : []);
  }

  /** Diagnoses now (tests and the end of a run use it; otherwise changes schedule it). */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = [...this.watched.values()];
    await this.files.load(entries.flatMap((entry) => stackFiles(entry.run.model)));
    let changed = false;
    for (const entry of entries) {
      if (this.watched.get(entry.run.model) !== entry) continue;
      const { model, pauses } = entry.run;
      const state = { graph: buildWaitGraph(model, this.withItemsOf, pauses), reports: diagnose(model, this.withItemsOf, pauses) };
      // The reports and who waits for whom: the rows themselves follow the model's own changes.
      const signature = JSON.stringify([state.reports, state.graph.edges]);
      entry.state = state;
      if (signature === entry.signature) continue;
      entry.signature = signature;
      changed = true;
    }
    if (changed) this.changeEmitter.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const entry of this.watched.values()) entry.subscription.dispose();
    this.watched.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.refresh(), DIAGNOSIS_INTERVAL_MS);
  }
}

async function readText(file: string): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'file' && document.uri.fsPath === file);
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  } catch {
    return undefined;
  }
}
