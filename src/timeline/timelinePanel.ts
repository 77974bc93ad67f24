import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderWebviewHtml, webviewResourceRoots } from '../common/webviewHtml';
import { buildTimeline } from '../core/timeline/timelineData';
import { WebviewPanelType } from '../ids';
import type { LastRunStore } from '../runs/lastRun';
import type { ShownRun } from '../runs/shownRun';
import {
  FromTimelineType, ToTimelineType, parseFromTimeline, type TimelineStrings, type ToTimelineMessage,
} from '../shared/timelineProtocol';

/** Updates while a run is live are sent at most this often. */
const UPDATE_INTERVAL_MS = 250;
/** While live and quiet, the open spans still grow: resend this often. */
const LIVE_TICK_MS = 1000;

function timelineStrings(): TimelineStrings {
  return {
    title: vscode.l10n.t('Timeline'),
    noRun: vscode.l10n.t('No run to show. Run a program with the Concurrency Monitor, or open a recording.'),
    live: vscode.l10n.t('running'),
    ended: vscode.l10n.t('ended'),
    zoomIn: vscode.l10n.t('Zoom in (+)'),
    zoomOut: vscode.l10n.t('Zoom out (-)'),
    fit: vscode.l10n.t('Fit the whole run (0)'),
    canvasLabel: vscode.l10n.t('Timeline of processes, threads and tasks. Arrow keys pan, + and - zoom, 0 fits.'),
    help: vscode.l10n.t('Wheel: zoom · Shift+wheel: scroll lanes · drag or arrow keys: pan · click: open source'),
    summary: vscode.l10n.t('{0} processes, {1} lanes, {2} spans over {3}; {4} blocked event loops.'),
    tableToggle: vscode.l10n.t('Lanes as a table'),
    tableTruncated: vscode.l10n.t('The first {0} of {1} lanes.'),
    columns: {
      lane: vscode.l10n.t('Lane'),
      kind: vscode.l10n.t('Kind'),
      state: vscode.l10n.t('Last state'),
      start: vscode.l10n.t('Start'),
      duration: vscode.l10n.t('Duration'),
    },
    blockedFor: vscode.l10n.t('Event loop blocked for {0}'),
    gilHeldFor: vscode.l10n.t('GIL held for {0}'),
    clickToOpen: vscode.l10n.t('Click to open the source'),
    lagAt: vscode.l10n.t('Event-loop lag {0}'),
    lagThreshold: vscode.l10n.t('Blocked-loop threshold {0}'),
    lagStats: vscode.l10n.t('max {0} · p95 {1}'),
    lagSummary: vscode.l10n.t('Event-loop lag on {0}: max {1}, p95 {2}.'),
    range: vscode.l10n.t('Showing {0} to {1}'),
    busyAt: vscode.l10n.t('Loop busy {0} of this moment'),
    busyStats: vscode.l10n.t('busy {0} of the traced time · {1} callbacks'),
    busySummary: vscode.l10n.t('The event loop on {0} was busy {1} of the traced time ({2} callbacks).'),
    slowTitle: vscode.l10n.t('Slowest callbacks'),
    slowRow: vscode.l10n.t('{0} · {1} · on {2}'),
    states: {
      running: vscode.l10n.t('running'),
      waiting: vscode.l10n.t('waiting'),
      blocked: vscode.l10n.t('blocked'),
      done: vscode.l10n.t('done'),
      failed: vscode.l10n.t('failed'),
      cancelled: vscode.l10n.t('cancelled'),
    },
    kinds: {
      process: vscode.l10n.t('process'),
      thread: vscode.l10n.t('thread'),
      worker: vscode.l10n.t('worker thread'),
      task: vscode.l10n.t('task'),
      child: vscode.l10n.t('child process'),
      lag: vscode.l10n.t('event-loop lag'),
      busy: vscode.l10n.t('event loop busy'),
    },
  };
}

/**
 * Owns the single timeline panel and keeps it in step with the shown run. The webview is not kept
 * alive while hidden: each time it loads it asks for the data again and restores its zoom and
 * scroll from its own state, which also brings the panel back after a window reload.
 */
