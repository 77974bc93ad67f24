import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Runtime } from '../core/probe/protocol';
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

/** What to tell about a blocked loop, by the runtime whose loop it was (`python-gil`: a Python thread that held the GIL). */
interface BlockedLoopAdvice {
  /** The guide section that explains blocking that runtime's event loop. */
  readonly guide: Partial<GuideViewState>;
  warning(duration: string): string;
  learnTitle(): string;
}

const ADVICE: Readonly<Record<Runtime['name'] | 'python-gil', BlockedLoopAdvice>> = {
  python: {
    guide: { language: 'python', model: 'coroutines' },
    warning: (duration) => vscode.l10n.t('The event loop was blocked here for {0}: no other task could run meanwhile. Await an async version, or move the work to a thread (asyncio.to_thread) or a process.', duration),
    learnTitle: () => vscode.l10n.t('Learn why blocking the event loop hurts (Concurrency Guide)'),
  },
  'python-gil': {
    guide: { language: 'python', model: 'threads', section: 'pitfalls' },
    warning: (duration) => vscode.l10n.t('This line held the GIL inside C code for {0}: no other thread of the process could run meanwhile, not even to switch. Run it in another process (ProcessPoolExecutor), or use a C library that lets go of the GIL; for a regular expression, one that cannot backtrack without end.', duration),
    learnTitle: () => vscode.l10n.t('Learn why C code that keeps the GIL stops every thread (Concurrency Guide)'),
  },
  node: {
    guide: { language: 'node', model: 'coroutines', section: 'pitfalls' },
    warning: (duration) => vscode.l10n.t('The event loop was blocked here for {0}: no other callback, timer or request could run meanwhile. Use an asynchronous API, move the work to a Worker (worker_threads), or split it into chunks with setImmediate.', duration),
    learnTitle: () => vscode.l10n.t('Learn how to keep the event loop free: a Worker or setImmediate (Concurrency Guide)'),
  },
};

const PYTHON_FILE = /\.pyw?$/i;

/**
 * What the monitored runs found, in the editor: warnings at the lines that blocked an event loop
 * (with the advice of that runtime: Python's asyncio or Node's event loop, by the runtime of the
 * process that blocked, else the file's kind), and errors at every line a stuck run involves (where
 * each thread or task waits, where it entered the lock another waits for), each with the others as
 * related information. A code link and a code action open the guide where it explains the mistake.
 */
export class RuntimeDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('concurrencyLens.runtime');
  private blocked: Placed[] = [];
  private stuck: Placed[] = [];
  private readonly uris = new Map<string, vscode.Uri>();
  /** What each warning is about (its runtime, or a GIL hold), by `uri#line`, for its code action. */
  private readonly runtimeAt = new Map<string, keyof typeof ADVICE>();

  constructor(private readonly isUserFile: (file: string) => boolean) {}

  /** Rebuilds the warnings from the blocked-loop events of the runs listed (the longest per line). */
  update(models: readonly RunModel[]): void {
    const byLine = new Map<string, { file: string; line: number; durationMs: number; runtime: keyof typeof ADVICE }>();
    for (const model of models) {
      for (const event of model.blockedEvents()) {
        const frame = blockingFrame(event.stack, this.isUserFile);
        if (!frame || !path.isAbsolute(frame.file)) continue;
        const key = `${frame.file}:${frame.line}`;
        const known = byLine.get(key);
        const runtime = event.gil ? 'python-gil' : model.process(event.pid)?.runtime?.name ?? (PYTHON_FILE.test(frame.file) ? 'python' : 'node');
        if (!known || known.durationMs < event.durationMs) byLine.set(key, { file: frame.file, line: frame.line - 1, durationMs: event.durationMs, runtime });
      }
    }
    this.runtimeAt.clear();
    this.blocked = [...byLine.values()].map(({ file, line, durationMs, runtime }) => {
      const advice = ADVICE[runtime];
      this.runtimeAt.set(`${this.uri(file).toString()}#${line}`, runtime);
      return this.diagnostic(file, line, advice.warning(formatDuration(durationMs)), vscode.DiagnosticSeverity.Warning, BLOCKED_LOOP_CODE, advice.guide);
    });
    this.publish();
  }

  /** Rebuilds the errors from the stuck reports of the runs listed (each with its run's wait-for graph, for names). */
  updateStuck(runs: readonly { readonly reports: readonly StuckReport[]; readonly graph: WaitGraph | undefined }[]): void {
    const now = Date.now();
    this.stuck = runs.flatMap(({ reports, graph }) => reports.flatMap((report) => {
      const names = namesFrom(graph);
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
    }));
    this.publish();
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === RUNTIME_DIAGNOSTIC_SOURCE)
      .map((diagnostic) => {
        const stuck = typeof diagnostic.code === 'object' && diagnostic.code.value === STUCK_CODE;
        const runtime = this.runtimeAt.get(`${document.uri.toString()}#${diagnostic.range.start.line}`) ?? (document.languageId === 'python' ? 'python' : 'node');
        const title = stuck ? vscode.l10n.t('Learn how this program got stuck and how to avoid it (Concurrency Guide)') : ADVICE[runtime].learnTitle();
        const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: CommandId.OpenGuide, title: vscode.l10n.t('Open Guide'), arguments: [guideOf(diagnostic, ADVICE[runtime].guide)] };
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
function guideOf(diagnostic: vscode.Diagnostic, fallback: Partial<GuideViewState>): Partial<GuideViewState> {
  const target = typeof diagnostic.code === 'object' ? diagnostic.code.target : undefined;
  try {
    const args: unknown = target ? JSON.parse(decodeURIComponent(target.query)) : undefined;
    return Array.isArray(args) ? parseGuideViewRequest(args[0]) : fallback;
  } catch {
    return fallback;
  }
}
