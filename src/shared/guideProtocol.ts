/**
 * The one protocol between the extension host and the guide webview. Both sides import it; the
 * host validates every message that comes from the webview with `parseFromGuide` because webview
 * content is a less trusted context. The webview has no strings of its own: the host sends the
 * localized UI strings and the localized guide content in `init`.
 */
import { isRecord, isOneOf } from './validation';

export const CONCURRENCY_MODELS = ['coroutines', 'threads', 'interpreters', 'processes'] as const;
export type ConcurrencyModel = (typeof CONCURRENCY_MODELS)[number];

export const GUIDE_LANGUAGES = ['python', 'node'] as const;
export type GuideLanguage = (typeof GUIDE_LANGUAGES)[number];

/** The models each language has: multiple interpreters (`concurrent.interpreters`, 3.14+) exist only in Python. */
export const LANGUAGE_MODELS = {
  python: ['coroutines', 'threads', 'interpreters', 'processes'],
  node: ['coroutines', 'threads', 'processes'],
} as const satisfies Readonly<Record<GuideLanguage, readonly ConcurrencyModel[]>>;
export type ModelOf<L extends GuideLanguage> = (typeof LANGUAGE_MODELS)[L][number];

/** One value per model of each language. */
export type PerLanguageModel<T> = { readonly [L in GuideLanguage]: Readonly<Record<ModelOf<L>, T>> };

export function modelsOf(language: GuideLanguage): readonly ConcurrencyModel[] {
  return LANGUAGE_MODELS[language];
}

/**
 * `model` when `language` has it, else its nearest equivalent there: a Node Worker (an isolate in a
 * thread, sharing by messages) is what Python's interpreters are closest to.
 */
export function modelIn(language: GuideLanguage, model: ConcurrencyModel): ConcurrencyModel {
  return modelsOf(language).includes(model) ? model : 'threads';
}

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

export interface GuideContent<T = string> {
  readonly topics: PerLanguageModel<GuideTopic<T>>;
  readonly comparison: { readonly [L in GuideLanguage]: Readonly<Record<ComparisonRow, Readonly<Record<ModelOf<L>, T>>>> };
  readonly comparisonRows: Readonly<Record<ComparisonRow, T>>;
  readonly questions: DecisionQuestions<T>;
  /** The API each experiment variant uses, per language (code names, the same in every locale). */
  readonly experimentApis: Readonly<Record<GuideLanguage, Readonly<Record<ExperimentModel, string>>>>;
  /** What to look for in the experiment's results, per language (Python: with the GIL). */
  readonly experimentNotes: Readonly<Record<GuideLanguage, T>>;
  /** What to look for instead when the Python that ran the experiment had no GIL (a free-threaded build). */
  readonly freeThreadedNote: T;
}

/** The topic of `model` in `language`, when that language has the model. */
export function topicOf<T>(content: GuideContent<T>, language: GuideLanguage, model: ConcurrencyModel): GuideTopic<T> | undefined {
  const topics: Readonly<Partial<Record<ConcurrencyModel, GuideTopic<T>>>> = content.topics[language];
  return topics[model];
}

/** The comparison cell of `model` in `language`, when that language has the model. */
export function comparisonCell<T>(content: GuideContent<T>, language: GuideLanguage, row: ComparisonRow, model: ConcurrencyModel): T | undefined {
  const cells: Readonly<Partial<Record<ConcurrencyModel, T>>> = content.comparison[language][row];
  return cells[model];
}

// ---- decision helper ----

export const WORKLOADS = ['cpu', 'io'] as const;
export type Workload = (typeof WORKLOADS)[number];
export const UNIT_COUNTS = ['few', 'many'] as const;
export type UnitCount = (typeof UNIT_COUNTS)[number];
/** Which Python runs the work (asked for Python only): what it offers for parallel CPU work. */
export const PYTHON_BUILDS = ['gil', 'py314', 'freeThreaded'] as const;
export type PythonBuild = (typeof PYTHON_BUILDS)[number];

export interface DecisionAnswers {
  readonly workload: Workload;
  readonly blockingLibrary: boolean;
  readonly isolation: boolean;
  readonly units: UnitCount;
  readonly sharedState: boolean;
  readonly python: PythonBuild;
}

export interface DecisionQuestions<T = string> {
  readonly workload: { readonly label: T; readonly options: Readonly<Record<Workload, T>> };
  readonly units: { readonly label: T; readonly options: Readonly<Record<UnitCount, T>> };
  readonly python: { readonly label: T; readonly options: Readonly<Record<PythonBuild, T>> };
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

/** The models the live experiment runs in both languages (interpreters are not among them: 3.14 only). */
export const EXPERIMENT_UNITS = ['coroutines', 'threads', 'processes'] as const satisfies readonly ConcurrencyModel[];
export type ExperimentUnit = (typeof EXPERIMENT_UNITS)[number];
export const EXPERIMENT_MODELS = ['sequential', ...EXPERIMENT_UNITS] as const;
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
  /** CPU time of the experiment process and its children during the run (absent where it cannot be measured). */
  readonly cpuMs?: number;
}

/** The 1-minute load average before and after the run (absent where the OS has none, e.g. Windows). */
export interface ExperimentLoad {
  readonly before?: number;
  readonly after?: number;
}

export type ExperimentStatus = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** Everything the panel shows about one language's experiment; the host sends a fresh copy on each change. */
export interface ExperimentSnapshot {
  readonly language: GuideLanguage;
  readonly status: ExperimentStatus;
  readonly runtime?: ExperimentRuntime;
  readonly startupMs: Readonly<Partial<Record<ExperimentUnit, number>>>;
  readonly results: readonly ExperimentResult[];
  readonly load: ExperimentLoad;
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
  readonly parallelism: string;
  readonly parallelismHint: string;
  /** `{0}` load before, `{1}` load after, `{2}` CPUs. */
  readonly busyMachine: string;
  readonly runAgain: string;
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
  return { language: value.language, model: modelIn(value.language, value.model), section };
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
  if (!isRecord(value) || !isOneOf(WORKLOADS, value.workload) || !isOneOf(UNIT_COUNTS, value.units) || !isOneOf(PYTHON_BUILDS, value.python)) {
    return undefined;
  }
  const { blockingLibrary, isolation, sharedState } = value;
  if (typeof blockingLibrary !== 'boolean' || typeof isolation !== 'boolean' || typeof sharedState !== 'boolean') return undefined;
  return { workload: value.workload, units: value.units, blockingLibrary, isolation, sharedState, python: value.python };
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
      if (!isOneOf(GUIDE_LANGUAGES, value.language) || !isOneOf(modelsOf(value.language), value.model)) return undefined;
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
