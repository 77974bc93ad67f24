import * as vscode from 'vscode';
import type { ProbeServer } from '../core/probe/server';
import { type ProbeDetail, probeInstall, type ProbeInstall } from '../core/runs/launchSpec';
import type { RunModel } from '../core/runs/runModel';
import { isLibraryFile } from '../core/runs/treeShape';
import { ContextKey } from '../ids';
import { LaunchError, type RuntimeLauncher } from './launchers';
import type { LiveNode, LiveTasksMode } from './liveTasksTree';
import type { LiveTasksViews } from './liveTasksViews';
import { MonitoredRun, RecordedRun, runInTerminal } from './monitoredRun';
import type { Grammars } from '../core/syntax/withItemFiles';

/** Ended runs (and opened recordings) kept in the list; the oldest go first. */
export const MAX_ENDED_RUNS = 10;

type ListedRun = MonitoredRun | RecordedRun;

/**
 * The runs the Live Tasks view lists, however each started (a file, a command, a task, a terminal,
 * a debug session, an attached process) and the recordings opened beside them: several at once,
 * ended ones kept until cleared. Stop acts on the selected run; the views show the selected run.
 * The extension API exposes it to tests.
 */
export class LiveTasksController implements vscode.Disposable {
  /** Where the probes are, shipped in the extension. */
  readonly install: ProbeInstall;
  private readonly isUserFile: (file: string) => boolean;
  private loadedViews: LiveTasksViews | undefined;
  private viewsLoading: Promise<LiveTasksViews> | undefined;
  private currentMode: LiveTasksMode = 'threads';
  private disposed = false;
  private readonly listed: ListedRun[] = [];
  private selected: ListedRun | undefined;
  private readonly startEmitter = new vscode.EventEmitter<MonitoredRun>();
  private readonly selectEmitter = new vscode.EventEmitter<ListedRun>();
  private readonly listEmitter = new vscode.EventEmitter<void>();
  /** Fires when a monitored run has started. */
  readonly onDidStartRun = this.startEmitter.event;
  /** Fires when another run is selected (in the view, or by starting it). */
  readonly onDidSelectRun = this.selectEmitter.event;
  /** Fires when runs are added or removed, or one ends. */
  readonly onDidChangeRuns = this.listEmitter.event;

