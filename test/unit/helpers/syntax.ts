import * as path from 'node:path';
import { DocumentAnalysis } from '../../../src/core/analysis/analyzer';
import type { RuleConfiguration } from '../../../src/core/analysis/configuration';
import { GrammarLoader, type WasmFileName } from '../../../src/core/syntax/grammars';
import type { SourceLanguage } from '../../../src/core/syntax/languages';
import { ParsedDocument } from '../../../src/core/syntax/parsedDocument';

const nodeModules = path.resolve(__dirname, '..', '..', '..', 'node_modules');

/** Tests load the .wasm files straight from the npm packages (the build copies the same files to dist/wasm). */
export function wasmFromNodeModules(fileName: WasmFileName): string {
  switch (fileName) {
    case 'tree-sitter.wasm':
      return path.join(nodeModules, 'web-tree-sitter', fileName);
    case 'tree-sitter-python.wasm':
      return path.join(nodeModules, 'tree-sitter-python', fileName);
    case 'tree-sitter-javascript.wasm':
      return path.join(nodeModules, 'tree-sitter-javascript', fileName);
    case 'tree-sitter-typescript.wasm':
    case 'tree-sitter-tsx.wasm':
      return path.join(nodeModules, 'tree-sitter-typescript', fileName);
  }
}

export const loader = new GrammarLoader(wasmFromNodeModules);

export async function parse(language: SourceLanguage, text: string): Promise<ParsedDocument> {
  return ParsedDocument.parse(await loader.createParser(language), language, text);
}

/** A full analysis of `text` (dispose it after use). */
export async function analyze(language: SourceLanguage, text: string, configuration: RuleConfiguration = {}): Promise<DocumentAnalysis> {
  return DocumentAnalysis.ofText(await loader.createParser(language), language, text, configuration);
}
