import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Runtime } from '../core/probe/protocol';
import type { RunModel } from '../core/runs/runModel';
import { blockingFrame, formatDuration } from '../core/runs/treeShape';
import { CommandId } from '../ids';
import type { GuideViewState } from '../shared/guideProtocol';

export const RUNTIME_DIAGNOSTIC_SOURCE = 'Concurrency Lens (runtime)';
const BLOCKED_LOOP_CODE = 'blocked-event-loop';

/** What to tell about a blocked loop, by the runtime whose loop it was. */
interface BlockedLoopAdvice {
  /** The guide section that explains blocking that runtime's event loop. */
  readonly guide: Partial<GuideViewState>;
  warning(duration: string): string;
  learnTitle(): string;
}

const ADVICE: Readonly<Record<Runtime['name'], BlockedLoopAdvice>> = {
  python: {
    guide: { language: 'python', model: 'coroutines' },
    warning: (duration) => vscode.l10n.t('The event loop was blocked here for {0}: no other task could run meanwhile. Await an async version, or move the work to a thread (asyncio.to_thread) or a process.', duration),
    learnTitle: () => vscode.l10n.t('Learn why blocking the event loop hurts (Concurrency Guide)'),
  },
  node: {
    guide: { language: 'node', model: 'coroutines', section: 'pitfalls' },
    warning: (duration) => vscode.l10n.t('The event loop was blocked here for {0}: no other callback, timer or request could run meanwhile. Use an asynchronous API, move the work to a Worker (worker_threads), or split it into chunks with setImmediate.', duration),
    learnTitle: () => vscode.l10n.t('Learn how to keep the event loop free: a Worker or setImmediate (Concurrency Guide)'),
  },
};

const PYTHON_FILE = /\.pyw?$/i;

/**
 * Warnings in the editor at the lines that blocked an event loop during a monitored run, with a
 * code action (and a code link) that opens the guide on blocking that runtime's loop: Python's
 * asyncio or Node's event loop, by the runtime of the process that blocked (else the file's kind).
 */
export class RuntimeDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('concurrencyLens.runtime');
  /** The runtime each warning is about, by `uri#line`, for its code action. */
  private readonly runtimeAt = new Map<string, Runtime['name']>();

  constructor(private readonly isUserFile: (file: string) => boolean) {}

  /** Rebuilds the warnings from the blocked-loop events of the runs listed (the longest per line). */
  update(models: readonly RunModel[]): void {
    const byLine = new Map<string, { uri: vscode.Uri; line: number; durationMs: number; runtime: Runtime['name'] }>();
    for (const model of models) {
      for (const event of model.blockedEvents()) {
        const frame = blockingFrame(event.stack, this.isUserFile);
        if (!frame || !path.isAbsolute(frame.file)) continue;
        const key = `${frame.file}:${frame.line}`;
        const known = byLine.get(key);
        const runtime = model.process(event.pid)?.runtime?.name ?? (PYTHON_FILE.test(frame.file) ? 'python' : 'node');
        if (!known || known.durationMs < event.durationMs) byLine.set(key, { uri: vscode.Uri.file(frame.file), line: frame.line - 1, durationMs: event.durationMs, runtime });
      }
    }
    const byFile = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    this.runtimeAt.clear();
    for (const { uri, line, durationMs, runtime } of byLine.values()) {
      const advice = ADVICE[runtime];
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), advice.warning(formatDuration(durationMs)), vscode.DiagnosticSeverity.Warning);
      diagnostic.source = RUNTIME_DIAGNOSTIC_SOURCE;
      diagnostic.code = { value: BLOCKED_LOOP_CODE, target: vscode.Uri.parse(`command:${CommandId.OpenGuide}?${encodeURIComponent(JSON.stringify([advice.guide]))}`) };
      this.runtimeAt.set(`${uri.toString()}#${line}`, runtime);
      const entry = byFile.get(uri.toString()) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(diagnostic);
      byFile.set(uri.toString(), entry);
    }
    this.collection.clear();
    for (const { uri, diagnostics } of byFile.values()) this.collection.set(uri, diagnostics);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === RUNTIME_DIAGNOSTIC_SOURCE)
      .map((diagnostic) => {
        const runtime = this.runtimeAt.get(`${document.uri.toString()}#${diagnostic.range.start.line}`) ?? (document.languageId === 'python' ? 'python' : 'node');
        const advice = ADVICE[runtime];
        const action = new vscode.CodeAction(advice.learnTitle(), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: CommandId.OpenGuide, title: vscode.l10n.t('Open Guide'), arguments: [advice.guide] };
        return action;
      });
  }

  dispose(): void {
    this.collection.dispose();
  }
}
