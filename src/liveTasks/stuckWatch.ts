import * as vscode from 'vscode';
import type { RunModel } from '../core/runs/runModel';
import { diagnose, type StuckReport } from '../core/runs/stuck';
import { buildWaitGraph, type WaitGraph, type WithItemsOf } from '../core/runs/waitGraph';
import type { GrammarLoader } from '../core/syntax/grammars';
import { WithItemFiles } from '../core/syntax/withItemFiles';

/** The diagnosis runs at most this often while frames arrive (a settled wait takes a second anyway). */
const DIAGNOSIS_INTERVAL_MS = 250;

/**
 * Keeps the wait-for graph and the stuck reports of the shown run up to date: after its changes
 * (at most every {@link DIAGNOSIS_INTERVAL_MS}), once the Python files its waiting frames point into
 * are parsed (their `with` blocks tell who holds a plain lock). Files open in the editor are read
 * from the editor; an edit makes a file read again.
 */
export class StuckWatch implements vscode.Disposable {
  private readonly files: WithItemFiles;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  private model: RunModel | undefined;
  private modelSubscription: { dispose(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private current: { graph: WaitGraph; reports: readonly StuckReport[] } | undefined;
  private signature = '';

  /** Fires when the reports or the graph's edges changed. */
  readonly onDidChange = this.changeEmitter.event;
  readonly withItemsOf: WithItemsOf;

  constructor(grammars: GrammarLoader) {
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

  /** Follows another run's model (or none). */
  watch(model: RunModel | undefined): void {
    this.modelSubscription?.dispose();
    this.model = model;
    this.current = undefined;
    this.signature = '';
    this.modelSubscription = model?.onDidChange(() => this.schedule());
    this.schedule();
  }

  get graph(): WaitGraph | undefined {
    return this.current?.graph;
  }

  get reports(): readonly StuckReport[] {
    return this.current?.reports ?? [];
  }

  /** Diagnoses now (tests and the end of a run use it; otherwise changes schedule it). */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const model = this.model;
    if (!model) {
      this.publish(undefined);
      return;
    }
    await this.files.load(framesFiles(model));
    if (model !== this.model) return;
    const graph = buildWaitGraph(model, this.withItemsOf);
    this.publish({ graph, reports: diagnose(model, this.withItemsOf) });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.modelSubscription?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.refresh(), DIAGNOSIS_INTERVAL_MS);
  }

  private publish(next: { graph: WaitGraph; reports: readonly StuckReport[] } | undefined): void {
    // The reports and who waits for whom: the rows themselves follow the model's own changes.
    const signature = next ? JSON.stringify([next.reports, next.graph.edges]) : '';
    this.current = next;
    if (signature === this.signature) return;
    this.signature = signature;
    this.changeEmitter.fire();
  }
}

/** The files of the frames the probes sent for lock holders to be found. */
function framesFiles(model: RunModel): string[] {
  const files: string[] = [];
  for (const record of model.processes()) {
    for (const entity of [...record.entities.thread.values(), ...record.entities.task.values()]) {
      for (const frame of entity.info.stack ?? []) files.push(frame.file);
    }
  }
  return files;
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
