/**
 * What each imported name means: a table from local names to canonical qualified names, built
 * from the module-level imports of one tree (statements nested in `if`/`try`/`with` blocks too).
 *
 * Python: `import time as t` → t = `time`; `from time import sleep` → sleep = `time.sleep`;
 * `import os.path` → os = `os`. JS/TS: `require`, destructured `require`, `require('x').y`,
 * `import * as cp`, default and named imports, `import x = require()`. Node module specifiers are
 * normalized: `node:` is dropped and `/` becomes `.` (`node:fs/promises` → `fs.promises`).
 * Tables are cached per tree, so they are rebuilt only after a reparse.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { LanguageFamily } from './languages';

export interface ImportBinding {
  /** Canonical qualified name the local name stands for, e.g. `subprocess.run`. */
  readonly qualifiedName: string;
  /** The import statement that created it (for fixes that edit imports). */
  readonly statement: Node;
  /** The module as written and the names taken from it, for resolving it among the workspace's files. */
  readonly source: ImportSource;
}

/**
 * `from m import a` → `m`, [`a`]; `import a.b as c` → `a.b`, []; `import a.b` → `a.b`, [] (bound
 * to `a`); `import * as ns from './m'` → `./m`, []; `import d from './m'` → `./m`, [`default`];
 * `const { a: { b } } = require('./m')` → `./m`, [`a`, `b`]. An empty path is the module itself.
 */
export interface ImportSource {
  readonly module: string;
  readonly path: readonly string[];
}

export interface ImportTable {
  readonly bindings: ReadonlyMap<string, ImportBinding>;
  /** Names defined at module level other than by imports (functions, classes, assignments): they shadow builtins. */
  readonly moduleDefinitions: ReadonlySet<string>;
  /** Module-level import statements in source order (fixes add new imports after the last one). */
  readonly statements: readonly Node[];
  /** Python `from m import *`: the modules whose public names this module takes (`m` as written). */
  readonly starImports: readonly string[];
  /**
   * Qualified names here that stand for an outside API under another name, found by the workspace
   * index (`.compat.create_task` → `asyncio.create_task` when `compat.py` re-exports it): `qualifiedName` answers the API's name.
   */
  readonly aliases?: ReadonlyMap<string, string>;
}

const cache = new WeakMap<Tree, ImportTable>();

export function importsOf(tree: Tree, family: LanguageFamily): ImportTable {
  let table = cache.get(tree);
  if (!table) {
    table = family === 'python' ? pythonImports(tree.rootNode) : nodeImports(tree.rootNode);
    cache.set(tree, table);
  }
  return table;
}

/** `node:fs/promises` → `fs.promises`; other specifiers keep their text with `/` → `.`. */
export function canonicalModule(specifier: string): string {
  return specifier.replace(/^node:/, '').replace(/\//g, '.');
}

interface MutableTable {
  bindings: Map<string, ImportBinding>;
  moduleDefinitions: Set<string>;
  statements: Node[];
  starImports: string[];
}

function emptyTable(): MutableTable {
  return { bindings: new Map(), moduleDefinitions: new Set(), statements: [], starImports: [] };
}

const PYTHON_NESTED_BLOCKS = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'with_statement', 'block']);

/** The bindings a Python `import` / `from … import` statement makes. */
function bindPythonImport(statement: Node, bindings: Map<string, ImportBinding>): void {
  if (statement.type === 'import_statement') {
    for (const name of statement.childrenForFieldName('name')) {
      if (!name) continue;
      if (name.type === 'aliased_import') {
        const alias = name.childForFieldName('alias');
        const dotted = name.childForFieldName('name');
        if (alias && dotted) bindings.set(alias.text, { qualifiedName: dotted.text, statement, source: { module: dotted.text, path: [] } });
      } else {
        const first = name.namedChild(0);
        if (first) bindings.set(first.text, { qualifiedName: first.text, statement, source: { module: name.text, path: [] } });
      }
    }
    return;
  }
  const module = statement.childForFieldName('module_name');
  if (!module) return;
  // Relative imports name this package's own modules: keep the dots so they never match stdlib names.
  const prefix = module.text;
  for (const name of statement.childrenForFieldName('name')) {
    if (!name) continue;
    if (name.type === 'aliased_import') {
      const alias = name.childForFieldName('alias');
      const dotted = name.childForFieldName('name');
      if (alias && dotted) bindings.set(alias.text, { qualifiedName: `${prefix}.${dotted.text}`, statement, source: { module: prefix, path: [dotted.text] } });
    } else {
      bindings.set(name.text, { qualifiedName: `${prefix}.${name.text}`, statement, source: { module: prefix, path: [name.text] } });
    }
  }
}

