/**
 * Making a name available to a fix: reuse an existing import or alias when there is one, else
 * add one import line, once, where `importInsertion` places imports.
 */
import { importInsertion, moduleStyleOf } from '../syntax/importPlacement';
import { type ImportTable, importsOf } from '../syntax/imports';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type TextEdit, insertAt } from './edits';

/** How to refer to something in code, and the import edit that makes it available (if needed). */
export interface ImportedReference {
  readonly expression: string;
  /** The import statement to add, and the edit adding it alone (undefined when the file already has the name). */
  readonly statement: string | undefined;
  readonly edit: TextEdit | undefined;
}

/** One edit adding the imports of several references together (separate edits at one place would each add a blank line). */
export function importsEdit(doc: ParsedDocument, references: readonly ImportedReference[]): TextEdit | undefined {
  const statements = references.map((reference) => reference.statement).filter((statement) => statement !== undefined);
  if (statements.length === 0) return undefined;
  const insertion = importInsertion(doc, statements);
  return insertAt(insertion.offset, insertion.text);
}

/**
 * A reference to the Python `qualifiedName` (a module such as `asyncio`, or a module member such
 * as `concurrent.futures.ProcessPoolExecutor`); undefined when the needed name is taken.
 */
export function pythonReference(doc: ParsedDocument, qualifiedName: string, member?: string): ImportedReference | undefined {
  const imports = importsOf(doc.tree, 'python');
  const wanted = member === undefined ? qualifiedName : `${qualifiedName}.${member}`;
  const existing = referenceThroughImports(imports, wanted);
  if (existing !== undefined) return { expression: existing, statement: undefined, edit: undefined };
  const local = member ?? qualifiedName.split('.')[0] ?? qualifiedName;
  if (imports.bindings.has(local) || imports.moduleDefinitions.has(local)) return undefined;
  const statement = member === undefined ? `import ${qualifiedName}` : `from ${qualifiedName} import ${member}`;
  return { expression: member ?? qualifiedName, statement, edit: importLineEdit(doc, statement) };
}

/** A reference to `module.member` in JS/TS, e.g. `util.promisify`; `local` names a new namespace/named import. */
export function nodeReference(doc: ParsedDocument, module: string, member: string | undefined, local: string): ImportedReference | undefined {
  const imports = importsOf(doc.tree, 'node');
  const canonical = module.replace(/\//g, '.');
  const wanted = member === undefined ? canonical : `${canonical}.${member}`;
  const existing = referenceThroughImports(imports, wanted);
  if (existing !== undefined) return { expression: existing, statement: undefined, edit: undefined };
  if (imports.bindings.has(local) || imports.moduleDefinitions.has(local)) return undefined;
  const specifier = `node:${module}`;
  const esm = moduleStyleOf(doc) === 'esm';
  let statement: string;
  if (member === undefined) statement = esm ? `import * as ${local} from '${specifier}';` : `const ${local} = require('${specifier}');`;
  else {
    const binding = member === local ? member : `${member}${esm ? ' as ' : ': '}${local}`;
    statement = esm ? `import { ${binding} } from '${specifier}';` : `const { ${binding} } = require('${specifier}');`;
  }
  return { expression: local, statement, edit: importLineEdit(doc, statement) };
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

function importLineEdit(doc: ParsedDocument, statement: string): TextEdit {
  const insertion = importInsertion(doc, [statement]);
  return insertAt(insertion.offset, insertion.text);
}
