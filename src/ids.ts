/** Every id this extension declares in package.json, declared once here (a unit test checks both agree). */
export const CommandId = {
  OpenGuide: 'concurrencyLens.openGuide',
  InsertPattern: 'concurrencyLens.insertPattern',
  DisableRule: 'concurrencyLens.disableRule',
  RunExperiment: 'concurrencyLens.runExperiment',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewId = {
  Container: 'concurrencyLens',
  LiveTasks: 'concurrencyLens.liveTasks',
} as const;
export type ViewId = (typeof ViewId)[keyof typeof ViewId];

export const WebviewPanelType = {
  Guide: 'concurrencyLens.guide',
} as const;
export type WebviewPanelType = (typeof WebviewPanelType)[keyof typeof WebviewPanelType];
