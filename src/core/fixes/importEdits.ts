/**
 * Making a name available to a fix: reuse an existing import or alias when there is one, else
 * add one import line, once, after the module's last top-level import (or after the docstring,
 * `from __future__`, shebang and leading comments; `'use strict'` in JS).
 */
import { type ImportTable, importsOf } from '../syntax/imports';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type TextEdit, insertAt, lineBreakOf } from './edits';

/** How to refer to something in code, and the import edit that makes it available (if needed). */
export interface ImportedReference {
  readonly expression: string;
  readonly edit: TextEdit | undefined;
}

/**
 * A reference to the Python `qualifiedName` (a module such as `asyncio`, or a module member such
 * as `concurrent.futures.ProcessPoolExecutor`); undefined when the needed name is taken.
 */
export function pythonReference(doc: ParsedDocument, qualifiedName: string, member?: string): ImportedReference | undefined {
  const imports = importsOf(doc.tree, 'python');
  const wanted = member === undefined ? qualifiedName : `${qualifiedName}.${member}`;
  const existing = referenceThroughImports(imports, wanted);
  if (existing !== undefined) return { expression: existing, edit: undefined };
  const local = member ?? qualifiedName.split('.')[0] ?? qualifiedName;
  if (imports.bindings.has(local) || imports.moduleDefinitions.has(local)) return undefined;
  const statement = member === undefined ? `import ${qualifiedName}` : `from ${qualifiedName} import ${member}`;
  return { expression: member ?? qualifiedName, edit: importLineEdit(doc, imports, statement) };
}

export type ModuleStyle = 'esm' | 'commonjs';

/** Whether a JS/TS file uses `import` or `require` (TypeScript and files with neither use ESM). */
export function moduleStyleOf(doc: ParsedDocument): ModuleStyle {
  const imports = importsOf(doc.tree, 'node');
  if (imports.statements.some((statement) => statement.type === 'import_statement')) return 'esm';
  if (imports.statements.length > 0) return 'commonjs';
  return doc.language === 'javascript' && /\brequire\s*\(/.test(doc.text) ? 'commonjs' : 'esm';
}

/** A reference to `module.member` in JS/TS, e.g. `util.promisify`; `local` names a new namespace/named import. */
export function nodeReference(doc: ParsedDocument, module: string, member: string | undefined, local: string): ImportedReference | undefined {
  const imports = importsOf(doc.tree, 'node');
  const canonical = module.replace(/\//g, '.');
  const wanted = member === undefined ? canonical : `${canonical}.${member}`;
  const existing = referenceThroughImports(imports, wanted);
  if (existing !== undefined) return { expression: existing, edit: undefined };
  if (imports.bindings.has(local) || imports.moduleDefinitions.has(local)) return undefined;
  const specifier = `node:${module}`;
  const esm = moduleStyleOf(doc) === 'esm';
  let statement: string;
  if (member === undefined) statement = esm ? `import * as ${local} from '${specifier}';` : `const ${local} = require('${specifier}');`;
  else {
    const binding = member === local ? member : `${member}${esm ? ' as ' : ': '}${local}`;
    statement = esm ? `import { ${binding} } from '${specifier}';` : `const { ${binding} } = require('${specifier}');`;
  }
  return { expression: local, edit: importLineEdit(doc, imports, statement) };
}

/** `wanted` spelled through an existing binding: exact (`sleep`), or the longest bound prefix plus the rest (`t.sleep`, `fsp.readFile`). */
function referenceThroughImports(imports: ImportTable, wanted: string): string | undefined {
  let best: { local: string; length: number } | undefined;
  for (const [local, binding] of imports.bindings) {
    const name = binding.qualifiedName;
    if (name === wanted) return local;
    if (wanted.startsWith(`${name}.`) && (!best || name.length > best.length)) best = { local, length: name.length };
  }
  return best && `${best.local}${wanted.slice(best.length)}`;
}

function importLineEdit(doc: ParsedDocument, imports: ImportTable, statement: string): TextEdit {
  const text = doc.text;
  const eol = lineBreakOf(text);
  const topLevel = imports.statements.filter((node) => node.parent?.equals(doc.tree.rootNode));
  const last = topLevel[topLevel.length - 1];
  if (last) {
    const lineEnd = text.indexOf('\n', last.endIndex);
    return lineEnd < 0 ? insertAt(text.length, `${eol}${statement}${eol}`) : insertAt(lineEnd + 1, `${statement}${eol}`);
  }
  const offset = preambleEnd(doc);
  const after = text.slice(offset);
  // Keep a blank line between the new import and the code that follows.
  const separator = after.startsWith(eol) || after === '' ? '' : eol;
  return insertAt(offset, `${statement}${eol}${separator}`);
}

/** Where the first import goes: after a shebang, leading comments, a docstring / directive prologue. */
function preambleEnd(doc: ParsedDocument): number {
  const text = doc.text;
  let offset = 0;
  for (const node of doc.tree.rootNode.namedChildren) {
    if (!node) continue;
    const isPrologue = node.type === 'comment' || node.type === 'hash_bang_line' || node.type === 'future_import_statement' || (node.type === 'expression_statement' && node.namedChild(0)?.type === 'string');
    if (!isPrologue) break;
    const lineEnd = text.indexOf('\n', node.endIndex);
    offset = lineEnd < 0 ? text.length : lineEnd + 1;
  }
  return offset;
}
