import * as vscode from 'vscode';
import { ProbeServer } from '../core/probe/server';
import type { GrammarLoader } from '../core/syntax/grammars';
import { ContextKey } from '../ids';
import { LaunchError, type RuntimeLauncher } from './launchers';
import { LiveTasksTreeProvider, summaryText } from './liveTasksTree';
import { MonitoredRun } from './monitoredRun';
import { RuntimeDiagnostics } from './runtimeDiagnostics';
import { StuckWatch } from './stuckWatch';

/** Runs programs under a probe and feeds the Live Tasks view; the extension API exposes it to tests. */
export class LiveTasksController implements vscode.Disposable {
  readonly tree: LiveTasksTreeProvider;
  readonly diagnostics: RuntimeDiagnostics;
  /** What is stuck in the run the tree shows, and who waits for whom. */
  readonly stuck: StuckWatch;
  private current: MonitoredRun | undefined;
  private readonly runEmitter = new vscode.EventEmitter<MonitoredRun>();
  /** Fires when a monitored run has started. */
  readonly onDidStartRun = this.runEmitter.event;

  constructor(private readonly launchers: readonly RuntimeLauncher[], private readonly supervisorScript: string, private readonly log: vscode.LogOutputChannel, grammars: GrammarLoader) {
    const isUserFile = (file: string) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) !== undefined || !/[\\/](lib|Lib)[\\/]python|site-packages|<frozen/.test(file);
    this.stuck = new StuckWatch(grammars);
    this.tree = new LiveTasksTreeProvider(isUserFile, this.stuck);
    this.diagnostics = new RuntimeDiagnostics(isUserFile);
    this.stuck.onDidChange(() => this.diagnostics.updateStuck(this.stuck.reports, this.stuck.graph));
  }

  get currentRun(): MonitoredRun | undefined {
    return this.current;
  }

  /** Runs a file with the Concurrency Monitor (stopping any run in progress); `trace` overrides the setting. Shows, never throws, errors. */
  async runFile(uri: vscode.Uri | undefined, options: { readonly trace?: boolean } = {}): Promise<MonitoredRun | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Monitored runs execute your code, so they need a trusted workspace.'));
      return undefined;
    }
    const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    const launcher = document && this.launchers.find((candidate) => candidate.handles(document));
    if (!document || !launcher || document.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a Python or Node.js file saved on disk to run it with the Concurrency Monitor.'));
      return undefined;
    }
    if (document.isDirty) await document.save();
    this.current?.dispose();
    this.current = undefined;
    this.diagnostics.clear();
    const server = await ProbeServer.start({ logger: this.log });
    try {
      const settings = vscode.workspace.getConfiguration('concurrencyLens.monitor', document.uri);
      const threshold = settings.get<number>('blockedThresholdMs', 100);
      const detail = { trace: options.trace ?? settings.get<boolean>('trace', false), taskCreation: settings.get<boolean>('taskCreation', false) };
      const spec = await launcher.launchSpec({ file: document.uri, probeEnv: server.environment, blockedThresholdMs: threshold, detail });
      const title = vscode.l10n.t('Concurrency Monitor: {0}', vscode.workspace.asRelativePath(document.uri));
      const run = new MonitoredRun(server, spec, title, this.supervisorScript, this.log);
      this.track(run);
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

  stop(): void {
    this.current?.stop();
  }

  dispose(): void {
    this.current?.dispose();
    this.tree.dispose();
    this.stuck.dispose();
    this.diagnostics.dispose();
    this.runEmitter.dispose();
  }

  private track(run: MonitoredRun): void {
    this.current = run;
    void vscode.commands.executeCommand('setContext', ContextKey.MonitorRunning, true);
    this.tree.setRun(run);
    run.model.onDidChange((change) => {
      if ([...change.keys].some((key) => key.endsWith('/blocked'))) this.diagnostics.update(run.model);
    });
    run.onDidEnd(() => {
      if (this.current !== run) return;
      void vscode.commands.executeCommand('setContext', ContextKey.MonitorRunning, false);
      this.tree.runEnded();
      this.diagnostics.update(run.model);
      void vscode.window.showInformationMessage(vscode.l10n.t('Monitored run finished: {0}', summaryText(run.model.summary())));
    });
    this.runEmitter.fire(run);
  }
}
