import * as vscode from 'vscode';
import { CommandId, WebviewPanelType } from '../ids';
import { parseGuideViewRequest } from '../shared/guideProtocol';
import type { GuideController } from './guidePanel';

export function register(guide: GuideController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.OpenGuide, (arg?: unknown) => guide.open(parseGuideViewRequest(arg))),
    vscode.window.registerWebviewPanelSerializer(WebviewPanelType.Guide, {
      deserializeWebviewPanel: (panel, state) => {
        guide.restore(panel, state);
        return Promise.resolve();
      },
    }),
  ];
}
