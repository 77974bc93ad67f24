import * as vscode from 'vscode';
import { CommandId, WebviewPanelType } from '../ids';
import { parseGuideViewRequest } from '../shared/guideProtocol';
import type { ExperimentRunner } from './experimentRunner';
import type { GuideController } from './guidePanel';

export function register(guide: GuideController, experiments: ExperimentRunner): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.OpenGuide, (arg?: unknown) => guide.open(parseGuideViewRequest(arg))),
    // Shows the experiment in the guide (the language follows the argument or the active editor) and runs it.
    vscode.commands.registerCommand(CommandId.RunExperiment, (arg?: unknown) => {
      guide.open({ ...parseGuideViewRequest(arg), section: 'experiment' });
      return experiments.run(guide.currentView.language);
    }),
    vscode.window.registerWebviewPanelSerializer(WebviewPanelType.Guide, {
      deserializeWebviewPanel: (panel, state) => {
        guide.restore(panel, state);
        return Promise.resolve();
      },
    }),
  ];
}
