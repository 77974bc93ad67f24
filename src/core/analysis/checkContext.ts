/**
 * What a rule check sees: the tree to check (the whole document, or one top-level definition
 * parsed alone after an edit), the module-level facts of the document, and a `report` sink.
 */
import { type Language, type Node, Query } from 'web-tree-sitter';
import { type ImportBinding, type ImportTable, importsInFunctions } from '../syntax/imports';
import type { PythonNames } from '../syntax/receivers';
import type { LanguageFamily } from '../syntax/languages';
import type { Uncloneable } from './nodeMessages';
import type { Localized, RuleId } from './types';

/** Facts about the whole module that checks of one definition need. */
export interface ModuleFacts {
  /** Names of module-level `async def` / async functions (calling one without await drops a coroutine/promise). */
  readonly asyncFunctions: ReadonlySet<string>;
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

/** Every occurrence of `word` as a whole identifier-like word in `text` (a cheap prefilter; callers confirm with the tree). */
export function wordOccurrences(text: string, word: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(word); index >= 0; index = text.indexOf(word, index + word.length)) {
    const before = text.charCodeAt(index - 1);
    const after = text.charCodeAt(index + word.length);
    if (!isWordChar(before) && !isWordChar(after)) found.push(index);
  }
  return found;
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}

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
    if (token?.type === word && !token.isNamed && token.parent?.type === type) found.push(token.parent);
  }
  return found;
}

/** The expression nodes of every `await` in the tree (found in the text, confirmed on the tree). */
export function awaitExpressions(root: Node, expressionType: 'await' | 'await_expression'): Node[] {
  return keywordNodes(root, 'await', expressionType);
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
