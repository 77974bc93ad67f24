/**
 * The imports a pattern needs, added once at the top of a file: names the file already imports
 * (under the same canonical name) are skipped, and new import lines go after the existing ones —
 * or after the shebang, leading comments, module docstring or `'use strict'` when there are none.
 */
import type { Node } from 'web-tree-sitter';
import { canonicalModule, importsOf, type ImportTable } from '../syntax/imports';
import type { ParsedDocument } from '../syntax/parsedDocument';
import type { PatternImport } from './types';

export type ImportStyle = 'python' | 'esm' | 'commonjs';

/** An insertion of `text` at `offset` in the document. */
export interface ImportEdit {
  readonly offset: number;
  readonly text: string;
}

/** `setTimeout as sleep` → imported `setTimeout`, bound locally as `sleep`. */
function splitAlias(name: string): { imported: string; local: string } {
  const [imported = name, local = imported] = name.split(/\s+as\s+/);
  return { imported, local };
}

export function renderImports(imports: readonly PatternImport[], style: ImportStyle): string[] {
  return imports.map(({ module, names }) => {
    if (!names) return style === 'python' ? `import ${module}` : `import '${module}';`;
    switch (style) {
      case 'python':
        return `from ${module} import ${names.join(', ')}`;
      case 'esm':
        return `import { ${names.join(', ')} } from '${module}';`;
      case 'commonjs': {
        const bindings = names.map(splitAlias).map(({ imported, local }) => (imported === local ? imported : `${imported}: ${local}`));
        return `const { ${bindings.join(', ')} } = require('${module}');`;
      }
    }
  });
}

/** The imports (and names) from `imports` that the file does not already bind to the same thing. */
export function missingImports(table: ImportTable, imports: readonly PatternImport[], python: boolean): PatternImport[] {
  const missing: PatternImport[] = [];
  for (const { module, names } of imports) {
    const canonical = python ? module : canonicalModule(module);
    if (!names) {
      if (table.bindings.get(module)?.qualifiedName !== canonical) missing.push({ module });
      continue;
    }
    const absent = names.filter((name) => {
      const { imported, local } = splitAlias(name);
      return table.bindings.get(local)?.qualifiedName !== `${canonical}.${imported}`;
    });
    if (absent.length > 0) missing.push({ module, names: absent });
  }
  return missing;
}

/** The edit that adds the missing imports, or undefined when the file has them all. */
export function planImports(doc: ParsedDocument, imports: readonly PatternImport[]): ImportEdit | undefined {
  const python = doc.family === 'python';
  const table = importsOf(doc.tree, doc.family);
  const missing = missingImports(table, imports, python);
  if (missing.length === 0) return undefined;
  const root = doc.tree.rootNode;
  const topLevelImports = table.statements.filter((statement) => statement.parent?.equals(root));
  const style: ImportStyle = python ? 'python' : topLevelImports.length > 0 && topLevelImports.every((statement) => statement.type !== 'import_statement') ? 'commonjs' : 'esm';
  const lines = renderImports(missing, style).join('\n');
  const lastImport = topLevelImports.at(-1);
  if (lastImport) return insertAfterLine(doc.text, lastImport.endIndex, `${lines}\n`);
  const preamble = preambleEnd(root, python);
  if (!preamble) return { offset: 0, text: `${lines}\n\n` };
  return insertAfterLine(doc.text, preamble.endIndex, `${preamble.blankLineAfter ? '\n' : ''}${lines}\n\n`);
}

/** Inserts `text` at the start of the line after `offset` (adding the newline when the file ends there). */
function insertAfterLine(text: string, offset: number, inserted: string): ImportEdit {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? { offset: text.length, text: `\n${inserted}` } : { offset: newline + 1, text: inserted };
}

/** The end of what must stay above the imports: shebang and leading comments, the module docstring, `'use strict'`. */
function preambleEnd(root: Node, python: boolean): { endIndex: number; blankLineAfter: boolean } | undefined {
  let end: { endIndex: number; blankLineAfter: boolean } | undefined;
  for (const child of root.namedChildren) {
    if (!child) continue;
    if (child.type === 'comment' || child.type === 'hash_bang_line') {
      end = { endIndex: child.endIndex, blankLineAfter: false };
      continue;
    }
    const onlyString = child.type === 'expression_statement' && child.namedChildCount === 1 && child.namedChild(0)?.type === 'string';
    if (onlyString) end = { endIndex: child.endIndex, blankLineAfter: python };
    break;
  }
  return end;
}
