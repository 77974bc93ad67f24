/**
 * The languages the analyzer understands, and how editor language ids and file names map onto the
 * tree-sitter grammars (plain JavaScript and JSX share one grammar; TypeScript and TSX do not).
 */
export type SourceLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

/** Which family of rules and names applies: Python, or JavaScript/TypeScript (Node). */
export type LanguageFamily = 'python' | 'node';

const LANGUAGE_BY_EDITOR_ID: Readonly<Record<string, SourceLanguage>> = {
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'tsx',
};

const LANGUAGE_BY_EXTENSION: Readonly<Record<string, SourceLanguage>> = {
  '.py': 'python',
  '.pyw': 'python',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
};

/** The editor language ids we analyse (VS Code `languageId`s). */
export const EDITOR_LANGUAGE_IDS: readonly string[] = Object.keys(LANGUAGE_BY_EDITOR_ID);

export function languageForEditorId(languageId: string): SourceLanguage | undefined {
  return LANGUAGE_BY_EDITOR_ID[languageId];
}

/** The language of a file from its name; `.d.ts` declaration files hold no code to check. */
export function languageForFileName(fileName: string): SourceLanguage | undefined {
  if (/\.d\.[mc]?ts$/.test(fileName)) return undefined;
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? undefined : LANGUAGE_BY_EXTENSION[fileName.slice(dot).toLowerCase()];
}

export function familyOf(language: SourceLanguage): LanguageFamily {
  return language === 'python' ? 'python' : 'node';
}
