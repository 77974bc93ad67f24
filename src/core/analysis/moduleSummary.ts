/**
 * What other files can learn about a module without analysing it: the names it offers (Python:
 * every module-level binding; JavaScript/TypeScript: its exports, ES or CommonJS), whether each is
 * an async function (Python: or an object of a known class), which ones it took from another module
 * (imports, re-exports, simple aliases `sleep = asyncio.sleep`), and its own imports. Plain data, so CLI workers can exchange it and the
 * result cache can keep it; the workspace index (core/analysis/crossFile.ts) resolves it.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { isAsyncFunction } from '../syntax/context';
import { type ImportBinding, type ImportSource, type ImportTable, importsOf, requiredSource, stringValue, unwrapExpression } from '../syntax/imports';
import type { LanguageFamily } from '../syntax/languages';
import { loopRunnerDefined } from './pythonEventLoops';
import { catchesOwnErrors } from './selfCatching';
import { pythonModuleClasses } from '../syntax/receivers';

/** What a module-level name is bound to. */
export type ModuleBinding =
  /** JS/TS: `catchesOwnErrors` when every await is in a try/catch that does not rethrow (selfCatching.ts): a call of it cannot reject. */
  | { readonly kind: 'async'; readonly catchesOwnErrors?: true }
  /** Python: a sync function whose own code starts an event loop (`asyncio.run`, `loop.run_until_complete`): calling it from a coroutine fails. */
  | { readonly kind: 'loopRunner' }
  /** Python: an object of a known class (`lock = threading.Lock()`, `pool = ThreadPoolExecutor()`, `ROOT = Path(…)`), as receivers.ts names it. */
  | { readonly kind: 'instance'; readonly class: string }
  /** A sync function, a class, any other value. */
  | { readonly kind: 'other' }
  | ({ readonly kind: 'import' } & ImportSource);

/** One import binding of the module, by the qualified name `qualifiedName` gives its uses in the module. */
export interface ImportedName extends ImportSource {
  readonly spelled: string;
}

export interface ModuleSummary {
  readonly family: LanguageFamily;
  /** Python: module-level names; JavaScript/TypeScript: exported names (`default` included). Later entries win. */
  readonly names: readonly (readonly [string, ModuleBinding])[];
  /** Modules all of whose names this one offers too: `from m import *`, `export * from 'm'`, `module.exports = require('m')`. */
  readonly reExportsAllOf: readonly string[];
  /** Python `__all__` when it is a literal list or tuple of strings (what `from m import *` takes). */
  readonly all?: readonly string[];
  /** JavaScript: `module.exports = …` replaces the exports object, so `require()` returns `default` itself. */
  readonly commonJsDefault?: boolean;
  /** The module's own import bindings, including each prefix of a Python `import a.b.c`. */
  readonly imports: readonly ImportedName[];
}

const cache = new WeakMap<Tree, ModuleSummary>();

export function moduleSummary(tree: Tree, family: LanguageFamily): ModuleSummary {
  let summary = cache.get(tree);
  if (!summary) {
    const imports = importsOf(tree, family);
    summary = family === 'python' ? pythonSummary(tree.rootNode, imports) : nodeSummary(tree.rootNode, imports);
    cache.set(tree, summary);
  }
  return summary;
}

/** Python `import a.b.c` binds `a` but loads `a.b.c`: its source names more than the binding holds. */
function isDottedImport(binding: ImportBinding): boolean {
  return binding.source.path.length === 0 && binding.source.module.startsWith(`${binding.qualifiedName}.`);
}

/** What the local name holds: for `import a.b.c`, the package `a`. */
function boundSource(binding: ImportBinding): ImportSource {
  return isDottedImport(binding) ? { module: binding.qualifiedName, path: [] } : binding.source;
}

/** The import bindings of `imports` as summary entries (Python `import a.b.c` also reaches `a.b` and `a.b.c`). */
function importedNames(imports: ImportTable): ImportedName[] {
  const names: ImportedName[] = [];
  for (const binding of imports.bindings.values()) {
    names.push({ spelled: binding.qualifiedName, ...boundSource(binding) });
    if (!isDottedImport(binding)) continue;
    const parts = binding.source.module.split('.');
    for (let length = binding.qualifiedName.split('.').length + 1; length <= parts.length; length += 1) {
      const prefix = parts.slice(0, length).join('.');
      names.push({ spelled: prefix, module: prefix, path: [] });
    }
  }
  return names;
}

/** Bindings in the order the module makes them; a later binding of a name replaces an earlier one, except inside conditional blocks. */
class Bindings {
  private readonly entries = new Map<string, ModuleBinding>();

  set(name: string, binding: ModuleBinding, conditional: boolean): void {
    // `try: from x import f / except ImportError: def f(): …` — the first branch is the usual one.
    if (conditional && this.entries.has(name)) return;
    this.entries.delete(name);
    this.entries.set(name, binding);
  }

  get(name: string): ModuleBinding | undefined {
    return this.entries.get(name);
  }

  toList(): (readonly [string, ModuleBinding])[] {
    return [...this.entries];
  }
}

