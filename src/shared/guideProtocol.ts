/**
 * The one protocol between the extension host and the guide webview. Both sides import it; the
 * host validates every message that comes from the webview with `parseFromGuide` because webview
 * content is a less trusted context. The webview has no strings of its own: the host sends the
 * localized UI strings and the localized guide content in `init`.
 */
import { isRecord, isOneOf } from './validation';

export const CONCURRENCY_MODELS = ['coroutines', 'threads', 'processes'] as const;
export type ConcurrencyModel = (typeof CONCURRENCY_MODELS)[number];

export const GUIDE_LANGUAGES = ['python', 'node'] as const;
export type GuideLanguage = (typeof GUIDE_LANGUAGES)[number];

/** Sections of a model's page, then the pages shared by all models. */
export const TOPIC_SECTIONS = ['overview', 'scheduling', 'cost', 'sharing', 'fit', 'pitfalls', 'example'] as const;
export const PAGE_SECTIONS = ['comparison', 'decide', 'experiment'] as const;
export const GUIDE_SECTIONS = [...TOPIC_SECTIONS, ...PAGE_SECTIONS] as const;
export type TopicSection = (typeof TOPIC_SECTIONS)[number];
export type PageSection = (typeof PAGE_SECTIONS)[number];
export type GuideSection = (typeof GUIDE_SECTIONS)[number];

export function isPageSection(section: GuideSection): section is PageSection {
  return (PAGE_SECTIONS as readonly string[]).includes(section);
}

// ---- content (generic over the text type: core keeps `{ en, 'zh-cn' }`, the wire carries strings) ----

/** One statement and the official docs section that backs it. */
export interface GuideClaim<T = string> {
  readonly text: T;
  readonly docs: string;
}

export interface GuideExample<T = string> {
  /** A complete program that runs as is. */
  readonly code: string;
  readonly fileName: string;
  readonly note: T;
  readonly docs: string;
}

export interface GuideTopic<T = string> {
  /** The APIs this model means in this language, e.g. `asyncio`, `worker_threads`. */
  readonly apis: readonly string[];
  readonly overview: T;
  readonly scheduling: readonly GuideClaim<T>[];
  readonly cost: readonly GuideClaim<T>[];
  readonly sharing: readonly GuideClaim<T>[];
  readonly bestFor: readonly GuideClaim<T>[];
  readonly notFor: readonly GuideClaim<T>[];
  readonly pitfalls: readonly GuideClaim<T>[];
  readonly example: GuideExample<T>;
}

export const COMPARISON_ROWS = ['scheduling', 'parallelCpu', 'memory', 'startup', 'sharing', 'failureIsolation', 'bestFor'] as const;
export type ComparisonRow = (typeof COMPARISON_ROWS)[number];
export type GuideComparison<T = string> = Readonly<Record<ComparisonRow, Readonly<Record<ConcurrencyModel, T>>>>;

export interface GuideContent<T = string> {
  readonly topics: Readonly<Record<GuideLanguage, Readonly<Record<ConcurrencyModel, GuideTopic<T>>>>>;
  readonly comparison: Readonly<Record<GuideLanguage, GuideComparison<T>>>;
  readonly comparisonRows: Readonly<Record<ComparisonRow, T>>;
  readonly questions: DecisionQuestions<T>;
  /** The API each experiment variant uses, per language (code names, the same in every locale). */
  readonly experimentApis: Readonly<Record<GuideLanguage, Readonly<Record<ExperimentModel, string>>>>;
  /** What to look for in the experiment's results, per language. */
  readonly experimentNotes: Readonly<Record<GuideLanguage, T>>;
}

// ---- decision helper ----

export const WORKLOADS = ['cpu', 'io'] as const;
export type Workload = (typeof WORKLOADS)[number];
export const UNIT_COUNTS = ['few', 'many'] as const;
export type UnitCount = (typeof UNIT_COUNTS)[number];

export interface DecisionAnswers {
  readonly workload: Workload;
  readonly blockingLibrary: boolean;
  readonly isolation: boolean;
  readonly units: UnitCount;
  readonly sharedState: boolean;
}