function pythonImports(root: Node): ImportTable {
  const table = emptyTable();
  const visit = (statement: Node): void => {
    switch (statement.type) {
      case 'import_statement':
      case 'import_from_statement':
        table.statements.push(statement);
        bindPythonImport(statement, table.bindings);
        if (statement.type === 'import_from_statement' && statement.namedChildren.some((child) => child?.type === 'wildcard_import')) {
          const module = statement.childForFieldName('module_name');
          if (module) table.starImports.push(module.text);
        }
        return;
      case 'future_import_statement':
        table.statements.push(statement);
        return;
      case 'function_definition':
      case 'class_definition': {
        const name = statement.childForFieldName('name');
        if (name) table.moduleDefinitions.add(name.text);
        return;
      }
      case 'decorated_definition': {
        const definition = statement.childForFieldName('definition');
        if (definition) visit(definition);
        return;
      }
      case 'expression_statement': {
        const assignment = statement.namedChild(0);
        const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
        if (target?.type === 'identifier') table.moduleDefinitions.add(target.text);
        return;
      }
      default:
        if (PYTHON_NESTED_BLOCKS.has(statement.type)) for (const child of statement.namedChildren) if (child) visit(child);
    }
  };
  for (const child of root.namedChildren) if (child) visit(child);
  return table;
}

function nodeImports(root: Node): ImportTable {
  const table = emptyTable();
  const visit = (statement: Node): void => {
    switch (statement.type) {
      case 'import_statement':
        table.statements.push(statement);
        esImport(statement, table);
        return;
      case 'lexical_declaration':
      case 'variable_declaration': {
        const isRequire = bindRequires(statement, table.bindings);
        for (const declarator of statement.namedChildren) {
          const name = declarator?.type === 'variable_declarator' ? declarator.childForFieldName('name') : null;
          if (name?.type === 'identifier' && !table.bindings.has(name.text)) table.moduleDefinitions.add(name.text);
        }
        if (isRequire) table.statements.push(statement);
        return;
      }
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'class_declaration': {
        const name = statement.childForFieldName('name');
        if (name) table.moduleDefinitions.add(name.text);
        return;
      }
      case 'export_statement': {
        const declaration = statement.childForFieldName('declaration');
        if (declaration) visit(declaration);
        return;
      }
      default:
    }
  };
  for (const child of root.namedChildren) if (child) visit(child);
  return table;
}

function esImport(statement: Node, table: MutableTable): void {
  for (const clause of statement.namedChildren) {
    if (clause?.type === 'import_require_clause') {
      const name = clause.namedChild(0);
      const required = clause.childForFieldName('source');
      if (name?.type === 'identifier' && required) table.bindings.set(name.text, { qualifiedName: canonicalModule(stringValue(required)), statement, source: { module: stringValue(required), path: [] } });
    }
  }
  const source = statement.childForFieldName('source');
  if (!source) return;
  const written = stringValue(source);
  const module = canonicalModule(written);
  for (const clause of statement.namedChildren) {
    if (clause?.type !== 'import_clause') continue;
    for (const part of clause.namedChildren) {
      if (!part) continue;
      switch (part.type) {
        case 'identifier': // default import: for Node builtins the default export is the module itself
          table.bindings.set(part.text, { qualifiedName: module, statement, source: { module: written, path: ['default'] } });
          break;
        case 'namespace_import': {
          const name = part.namedChild(0);
          if (name) table.bindings.set(name.text, { qualifiedName: module, statement, source: { module: written, path: [] } });
          break;
        }
        case 'named_imports':
          for (const specifier of part.namedChildren) {
            if (specifier?.type !== 'import_specifier') continue;
            const imported = specifier.childForFieldName('name');
            const local = specifier.childForFieldName('alias') ?? imported;
            if (imported && local) table.bindings.set(local.text, { qualifiedName: `${module}.${stringValue(imported)}`, statement, source: { module: written, path: [stringValue(imported)] } });
          }
          break;
        default:
      }
    }
  }
}

