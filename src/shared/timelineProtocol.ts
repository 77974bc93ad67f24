/**
 * The one protocol between the extension host and the timeline webview. The host validates every
 * message from the webview with `parseFromTimeline` (webview content is a less trusted context).
 */
import type { LaneKind, TimelineData, TimelineState } from '../core/timeline/timelineData';
import { isRecord } from './validation';

/** Strings the webview shows, localized on the host. `{0}`-style placeholders are filled in the webview. */
export interface TimelineStrings {
  readonly title: string;
  readonly noRun: string;
  readonly live: string;
  readonly ended: string;
  readonly zoomIn: string;
  readonly zoomOut: string;
  readonly fit: string;
  readonly canvasLabel: string;
  readonly help: string;
  /** `{0}` processes, `{1}` lanes, `{2}` spans, `{3}` duration, `{4}` blocked loops. */
  readonly summary: string;
  readonly tableToggle: string;
  /** `{0}` shown, `{1}` total. */
  readonly tableTruncated: string;
  readonly columns: { readonly lane: string; readonly kind: string; readonly state: string; readonly start: string; readonly duration: string };
  /** `{0}` duration. */
  readonly blockedFor: string;
  readonly clickToOpen: string;
  readonly states: Readonly<Record<TimelineState, string>>;
  readonly kinds: Readonly<Record<LaneKind, string>>;
}

export const enum ToTimelineType {
  Init = 'init',
  Data = 'data',
}

export const enum FromTimelineType {
  Ready = 'ready',
  OpenSource = 'openSource',
}

export interface TimelineInitMessage {
  readonly type: ToTimelineType.Init;
  readonly locale: string;
  readonly strings: TimelineStrings;
}

/** The whole timeline of the shown run (or none), sent again as it changes. */
export interface TimelineDataMessage {
  readonly type: ToTimelineType.Data;
  readonly title: string;
  readonly data: TimelineData | undefined;
}

export type ToTimelineMessage = TimelineInitMessage | TimelineDataMessage;

export interface TimelineReadyMessage {
  readonly type: FromTimelineType.Ready;
}

/** Open this file at this line (a lane's or a blocked mark's source). */
export interface OpenSourceMessage {
  readonly type: FromTimelineType.OpenSource;
  readonly file: string;
  readonly line: number;
}

export type FromTimelineMessage = TimelineReadyMessage | OpenSourceMessage;

/** A message from the webview, or undefined when it is malformed. */
export function parseFromTimeline(value: unknown): FromTimelineMessage | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === FromTimelineType.Ready) return { type: FromTimelineType.Ready };
  if (value.type !== FromTimelineType.OpenSource) return undefined;
  const { file, line } = value;
  if (typeof file !== 'string' || file.length === 0 || file.length > 4096) return undefined;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) return undefined;
  return { type: FromTimelineType.OpenSource, file, line };
}
