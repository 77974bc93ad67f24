/** Every id this extension declares in package.json, declared once here (a unit test checks both agree). */
export const CommandId = {
  OpenGuide: 'concurrencyLens.openGuide',
  InsertPattern: 'concurrencyLens.insertPattern',
  DisableRule: 'concurrencyLens.disableRule',
  RunExperiment: 'concurrencyLens.runExperiment',
  ShowTimeline: 'concurrencyLens.showTimeline',
  ExportTrace: 'concurrencyLens.exportTrace',
  OpenRecording: 'concurrencyLens.openRecording',
  RunWithMonitor: 'concurrencyLens.runWithMonitor',
  RunWithMonitorTrace: 'concurrencyLens.runWithMonitorTrace',
  StopRun: 'concurrencyLens.stopRun',
  RevealInEditor: 'concurrencyLens.revealInEditor',
  RunCommand: 'concurrencyLens.runCommand',
  NewMonitoredTerminal: 'concurrencyLens.newMonitoredTerminal',
  AttachToProcess: 'concurrencyLens.attachToProcess',
  ClearEndedRuns: 'concurrencyLens.clearEndedRuns',
  MonitorDebugSessions: 'concurrencyLens.monitorDebugSessions',
  StopMonitoringDebugSessions: 'concurrencyLens.stopMonitoringDebugSessions',
  ShowAwaitTree: 'concurrencyLens.showAwaitTree',
  ShowByThread: 'concurrencyLens.showByThread',
  FindInLiveTasks: 'concurrencyLens.findInLiveTasks',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewId = {
  Container: 'concurrencyLens',
  LiveTasks: 'concurrencyLens.liveTasks',
} as const;
export type ViewId = (typeof ViewId)[keyof typeof ViewId];

export const WebviewPanelType = {
  Guide: 'concurrencyLens.guide',
  Timeline: 'concurrencyLens.timeline',
} as const;
export type WebviewPanelType = (typeof WebviewPanelType)[keyof typeof WebviewPanelType];

/** Context keys this extension sets for `when` clauses. */
export const ContextKey = {
  MonitorRunning: 'concurrencyLens.monitorRunning',
  /** Live Tasks lists a run that has ended (or a recording): "Clear Ended Runs" applies. */
  HasEndedRuns: 'concurrencyLens.hasEndedRuns',
  /** `threads` or `awaits`: how Live Tasks arranges the rows under a process. */
  LiveTasksMode: 'concurrencyLens.liveTasksMode',
} as const;
export type ContextKey = (typeof ContextKey)[keyof typeof ContextKey];