/** `require('x')` → `x`; `require('x').a.b` → `x.a.b`; anything else → undefined. */
export function requiredModule(node: Node): string | undefined {
  const source = requiredSource(node);
  return source && [canonicalModule(source.module), ...source.path].join('.');
}

/** `require('x')` → `x`, []; `require('x').a.b` → `x`, [`a`, `b`]; anything else → undefined. */
export function requiredSource(node: Node): ImportSource | undefined {
  if (node.type === 'call_expression') {
    const callee = node.childForFieldName('function');
    const argument = node.childForFieldName('arguments')?.namedChild(0);
    if (callee?.type === 'identifier' && callee.text === 'require' && argument?.type === 'string') return { module: stringValue(argument), path: [] };
    return undefined;
  }
  if (node.type === 'member_expression') {
    const object = node.childForFieldName('object');
    const property = node.childForFieldName('property');
    const base = object ? requiredSource(unwrapExpression(object) ?? object) : undefined;
    return base !== undefined && property ? { module: base.module, path: [...base.path, property.text] } : undefined;
  }
  return undefined;
}

/** The bindings `const x = require('m')` / `const { a } = require('m').b` declarations make; whether there were any. */
function bindRequires(statement: Node, bindings: Map<string, ImportBinding>): boolean {
  let isRequire = false;
  for (const declarator of statement.namedChildren) {
    if (declarator?.type !== 'variable_declarator') continue;
    const name = declarator.childForFieldName('name');
    const value = unwrapExpression(declarator.childForFieldName('value'));
    const required = value ? requiredSource(value) : undefined;
    if (name && required !== undefined) {
      isRequire = true;
      bindPattern(name, required, statement, bindings);
    }
  }
  return isRequire;
}

function bindPattern(pattern: Node, source: ImportSource, statement: Node, bindings: Map<string, ImportBinding>): void {
  if (pattern.type === 'identifier' || pattern.type === 'shorthand_property_identifier_pattern') {
    bindings.set(pattern.text, { qualifiedName: [canonicalModule(source.module), ...source.path].join('.'), statement, source });
    return;
  }
  if (pattern.type !== 'object_pattern') return;
  for (const property of pattern.namedChildren) {
    if (!property) continue;
    if (property.type === 'shorthand_property_identifier_pattern') {
      bindPattern(property, { module: source.module, path: [...source.path, property.text] }, statement, bindings);
    } else if (property.type === 'pair_pattern') {
      const key = property.childForFieldName('key');
      const value = property.childForFieldName('value');
      if (key && value) bindPattern(value, { module: source.module, path: [...source.path, stringValue(key)] }, statement, bindings);
    }
  }
}