const PYTHON_BLOCKS = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'with_statement', 'block']);
const OTHER: ModuleBinding = { kind: 'other' };
const ASYNC: ModuleBinding = { kind: 'async' };
const SELF_CATCHING_ASYNC: ModuleBinding = { kind: 'async', catchesOwnErrors: true };

/** A JS/TS function: async (catching its own errors or not), or not. */
function nodeFunctionBinding(fn: Node): ModuleBinding {
  if (!isAsyncFunction(fn)) return OTHER;
  return catchesOwnErrors(fn) ? SELF_CATCHING_ASYNC : ASYNC;
}
const LOOP_RUNNER: ModuleBinding = { kind: 'loopRunner' };

function pythonSummary(root: Node, imports: ImportTable): ModuleSummary {
  const names = new Bindings();
  const byStatement = new Map<number, [string, ImportBinding][]>();
  for (const [local, binding] of imports.bindings) byStatement.set(binding.statement.id, [...(byStatement.get(binding.statement.id) ?? []), [local, binding]]);
  let all: string[] | undefined;
  const visit = (statement: Node, conditional: boolean): void => {
    switch (statement.type) {
      case 'import_statement':
      case 'import_from_statement':
        for (const [local, binding] of byStatement.get(statement.id) ?? []) names.set(local, { kind: 'import', ...boundSource(binding) }, conditional);
        return;
      case 'decorated_definition':
      case 'function_definition':
      case 'class_definition': {
        const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
        const name = definition?.childForFieldName('name')?.text;
        if (definition && name !== undefined) names.set(name, definitionBinding(statement, definition, imports), conditional);
        return;
      }
      case 'expression_statement': {
        const assignment = statement.namedChild(0);
        const target = assignment?.childForFieldName('left');
        const value = assignment?.childForFieldName('right');
        if (target?.type !== 'identifier') return;
        if (target.text === '__all__') {
          const listed = stringList(value);
          all = assignment?.type === 'augmented_assignment' ? (all && listed ? [...all, ...listed] : undefined) : listed;
        } else if (assignment?.type === 'assignment') {
          names.set(target.text, (value && aliasOf(value, (name) => names.get(name))) ?? OTHER, conditional);
        }
        return;
      }
      default:
        if (PYTHON_BLOCKS.has(statement.type)) for (const child of statement.namedChildren) if (child) visit(child, true);
    }
  };
  for (const child of root.namedChildren) if (child) visit(child, false);
  // Objects of a known class: what the module's own analysis knows of them (module facts), importers know too.
  const classes = pythonModuleClasses(root.namedChildren.filter((child): child is Node => child !== null), imports);
  const offered = names.toList().map(([name, binding]): [string, ModuleBinding] => {
    const known = binding.kind === 'other' ? classes.get(name) : undefined;
    return [name, known === undefined ? binding : { kind: 'instance', class: known }];
  });
  return { family: 'python', names: offered, reExportsAllOf: [...imports.starImports], ...(all ? { all } : {}), imports: importedNames(imports) };
}

/** A Python function or class definition: an async function, a loop runner, or anything else. */
function definitionBinding(statement: Node, definition: Node, imports: ImportTable): ModuleBinding {
  if (definition.type !== 'function_definition') return OTHER;
  if (isAsyncFunction(definition)) return ASYNC;
  return loopRunnerDefined(statement, { imports }) === undefined ? OTHER : LOOP_RUNNER;
}

/** `["a", "b"]` / `("a", "b")` → the strings; anything else → undefined. */
function stringList(node: Node | null | undefined): string[] | undefined {
  if (node?.type !== 'list' && node?.type !== 'tuple') return undefined;
  const items = node.namedChildren;
  if (!items.every((item) => item?.type === 'string')) return undefined;
  return items.map((item) => (item?.namedChildren ?? []).filter((part) => part?.type === 'string_content').map((part) => part?.text ?? '').join(''));
}

/**
 * What a value bound to a module-level name is, if it only names something: `other_name` (that
 * name's binding), `module.attr.attr` rooted at an import (an import of that path), `require('m')…`.
 */
function aliasOf(value: Node, lookup: (name: string) => ModuleBinding | undefined): ModuleBinding | undefined {
  const expression = unwrapExpression(value) ?? value;
  if (expression.type === 'identifier') return lookup(expression.text);
  const required = requiredSource(expression);
  if (required) return { kind: 'import', ...required };
  if (expression.type !== 'attribute' && expression.type !== 'member_expression') return undefined;
  const object = expression.childForFieldName('object');
  const member = expression.childForFieldName(expression.type === 'attribute' ? 'attribute' : 'property');
  const base = object && aliasOf(object, lookup);
  return base?.kind === 'import' && member ? { kind: 'import', module: base.module, path: [...base.path, member.text] } : undefined;
}

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

