import * as vscode from 'vscode';
import { renderWebviewHtml, webviewResourceRoots } from '../common/webviewHtml';
import { guideLocaleFor } from '../core/guide/localized';
import { WebviewPanelType } from '../ids';
import {
  FromGuideType, ToGuideType, modelIn, parseFromGuide, parseGuideViewState, topicOf,
  type ConcurrencyModel, type Decision, type DecisionAnswers, type GuideLanguage, type GuideViewState, type ToGuideMessage,
} from '../shared/guideProtocol';
import type { ExperimentRunner } from './experimentRunner';
import type * as GuideKnowledge from './guideKnowledge';
import { guideStrings } from './guideStrings';

const DEFAULT_VIEW: GuideViewState = { language: 'python', model: 'coroutines', section: 'overview' };

/** The guide language for an editor's document: Python files → Python, JavaScript/TypeScript → Node.js. */
function guideLanguageOf(editor: vscode.TextEditor | undefined): GuideLanguage | undefined {
  const languageId = editor?.document.languageId;
  if (languageId === 'python') return 'python';
  if (languageId && ['javascript', 'typescript', 'javascriptreact', 'typescriptreact'].includes(languageId)) return 'node';
  return undefined;
}

function isOpenInTab(uri: vscode.Uri): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()));
}

export type InsertResult = 'inserted' | 'noEditor' | 'failed';

/** Owns the single guide panel: creates, reveals, restores after reload, and talks to its webview. */
export class GuideController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private view: GuideViewState = DEFAULT_VIEW;
  /** The webview takes focus from text editors, so "Insert at Cursor" targets the last one that had it. */
  private lastTextEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private knowledgeLoading: Promise<typeof GuideKnowledge> | undefined;
  private readonly onDidBecomeReadyEmitter = new vscode.EventEmitter<GuideViewState>();
  /** Fires each time the webview has loaded and received its `init` message (a full round trip). */
  readonly onDidBecomeReady = this.onDidBecomeReadyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly experiments: ExperimentRunner,
  ) {
    this.disposables.push(
      this.onDidBecomeReadyEmitter,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastTextEditor = editor;
      }),
      experiments.onDidChange((snapshot) => this.post({ type: ToGuideType.Experiment, snapshot })),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.postInit()),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get currentView(): GuideViewState {
    return this.view;
  }

  /** The guide's content and decision helper, loaded on first use (started when a panel opens, so it is there by the time its webview asks). */
  private knowledge(): Promise<typeof GuideKnowledge> {
    return (this.knowledgeLoading ??= import('./guideKnowledge'));
  }

  /** Opens (or reveals) the guide at `request`; without a language it follows the active editor's. */
  open(request: Partial<GuideViewState> = {}): void {
    const language = request.language ?? guideLanguageOf(vscode.window.activeTextEditor) ?? this.view.language;
    const section = request.section ?? (request.model ? 'overview' : this.view.section);
    const model = modelIn(language, request.model ?? this.view.model);
    this.view = { ...this.view, ...request, language, model, section };
    if (this.panel) {
      this.panel.reveal();
      void this.postInit();
      return;
    }
    // Beside the code when there is some, so an inserted example and the guide stay in view together.
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(WebviewPanelType.Guide, vscode.l10n.t('Concurrency Guide'), column, {
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

  async decide(language: GuideLanguage, answers: DecisionAnswers): Promise<Decision> {
    const { decide, localize } = await this.knowledge();
    return localize(decide(language, answers), this.locale);
  }

  /** Inserts the example at the cursor of the last active text editor, as one undo step. */
  async insertExample(language: GuideLanguage, model: ConcurrencyModel, answers?: DecisionAnswers): Promise<InsertResult> {
    const editor = await this.showTargetEditor();
    if (!editor) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a file in an editor first: the example is inserted at its cursor.'));
      return 'noEditor';
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(editor.document.uri, editor.selection, await this.exampleCode(language, model, answers));
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not insert the example into {0}: the editor is read-only or was closed.', vscode.workspace.asRelativePath(editor.document.uri)));
      return 'failed';
    }
    return 'inserted';
  }

  async copyExample(language: GuideLanguage, model: ConcurrencyModel, answers?: DecisionAnswers): Promise<void> {
    await vscode.env.clipboard.writeText(await this.exampleCode(language, model, answers));
    vscode.window.setStatusBarMessage(vscode.l10n.t('Example copied to the clipboard.'), 3000);
  }

  private async exampleCode(language: GuideLanguage, model: ConcurrencyModel, answers: DecisionAnswers | undefined): Promise<string> {
    const { decide, GUIDE_CONTENT } = await this.knowledge();
    return (answers ? decide(language, answers).example : topicOf(GUIDE_CONTENT, language, model)?.example)?.code ?? '';
  }

  /**
   * The active text editor, or else the last one that was active while its document is still open
   * in a tab (the guide may have been opened over it): shown again, with its cursor where it was.
   */
  private async showTargetEditor(): Promise<vscode.TextEditor | undefined> {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    const last = this.lastTextEditor;
    if (!last || last.document.isClosed || !isOpenInTab(last.document.uri)) return undefined;
    return vscode.window.showTextDocument(last.document, { viewColumn: last.viewColumn, selection: last.selection, preserveFocus: false });
  }

  private get locale(): ReturnType<typeof guideLocaleFor> {
    return guideLocaleFor(vscode.env.language);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    void this.knowledge();
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
        void this.postInit().then(() => this.onDidBecomeReadyEmitter.fire(this.view));
        return;
      case FromGuideType.ViewChanged:
        this.view = message.view;
        return;
      case FromGuideType.InsertExample:
        void this.insertExample(message.language, message.model, message.answers);
        return;
      case FromGuideType.CopyExample:
        void this.copyExample(message.language, message.model, message.answers);
        return;
      case FromGuideType.Decide:
        void this.decide(message.language, message.answers).then((decision) => this.post({ type: ToGuideType.Decision, answers: message.answers, decision }));
        return;
      case FromGuideType.RunExperiment:
        void this.experiments.run(message.language);
        return;
      case FromGuideType.CancelExperiment:
        this.experiments.cancel(message.language);
        return;
    }
  }

  private async postInit(): Promise<void> {
    const { localizedContent } = await this.knowledge();
    this.post({
      type: ToGuideType.Init,
      locale: vscode.env.language,
      strings: guideStrings(),
      content: localizedContent(this.locale),
      view: this.view,
      trusted: vscode.workspace.isTrusted,
      experiments: this.experiments.all,
    });
  }

  private post(message: ToGuideMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private disposePanel(): void {
    this.panel = undefined;
    vscode.Disposable.from(...this.panelDisposables.splice(0)).dispose();
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposePanel();
    vscode.Disposable.from(...this.disposables.splice(0)).dispose();
  }
}
