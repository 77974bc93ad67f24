import * as vscode from 'vscode';
import { renderWebviewHtml, webviewResourceRoots } from '../common/webviewHtml';
import { WebviewPanelType } from '../ids';
import {
  FromGuideType, ToGuideType, parseFromGuide, parseGuideViewState,
  type GuideStrings, type GuideViewState, type ToGuideMessage,
} from '../shared/guideProtocol';

const DEFAULT_VIEW: GuideViewState = { language: 'python', model: 'coroutines' };

function guideStrings(): GuideStrings {
  return {
    title: vscode.l10n.t('Concurrency Guide'),
    subtitle: vscode.l10n.t('Coroutines, threads and processes in Python and Node.js, side by side.'),
    languageLabel: vscode.l10n.t('Language'),
    python: 'Python',
    node: 'Node.js',
    models: {
      coroutines: {
        name: vscode.l10n.t('Coroutines'),
        summary: vscode.l10n.t('One thread, one event loop: tasks take turns at each await. Best for many concurrent I/O waits.'),
      },
      threads: {
        name: vscode.l10n.t('Threads'),
        summary: vscode.l10n.t('Preemptive OS threads sharing memory. In CPython the GIL runs one thread of Python code at a time, so threads help with blocking I/O, not pure-Python CPU work.'),
      },
      processes: {
        name: vscode.l10n.t('Processes'),
        summary: vscode.l10n.t('Separate interpreters with separate memory: true parallel CPU work and failure isolation, at a higher start-up cost.'),
      },
    },
  };
}

/** Owns the single guide panel: creates, reveals, restores after reload, and talks to its webview. */
export class GuideController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private view: GuideViewState = DEFAULT_VIEW;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private readonly onDidBecomeReadyEmitter = new vscode.EventEmitter<GuideViewState>();
  /** Fires each time the webview has loaded and received its `init` message (a full round trip). */
  readonly onDidBecomeReady = this.onDidBecomeReadyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get currentView(): GuideViewState {
    return this.view;
  }

  open(view: Partial<GuideViewState> = {}): void {
    this.view = { ...this.view, ...view };
    if (this.panel) {
      this.panel.reveal();
      this.postInit();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WebviewPanelType.Guide, vscode.l10n.t('Concurrency Guide'), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: webviewResourceRoots(this.extensionUri),
    });
    this.attach(panel);
  }

  /** Called by the serializer when VS Code restores the panel after a window reload. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    this.view = parseGuideViewState(state) ?? this.view;
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity-bar.svg');
    panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, {
      title: vscode.l10n.t('Concurrency Guide'),
      lang: vscode.env.language,
      script: 'guide.js',
      styles: ['webview.css', 'guide.css'],
    });
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.handleMessage(message)),
      panel.onDidDispose(() => this.disposePanel()),
    );
  }

  private handleMessage(raw: unknown): void {
    const message = parseFromGuide(raw);
    if (!message) {
      this.log.warn('Guide: ignored a malformed message from the webview', raw);
      return;
    }
    switch (message.type) {
      case FromGuideType.Ready:
        this.postInit();
        this.onDidBecomeReadyEmitter.fire(this.view);
        return;
      case FromGuideType.ViewChanged:
        this.view = message.view;
        return;
    }
  }

  private postInit(): void {
    const message: ToGuideMessage = { type: ToGuideType.Init, locale: vscode.env.language, strings: guideStrings(), view: this.view };
    void this.panel?.webview.postMessage(message);
  }

  private disposePanel(): void {
    this.panel = undefined;
    vscode.Disposable.from(...this.panelDisposables.splice(0)).dispose();
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposePanel();
    this.onDidBecomeReadyEmitter.dispose();
  }
}
