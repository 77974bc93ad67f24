/**
 * The imports a pattern needs, added once at the top of a file: names the file already imports
 * (under the same canonical name) are skipped; new import lines go where `importInsertion` puts them.
 */
import { type ImportInsertion, importInsertion, moduleStyleOf } from '../syntax/importPlacement';
import { canonicalModule, importsOf, type ImportTable } from '../syntax/imports';
import type { ParsedDocument } from '../syntax/parsedDocument';
import type { PatternImport } from './types';

export type ImportStyle = 'python' | 'esm' | 'commonjs';

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
export function planImports(doc: ParsedDocument, imports: readonly PatternImport[]): ImportInsertion | undefined {
  const python = doc.family === 'python';
  const missing = missingImports(importsOf(doc.tree, doc.family), imports, python);
  if (missing.length === 0) return undefined;
  return importInsertion(doc, renderImports(missing, python ? 'python' : moduleStyleOf(doc)));
}
