import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as util from 'node:util';
import * as vscode from 'vscode';
import { type DebugConfigurationLike, launchesMonitoredProgram, withProbeEnvironment } from '../core/runs/debugConfiguration';
import { RunSession } from '../core/runs/runSession';
import type { LiveTasksController } from './liveTasksController';
import { MonitoredRun } from './monitoredRun';

/** The setting that turns monitoring of debug sessions on and off. */
export const DEBUG_SESSIONS_SETTING = 'debugSessions';
/** The property a resolved configuration carries to find its run again. */
const RUN_MARKER = '__concurrencyLensRun';
/** A configuration resolved but never started (the launch failed): its endpoint closes after this long. */
const UNSTARTED_RUN_TIMEOUT_MS = 60_000;
/** Requests after which a paused program runs again (DAP sends no `continued` event for them). */
const RESUMING_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame']);

interface PendingRun {
  readonly session: RunSession;
  readonly title: string;
  readonly timer: NodeJS.Timeout;
}

/**
 * Monitors what F5 starts: a DebugConfigurationProvider for every debug type adds the probes'
 * environment to launch configurations of Node.js and Python, the session's processes report to
 * a run named after the configuration, and the run ends with the session. A tracker of the debug
 * adapter's messages tells the run when the debugger pauses the program and when it goes on: the
 * run says it is paused, and time spent paused is not reported as a blocked event loop.
 */
export class DebugSessionMonitor implements vscode.DebugConfigurationProvider, vscode.DebugAdapterTrackerFactory, vscode.Disposable {
  private readonly pending = new Map<string, PendingRun>();
  /** Runs by the id of the debug session that started them (the top one: js-debug adds child sessions per process). */
  private readonly runs = new Map<string, MonitoredRun>();
  /** The debug sessions of each run that are paused now. */
  private readonly paused = new Map<MonitoredRun, Set<string>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly controller: LiveTasksController) {
    this.subscriptions = [
      vscode.debug.onDidStartDebugSession((debugSession) => this.runOf(debugSession)),
      vscode.debug.onDidTerminateDebugSession((debugSession) => this.terminated(debugSession)),
    ];
  }

  static isEnabled(): boolean {
    return vscode.workspace.getConfiguration('concurrencyLens.monitor').get<boolean>(DEBUG_SESSIONS_SETTING, true);
  }

  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
    if (!DebugSessionMonitor.isEnabled() || !vscode.workspace.isTrusted || !launchesMonitoredProgram(config)) return config;
    // The probe endpoint and its frame validation load with the first monitored debug session, not at activation.
    const { ProbeServer } = await import('../core/probe/server');
    const server = await ProbeServer.start({ logger: this.controller.log });
    const blockedThresholdMs = this.controller.blockedThresholdMs(folder);
    const session = new RunSession(server, { logger: this.controller.log, blockedThresholdMs, ownsProcesses: false, useInspector: false });
    const id = randomUUID();
    const timer = setTimeout(() => {
      this.pending.delete(id);
      session.dispose();
    }, UNSTARTED_RUN_TIMEOUT_MS);
    this.pending.set(id, { session, title: config.name, timer });
    const resolved = withProbeEnvironment(config as DebugConfigurationLike, {
      install: this.controller.install, probeEnv: server.environment, blockedThresholdMs, inheritedEnv: process.env,
      envFileValues: await this.readEnvFile(config.envFile),
    });
    this.controller.log.info(`debug session "${config.name}" (${config.type}) monitored`);
    return { ...resolved, [RUN_MARKER]: id };
  }

  createDebugAdapterTracker(debugSession: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const run = this.runOf(debugSession);
    if (!run) return undefined;
    return {
      onDidSendMessage: (message: { type?: string; event?: string }) => {
        if (message.type !== 'event') return;
        if (message.event === 'stopped') this.setPaused(run, debugSession, true);
        else if (message.event === 'continued') this.setPaused(run, debugSession, false);
      },
      onWillReceiveMessage: (message: { type?: string; command?: string }) => {
        if (message.type === 'request' && message.command !== undefined && RESUMING_REQUESTS.has(message.command)) this.setPaused(run, debugSession, false);
      },
      onWillStopSession: () => this.setPaused(run, debugSession, false),
    };
  }

  /** The run a resolved configuration reports to, before its debug session has started (for tests). */
  pendingSession(config: vscode.DebugConfiguration): RunSession | undefined {
    const marker = config[RUN_MARKER] as unknown;
    return typeof marker === 'string' ? this.pending.get(marker)?.session : undefined;
  }

  /** The monitored run a debug session (or a child session of it) belongs to; lists it when its session is first seen. */
  runOf(debugSession: vscode.DebugSession): MonitoredRun | undefined {
    for (let current: vscode.DebugSession | undefined = debugSession; current; current = current.parentSession) {
      const known = this.runs.get(current.id);
      if (known) return known;
      const marker = current.configuration[RUN_MARKER] as unknown;
      const pending = typeof marker === 'string' ? this.pending.get(marker) : undefined;
      if (!pending) continue;
      this.pending.delete(marker as string);
      clearTimeout(pending.timer);
      const top = current;
      const run = new MonitoredRun(pending.session, pending.title, 'debug', {
        stop: () => void vscode.debug.stopDebugging(top),
        dispose: () => undefined,
      });
      this.runs.set(top.id, run);
      this.controller.add(run);
      return run;
    }
    return undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const { session, timer } of this.pending.values()) {
      clearTimeout(timer);
      session.dispose();
    }
    this.pending.clear();
  }

  private setPaused(run: MonitoredRun, debugSession: vscode.DebugSession, paused: boolean): void {
    let sessions = this.paused.get(run);
    if (!sessions) this.paused.set(run, (sessions = new Set()));
    if (paused) sessions.add(debugSession.id);
    else sessions.delete(debugSession.id);
    run.session.setPaused(sessions.size > 0);
  }

  private terminated(debugSession: vscode.DebugSession): void {
    const run = this.runs.get(debugSession.id);
    if (run) {
      this.runs.delete(debugSession.id);
      this.paused.delete(run);
      run.session.end();
      return;
    }
    const child = this.runOf(debugSession);
    if (child) this.setPaused(child, debugSession, false);
  }

  /** The variables of a configuration's `envFile` (they come before its `env`), or none. */
  private async readEnvFile(envFile: unknown): Promise<Record<string, string> | undefined> {
    if (typeof envFile !== 'string' || envFile === '') return undefined;
    try {
      const parse = (util as { parseEnv?: (content: string) => Record<string, string> }).parseEnv;
      return parse?.(await readFile(envFile, 'utf8'));
    } catch (error) {
      this.controller.log.warn(`could not read the envFile ${envFile}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