export class TimelineController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private modelSubscription: { dispose(): void } | undefined;
  private pendingUpdate: NodeJS.Timeout | undefined;
  private liveTick: NodeJS.Timeout | undefined;
  private ready = false;
  /** The panel has been hidden since the last data it got. */
  private hidden = false;
  private readonly runSubscription: vscode.Disposable;
  private readonly onDidPostDataEmitter = new vscode.EventEmitter<void>();
  /** Fires after each data message reaches the webview (for tests). */
  readonly onDidPostData = this.onDidPostDataEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly shownRun: ShownRun,
    private readonly log: vscode.LogOutputChannel,
    private readonly lastRun: LastRunStore,
  ) {
    this.runSubscription = shownRun.onDidChange(() => this.followRun());
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  open(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.attach(vscode.window.createWebviewPanel(WebviewPanelType.Timeline, vscode.l10n.t('Concurrency Timeline'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: webviewResourceRoots(this.extensionUri),
    }));
  }

  /**
   * Called by the serializer when VS Code brings the panel back after a window reload: it shows
   * the run being shown (a live one), else the last run saved, else nothing.
   */
  async restore(panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    if (this.panel && this.panel !== panel) this.panel.dispose();
    this.attach(panel);
    if (this.shownRun.run) return;
    const saved = await this.lastRun.load();
    if (saved && !this.shownRun.run) this.shownRun.show(saved);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.hidden = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity-bar.svg');
    panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, {
      title: vscode.l10n.t('Concurrency Timeline'),
      lang: vscode.env.language,
      script: 'timeline.js',
      styles: ['webview.css', 'timeline.css'],
    });
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.handleMessage(message)),
      // Nothing is built for a hidden panel; it gets the run as it is now once shown again
      // (not at every change of focus while it stays visible).
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.hidden = true;
        else if (this.hidden) {
          this.hidden = false;
          this.sendData();
        }
      }),
      panel.onDidDispose(() => this.disposePanel()),
    );
    this.followRun();
  }

  private handleMessage(raw: unknown): void {
    const message = parseFromTimeline(raw);
    if (!message) {
      this.log.warn('Timeline: ignored a malformed message from the webview', raw);
      return;
    }
    switch (message.type) {
      case FromTimelineType.Ready:
        this.ready = true;
        this.post({ type: ToTimelineType.Init, locale: vscode.env.language, strings: timelineStrings() });
        this.sendData();
        return;
      case FromTimelineType.OpenSource:
        void this.openSource(message.file, message.line);
        return;
    }
  }

  /** Subscribes to the shown run's model, and ticks while it is live. */
  private followRun(): void {
    this.modelSubscription?.dispose();
    this.modelSubscription = undefined;
    clearInterval(this.liveTick);
    this.liveTick = undefined;
    if (!this.panel) return;
    const run = this.shownRun.run;
    if (run?.live) {
      this.modelSubscription = run.model.onDidChange(() => this.scheduleData());
      this.liveTick = setInterval(() => this.scheduleData(), LIVE_TICK_MS);
    }
    this.sendData();
  }

  /** A live run's changes, at most every UPDATE_INTERVAL_MS, and none for a hidden panel. */
  private scheduleData(): void {
    this.pendingUpdate ??= setTimeout(() => {
      if (this.panel?.visible) this.sendData();
      else this.pendingUpdate = undefined;
    }, UPDATE_INTERVAL_MS);
  }

  private sendData(): void {
    clearTimeout(this.pendingUpdate);
    this.pendingUpdate = undefined;
    if (!this.panel || !this.ready) return;
    const run = this.shownRun.run;
    const data = run ? buildTimeline(run.model, run.model.clock(Date.now()), run.live) : undefined;
    this.post({ type: ToTimelineType.Data, title: run?.title ?? '', data });
    this.onDidPostDataEmitter.fire();
  }

  private post(message: ToTimelineMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  /** Opens a source location the webview asked for: only existing local files. */
  private async openSource(file: string, line: number): Promise<void> {
    if (!path.isAbsolute(file)) {
      this.log.info(`Timeline: not opening "${file}" (not a file path)`);
      return;
    }
    const uri = vscode.Uri.file(file);
    try {
      await vscode.workspace.fs.stat(uri);
      const position = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One, preview: true });
    } catch {
      void vscode.window.showWarningMessage(vscode.l10n.t('Cannot open {0}: the file is not available.', file));
    }
  }

  private disposePanel(): void {
    this.panel = undefined;
    this.ready = false;
    this.modelSubscription?.dispose();
    this.modelSubscription = undefined;
    clearInterval(this.liveTick);
    clearTimeout(this.pendingUpdate);
    this.liveTick = this.pendingUpdate = undefined;
    vscode.Disposable.from(...this.panelDisposables.splice(0)).dispose();
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposePanel();
    this.runSubscription.dispose();
    this.onDidPostDataEmitter.dispose();
  }
}
