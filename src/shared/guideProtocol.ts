/**
 * The one protocol between the extension host and the guide webview. Both sides import it; the
 * host validates every message that comes from the webview with `parseFromGuide` because webview
 * content is a less trusted context.
 */

/** Strings the webview shows; localized on the host with `vscode.l10n` and sent in `init`. */
export interface GuideStrings {
  readonly title: string;
  readonly subtitle: string;
  readonly languageLabel: string;
  readonly python: string;
  readonly node: string;
  readonly models: Readonly<Record<ConcurrencyModel, { readonly name: string; readonly summary: string }>>;
}

export const CONCURRENCY_MODELS = ['coroutines', 'threads', 'processes'] as const;
export type ConcurrencyModel = (typeof CONCURRENCY_MODELS)[number];

export const GUIDE_LANGUAGES = ['python', 'node'] as const;
export type GuideLanguage = (typeof GUIDE_LANGUAGES)[number];

/** What the guide is showing; persisted with `setState` and restored by the panel serializer. */
export interface GuideViewState {
  readonly language: GuideLanguage;
  readonly model: ConcurrencyModel;
}

export const enum ToGuideType {
  Init = 'init',
}

export const enum FromGuideType {
  Ready = 'ready',
  ViewChanged = 'viewChanged',
}

export interface InitMessage {
  readonly type: ToGuideType.Init;
  readonly locale: string;
  readonly strings: GuideStrings;
  readonly view: GuideViewState;
}

export type ToGuideMessage = InitMessage;

export interface ReadyMessage {
  readonly type: FromGuideType.Ready;
}

export interface ViewChangedMessage {
  readonly type: FromGuideType.ViewChanged;
  readonly view: GuideViewState;
}

export type FromGuideMessage = ReadyMessage | ViewChangedMessage;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(options: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}

export function parseGuideViewState(value: unknown): GuideViewState | undefined {
  if (!isRecord(value) || !isOneOf(GUIDE_LANGUAGES, value.language) || !isOneOf(CONCURRENCY_MODELS, value.model)) {
    return undefined;
  }
  return { language: value.language, model: value.model };
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
  };
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
    default: {
      const unknownType: never = type;
      void unknownType;
      return undefined;
    }
  }
}
