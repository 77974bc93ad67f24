/** Text that exists in every locale the guide ships; content data is kept in both at once. */
export const GUIDE_LOCALES = ['en', 'zh-cn'] as const;
export type GuideLocale = (typeof GUIDE_LOCALES)[number];
export type Localized = Readonly<Record<GuideLocale, string>>;

/** Maps a VS Code display language (`vscode.env.language`) to the guide's locale. */
export function guideLocaleFor(displayLanguage: string): GuideLocale {
  const language = displayLanguage.toLowerCase();
  return language === 'zh-cn' || language === 'zh-hans' || language === 'zh' ? 'zh-cn' : 'en';
}

export function text(en: string, zh: string): Localized {
  return { en, 'zh-cn': zh };
}
