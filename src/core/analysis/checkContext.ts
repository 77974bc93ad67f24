/**
 * What a rule check sees: the tree to check (the whole document, or one top-level definition
 * parsed alone after an edit), the module-level facts of the document (with what the workspace
 * index knows about the names it imports), and a `report` sink.
 */
import type { Node } from 'web-tree-sitter';
import { type ImportBinding, type ImportTable, importsInFunctions, unwrapExpression } from '../syntax/imports';
import type { LanguageFamily } from '../syntax/languages';
import { calleeOf, qualifiedName } from '../syntax/names';
import type { PythonNames } from '../syntax/receivers';
import { wordOccurrences } from '../syntax/text';
import type { Uncloneable } from './nodeMessages';
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
  /** JS/TS: module-level async functions that catch their own errors (every await in a try/catch that does not rethrow): a call of one cannot reject. */
  readonly selfCatchingAsyncFunctions: ReadonlySet<string>;
  /** JS/TS: whether the module turns on EventEmitter's `captureRejections` (its emitters then handle async listeners' rejections). */
  readonly capturesRejections: boolean;
  /** JS/TS: emitters (as written, e.g. `this.events`) that wait for their listeners: `await x.emit(…)`, `return x.emit(…)`, or made by a `Promise…`/`Async…` class. */
  readonly awaitedEmitters: ReadonlySet<string>;
  /** JS/TS: module-level names whose value the structured clone cannot carry (functions, objects holding one, instances of `behaviourClasses`). */
  readonly moduleUncloneables: ReadonlyMap<string, Uncloneable>;
  /** JS/TS: module-level classes with methods, accessors or private fields (their instances lose them in a structured clone). */
  readonly behaviourClasses: ReadonlySet<string>;
  /** Python: whether the module starts threads that outlive the code starting them. */
  readonly startsThreads: boolean;
  /** Python: the start method the program sets with `multiprocessing.set_start_method(…)`, if it does. */
  readonly startMethod: string | undefined;
  /** Python: the classes of module-level names known to hold well-known objects (`lock = threading.Lock()`, `ROOT = Path(…)`). */
  readonly moduleClasses: ReadonlyMap<string, string>;
  /** Python: module-level sync functions whose own code starts an event loop (`asyncio.run`, `run_until_complete`). */
  readonly loopRunners: ReadonlySet<string>;
  /** Python: those of `loopRunners` that this module calls only directly from coroutines. */
  readonly loopRunnersCalledFromCoroutines: ReadonlySet<string>;
  /** JS/TS: those of `importedAsyncFunctions` that catch their own errors (see `selfCatchingAsyncFunctions`). */
  readonly importedSelfCatchingAsyncFunctions: ReadonlySet<string>;
  /** Python: sync functions of other workspace files that start an event loop, by qualified name as `importedAsyncFunctions`. */
  readonly importedLoopRunners: ReadonlySet<string>;
}

/**
 * Whether `callee` (a name or a dotted name) names one of `imported`: functions of other workspace
 * files by the qualified name `qualifiedName` gives their uses here (the bare name for a Python
 * `from m import *`), as `ModuleFacts.importedAsyncFunctions` / `importedLoopRunners` hold them.
 * Shadowing by locals is the caller's to rule out.
 */
export function namesImported(callee: Node, imported: ReadonlySet<string>, context: CheckContext): boolean {
  if (imported.size === 0) return false;
  const expression = unwrapExpression(callee) ?? callee;
  const name = qualifiedName(expression, context.imports, context.family) ?? (expression.type === 'identifier' ? expression.text : undefined);
  return name !== undefined && imported.has(name);
}

/**
 * Whether `callee` is an async function / coroutine function that this module imports from another
 * workspace file (directly, as a module member `db.fetch`, through re-exports). Rules ask
 * `isAsyncCallee` (asyncCallees.ts), which also knows this file's own and rules out shadowing locals.
 */