  constructor(
    private readonly launchers: readonly RuntimeLauncher[],
    readonly supervisorScript: string,
    extensionUri: vscode.Uri,
    readonly log: vscode.LogOutputChannel,
    private readonly grammars: Grammars,
  ) {
    this.isUserFile = (file: string) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) !== undefined || !isLibraryFile(file);
    this.install = probeInstall(vscode.Uri.joinPath(extensionUri, 'probes').fsPath);
  }

  /**
   * The views of the listed runs (the tree view, the stuck watch, the runtime diagnostics), loaded
   * with the first run listed rather than at activation; they then show every run listed so far.
   */
  views(): Promise<LiveTasksViews> {
    this.viewsLoading ??= import('./liveTasksViews').then((module) => {
      if (this.disposed) throw new Error('Live Tasks was disposed');
      this.loadedViews = new module.LiveTasksViews(this.isUserFile, this.grammars, this.currentMode, (node) => this.selectNode(node));
      this.updateList();
      return this.loadedViews;
    });
    return this.viewsLoading;
  }

  /** The views once loaded; undefined until a run was listed (the view shows its welcome content). */
  get viewsIfLoaded(): LiveTasksViews | undefined {
    return this.loadedViews;
  }

  /** Threads with their tasks, or the await tree. */
  get mode(): LiveTasksMode {
    return this.currentMode;
  }

  setMode(mode: LiveTasksMode): void {
    this.currentMode = mode;
    this.loadedViews?.tree.setMode(mode);
  }

  /** Every run listed, oldest first. */
  get runs(): readonly ListedRun[] {
    return this.listed;
  }

  /** The selected monitored run, else the latest one. */
  get currentRun(): MonitoredRun | undefined {
    if (this.selected instanceof MonitoredRun) return this.selected;
    return this.listed.filter((run): run is MonitoredRun => run instanceof MonitoredRun).at(-1);
  }

  get selectedRun(): ListedRun | undefined {
    return this.selected;
  }

  /** The blocked-loop threshold the probes of a run get (`concurrencyLens.monitor.blockedThresholdMs`). */
  blockedThresholdMs(scope?: vscode.Uri | vscode.WorkspaceFolder): number {
    return vscode.workspace.getConfiguration('concurrencyLens.monitor', scope).get<number>('blockedThresholdMs', 100);
  }

  /** Monitored runs execute the user's code: only in a trusted workspace (says so otherwise). */
  checkTrusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(vscode.l10n.t('Monitored runs execute your code, so they need a trusted workspace.'));
    return false;
  }

  /** What the probes of a run record beyond sampling (`concurrencyLens.monitor.trace` / `taskCreation`); `trace` overrides the setting. */
  probeDetail(scope?: vscode.Uri | vscode.WorkspaceFolder, trace?: boolean): ProbeDetail {
    const settings = vscode.workspace.getConfiguration('concurrencyLens.monitor', scope);
    return { trace: trace ?? settings.get<boolean>('trace', false), taskCreation: settings.get<boolean>('taskCreation', false) };
  }

  /** Runs a file with the Concurrency Monitor; `trace` overrides the trace setting. Shows, never throws, errors. */
  async runFile(uri: vscode.Uri | undefined, options: { readonly trace?: boolean } = {}): Promise<MonitoredRun | undefined> {
    if (!this.checkTrusted()) return undefined;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    const launcher = document && this.launchers.find((candidate) => candidate.handles(document));
    if (!document || !launcher || document.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a Python or Node.js file saved on disk to run it with the Concurrency Monitor.'));
      return undefined;
    }
    if (document.isDirty) await document.save();
    const title = vscode.workspace.asRelativePath(document.uri);
    return this.startWithServer(async (server) => {
      const spec = await launcher.launchSpec({ file: document.uri, probeEnv: server.environment, blockedThresholdMs: this.blockedThresholdMs(document.uri), detail: this.probeDetail(document.uri, options.trace) });
      return runInTerminal(server, spec, title, 'file', this.supervisorScript, this.log);
    });
  }

  /**
   * Opens a run's endpoint and starts it with `start`, then lists it; a failure to start is shown
   * (a LaunchError's message as it is) and the endpoint closed.
   */
  async startWithServer(start: (server: ProbeServer) => Promise<MonitoredRun | undefined>): Promise<MonitoredRun | undefined> {
    // The probe endpoint and its frame validation load with the first run, not at activation.
    const { ProbeServer: Server } = await import('../core/probe/server');
    const server = await Server.start({ logger: this.log });
    try {
      const [run] = await Promise.all([start(server), this.views()]);
      if (!run) {
        await server.dispose();
        return undefined;
      }
      this.add(run);
      return run;
    } catch (error) {
      await server.dispose();
      if (error instanceof LaunchError) {
        void vscode.window.showErrorMessage(error.message);
        return undefined;
      }
      this.log.error(`monitored run failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('The monitored run could not start. See the "Concurrency Lens" output for details.'));
      return undefined;
    }
  }

  /** Lists a run that has started and selects it; a re-run of a title replaces that title's ended run. */
  add(run: MonitoredRun): void {
    for (const old of this.listed.filter((candidate) => !candidate.isRunning && candidate.title === run.title)) this.remove(old);
    this.listed.push(run);
    run.model.onDidChange((change) => {
      if ([...change.keys].some((key) => key.endsWith('/blocked'))) this.updateDiagnostics();
    });
    run.onDidChangeState(() => {
      this.loadedViews?.tree.runChanged();
      this.loadedViews?.stuck.runChanged();
    });
    run.onDidEnd(() => {
      this.trimEnded();
      this.updateList();
      void import('./liveTasksTree').then(({ summaryText }) => vscode.window.showInformationMessage(vscode.l10n.t('Monitored run finished: {0}', summaryText(run.model.summary()))));
    });
    this.updateList();
    this.startEmitter.fire(run);
    this.select(run);
  }

  /** Lists a recording (or a restored run) beside the runs, ended, and selects it. */
  addRecording(model: RunModel, title: string): RecordedRun {
    const known = this.listed.find((run) => run.model === model);
    if (known instanceof RecordedRun) return known;
    const recorded = new RecordedRun(model, title);
    this.listed.push(recorded);
    this.trimEnded();
    this.updateList();
    this.select(recorded);
    return recorded;
  }

  /** Shows `run` in the views that follow the selected run (the timeline). */
  select(run: ListedRun): void {
    if (!this.listed.includes(run) || this.selected === run) return;
    this.selected = run;
    this.selectEmitter.fire(run);
  }

  /** The view's selection changed: its run becomes the selected one. */
  selectNode(node: LiveNode | undefined): void {
    const view = node && this.loadedViews?.tree.runOf(node);
    const run = view && this.listed.find((candidate) => candidate.id === view.id);
    if (run) this.select(run);
  }

  /**
   * Stops a run: the one given (a row of it), else the selected one if it runs, else the only one
   * running; with several running and none selected, asks which.
   */
  async stop(target?: LiveNode | MonitoredRun): Promise<void> {
    const running = this.listed.filter((run): run is MonitoredRun => run instanceof MonitoredRun && run.isRunning);
    let run: MonitoredRun | undefined;
    if (target instanceof MonitoredRun) run = target;
    else if (target) run = running.find((candidate) => candidate.id === this.loadedViews?.tree.runOf(target)?.id);
    else if (this.selected instanceof MonitoredRun && this.selected.isRunning) run = this.selected;
    else if (running.length === 1) run = running[0];
    else if (running.length > 1) {
      const picked = await vscode.window.showQuickPick(running.map((candidate) => ({ label: candidate.title, run: candidate })), { placeHolder: vscode.l10n.t('Which run should stop?') });
      run = picked?.run;
    }
    run?.stop();
  }

  /** Removes every run that has ended (and every recording) from the list. */
  clearEndedRuns(): void {
    for (const run of this.listed.filter((candidate) => !candidate.isRunning)) this.remove(run);
    this.updateList();
  }

  dispose(): void {
    for (const run of this.listed) run.dispose();
    this.listed.length = 0;
    this.disposed = true;
    this.loadedViews?.dispose();
    this.startEmitter.dispose();
    this.selectEmitter.dispose();
    this.listEmitter.dispose();
  }

  private remove(run: ListedRun): void {
    const index = this.listed.indexOf(run);
    if (index === -1) return;
    this.listed.splice(index, 1);
    if (this.selected === run) this.selected = undefined;
    run.dispose();
  }

  /** At most {@link MAX_ENDED_RUNS} ended runs stay listed. */
  private trimEnded(): void {
    const ended = this.listed.filter((run) => !run.isRunning);
    for (const run of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_RUNS))) this.remove(run);
  }

  private updateList(): void {
    const views = this.loadedViews;
    if (views) {
      views.showRuns(this.listed);
      views.stuck.setRuns(this.listed.map((run) => ({ model: run.model, ...(run instanceof MonitoredRun ? { pauses: run.session.pauseLog } : {}) })));
    } else if (this.listed.length > 0) {
      this.views().catch((error: unknown) => this.log.error(`Live Tasks could not show the runs: ${error instanceof Error ? error.message : String(error)}`));
    }
    this.updateContext();
    this.updateDiagnostics();
    this.listEmitter.fire();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', ContextKey.MonitorRunning, this.listed.some((run) => run.isRunning));
    void vscode.commands.executeCommand('setContext', ContextKey.HasEndedRuns, this.listed.some((run) => !run.isRunning));
  }

  private updateDiagnostics(): void {
    this.loadedViews?.diagnostics.update(this.listed.map((run) => run.model));
  }
}
