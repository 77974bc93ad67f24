/**
 * What a rule check sees: the tree to check (the whole document, or one top-level definition
 * parsed alone after an edit), the module-level facts of the document (with what the workspace
 * index knows about the names it imports), and a `report` sink.
 */
import { type Language, type Node, Query } from 'web-tree-sitter';
import { type ImportTable, unwrapExpression } from '../syntax/imports';
import type { LanguageFamily } from '../syntax/languages';
import { qualifiedName } from '../syntax/names';
import { wordOccurrences } from '../syntax/text';
import type { Localized, RuleId } from './types';

/** Facts about the whole module that checks of one definition need. */
export interface ModuleFacts {
  /** Names of module-level `async def` / async functions (calling one without await drops a coroutine/promise). */
  readonly asyncFunctions: ReadonlySet<string>;
  /**
   * Async functions defined in other workspace files that this module imports, by the qualified
   * name `qualifiedName` gives their uses here (the bare name for a Python `from m import *`);
   * empty without a workspace index. Ask through `callsAsyncFunction`.
   */
  readonly importedAsyncFunctions: ReadonlySet<string>;
}

/**
 * Whether `callee` (a name or a dotted name) is an async function / coroutine function: one this
 * module defines at module level, or one it imports from another workspace file (directly, as a
 * module member `db.fetch`, through re-exports). Shadowing by locals (parameters, nested
 * definitions) is the caller's to rule out.
 */
export function callsAsyncFunction(callee: Node, context: CheckContext): boolean {
  const expression = unwrapExpression(callee) ?? callee;
  const isName = expression.type === 'identifier';
  if (isName && context.facts.asyncFunctions.has(expression.text) && !context.imports.bindings.has(expression.text)) return true;
  const name = qualifiedName(expression, context.imports, context.family) ?? (isName ? expression.text : undefined);
  return name !== undefined && context.facts.importedAsyncFunctions.has(name);
}

/** The names calls of every async function `callsAsyncFunction` knows end with (words for a text prefilter of calls). */
export function asyncFunctionNames(context: CheckContext): Set<string> {
  const imported = context.facts.importedAsyncFunctions;
  const names = new Set(context.facts.asyncFunctions);
  for (const name of imported) names.add(name.slice(name.lastIndexOf('.') + 1));
  // `from .db import fetch as get`, `import load from './load.js'`: called by the local name.
  for (const [local, binding] of context.imports.bindings) if (imported.has(binding.qualifiedName)) names.add(local);
  return names;
}

export interface RawFinding {
  readonly rule: RuleId;
  readonly start: number;
  readonly end: number;
  readonly values: Readonly<Record<string, string | Localized>>;
}

export interface CheckContext {
  readonly family: LanguageFamily;
  readonly root: Node;
  readonly imports: ImportTable;
  readonly facts: ModuleFacts;
  /** Whether `name` is a module-level sync function that is a pure arithmetic loop; undefined if not decidable from this tree. */
  readonly isCpuBoundFunction: (name: string) => boolean | undefined;
  readonly isEnabled: (rule: RuleId) => boolean;
  readonly report: (rule: RuleId, node: Node, values?: Readonly<Record<string, string | Localized>>) => void;
}

const queries = new WeakMap<Language, Map<string, Query>>();

/** A compiled query, cached per grammar (compiling costs far more than running). */
export function cachedQuery(language: Language, source: string): Query {
  let byLanguage = queries.get(language);
  if (!byLanguage) {
    byLanguage = new Map();
    queries.set(language, byLanguage);
  }
  let query = byLanguage.get(source);
  if (!query) {
    query = new Query(language, source);
    byLanguage.set(source, query);
  }
  return query;
}

/** Nodes captured by `source` within `node`'s range, in document order. */
export function capture(node: Node, source: string, name?: string): Node[] {
  const captures = cachedQuery(node.tree.language, source).captures(node);
  return captures.filter((entry) => name === undefined || entry.name === name).map((entry) => entry.node);
}

export { wordOccurrences } from '../syntax/text';

/** The call/new expression whose callee ends at the identifier at `offset`, if there is one. */
export function callWithCalleeAt(root: Node, offset: number): Node | undefined {
  let node = root.descendantForIndex(offset, offset);
  if (!node || (node.type !== 'identifier' && node.type !== 'property_identifier')) return undefined;
  const parent = node.parent;
  if (parent && (parent.type === 'attribute' || parent.type === 'member_expression') && !parent.childForFieldName('object')?.equals(node)) node = parent;
  const call = node.parent;
  if (!call) return undefined;
  const callee = call.type === 'call' || call.type === 'call_expression' ? call.childForFieldName('function') : call.type === 'new_expression' ? call.childForFieldName('constructor') : null;
  return callee?.equals(node) ? call : undefined;
}

/**
 * Calls whose callee's last name matches `namePattern` (a RegExp source, e.g. `sleep|run` finds
 * `time.sleep(...)`, `sleep(...)`, `sp.run(...)`): a text prefilter over the tree's source, each
 * hit confirmed on the tree. Far cheaper than capturing every call, because crossing into wasm
 * per node is what costs.
 */
export function callsNamed(root: Node, namePattern: string): Node[] {
  const text = root.text;
  const pattern = new RegExp(`(?<![\\w$])(?:${namePattern})(?=\\s*\\()`, 'g');
  const calls: Node[] = [];
  for (const match of text.matchAll(pattern)) {
    const call = callWithCalleeAt(root, root.startIndex + match.index);
    if (call) calls.push(call);
  }
  return calls;
}

/** The expression nodes of every `await` in the tree (found in the text, confirmed on the tree). */
export function awaitExpressions(root: Node, expressionType: 'await' | 'await_expression'): Node[] {
  const found: Node[] = [];
  for (const offset of wordOccurrences(root.text, 'await')) {
    const token = root.descendantForIndex(root.startIndex + offset, root.startIndex + offset);
    if (token?.type === 'await' && !token.isNamed && token.parent?.type === expressionType) found.push(token.parent);
  }
  return found;
}

/** Statement-level calls `f(...)` whose result is dropped, among `calls`. */
export function droppedCalls(calls: readonly Node[]): Node[] {
  return calls.filter((call) => call.parent?.type === 'expression_statement' && call.parent.namedChildCount === 1);
}

/** `a|b|c` matching exactly the given names. */
export function alternation(names: Iterable<string>): string {
  return [...names].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** Whether `name` occurs as an identifier inside `node` (text prefilter, confirmed on the tree). */
export function mentions(node: Node | null, name: string): boolean {
  if (!node) return false;
  return wordOccurrences(node.text, name).some((offset) => node.descendantForIndex(node.startIndex + offset, node.startIndex + offset)?.type === 'identifier');
}
