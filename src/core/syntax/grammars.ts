/**
 * Lazy loading of web-tree-sitter and its grammars. Nothing is loaded until a file of that
 * language is parsed; each grammar's .wasm is loaded once and shared by every document.
 *
 * The .wasm files live in one directory: `dist/wasm/` in the shipped extension (copied there by
 * esbuild.mjs), or wherever `locateWasm` says (tests resolve them from node_modules).
 */
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { SourceLanguage } from './languages';

/** The .wasm file names this module may ask for. */
export const WASM_FILES = {
  runtime: 'tree-sitter.wasm',
  python: 'tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
} as const satisfies Record<SourceLanguage | 'runtime', string>;

export type WasmFileName = (typeof WASM_FILES)[keyof typeof WASM_FILES];

/** Maps a .wasm file name to an absolute path. */
export type WasmLocator = (fileName: WasmFileName) => string;

/** Every .wasm file in one directory (how the extension and the CLI ship them: `dist/wasm/`). */
export function wasmInDirectory(directory: string): WasmLocator {
  return (fileName) => path.join(directory, fileName);
}

export class GrammarLoader {
  private runtime: Promise<void> | undefined;
  private readonly languages = new Map<SourceLanguage, Promise<Language>>();

  constructor(private readonly locateWasm: WasmLocator) {}

  /** A new parser for `language` (parsers are cheap; grammars are loaded once). */
  async createParser(language: SourceLanguage): Promise<Parser> {
    const grammar = await this.grammar(language);
    const parser = new Parser();
    parser.setLanguage(grammar);
    return parser;
  }

  /** The grammar of `language`, loading the runtime and the grammar's .wasm on first use. */
  grammar(language: SourceLanguage): Promise<Language> {
    let loaded = this.languages.get(language);
    if (!loaded) {
      loaded = this.initRuntime().then(() => Language.load(this.locateWasm(WASM_FILES[language])));
      this.languages.set(language, loaded);
      // A failed load must not poison the cache: the next request retries.
      loaded.catch(() => this.languages.delete(language));
    }
    return loaded;
  }

  /** Languages whose grammar has been requested so far (observable laziness, for tests). */
  requestedLanguages(): SourceLanguage[] {
    return [...this.languages.keys()];
  }

  private initRuntime(): Promise<void> {
    this.runtime ??= Parser.init({ locateFile: () => this.locateWasm(WASM_FILES.runtime) });
    return this.runtime;
  }
}
