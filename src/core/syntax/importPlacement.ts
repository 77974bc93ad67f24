/**
 * Where new import lines go, for every feature that adds imports (quick fixes, refactors,
 * inserted patterns): after the module's last top-level import; in a file without imports, after
 * what must stay first (shebang, leading comments, the docstring or `'use strict'` prologue,
 * `from __future__`), with a blank line after a Python docstring and before the code that follows.
 * And which module syntax a JavaScript file uses, so added imports match it.
 */
import { importsOf } from './imports';
import type { ParsedDocument } from './parsedDocument';

/** An insertion of `text` at `offset`. */
export interface ImportInsertion {
  readonly offset: number;
  readonly text: string;
}

/** The insertion that adds `lines` (complete import statements) at the import position of `doc`. */
export function importInsertion(doc: ParsedDocument, lines: readonly string[]): ImportInsertion {
  const text = doc.text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = lines.map((line) => `${line}${eol}`).join('');
  const root = doc.tree.rootNode;
  const lastImport = importsOf(doc.tree, doc.family).statements.filter((statement) => statement.parent?.equals(root)).at(-1);
  if (lastImport) return afterLineOf(text, lastImport.endIndex, block, eol);
  const preamble = preambleOf(doc);
  const before = preamble?.docstring && doc.family === 'python' ? eol : '';
  const insertion = preamble ? afterLineOf(text, preamble.end, `${before}${block}`, eol) : { offset: 0, text: block };
  // Keep a blank line between the new imports and the code that follows.
  const rest = text.slice(insertion.offset);
  return rest.startsWith(eol) ? insertion : { offset: insertion.offset, text: `${insertion.text}${eol}` };
}

export type ModuleStyle = 'esm' | 'commonjs';

/** Whether a JS/TS file uses `import` or `require` (TypeScript and files with neither use ESM). */
export function moduleStyleOf(doc: ParsedDocument): ModuleStyle {
  const imports = importsOf(doc.tree, 'node');
  if (imports.statements.some((statement) => statement.type === 'import_statement')) return 'esm';
  if (imports.statements.length > 0) return 'commonjs';
  return doc.language === 'javascript' && /\brequire\s*\(/.test(doc.text) ? 'commonjs' : 'esm';
}

/** At the start of the line after `offset` (adding the line break when the file ends there). */
function afterLineOf(text: string, offset: number, inserted: string, eol: string): ImportInsertion {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? { offset: text.length, text: `${eol}${inserted}` } : { offset: newline + 1, text: inserted };
}

/** The end of the shebang, leading comments, `from __future__` imports and the docstring / directive prologue. */
function preambleOf(doc: ParsedDocument): { end: number; docstring: boolean } | undefined {
  let preamble: { end: number; docstring: boolean } | undefined;
  let seenString = false;
  for (const node of doc.tree.rootNode.namedChildren) {
    if (!node) continue;
    const isString = node.type === 'expression_statement' && node.namedChildCount === 1 && node.namedChild(0)?.type === 'string';
    if (isString && seenString) break; // only the first string is a docstring
    if (!isString && node.type !== 'comment' && node.type !== 'hash_bang_line' && node.type !== 'future_import_statement') break;
    seenString ||= isString;
    preamble = { end: node.endIndex, docstring: isString };
  }
  return preamble;
}
