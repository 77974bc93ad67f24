import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunModel } from '../core/runs/runModel';
import type { UnreadableRecording } from '../core/timeline/chromeTrace';
import { buildTimeline } from '../core/timeline/timelineData';
import { CommandId } from '../ids';
import type { ShownRun } from '../runs/shownRun';

function jsonFilter(): Record<string, string[]> {
  return { [vscode.l10n.t('Chrome trace or recording')]: ['json'] };
}

/**
 * "Export Run as Chrome Trace…" and "Open Recording…". Both take an optional file URI (used by
 * tests and other commands) and otherwise ask with a file dialog.
 */
export function register(shownRun: ShownRun, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.ExportTrace, (target?: unknown) => exportTrace(shownRun, log, asUri(target))),
    vscode.commands.registerCommand(CommandId.OpenRecording, (source?: unknown) => openRecording(shownRun, log, asUri(source))),
  ];
}

function asUri(value: unknown): vscode.Uri | undefined {
  return value instanceof vscode.Uri ? value : undefined;
}

async function exportTrace(shownRun: ShownRun, log: vscode.LogOutputChannel, target: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const run = shownRun.run;
  if (!run) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There is no run to export yet: run a program with the Concurrency Monitor first.'));
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const suggested = `${run.title.replace(/[^\w.-]+/g, '_') || 'run'}.trace.json`;
  const uri = target ?? await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggested) : undefined,
    filters: jsonFilter(),
    title: vscode.l10n.t('Export Run as Chrome Trace'),
  });
  if (!uri) return undefined;
  const { toChromeTrace } = await import('../core/timeline/chromeTrace');
  const trace = toChromeTrace(buildTimeline(run.model, run.model.clock(Date.now()), run.live), run.model.toRecording());
  try {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(trace)));
  } catch (error) {
    log.error(`Export to ${uri.toString()} failed: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not write {0}. See the Concurrency Lens output for details.', uri.fsPath));
    return undefined;
  }
  if (!target) void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}. It opens in Perfetto (ui.perfetto.dev) and chrome://tracing, and here with "Open Recording…".', path.basename(uri.fsPath)));
  return uri;
}

async function openRecording(shownRun: ShownRun, log: vscode.LogOutputChannel, source: vscode.Uri | undefined): Promise<boolean> {
  const uri = source ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: jsonFilter(), title: vscode.l10n.t('Open Recording') }))?.[0];
  if (!uri) return false;
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (error) {
    log.error(`Reading ${uri.toString()} failed: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not read {0}.', uri.fsPath));
    return false;
  }
  const { readRecording } = await import('../core/timeline/chromeTrace');
  const result = readRecording(text);
  if (!result.ok) {
    log.warn(`${uri.toString()} cannot be opened as a recording (${result.reason}): ${result.detail}`);
    void vscode.window.showErrorMessage(unreadableMessage(path.basename(uri.fsPath), result));
    return false;
  }
  shownRun.show({ model: RunModel.fromRecording(result.recording), title: path.basename(uri.fsPath), live: false });
  await vscode.commands.executeCommand(CommandId.ShowTimeline);
  return true;
}

/** A sentence for the user; the technical detail goes to the log. */
function unreadableMessage(file: string, result: UnreadableRecording): string {
  switch (result.reason) {
    case 'not-json':
      return vscode.l10n.t('{0} is not a Concurrency Lens recording: it is not a JSON file.', file);
    case 'foreign-trace':
      return vscode.l10n.t('{0} is a Chrome trace that Concurrency Lens did not export: it holds no run to show here. Open it in Perfetto instead.', file);
    case 'not-a-recording':
      return vscode.l10n.t('{0} is not a Concurrency Lens recording or a Chrome trace exported by it.', file);
    case 'newer-version':
      return vscode.l10n.t('{0} was recorded by a newer version of Concurrency Lens. Update the extension to open it.', file);
    case 'damaged':
      return vscode.l10n.t('{0} is a Concurrency Lens recording, but part of it is missing or invalid. The Concurrency Lens output says what.', file);
  }
}
