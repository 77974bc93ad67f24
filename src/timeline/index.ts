import * as vscode from 'vscode';
import { CommandId } from '../ids';
import type { TimelineController } from './timelinePanel';

export function register(timeline: TimelineController): vscode.Disposable[] {
  return [vscode.commands.registerCommand(CommandId.ShowTimeline, () => timeline.open())];
}
