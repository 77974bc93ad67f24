/**
 * Patterns → VS Code snippet syntax: the contributed snippet files (`snippets/*.json`, written by
 * `npm run generate:snippets`) and the text the "Insert Concurrency Pattern…" command inserts.
 */
import { renderImports } from './imports';
import type { ConcurrencyPattern, PatternLanguage } from './types';

export interface SnippetJsonEntry {
  readonly prefix: string;
  readonly description: string;
  readonly body: readonly string[];
}

/** Spaces per indentation level in the pattern sources. */
const INDENT_UNIT: Readonly<Record<PatternLanguage, number>> = { python: 4, node: 2 };

/**
 * Leading indentation as tabs: VS Code converts each snippet tab to the editor's indentation
 * (spaces or tabs, any width), so inserted code matches the file it goes into.
 */
function withTabIndentation(line: string, language: PatternLanguage): string {
  const spaces = /^ */.exec(line)?.[0].length ?? 0;
  const unit = INDENT_UNIT[language];
  return '\t'.repeat(Math.floor(spaces / unit)) + ' '.repeat(spaces % unit) + line.slice(spaces);
}

/** The code of a pattern without its imports, in snippet syntax (what the command inserts at the cursor). */
export function patternBody(pattern: ConcurrencyPattern): string[] {
  return pattern.body.map((line) => withTabIndentation(line, pattern.language));
}

/** A complete snippet: imports first, then the code (for snippet completion, which cannot edit the top of the file). */
export function snippetBody(pattern: ConcurrencyPattern): string[] {
  if (pattern.imports.length === 0) return patternBody(pattern);
  const separator = pattern.language === 'python' ? ['', ''] : [''];
  const imports = renderImports(pattern.imports, pattern.language === 'python' ? 'python' : 'esm').map(escapeSnippetText);
  return [...imports, ...separator, ...patternBody(pattern)];
}

/** The contents of one snippet file, keyed by pattern id. */
export function snippetFile(patterns: readonly ConcurrencyPattern[]): Record<string, SnippetJsonEntry> {
  return Object.fromEntries(
    patterns.map((pattern) => [pattern.id, { prefix: pattern.prefix, description: pattern.description.en, body: snippetBody(pattern) }]),
  );
}

export function escapeSnippetText(text: string): string {
  return text.replace(/[\\$}]/g, (character) => `\\${character}`);
}

/**
 * The text a snippet produces when every tab stop keeps its default: `${1:name}` → `name`,
 * `$1`/`${1}` → ``, `${1|a,b|}` → `a`, `\$` → `$`. Used to check that snippets are valid code.
 */
export function expandSnippetDefaults(snippet: string): string {
  let index = 0;
  const parse = (insidePlaceholder: boolean): string => {
    let text = '';
    while (index < snippet.length) {
      const character = snippet[index]!;
      const next = snippet[index + 1];
      if (character === '\\' && next !== undefined && '$}\\'.includes(next)) {
        text += next;
        index += 2;
        continue;
      }
      if (insidePlaceholder && character === '}') {
        index += 1;
        return text;
      }
      if (character === '$') {
        const rest = snippet.slice(index);
        const bare = /^\$(\d+|[A-Z_]+)/.exec(rest);
        if (bare) {
          index += bare[0].length;
          continue;
        }
        const braced = /^\$\{(\d+|[A-Z_]+)([:|}])/.exec(rest);
        if (braced) {
          index += braced[0].length;
          if (braced[2] === ':') text += parse(true);
          else if (braced[2] === '|') {
            const end = snippet.indexOf('|}', index);
            text += snippet.slice(index, end).split(',')[0] ?? '';
            index = end + 2;
          }
          continue;
        }
      }
      text += character;
      index += 1;
    }
    return text;
  };
  return parse(false);
}

/** Where each language's snippets are contributed from (package.json `contributes.snippets`). */
export const SNIPPET_FILES: Readonly<Record<PatternLanguage, string>> = {
  python: 'snippets/python.json',
  node: 'snippets/javascript.json',
};
