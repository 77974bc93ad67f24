import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { selectedPythonInterpreter } from '../common/pythonExtension';
import {
  interpreterCandidates, isTypeScriptFile, type LaunchSpec, NODE_SCRIPT_EXTENSIONS, nodeLaunchSpec, type ProbeDetail, pythonLaunchSpec,
  TYPESCRIPT_EXTENSIONS, type TypeScriptRunner,
} from '../core/runs/launchSpec';

/** A launch cannot start; `message` is localized and shown as is. */
export class LaunchError extends Error {}

export interface LaunchRequest {
  readonly file: vscode.Uri;
  readonly probeEnv: Readonly<Record<string, string>>;
  readonly blockedThresholdMs: number;
  readonly detail: ProbeDetail;
}

/** One language's way to start a file under its probe (the Node.js launcher plugs in beside it). */
export interface RuntimeLauncher {
  readonly language: 'python' | 'node';
  handles(document: vscode.TextDocument): boolean;
  launchSpec(request: LaunchRequest): Promise<LaunchSpec>;
}

export function pythonLauncher(extensionUri: vscode.Uri, log: vscode.LogOutputChannel): RuntimeLauncher {
  return {
    language: 'python',
    handles: (document) => document.languageId === 'python' || document.uri.fsPath.endsWith('.py'),
    async launchSpec(request) {
      const interpreter = await findPythonInterpreter(request.file, log);
      return pythonLaunchSpec({
        interpreter,
        script: request.file.fsPath,
        cwd: vscode.workspace.getWorkspaceFolder(request.file)?.uri.fsPath ?? vscode.Uri.joinPath(request.file, '..').fsPath,
        probeRoot: vscode.Uri.joinPath(extensionUri, 'probes', 'python').fsPath,
        baseEnv: process.env,
        probeEnv: request.probeEnv,
        blockedThresholdMs: request.blockedThresholdMs,
        detail: request.detail,
      });
    },
  };
}

const NODE_EXTENSIONS: readonly string[] = [...NODE_SCRIPT_EXTENSIONS, ...TYPESCRIPT_EXTENSIONS];

/** `.js`, `.mjs`, `.cjs` with Node.js; `.ts`, `.mts`, `.cts` too when tsx or ts-node is installed in the workspace. */
export function nodeLauncher(extensionUri: vscode.Uri): RuntimeLauncher {
  return {
    language: 'node',
    handles: (document) => NODE_EXTENSIONS.includes(path.extname(document.uri.fsPath).toLowerCase()),
    launchSpec(request) {
      const script = request.file.fsPath;
      const cwd = vscode.workspace.getWorkspaceFolder(request.file)?.uri.fsPath ?? path.dirname(script);
      const node = vscode.workspace.getConfiguration('concurrencyLens.node', request.file).get<string>('executable')?.trim() || 'node';
      const spec = nodeLaunchSpec({
        node,
        script,
        cwd,
        probePath: vscode.Uri.joinPath(extensionUri, 'probes', 'node', 'probe.cjs').fsPath,
        typeScriptRunner: isTypeScriptFile(script) ? findTypeScriptRunner(cwd) : undefined,
        baseEnv: process.env,
        probeEnv: request.probeEnv,
        blockedThresholdMs: request.blockedThresholdMs,
        detail: request.detail,
      });
      if (!spec) {
        return Promise.reject(new LaunchError(vscode.l10n.t('To run {0} with the Concurrency Monitor, install tsx or ts-node in the workspace (npm install --save-dev tsx).', path.basename(script))));
      }
      return Promise.resolve(spec);
    },
  };
}

/** A TypeScript runner that `node --import` / `--require` would find from the workspace folder. */
function findTypeScriptRunner(cwd: string): TypeScriptRunner | undefined {
  const resolveFrom = createRequire(path.join(cwd, 'package.json'));
  for (const runner of ['tsx', 'ts-node'] as const) {
    try {
      resolveFrom.resolve(`${runner}/package.json`);
      return runner;
    } catch {
      // not installed there: try the next one
    }
  }
  return undefined;
}

/** The Python extension's active interpreter, else the setting, else `python3`: the first that runs Python ≥ 3.8. */
async function findPythonInterpreter(file: vscode.Uri, log: vscode.LogOutputChannel): Promise<string> {
  const setting = vscode.workspace.getConfiguration('concurrencyLens.python', file).get<string>('interpreter');
  const candidates = interpreterCandidates(await selectedPythonInterpreter(file, log), setting);
  for (const candidate of candidates) {
    if (await runsSupportedPython(candidate)) return candidate;
    log.warn(`Python interpreter ${candidate} is not usable (missing, or older than 3.8)`);
  }
  throw new LaunchError(vscode.l10n.t(
    'No usable Python 3.8+ interpreter found (tried: {0}). Install Python, select an interpreter in the Python extension, or set "concurrencyLens.python.interpreter".',
    candidates.join(', '),
  ));
}

function runsSupportedPython(interpreter: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(interpreter, ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)'], { timeout: 15_000 }, (error) => resolve(!error));
  });
}
