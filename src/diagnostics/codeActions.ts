/**
 * Code actions for our diagnostics: each rule's fixes (QuickFix / RefactorRewrite), then
 * "Ignore on this line", "Disable rule …" and "Open in guide". Edits are WorkspaceEdits, so
 * each action is one undo step.
 */
import * as vscode from 'vscode';
import type { ruleMeta as RuleMetaOf } from '../core/analysis/rules';
import { type Finding, isRuleId } from '../core/analysis/types';
import type { Fix } from '../core/fixes/edits';
import { type PythonVersion, minimumPythonFromPyproject, projectDirectoriesOf, pythonFromVersionFile } from '../core/fixes/pythonVersion';
import { CommandId } from '../ids';
import { DIAGNOSTIC_SOURCE, type DocumentAnalyses, ruleIdOf, userLocale } from './documentAnalyses';

export class ConcurrencyCodeActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  constructor(private readonly analyses: DocumentAnalyses) {}

  async provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    const project = document.languageId === 'python' ? { pythonMinimum: await pythonMinimumOf(document) } : {};
    // The fixes load with the first lightbulb, not at activation.
    const [{ fixesFor, ignoreOnLineFix }, { ruleMeta }] = await Promise.all([import('../core/fixes/fixes'), import('../core/analysis/rules')]);
    // Awaited last: the analysis's document follows the editor's edits, so it is read before anything else can await.
    const analysis = await this.analyses.analysisOf(document);
    if (!analysis) return [];
    const locale = userLocale();
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const start = document.offsetAt(diagnostic.range.start);
      const end = document.offsetAt(diagnostic.range.end);
      const finding = analysis.findings.find((candidate) => candidate.rule === ruleIdOf(diagnostic) && candidate.start === start && candidate.end === end);
      if (!finding) continue;
      for (const fix of fixesFor(analysis.document, finding, project)) actions.push(toAction(document, fix, locale, diagnostic));
      const ignore = ignoreOnLineFix(analysis.document, finding);
      if (ignore) actions.push(toAction(document, ignore, locale, diagnostic));
      actions.push(disableRuleAction(finding, diagnostic), openGuideAction(finding, diagnostic, ruleMeta));
    }
    return actions;
  }
}

/** The oldest Python the document's project declares (see core/fixes/pythonVersion.ts). */
async function pythonMinimumOf(document: vscode.TextDocument): Promise<PythonVersion | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return undefined;
  for (const directory of projectDirectoriesOf(document.uri.path, folder.uri.path)) {
    const at = (name: string): vscode.Uri => vscode.Uri.joinPath(folder.uri.with({ path: directory }), name);
    const pyproject = await readTextFile(at('pyproject.toml'));
    const declared = pyproject === undefined ? undefined : minimumPythonFromPyproject(pyproject);
    if (declared) return declared;
    const versionFile = await readTextFile(at('.python-version'));
    const pinned = versionFile === undefined ? undefined : pythonFromVersionFile(versionFile);
    if (pinned) return pinned;
  }
  return undefined;
}

async function readTextFile(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined; // no such file: the project does not declare it
  }
}

function toAction(document: vscode.TextDocument, fix: Fix, locale: 'en' | 'zh-cn', diagnostic: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title[locale], fix.kind === 'refactor' ? vscode.CodeActionKind.RefactorRewrite : vscode.CodeActionKind.QuickFix);
  const edit = new vscode.WorkspaceEdit();
  for (const change of fix.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.newText);
  action.edit = edit;
  action.isPreferred = fix.isPreferred;
  action.diagnostics = [diagnostic];
  return action;
}

function disableRuleAction(finding: Finding, diagnostic: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(vscode.l10n.t('Disable rule {0}', finding.rule), vscode.CodeActionKind.QuickFix);
  action.command = { title: action.title, command: CommandId.DisableRule, arguments: [finding.rule] };
  action.diagnostics = [diagnostic];
  return action;
}

function openGuideAction(finding: Finding, diagnostic: vscode.Diagnostic, ruleMeta: typeof RuleMetaOf): vscode.CodeAction {
  const action = new vscode.CodeAction(vscode.l10n.t('Open in guide: {0}', ruleMeta(finding.rule).title[userLocale()]), vscode.CodeActionKind.QuickFix);
  action.command = { title: action.title, command: CommandId.OpenGuide, arguments: [ruleMeta(finding.rule).guide] };
  action.diagnostics = [diagnostic];
  return action;
}

/** Writes `"<rule>": "off"` into `concurrencyLens.rules` (workspace settings when a folder is open). */
export async function disableRule(rule: unknown): Promise<void> {
  if (!isRuleId(rule)) return;
  const configuration = vscode.workspace.getConfiguration('concurrencyLens');
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const inspected = configuration.inspect<Record<string, unknown>>('rules');
  const current = (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
  await configuration.update('rules', { ...current, [rule]: 'off' }, target);
}
