/**
 * What a hover shows: the knowledge-base entry of the concurrency API or keyword under the cursor
 * (resolved through imports and aliases by the syntax layer), as compact markdown. Nothing for
 * anything else: a local variable named `gather` or an unknown method gets no hover.
 */
import { CommandId } from '../../ids';
import { lookupKnowledge } from '../knowledge';
import type { KnowledgeEntry, KnowledgeModel, Locale } from '../knowledge/types';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { symbolAt } from '../syntax/symbols';

/** The localized words around the entry's text (from `vscode.l10n` on the host). */
export interface HoverLabels {
  readonly models: Readonly<Record<KnowledgeModel, string>>;
  readonly whenToUse: string;
  readonly pitfall: string;
  readonly documentation: string;
  readonly openInGuide: string;
}

export interface HoverContent {
  readonly entry: KnowledgeEntry;
  readonly markdown: string;
  /** The hovered expression or keyword, as offsets into the document text. */
  readonly start: number;
  readonly end: number;
}

const MODEL_ICONS: Readonly<Record<KnowledgeModel, string>> = {
  coroutine: 'sync',
  thread: 'list-tree',
  interpreter: 'layers',
  process: 'server-process',
  synchronization: 'lock',
  scheduling: 'clock',
};

export function hoverAt(doc: ParsedDocument, offset: number, locale: Locale, labels: HoverLabels): HoverContent | undefined {
  const symbol = symbolAt(doc, offset);
  if (!symbol) return undefined;
  const entry = lookupKnowledge(doc.family, symbol.name);
  if (!entry) return undefined;
  return { entry, markdown: renderHover(entry, locale, labels), start: symbol.start, end: symbol.end };
}

/** The `command:` link that opens the guide at the entry's section (arguments are a JSON array). */
export function openGuideLink(entry: KnowledgeEntry): string {
  return `command:${CommandId.OpenGuide}?${encodeURIComponent(JSON.stringify([entry.guide]))}`;
}

export function renderHover(entry: KnowledgeEntry, locale: Locale, labels: HoverLabels): string {
  return [
    `$(${MODEL_ICONS[entry.model]}) **${labels.models[entry.model]}** · \`${entry.canonicalName}\``,
    entry.summary[locale],
    `**${labels.whenToUse}:** ${entry.whenToUse[locale]}`,
    `$(warning) **${labels.pitfall}:** ${entry.pitfall[locale]}`,
    `[$(link-external) ${labels.documentation}](${entry.docsUrl}) · [$(book) ${labels.openInGuide}](${openGuideLink(entry)})`,
  ].join('\n\n');
}