export interface DecisionQuestions<T = string> {
  readonly workload: { readonly label: T; readonly options: Readonly<Record<Workload, T>> };
  readonly units: { readonly label: T; readonly options: Readonly<Record<UnitCount, T>> };
  readonly blockingLibrary: T;
  readonly isolation: T;
  readonly sharedState: T;
}

export interface Decision<T = string> {
  readonly model: ConcurrencyModel;
  readonly reasons: readonly GuideClaim<T>[];
  readonly example: GuideExample<T>;
}

// ---- live experiment ----

export const EXPERIMENT_MODELS = ['sequential', ...CONCURRENCY_MODELS] as const;
export type ExperimentModel = (typeof EXPERIMENT_MODELS)[number];

export interface ExperimentRuntime {
  readonly runtime: string;
  readonly implementation: string;
  readonly gilEnabled: boolean;
  readonly cpus: number;
}

export interface ExperimentResult {
  readonly workload: Workload;
  readonly model: ExperimentModel;
  readonly units: number;
  readonly wallMs: number;
}

export type ExperimentStatus = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** Everything the panel shows about one language's experiment; the host sends a fresh copy on each change. */
export interface ExperimentSnapshot {
  readonly language: GuideLanguage;
  readonly status: ExperimentStatus;
  readonly runtime?: ExperimentRuntime;
  readonly startupMs: Readonly<Partial<Record<ConcurrencyModel, number>>>;
  readonly results: readonly ExperimentResult[];
  /** Localized explanation when the run failed or cannot start. */
  readonly message?: string;
}

// ---- UI strings ----

/** Strings the webview shows; localized on the host with `vscode.l10n` and sent in `init`. */
export interface GuideStrings {
  readonly title: string;
  readonly subtitle: string;
  readonly languageLabel: string;
  readonly python: string;
  readonly node: string;
  readonly models: Readonly<Record<ConcurrencyModel, { readonly name: string; readonly summary: string }>>;
  readonly pages: Readonly<Record<PageSection, string>>;
  readonly sections: Readonly<Record<Exclude<TopicSection, 'overview'>, string>>;
  readonly bestFor: string;
  readonly notFor: string;
  readonly docs: string;
  readonly insert: string;
  readonly copy: string;
  readonly measuredStartup: string;
  readonly comparisonIntro: string;
  readonly decideIntro: string;
  readonly decideButton: string;
  readonly recommendation: string;
  readonly experimentIntro: string;
  readonly runExperiment: string;
  readonly cancelExperiment: string;
  readonly untrusted: string;
  readonly experimentModels: Readonly<Record<ExperimentModel, string>>;
  readonly workloads: Readonly<Record<Workload, string>>;
  readonly wallTime: string;
  readonly speedup: string;
  readonly startupPerUnit: string;
  readonly status: Readonly<Record<ExperimentStatus, string>>;
  readonly cpuCount: string;
  readonly gilOn: string;
  readonly gilOff: string;
}

/** What the guide is showing; persisted with `setState` and restored by the panel serializer. */
export interface GuideViewState {
  readonly language: GuideLanguage;
  readonly model: ConcurrencyModel;
  readonly section: GuideSection;
}

export const enum ToGuideType {
  Init = 'init',
  Decision = 'decision',
  Experiment = 'experiment',
}

export const enum FromGuideType {
  Ready = 'ready',
  ViewChanged = 'viewChanged',
  InsertExample = 'insertExample',
  CopyExample = 'copyExample',
  Decide = 'decide',
  RunExperiment = 'runExperiment',
  CancelExperiment = 'cancelExperiment',
}

export interface InitMessage {
  readonly type: ToGuideType.Init;
  readonly locale: string;
  readonly strings: GuideStrings;
  readonly content: GuideContent;
  readonly view: GuideViewState;
  readonly trusted: boolean;
  readonly experiments: Readonly<Record<GuideLanguage, ExperimentSnapshot>>;
}

export interface DecisionMessage {
  readonly type: ToGuideType.Decision;
  readonly answers: DecisionAnswers;
  readonly decision: Decision;
}

export interface ExperimentMessage {
  readonly type: ToGuideType.Experiment;
  readonly snapshot: ExperimentSnapshot;
}