const functionImportCache = new WeakMap<Tree, Map<number, ReadonlyMap<string, ImportBinding>>>();
const FUNCTION_TYPES = new Set(['function_definition', 'lambda', 'class_definition', 'function_declaration', 'function_expression', 'function', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function', 'class_declaration', 'class']);

/**
 * The bindings made by imports inside the function `fn`, in its own code (blocks included, nested
 * functions not): `from time import sleep` in a `def`, `const { spawnSync } = require('node:child_process')`
 * in a function. They hold for the whole function, as Python's local names do.
 */
export function functionImports(fn: Node, family: LanguageFamily): ReadonlyMap<string, ImportBinding> {
  let byFunction = functionImportCache.get(fn.tree);
  if (!byFunction) {
    byFunction = new Map();
    functionImportCache.set(fn.tree, byFunction);
  }
  let bindings = byFunction.get(fn.startIndex);
  if (!bindings) {
    const found = new Map<string, ImportBinding>();
    const body = fn.childForFieldName('body');
    const keyword = family === 'python' ? 'import' : 'require';
    if (body?.text.includes(keyword)) {
      const visit = (node: Node): void => {
        for (const child of node.namedChildren) {
          if (!child || FUNCTION_TYPES.has(child.type)) continue;
          if (family === 'python' && (child.type === 'import_statement' || child.type === 'import_from_statement')) bindPythonImport(child, found);
          else if (family === 'node' && (child.type === 'lexical_declaration' || child.type === 'variable_declaration')) bindRequires(child, found);
          else if (child.text.includes(keyword)) visit(child);
        }
      };
      visit(body);
    }
    bindings = found;
    byFunction.set(fn.startIndex, bindings);
  }
  return bindings;
}

/** Every binding (local name, binding) made by an import inside some function of `root` (prefilters use them to know which names may resolve). */
export function importsInFunctions(root: Node, family: LanguageFamily): readonly [string, ImportBinding][] {
  let byRoot = importsInFunctionsCache.get(root.tree);
  if (!byRoot) {
    byRoot = new Map();
    importsInFunctionsCache.set(root.tree, byRoot);
  }
  let found = byRoot.get(root.startIndex);
  if (!found) {
    found = findImportsInFunctions(root, family);
    byRoot.set(root.startIndex, found);
  }
  return found;
}

const importsInFunctionsCache = new WeakMap<Tree, Map<number, readonly [string, ImportBinding][]>>();

const pythonNamesImportedInFunctionsCache = new WeakMap<Tree, ReadonlySet<string>>();

/**
 * Python: the names that imports inside the functions of `tree` bind. `importsInFunctions` finds
 * every such import (each has the word `import` in its function's own code), so a name not among
 * them is bound by no function's import.
 */
export function pythonNamesImportedInFunctions(tree: Tree): ReadonlySet<string> {
  let names = pythonNamesImportedInFunctionsCache.get(tree);
  if (!names) {
    names = new Set(importsInFunctions(tree.rootNode, 'python').map(([local]) => local));
    pythonNamesImportedInFunctionsCache.set(tree, names);
  }
  return names;
}

function findImportsInFunctions(root: Node, family: LanguageFamily): [string, ImportBinding][] {
  const keyword = family === 'python' ? /\bimport\b/g : /\brequire\s*\(/g;
  const found: [string, ImportBinding][] = [];
  const seen = new Set<number>();
  for (const match of root.text.matchAll(keyword)) {
    const at = root.startIndex + match.index;
    for (let node = root.descendantForIndex(at, at); node; node = node.parent) {
      if (!FUNCTION_TYPES.has(node.type) || node.type.includes('class')) continue;
      if (!seen.has(node.startIndex)) {
        seen.add(node.startIndex);
        found.push(...functionImports(node, family).entries());
      }
      break;
    }
  }
  return found;
}

/** The text of a string literal without quotes (identifiers return their text). */
export function stringValue(node: Node): string {
  if (node.type !== 'string') return node.text;
  return node.namedChildren.map((part) => part?.text ?? '').join('');
}

/** What `unwrapExpression` strips. */
const WRAPPERS: ReadonlySet<string> = new Set(['parenthesized_expression', 'non_null_expression', 'as_expression', 'satisfies_expression', 'type_assertion']);

/** Strips parentheses, TS `!`, `as T`, `satisfies T` and `<T>x` around an expression. */
export function unwrapExpression(node: Node | null): Node | null {
  let current = node;
  while (current) {
    const type = current.type; // a call into wasm: read once
    if (!WRAPPERS.has(type)) break;
    const inner: Node | null = type === 'type_assertion' ? current.namedChild(1) : current.namedChild(0);
    if (!inner) break;
    current = inner;
  }
  return current;
}
