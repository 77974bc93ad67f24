import type { ConcurrencyModel, GuideLanguage } from '../../shared/guideProtocol';

/** The two UI locales; everything a user reads exists in both. */
export const LOCALES = ['en', 'zh-cn'] as const;
export type Locale = (typeof LOCALES)[number];
export type Localized = Readonly<Record<Locale, string>>;

/** How an API runs work: the badge a hover shows. */
export const KNOWLEDGE_MODELS = ['coroutine', 'thread', 'interpreter', 'process', 'synchronization', 'scheduling'] as const;
export type KnowledgeModel = (typeof KNOWLEDGE_MODELS)[number];

export interface GuideSection {
  readonly language: GuideLanguage;
  readonly model: ConcurrencyModel;
}

export interface KnowledgeEntry {
  /** Resolved name as the syntax layer reports it: `asyncio.gather`, `child_process.spawn`, `async def`. */
  readonly canonicalName: string;
  readonly model: KnowledgeModel;
  readonly summary: Localized;
  readonly whenToUse: Localized;
  readonly pitfall: Localized;
  readonly docsUrl: string;
  readonly guide: GuideSection;
}

/** English text of [summary, when to use, pitfall], then the same three in Simplified Chinese. */
export type EntryText = readonly [summary: string, whenToUse: string, pitfall: string];

/**
 * Builds the entries of one documentation area. `page` is a docs page relative to `docsBase`
 * (its anchor defaults to the canonical name, as on docs.python.org) or an absolute URL.
 */
export function knowledgeArea(language: GuideLanguage, guideModel: ConcurrencyModel, docsBase: string) {
  return (
    canonicalName: string,
    model: KnowledgeModel,
    page: string,
    en: EntryText,
    zh: EntryText,
    guideModelOverride?: ConcurrencyModel,
  ): KnowledgeEntry => {
    const absolute = page.startsWith('https://');
    const docsUrl = absolute ? page : page.includes('#') ? docsBase + page : `${docsBase}${page}#${canonicalName}`;
    return {
      canonicalName,
      model,
      summary: { en: en[0], 'zh-cn': zh[0] },
      whenToUse: { en: en[1], 'zh-cn': zh[1] },
      pitfall: { en: en[2], 'zh-cn': zh[2] },
      docsUrl,
      guide: { language, model: guideModelOverride ?? guideModel },
    };
  };
}
