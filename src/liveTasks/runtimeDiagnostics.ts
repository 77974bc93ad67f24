import * as vscode from 'vscode';
import type { RunModel } from '../core/runs/runModel';
import { blockingFrame, formatDuration } from '../core/runs/treeShape';
import { CommandId } from '../ids';

export const RUNTIME_DIAGNOSTIC_SOURCE = 'Concurrency Lens (runtime)';
const BLOCKED_LOOP_CODE = 'blocked-event-loop';
/** The guide section that explains blocking the event loop. */
const GUIDE_ARGUMENT = { language: 'python', model: 'coroutines' } as const;

/**
 * Warnings in the editor at the lines that blocked an event loop during a monitored run, with a
 * code action (and a code link) that opens the guide on coroutines and blocking.
 */
export class RuntimeDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('concurrencyLens.runtime');

  constructor(private readonly isUserFile: (file: string) => boolean) {}

  /** Rebuilds the warnings from the run's blocked-loop events (the longest per line). */
  update(model: RunModel): void {
    const byLine = new Map<string, { uri: vscode.Uri; line: number; durationMs: number }>();
    for (const event of model.blockedEvents()) {
      const frame = blockingFrame(event.stack, this.isUserFile);
      if (!frame) continue;
      const key = `${frame.file}:${frame.line}`;
      const known = byLine.get(key);
      if (!known || known.durationMs < event.durationMs) byLine.set(key, { uri: vscode.Uri.file(frame.file), line: frame.line - 1, durationMs: event.durationMs });
    }
    const byFile = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const { uri, line, durationMs } of byLine.values()) {
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        vscode.l10n.t('The event loop was blocked here for {0}: no other task could run meanwhile. Await an async version, or move the work to a thread (asyncio.to_thread) or a process.', formatDuration(durationMs)),
        vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = RUNTIME_DIAGNOSTIC_SOURCE;
      diagnostic.code = { value: BLOCKED_LOOP_CODE, target: vscode.Uri.parse(`command:${CommandId.OpenGuide}?${encodeURIComponent(JSON.stringify([GUIDE_ARGUMENT]))}`) };
      const entry = byFile.get(uri.toString()) ?? { uri, diagnostics: [] };
      entry.diagnostics.push(diagnostic);
      byFile.set(uri.toString(), entry);
    }
    this.collection.clear();
    for (const { uri, diagnostics } of byFile.values()) this.collection.set(uri, diagnostics);
  }

  clear(): void {
    this.collection.clear();
  }

  provideCodeActions(_document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === RUNTIME_DIAGNOSTIC_SOURCE)
      .map((diagnostic) => {
        const action = new vscode.CodeAction(vscode.l10n.t('Learn why blocking the event loop hurts (Concurrency Guide)'), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: CommandId.OpenGuide, title: vscode.l10n.t('Open Guide'), arguments: [GUIDE_ARGUMENT] };
        return action;
      });
  }

  dispose(): void {
    this.collection.dispose();
  }
}