export type ToGuideMessage = InitMessage | DecisionMessage | ExperimentMessage;

export interface ReadyMessage {
  readonly type: FromGuideType.Ready;
}

export interface ViewChangedMessage {
  readonly type: FromGuideType.ViewChanged;
  readonly view: GuideViewState;
}

/** Names an example by its place in the content; the host looks up the code itself. */
export interface ExampleMessage {
  readonly type: FromGuideType.InsertExample | FromGuideType.CopyExample;
  readonly language: GuideLanguage;
  readonly model: ConcurrencyModel;
  /** Set when the example came from a decision (it may differ from the model's own example). */
  readonly answers?: DecisionAnswers;
}

export interface DecideMessage {
  readonly type: FromGuideType.Decide;
  readonly language: GuideLanguage;
  readonly answers: DecisionAnswers;
}

export interface ExperimentRequestMessage {
  readonly type: FromGuideType.RunExperiment | FromGuideType.CancelExperiment;
  readonly language: GuideLanguage;
}

export type FromGuideMessage = ReadyMessage | ViewChangedMessage | ExampleMessage | DecideMessage | ExperimentRequestMessage;

export function parseGuideViewState(value: unknown): GuideViewState | undefined {
  if (!isRecord(value) || !isOneOf(GUIDE_LANGUAGES, value.language) || !isOneOf(CONCURRENCY_MODELS, value.model)) {
    return undefined;
  }
  // State saved before sections existed opens at the model's overview.
  const section = isOneOf(GUIDE_SECTIONS, value.section) ? value.section : 'overview';
  return { language: value.language, model: value.model, section };
}

/**
 * The optional argument of `concurrencyLens.openGuide` (from hovers, diagnostics, walkthroughs):
 * any subset of the view; unknown or malformed fields are ignored rather than rejected.
 */
export function parseGuideViewRequest(value: unknown): Partial<GuideViewState> {
  if (!isRecord(value)) return {};
  return {
    ...(isOneOf(GUIDE_LANGUAGES, value.language) ? { language: value.language } : {}),
    ...(isOneOf(CONCURRENCY_MODELS, value.model) ? { model: value.model } : {}),
    ...(isOneOf(GUIDE_SECTIONS, value.section) ? { section: value.section } : {}),
  };
}

export function parseDecisionAnswers(value: unknown): DecisionAnswers | undefined {
  if (!isRecord(value) || !isOneOf(WORKLOADS, value.workload) || !isOneOf(UNIT_COUNTS, value.units)) return undefined;
  const { blockingLibrary, isolation, sharedState } = value;
  if (typeof blockingLibrary !== 'boolean' || typeof isolation !== 'boolean' || typeof sharedState !== 'boolean') return undefined;
  return { workload: value.workload, units: value.units, blockingLibrary, isolation, sharedState };
}

/** Returns the message when it is well-formed, else `undefined`; never throws. */
export function parseFromGuide(value: unknown): FromGuideMessage | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  const type = value.type as FromGuideType;
  switch (type) {
    case FromGuideType.Ready:
      return { type };
    case FromGuideType.ViewChanged: {
      const view = parseGuideViewState(value.view);
      return view ? { type, view } : undefined;
    }
    case FromGuideType.InsertExample:
    case FromGuideType.CopyExample: {
      if (!isOneOf(GUIDE_LANGUAGES, value.language) || !isOneOf(CONCURRENCY_MODELS, value.model)) return undefined;
      if (value.answers === undefined) return { type, language: value.language, model: value.model };
      const answers = parseDecisionAnswers(value.answers);
      return answers ? { type, language: value.language, model: value.model, answers } : undefined;
    }
    case FromGuideType.Decide: {
      const answers = parseDecisionAnswers(value.answers);
      return answers && isOneOf(GUIDE_LANGUAGES, value.language) ? { type, language: value.language, answers } : undefined;
    }
    case FromGuideType.RunExperiment:
    case FromGuideType.CancelExperiment:
      return isOneOf(GUIDE_LANGUAGES, value.language) ? { type, language: value.language } : undefined;
    default: {
      const unknownType: never = type;
      void unknownType;
      return undefined;
    }
  }
}