function nodeSummary(root: Node, imports: ImportTable): ModuleSummary {
  const locals = new Bindings();
  for (const [local, binding] of imports.bindings) locals.set(local, { kind: 'import', ...boundSource(binding) }, false);
  const exported = new Bindings();
  const reExportsAllOf: string[] = [];
  let commonJsDefault = false;
  const valueBinding = (value: Node | null): ModuleBinding => {
    const expression = value && (unwrapExpression(value) ?? value);
    if (!expression) return OTHER;
    if (FUNCTION_VALUES.has(expression.type)) return nodeFunctionBinding(expression);
    return aliasOf(expression, (name) => locals.get(name)) ?? OTHER;
  };
  const declarationBinding = (declaration: Node): ModuleBinding => (declaration.type === 'class_declaration' ? OTHER : nodeFunctionBinding(declaration));
  const declare = (declaration: Node, exportAs: boolean): void => {
    switch (declaration.type) {
      case 'function_declaration':
      case 'generator_function_declaration':
      case 'class_declaration': {
        const name = declaration.childForFieldName('name')?.text;
        if (name === undefined) return;
        const binding = declarationBinding(declaration);
        locals.set(name, binding, false);
        if (exportAs) exported.set(name, binding, false);
        return;
      }
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const declarator of declaration.namedChildren) {
          const name = declarator?.childForFieldName('name');
          if (name?.type !== 'identifier') continue;
          // Imports (`const x = require(…)`) are already bound from the import table.
          const binding = imports.bindings.has(name.text) ? locals.get(name.text) ?? OTHER : valueBinding(declarator?.childForFieldName('value') ?? null);
          locals.set(name.text, binding, false);
          if (exportAs) exported.set(name.text, binding, false);
        }
        return;
      default:
    }
  };
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'export_statement') exportStatement(statement);
    else if (statement.type === 'expression_statement') commonJsExport(statement.namedChild(0));
    else declare(statement, false);
  }

  function exportStatement(statement: Node): void {
    const declaration = statement.childForFieldName('declaration');
    const source = statement.childForFieldName('source');
    const from = source ? stringValue(source) : undefined;
    const isDefault = statement.children.some((child) => child?.type === 'default');
    if (declaration) {
      declare(declaration, !isDefault);
      if (isDefault) exported.set('default', declarationBinding(declaration), false);
      return;
    }
    const value = statement.childForFieldName('value');
    if (isDefault && value) {
      exported.set('default', valueBinding(value), false);
      return;
    }
    for (const child of statement.namedChildren) {
      if (child?.type === 'namespace_export' && from !== undefined) {
        const name = child.namedChild(0);
        if (name) exported.set(stringValue(name), { kind: 'import', module: from, path: [] }, false);
      } else if (child?.type === 'export_clause') {
        for (const specifier of child.namedChildren) {
          if (specifier?.type !== 'export_specifier') continue;
          const name = specifier.childForFieldName('name');
          const alias = specifier.childForFieldName('alias') ?? name;
          if (!name || !alias) continue;
          const local = stringValue(name);
          exported.set(stringValue(alias), from !== undefined ? { kind: 'import', module: from, path: [local] } : locals.get(local) ?? OTHER, false);
        }
      }
    }
    if (from !== undefined && !statement.namedChildren.some((child) => child?.type === 'export_clause' || child?.type === 'namespace_export')) reExportsAllOf.push(from);
  }

  /** `module.exports = …`, `module.exports.x = …`, `exports.x = …`. */
  function commonJsExport(expression: Node | null): void {
    if (expression?.type !== 'assignment_expression') return;
    const target = expression.childForFieldName('left');
    const value = expression.childForFieldName('right');
    if (!target || !value) return;
    if (target.text === 'module.exports') {
      commonJsDefault = true;
      const object = unwrapExpression(value);
      if (object?.type === 'object') {
        exported.set('default', OTHER, false);
        objectExports(object);
        return;
      }
      const binding = valueBinding(value);
      exported.set('default', binding, false);
      if (binding.kind === 'import' && binding.path.length === 0) reExportsAllOf.push(binding.module);
      return;
    }
    const member = target.type === 'member_expression' ? target.childForFieldName('property') : null;
    const owner = target.type === 'member_expression' ? target.childForFieldName('object')?.text : undefined;
    if (member && (owner === 'exports' || owner === 'module.exports')) exported.set(member.text, valueBinding(value), false);
  }

  function objectExports(object: Node): void {
    for (const member of object.namedChildren) {
      if (!member) continue;
      switch (member.type) {
        case 'shorthand_property_identifier':
          exported.set(member.text, locals.get(member.text) ?? OTHER, false);
          break;
        case 'pair': {
          const key = member.childForFieldName('key');
          if (key) exported.set(stringValue(key), valueBinding(member.childForFieldName('value')), false);
          break;
        }
        case 'method_definition': {
          const key = member.childForFieldName('name');
          if (key) exported.set(stringValue(key), nodeFunctionBinding(member), false);
          break;
        }
        case 'spread_element': {
          const spread = valueBinding(member.namedChild(0));
          if (spread.kind === 'import' && spread.path.length === 0) reExportsAllOf.push(spread.module);
          break;
        }
        default:
      }
    }
  }

  return { family: 'node', names: exported.toList(), reExportsAllOf, ...(commonJsDefault ? { commonJsDefault } : {}), imports: importedNames(imports) };
}
