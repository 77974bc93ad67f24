import * as vscode from 'vscode';
import type { RunModel } from '../core/runs/runModel';
import { involvedLines, type StuckReport } from '../core/runs/stuck';
import { blockingFrame, formatDuration } from '../core/runs/treeShape';
import type { WaitGraph } from '../core/runs/waitGraph';
import { CommandId } from '../ids';
import { type GuideViewState, parseGuideViewRequest } from '../shared/guideProtocol';
import { guideFor, namesFrom, patternTitle, reportWords } from './stuckWords';

interface Placed {
  readonly file: string;
  readonly diagnostic: vscode.Diagnostic;
}

export const RUNTIME_DIAGNOSTIC_SOURCE = 'Concurrency Lens (runtime)';
const BLOCKED_LOOP_CODE = 'blocked-event-loop';
const STUCK_CODE = 'stuck';
/** The guide section that explains blocking the event loop. */
const BLOCKED_LOOP_GUIDE = { language: 'python', model: 'coroutines' } as const;

/**
 * What a monitored run found, in the editor: warnings at the lines that blocked an event loop, and
 * errors at every line a stuck run involves (where each thread or task waits, where it entered the
 * lock another waits for), each with the others as related information. A code link and a code
 * action open the guide where it explains the mistake.
 */
export class RuntimeDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('concurrencyLens.runtime');
  private blocked: Placed[] = [];
  private stuck: Placed[] = [];
  private readonly uris = new Map<string, vscode.Uri>();

  constructor(private readonly isUserFile: (file: string) => boolean) {}

  /** Rebuilds the warnings from the run's blocked-loop events (the longest per line). */
  update(model: RunModel): void {
    const byLine = new Map<string, { file: string; line: number; durationMs: number }>();
    for (const event of model.blockedEvents()) {
      const frame = blockingFrame(event.stack, this.isUserFile);
      if (!frame) continue;
      const key = `${frame.file}:${frame.line}`;
      const known = byLine.get(key);
      if (!known || known.durationMs < event.durationMs) byLine.set(key, { file: frame.file, line: frame.line - 1, durationMs: event.durationMs });
    }
    this.blocked = [...byLine.values()].map(({ file, line, durationMs }) => this.diagnostic(
      file, line,
      vscode.l10n.t('The event loop was blocked here for {0}: no other task could run meanwhile. Await an async version, or move the work to a thread (asyncio.to_thread) or a process.', formatDuration(durationMs)),
      vscode.DiagnosticSeverity.Warning, BLOCKED_LOOP_CODE, BLOCKED_LOOP_GUIDE,
    ));
    this.publish();
  }

  /** Rebuilds the errors from the run's stuck reports. */
  updateStuck(reports: readonly StuckReport[], graph: WaitGraph | undefined): void {
    const now = Date.now();
    const names = namesFrom(graph);
    this.stuck = reports.flatMap((report) => {
      const lines = involvedLines(report);
      const message = `${patternTitle(report.pattern)} — ${reportWords(report, names, now)}`;
      const placed = lines.map(({ location }) => this.diagnostic(location.file, location.line - 1, message, vscode.DiagnosticSeverity.Error, STUCK_CODE, guideFor(report)));
      placed.forEach(({ diagnostic }, index) => {
        diagnostic.relatedInformation = lines.filter((_, other) => other !== index).map(({ location, role, step }) => new vscode.DiagnosticRelatedInformation(
          new vscode.Location(this.uri(location.file), new vscode.Position(location.line - 1, 0)),
          role === 'holds'
            ? vscode.l10n.t('{0} holds it here', report.steps[step]?.waiter.name ?? '')
            : vscode.l10n.t('{0} waits here', report.steps[step]?.waiter.name ?? ''),
        ));
      });
      return placed;
    });
    this.publish();
  }

  clear(): void {
    this.blocked = [];
    this.stuck = [];
    this.collection.clear();
  }

  provideCodeActions(_document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === RUNTIME_DIAGNOSTIC_SOURCE)
      .map((diagnostic) => {
        const stuck = typeof diagnostic.code === 'object' && diagnostic.code.value === STUCK_CODE;
        const title = stuck ? vscode.l10n.t('Learn how this program got stuck and how to avoid it (Concurrency Guide)') : vscode.l10n.t('Learn why blocking the event loop hurts (Concurrency Guide)');
        const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: CommandId.OpenGuide, title: vscode.l10n.t('Open Guide'), arguments: [guideOf(diagnostic)] };
        return action;
      });
  }

  dispose(): void {
    this.collection.dispose();
  }

  private uri(file: string): vscode.Uri {
    let uri = this.uris.get(file);
    if (!uri) this.uris.set(file, (uri = vscode.Uri.file(file)));
    return uri;
  }

  private diagnostic(file: string, line: number, message: string, severity: vscode.DiagnosticSeverity, code: string, guide: Partial<GuideViewState>): Placed {
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), message, severity);
    diagnostic.source = RUNTIME_DIAGNOSTIC_SOURCE;
    diagnostic.code = { value: code, target: vscode.Uri.parse(`command:${CommandId.OpenGuide}?${encodeURIComponent(JSON.stringify([guide]))}`) };
    return { file, diagnostic };
  }

  private publish(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const { file, diagnostic } of [...this.blocked, ...this.stuck]) {
      const list = byFile.get(file);
      if (list) list.push(diagnostic);
      else byFile.set(file, [diagnostic]);
    }
    this.collection.clear();
    for (const [file, diagnostics] of byFile) this.collection.set(this.uri(file), diagnostics);
  }
}

/** The guide page a diagnostic's code links to (the arguments of its `command:` link). */
function guideOf(diagnostic: vscode.Diagnostic): Partial<GuideViewState> {
  const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
  try {
    const args: unknown = target ? JSON.parse(decodeURIComponent(target.query)) : undefined;
    return Array.isArray(args) ? parseGuideViewRequest(args[0]) : BLOCKED_LOOP_GUIDE;
  } catch {
    return BLOCKED_LOOP_GUIDE;
  }
}
