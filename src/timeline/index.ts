import * as vscode from 'vscode';
import { CommandId, WebviewPanelType } from '../ids';
import type { TimelineController } from './timelinePanel';

export function register(timeline: TimelineController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.ShowTimeline, () => timeline.open()),
    vscode.window.registerWebviewPanelSerializer(WebviewPanelType.Timeline, {
      deserializeWebviewPanel: (panel) => timeline.restore(panel),
    }),
  ];
}