export function importsAsyncFunction(callee: Node, context: CheckContext): boolean {
  return namesImported(callee, context.facts.importedAsyncFunctions, context);
}

/** The names calls of `imported` (as in `namesImported`) end with: words for a text prefilter of calls. */
export function importedCallNames(imported: ReadonlySet<string>, context: CheckContext): Set<string> {
  const names = new Set<string>();
  for (const name of imported) names.add(name.slice(name.lastIndexOf('.') + 1));
  // `from .db import fetch as get`, `import load from './load.js'`: called by the local name.
  for (const [local, binding] of context.imports.bindings) if (imported.has(binding.qualifiedName)) names.add(local);
  return names;
}

/** The names calls of every async function `isAsyncCallee` knows by name end with (words for a text prefilter of calls). */
export function asyncFunctionNames(context: CheckContext): Set<string> {
  return new Set([...context.facts.asyncFunctions, ...importedCallNames(context.facts.importedAsyncFunctions, context)]);
}

/**
 * The last names under which this module reaches outside APIs that `wanted` accepts through a
 * workspace module that renames them (`c.spawn(…)` when `c` has `spawn = asyncio.ensure_future`):
 * words for a text prefilter of calls, beside the APIs' own names.
 */
export function renamedApiNames(context: CheckContext, wanted: (api: string) => boolean): string[] {
  const names: string[] = [];
  for (const [spelled, api] of context.imports.aliases ?? []) if (wanted(api)) names.push(spelled.slice(spelled.lastIndexOf('.') + 1));
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

/** Every import binding (local name, binding) of the checked code: the module's, and those made inside its functions. */
export function allImports(context: CheckContext): readonly [string, ImportBinding][] {
  const inFunctions = importsInFunctions(context.root, context.family);
  return inFunctions.length === 0 ? [...context.imports.bindings] : [...context.imports.bindings, ...inFunctions];
}

/** How Python names resolve in this check: the imports, and the module-level names' classes from the facts (the same for a whole document and for one definition checked alone). */
export function pythonNames(context: CheckContext): PythonNames {
  return { imports: context.imports, moduleClasses: context.facts.moduleClasses };
}

const NOTHING: ReadonlySet<string> = new Set();

/**
 * The named nodes of `node`'s subtree (itself included) whose type is in `wanted`, in document
 * order, not looking inside the nodes below `node` whose type is in `skip`. A TreeCursor walk: it
 * materialises only the nodes it returns, and compiles nothing (compiling a query costs more than
 * walking a function's body).
 */
export function namedDescendants(node: Node, wanted: ReadonlySet<string>, skip: ReadonlySet<string> = NOTHING): Node[] {
  const found: Node[] = [];
  const cursor = node.walk();
  try {
    for (let depth = 0; ; ) {
      const type = cursor.nodeType;
      const named = cursor.nodeIsNamed;
      if (named && wanted.has(type)) found.push(cursor.currentNode);
      if ((depth === 0 || !(named && skip.has(type))) && cursor.gotoFirstChild()) {
        depth += 1;
        continue;
      }
      // The next sibling of this node or of the nearest ancestor below `node` that has one.
      for (;;) {
        if (depth === 0) return found;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        depth -= 1;
      }
    }
  } finally {
    cursor.delete();
  }
}

export { wordOccurrences } from '../syntax/text';

/** The call/new expression whose callee ends at the identifier at `offset`, if there is one. */
export function callWithCalleeAt(root: Node, offset: number): Node | undefined {
  // Each read of `type` or `parent` is a call into wasm (`parent` walks down from the root): once per node.
  let node = root.descendantForIndex(offset, offset);
  const type = node?.type;
  if (!node || (type !== 'identifier' && type !== 'property_identifier')) return undefined;
  let call = node.parent;
  const parentType = call?.type;
  if (call && (parentType === 'attribute' || parentType === 'member_expression') && !call.childForFieldName('object')?.equals(node)) {
    node = call;
    call = node.parent;
  }
  return call && calleeOf(call)?.equals(node) ? call : undefined;
}

/**
 * Calls whose callee's last name matches `namePattern` (a RegExp source, e.g. `sleep|run` finds
 * `time.sleep(...)`, `sleep(...)`, `sp.run(...)`): a text prefilter over the tree's source, each
 * hit confirmed on the tree. Far cheaper than capturing every call, because crossing into wasm
 * per node is what costs.
 */
export function callsNamed(root: Node, namePattern: string, within?: readonly Range[]): Node[] {
  const text = root.text;
  const pattern = new RegExp(`(?<![\\w$])(?:${namePattern})(?=\\s*\\()`, 'g');
  const calls: Node[] = [];
  for (const match of text.matchAll(pattern)) {
    const offset = root.startIndex + match.index;
    if (within && !within.some((range) => range.start <= offset && offset < range.end)) continue;
    const call = callWithCalleeAt(root, offset);
    if (call) calls.push(call);
  }
  return calls;
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

const asyncBodyCache = new WeakMap<Node['tree'], Map<number, Range[]>>();

/**
 * The bodies of the async functions in `root` (nested functions inside them included): checks of
 * code that runs in coroutines skip text outside them before touching the tree.
 */
export function asyncBodies(root: Node): readonly Range[] {
  let byRoot = asyncBodyCache.get(root.tree);
  if (!byRoot) {
    byRoot = new Map();
    asyncBodyCache.set(root.tree, byRoot);
  }
  let ranges = byRoot.get(root.startIndex);
  if (!ranges) {
    ranges = [];
    for (const offset of wordOccurrences(root.text, 'async')) {
      const at = root.startIndex + offset;
      const body = root.descendantForIndex(at, at + 'async'.length)?.parent?.childForFieldName('body');
      if (body) ranges.push({ start: body.startIndex, end: body.endIndex });
    }
    byRoot.set(root.startIndex, ranges);
  }
  return ranges;
}

/** The `type` nodes that the keyword `word` introduces in the tree (`except` → its `except_clause`), found in the text and confirmed on the tree. */
export function keywordNodes(root: Node, word: string, type: string, within?: readonly Range[]): Node[] {
  const found: Node[] = [];
  for (const offset of wordOccurrences(root.text, word)) {
    const at = root.startIndex + offset;
    if (within && !within.some((range) => range.start <= at && at < range.end)) continue;
    const token = root.descendantForIndex(at, at + word.length);
    const parent = token?.type === word && !token.isNamed ? token.parent : null; // each `.parent` walks down from the root
    if (parent?.type === type) found.push(parent);
  }
  return found;
}

/** The expression nodes of every `await` in the tree (found in the text, confirmed on the tree). */
export function awaitExpressions(root: Node, expressionType: 'await' | 'await_expression'): Node[] {
  return keywordNodes(root, 'await', expressionType);
}

/** Statement-level calls `f(...)` whose result is dropped, among `calls`. */
export function droppedCalls(calls: readonly Node[]): Node[] {
  return calls.filter((call) => {
    const statement = call.parent; // each `.parent` walks down from the root
    return statement?.type === 'expression_statement' && statement.namedChildCount === 1;
  });
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

/**
 * Whether each iteration's awaited call is independent work, decided by what it is called on: a
 * function (or a module's) called with the item, or results collected from method calls
 * (`out.append(await session.get(url))`). A method call whose result is dropped is an operation
 * on an object — a write to a connection or a stream, a put into a queue, a test's subtest, a
 * hook notified for each subscriber — whose order the loop keeps on purpose: left alone.
 */
export function independentIterations(receiver: Node | null, args: Node | null, collector: Node | undefined, variable: string): boolean {
  if (receiver) return collector !== undefined && (mentions(receiver, variable) || mentions(args, variable));
  return mentions(args, variable);
}
