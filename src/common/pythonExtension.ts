import * as vscode from 'vscode';

/** The Python extension's id (`PVSC_EXTENSION_ID` of @vscode/python-extension, which loads only when it is installed). */
const PYTHON_EXTENSION_ID = 'ms-python.python';

/**
 * The interpreter the Python extension has selected for `resource`, when that extension is
 * installed and answers; undefined otherwise (the caller falls back to our setting). Its API
 * package is imported here, on first use, so that activation does not load it.
 */
export async function selectedPythonInterpreter(resource: vscode.Uri | undefined, log?: vscode.LogOutputChannel): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) return undefined;
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    const environments = (await PythonExtension.api()).environments;
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch (error) {
    // Installed but not usable (disabled, failed to activate).
    log?.warn(`could not ask the Python extension for its interpreter: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
