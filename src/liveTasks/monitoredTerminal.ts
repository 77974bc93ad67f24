import * as vscode from 'vscode';
import { probeEnvironment } from '../core/runs/launchSpec';
import { commandLine } from '../core/runs/processTree';
import { RunSession } from '../core/runs/runSession';
import type { LiveTasksController } from './liveTasksController';
import { MonitoredRun } from './monitoredRun';
import { commandFolder } from './runCommand';

/**
 * "New Monitored Terminal": the user's own shell, whose environment carries the probes' variables,
 * so every Python and Node.js process started from it reports to one run — shown under the shell —
 * until the terminal is closed. Stop closes the terminal.
 */
export function newMonitoredTerminal(controller: LiveTasksController): Promise<MonitoredRun | undefined> {
  if (!controller.checkTrusted()) return Promise.resolve(undefined);
  const { folder, cwd } = commandFolder();
  return controller.startWithServer(async (server) => {
    const blockedThresholdMs = controller.blockedThresholdMs(folder);
    const session = new RunSession(server, { logger: controller.log, blockedThresholdMs, ownsProcesses: false });
    const title = vscode.l10n.t('Monitored Terminal');
    const terminal = vscode.window.createTerminal({
      name: title,
      iconPath: new vscode.ThemeIcon('pulse'),
      cwd,
      env: probeEnvironment({ install: controller.install, baseEnv: process.env, probeEnv: server.environment, blockedThresholdMs, detail: controller.probeDetail(folder) }),
      // Its endpoint ends with this window: a restored terminal would report to nobody.
      isTransient: true,
    });
    const closed = vscode.window.onDidCloseTerminal((gone) => {
      if (gone === terminal) session.end();
    });
    terminal.show();
    const shell = await terminal.processId;
    if (shell !== undefined) session.programStarted(shell, commandLine(shell) ?? [], cwd, Date.now());
    return new MonitoredRun(session, title, 'terminal', {
      stop: () => terminal.dispose(),
      dispose: () => {
        closed.dispose();
        terminal.dispose();
      },
    });
  });
}
