import * as vscode from 'vscode';
import { selectedPythonInterpreter } from '../common/pythonExtension';
import { applyExperimentEvent, emptySnapshot } from '../core/experiment/experimentOutput';
import type { ExperimentOutcome } from '../core/experiment/runExperiment';
import { EXPERIMENT_MODELS, WORKLOADS, type ExperimentSnapshot, type GuideLanguage } from '../shared/guideProtocol';

const SETTING = { python: 'concurrencyLens.python.interpreter', node: 'concurrencyLens.node.executable' } as const;
const SCRIPT = { python: ['experiments', 'python', 'experiment.py'], node: ['experiments', 'node', 'experiment.mjs'] } as const;
const VARIANT_COUNT = WORKLOADS.length * EXPERIMENT_MODELS.length;

export interface ExperimentOptions {
  /** Multiplies the work; 1 is the full run. Tests use less. */
  readonly scale?: number;
}

/**
 * Runs the live experiment with the user's own interpreter and keeps one snapshot per language
 * for the guide panel. Runs only in trusted workspaces; cancelling kills the child process tree.
 */
export class ExperimentRunner implements vscode.Disposable {
  private readonly snapshots: Record<GuideLanguage, ExperimentSnapshot> = { python: emptySnapshot('python'), node: emptySnapshot('node') };
  private readonly running = new Map<GuideLanguage, AbortController>();
  private readonly onDidChangeEmitter = new vscode.EventEmitter<ExperimentSnapshot>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get all(): Readonly<Record<GuideLanguage, ExperimentSnapshot>> {
    return { ...this.snapshots };
  }

  async run(language: GuideLanguage, options: ExperimentOptions = {}): Promise<ExperimentSnapshot> {
    if (this.running.has(language)) return this.snapshots[language];
    if (!vscode.workspace.isTrusted) {
      return this.update({ ...emptySnapshot(language), status: 'failed', message: vscode.l10n.t('The experiment runs code on your machine, so it needs a trusted workspace.') });
    }
    const controller = new AbortController();
    this.running.set(language, controller);
    try {
      const executable = language === 'python' ? await pythonInterpreter() : configured(SETTING.node) || 'node';
      const { runExperiment } = await import('../core/experiment/runExperiment');
      this.update({ ...emptySnapshot(language), status: 'running' });
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Running the concurrency experiment ({0})', language === 'python' ? 'Python' : 'Node.js'), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return runExperiment({
            language,
            executable,
            script: vscode.Uri.joinPath(this.extensionUri, ...SCRIPT[language]).fsPath,
            scale: options.scale,
            signal: controller.signal,
            onEvent: (event) => {
              if (event.type === 'result') progress.report({ increment: 100 / VARIANT_COUNT });
              this.update(applyExperimentEvent(this.snapshots[language], event));
            },
          });
        },
      );
      return this.update(this.finish(this.snapshots[language], outcome, language));
    } finally {
      this.running.delete(language);
    }
  }

  cancel(language: GuideLanguage): void {
    this.running.get(language)?.abort();
  }

  private finish(snapshot: ExperimentSnapshot, outcome: ExperimentOutcome, language: GuideLanguage): ExperimentSnapshot {
    switch (outcome.kind) {
      case 'done':
        return { ...snapshot, status: 'done' };
      case 'cancelled':
        return { ...snapshot, status: 'cancelled' };
      case 'missingExecutable':
        return {
          ...snapshot,
          status: 'failed',
          message: vscode.l10n.t('Could not start "{0}". Install it, or set "{1}" to the interpreter\'s path.', outcome.executable, SETTING[language]),
        };
      case 'failed':
        this.log.error(`Experiment (${language}) exited with ${outcome.exitCode ?? 'an error'}:\n${outcome.stderr}`);
        return { ...snapshot, status: 'failed', message: vscode.l10n.t('The experiment stopped with exit code {0}. The Concurrency Lens output has the details.', String(outcome.exitCode ?? '?')) };
    }
  }

  private update(snapshot: ExperimentSnapshot): ExperimentSnapshot {
    this.snapshots[snapshot.language] = snapshot;
    this.onDidChangeEmitter.fire(snapshot);
    return snapshot;
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.onDidChangeEmitter.dispose();
  }
}

function configured(setting: string): string {
  const [section, ...key] = setting.split('.');
  return vscode.workspace.getConfiguration(section).get<string>(key.join('.'), '').trim();
}

/** The Python extension's active interpreter when that extension is installed, else our setting, else python3. */
async function pythonInterpreter(): Promise<string> {
  const selected = await selectedPythonInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri);
  if (selected) return selected;
  return configured(SETTING.python) || (process.platform === 'win32' ? 'python' : 'python3');
}
