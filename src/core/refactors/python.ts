/**
 * Python refactors on a selection of whole statements:
 * - consecutive independent awaits → `asyncio.gather` or a `TaskGroup`;
 * - blocking statements → a function run with `asyncio.to_thread`, in a thread pool, or in a
 *   process pool (a top-level, picklable function that receives the local variables it reads and
 *   returns the ones the code after it uses; a main-module guard when the code runs at module level).
 * A `for` loop that only appends to a list becomes `list.extend(pool.map(…))`.
 */
import type { Node } from 'web-tree-sitter';
import { planImports } from '../patterns/imports';
import type { PatternImport } from '../patterns/types';
import { enclosingFunction, inAsyncContext } from '../syntax/context';
import { importsOf } from '../syntax/imports';
import type { ParsedDocument } from '../syntax/parsedDocument';
import type { TextChange } from '../syntax/text';
import { gatherLoopEdits } from './loops';
import { freshName, indentationOf, indentUnit, reindent, selectedStatements, toTextChange, walk } from './selection';
import type { Refactor } from './types';

export function pythonRefactors(doc: ParsedDocument, start: number, end: number): Refactor[] {
  const statements = selectedStatements(doc, start, end);
  if (!statements) return [];
  const indent = indentationOf(doc.text, statements[0]!);
  if (indent === undefined) return [];
  const context: Context = { doc, statements, indent, unit: indentUnit(doc.text, statements[0]!, '    ') };
  const refactors: Refactor[] = [];
  const awaits = concurrentAwaits(statements);
  if (awaits && inAsyncContext(statements[0]!)) refactors.push(gather(context, awaits), taskGroup(context, awaits));
  const loopEdits = statements.length === 1 && inAsyncContext(statements[0]!) ? gatherLoopEdits(doc, statements[0]!) : undefined;
  if (loopEdits) refactors.push({ id: 'python.gatherLoop', kind: 'rewrite', changes: loopEdits.map(toTextChange) });
  const extraction = extractable(context);
  if (extraction) {
    if (inAsyncContext(statements[0]!)) refactors.push(toThread(context, extraction));
    refactors.push(inPool(context, extraction, 'thread'), inPool(context, extraction, 'process'));
  }
  return refactors;
}

interface Context {
  readonly doc: ParsedDocument;
  readonly statements: readonly Node[];
  /** Indentation of the selected statements, and one level as the file writes it. */
  readonly indent: string;
  readonly unit: string;
}

function replaceSelection(context: Context, lines: readonly string[]): TextChange {
  const first = context.statements[0]!;
  const last = context.statements.at(-1)!;
  const insertText = lines.map((line, index) => (index === 0 || line === '' ? line : context.indent + line)).join('\n');
  return { offset: first.startIndex, deleteLength: last.endIndex - first.startIndex, insertText };
}

/** The local name of `module` when the file imports it (`import asyncio as aio` → `aio`). */
function moduleName(doc: ParsedDocument, module: string): string | undefined {
  for (const [local, binding] of importsOf(doc.tree, 'python').bindings) if (binding.qualifiedName === module) return local;
  return undefined;
}

function withImports(doc: ParsedDocument, imports: readonly PatternImport[], changes: TextChange[]): TextChange[] {
  const edit = planImports(doc, imports);
  return edit ? [{ offset: edit.offset, deleteLength: 0, insertText: edit.text }, ...changes] : changes;
}

// ── awaits → gather / TaskGroup ─────────────────────────────────────────────

interface AwaitStatement {
  readonly target: string | undefined;
  readonly awaited: Node;
}

function awaitStatement(statement: Node): AwaitStatement | undefined {
  if (statement.type !== 'expression_statement' || statement.namedChildCount !== 1) return undefined;
  const expression = statement.namedChild(0);
  if (expression?.type === 'await') {
    const awaited = expression.namedChild(0);
    return awaited ? { target: undefined, awaited } : undefined;
  }
  if (expression?.type !== 'assignment' || expression.childForFieldName('type')) return undefined;
  const left = expression.childForFieldName('left');
  const right = expression.childForFieldName('right');
  const awaited = right?.type === 'await' ? right.namedChild(0) : null;
  return left?.type === 'identifier' && awaited ? { target: left.text, awaited } : undefined;
}

/** Two or more awaits where none uses what an earlier one assigned (so they may run at the same time). */
function concurrentAwaits(statements: readonly Node[]): AwaitStatement[] | undefined {
  if (statements.length < 2) return undefined;
  const awaits: AwaitStatement[] = [];
  const assigned = new Set<string>();
  for (const statement of statements) {
    const item = awaitStatement(statement);
    if (!item) return undefined;
    const reads = identifierTexts(item.awaited);
    if ([...assigned].some((name) => reads.has(name))) return undefined;
    if (item.target !== undefined) {
      if (assigned.has(item.target)) return undefined;
      assigned.add(item.target);
    }
    awaits.push(item);
  }
  return awaits;
}

function identifierTexts(node: Node): Set<string> {
  const names = new Set<string>();
  walk(node, (child) => {
    if (child.type === 'identifier') names.add(child.text);
    return true;
  });
  return names;
}

function gather(context: Context, awaits: readonly AwaitStatement[]): Refactor {
  const asyncio = moduleName(context.doc, 'asyncio') ?? 'asyncio';
  const targets = awaits.some((item) => item.target !== undefined) ? `${awaits.map((item) => item.target ?? '_').join(', ')} = ` : '';
  const lines = [`${targets}await ${asyncio}.gather(`, ...awaits.map((item) => `${context.unit}${item.awaited.text},`), ')'];
  return { id: 'python.gather', kind: 'rewrite', changes: withImports(context.doc, [{ module: 'asyncio' }], [replaceSelection(context, lines)]) };
}

function taskGroup(context: Context, awaits: readonly AwaitStatement[]): Refactor {
  const asyncio = moduleName(context.doc, 'asyncio') ?? 'asyncio';
  const group = freshName(context.doc.text, 'group');
  const tasks = awaits.map((item) => (item.target === undefined ? undefined : freshName(context.doc.text, `${item.target}_task`)));
  const lines = [
    `async with ${asyncio}.TaskGroup() as ${group}:`,
    ...awaits.map((item, index) => `${context.unit}${tasks[index] === undefined ? '' : `${tasks[index]} = `}${group}.create_task(${item.awaited.text})`),
    ...awaits.flatMap((item, index) => (item.target === undefined ? [] : [`${item.target} = ${tasks[index]}.result()`])),
  ];
  return { id: 'python.taskGroup', kind: 'rewrite', changes: withImports(context.doc, [{ module: 'asyncio' }], [replaceSelection(context, lines)]) };
}

// ── statements → a function run elsewhere ───────────────────────────────────

interface Extraction {
  /** Variables of the surrounding scope the code reads: they become parameters. */
  readonly parameters: string[];
  /** Variables the code assigns or mutates that later code reads: they are returned. */
  readonly results: string[];
  /** `for item in items: results.append(expr)` as its parts, for the `pool.map` form. */
  readonly appendLoop: { item: string; iterable: Node; list: string; value: Node; parameters: string[] } | undefined;
}

const NESTED_SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);
const LOOPS = new Set(['for_statement', 'while_statement']);
const MUTATING_METHODS = new Set(['append', 'extend', 'insert', 'update', 'add', 'pop', 'popitem', 'remove', 'clear', 'setdefault', 'discard', 'sort', 'reverse']);

/** Why a selection cannot move into another function: it returns, yields, awaits or jumps out. */
function leavesSelection(statements: readonly Node[]): boolean {
  let leaves = false;
  const visit = (node: Node, loopDepth: number): void => {
    if (leaves) return;
    if (NESTED_SCOPES.has(node.type)) return;
    if (['return_statement', 'yield', 'await', 'global_statement', 'nonlocal_statement'].includes(node.type)) leaves = true;
    if ((node.type === 'break_statement' || node.type === 'continue_statement') && loopDepth === 0) leaves = true;
    if (node.type === 'async' || (node.type === 'for_statement' && node.text.startsWith('async'))) leaves = true;
    for (const child of node.children) if (child) visit(child, loopDepth + (LOOPS.has(node.type) ? 1 : 0));
  };
  for (const statement of statements) visit(statement, 0);
  return leaves;
}

/** Names bound by assignment targets, loop variables, `with … as`, walrus, imports and definitions (not inside nested scopes). */
function assignedNames(nodes: readonly Node[]): Set<string> {
  const names = new Set<string>();
  const bindTarget = (target: Node | null): void => {
    if (!target) return;
    if (target.type === 'identifier') names.add(target.text);
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'as_pattern_target', 'list_splat_pattern', 'parenthesized_expression', 'tuple', 'list'].includes(target.type)) {
      for (const child of target.namedChildren) bindTarget(child);
    }
  };
  for (const node of nodes) {
    walk(node, (child) => {
      switch (child.type) {
        case 'assignment':
        case 'augmented_assignment':
          bindTarget(child.childForFieldName('left'));
          return true;
        case 'for_statement':
        case 'for_in_clause':
          bindTarget(child.childForFieldName('left'));
          return true;
        case 'as_pattern_target':
        case 'named_expression':
          bindTarget(child.type === 'named_expression' ? child.childForFieldName('name') : child);
          return true;
        case 'function_definition':
        case 'class_definition':
          bindTarget(child.childForFieldName('name'));
          return false;
        default:
          return !NESTED_SCOPES.has(child.type);
      }
    });
  }
  return names;
}

/** Identifiers read as variables (not attribute names or keyword-argument names), in order of first use. */
function readNames(nodes: readonly Node[]): string[] {
  const names: string[] = [];
  for (const node of nodes) {
    walk(node, (child) => {
      if (child.type !== 'identifier') return true;
      const parent = child.parent;
      const isAttributeName = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(child);
      const isKeyword = parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.equals(child);
      if (!isAttributeName && !isKeyword && !names.includes(child.text)) names.push(child.text);
      return false;
    });
  }
  return names;
}

/** Variables whose object the code changes in place: `x.append(…)`, `x[k] = …`, `x.attr = …`. */
function mutatedNames(nodes: readonly Node[]): Set<string> {
  const names = new Set<string>();
  const rootName = (node: Node | null): string | undefined => {
    let current = node;
    while (current && (current.type === 'attribute' || current.type === 'subscript')) current = current.childForFieldName(current.type === 'attribute' ? 'object' : 'value');
    return current?.type === 'identifier' ? current.text : undefined;
  };
  for (const node of nodes) {
    walk(node, (child) => {
      if (child.type === 'call') {
        const callee = child.childForFieldName('function');
        if (callee?.type === 'attribute' && MUTATING_METHODS.has(callee.childForFieldName('attribute')?.text ?? '')) {
          const name = rootName(callee.childForFieldName('object'));
          if (name) names.add(name);
        }
      }
      if (child.type === 'assignment' || child.type === 'augmented_assignment') {
        const left = child.childForFieldName('left');
        if (left?.type === 'attribute' || left?.type === 'subscript') {
          const name = rootName(left);
          if (name) names.add(name);
        }
      }
      return !NESTED_SCOPES.has(child.type);
    });
  }
  return names;
}

function extractable(context: Context): Extraction | undefined {
  const { doc, statements } = context;
  if (leavesSelection(statements)) return undefined;
  const fn = enclosingFunction(statements[0]!);
  const scope = fn ? fn.childForFieldName('body') : doc.tree.rootNode;
  if (!scope) return undefined;
  const first = statements[0]!;
  const last = statements.at(-1)!;
  const outside = scope.namedChildren.filter((child): child is Node => child !== null && (child.endIndex <= first.startIndex || child.startIndex >= last.endIndex));
  // Statements that contain the selection (an `if` around it) bind names too: the selection itself is excluded from them below.
  const around = scope.namedChildren.filter((child): child is Node => child !== null && child.startIndex <= first.startIndex && child.endIndex >= last.endIndex && !statements.some((statement) => statement.equals(child)));
  const definedOutside = assignedNames(outside);
  for (const name of assignedNames(around)) if (!assignedNames(statements).has(name)) definedOutside.add(name);
  if (fn) for (const name of parameterNames(fn)) definedOutside.add(name);
  const reads = readNames(statements);
  const parameters = reads.filter((name) => definedOutside.has(name));
  const laterReads = new Set<string>();
  walk(scope, (child) => {
    if (child.endIndex <= last.endIndex) return false;
    if (child.type === 'identifier') laterReads.add(child.text);
    return true;
  });
  const changed = new Set([...assignedNames(statements), ...[...mutatedNames(statements)].filter((name) => parameters.includes(name))]);
  const results = [...changed].filter((name) => laterReads.has(name));
  return { parameters, results, appendLoop: appendLoop(statements, definedOutside) };
}

/** `def f(a, b: int = 1, *args, **kwargs)` → a, b, args, kwargs. */
function parameterNames(fn: Node): string[] {
  const names: string[] = [];
  for (const parameter of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!parameter) continue;
    const name = parameter.type === 'identifier' ? parameter : (parameter.childForFieldName('name') ?? parameter.namedChildren.find((child) => child?.type === 'identifier') ?? null);
    if (name?.type === 'identifier') names.push(name.text);
  }
  return names;
}

function appendLoop(statements: readonly Node[], definedOutside: ReadonlySet<string>): Extraction['appendLoop'] {
  const loop = statements[0];
  if (statements.length !== 1 || loop?.type !== 'for_statement' || loop.text.startsWith('async') || loop.childForFieldName('alternative')) return undefined;
  const item = loop.childForFieldName('left');
  const iterable = loop.childForFieldName('right');
  const body = loop.childForFieldName('body');
  const only = body?.namedChildCount === 1 ? body.namedChild(0) : null;
  const call = only?.type === 'expression_statement' ? only.namedChild(0) : null;
  const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
  const list = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  const args = call?.childForFieldName('arguments');
  const value = args?.namedChildCount === 1 ? args.namedChild(0) : null;
  if (item?.type !== 'identifier' || !iterable || list?.type !== 'identifier' || callee?.childForFieldName('attribute')?.text !== 'append') return undefined;
  if (!value || value.type === 'keyword_argument' || value.type === 'list_splat' || !definedOutside.has(list.text)) return undefined;
  const parameters = readNames([value]).filter((name) => name !== item.text && definedOutside.has(name));
  return { item: item.text, iterable, list: list.text, value, parameters };
}

function toThread(context: Context, extraction: Extraction): Refactor {
  const asyncio = moduleName(context.doc, 'asyncio') ?? 'asyncio';
  const name = freshName(context.doc.text, '_blocking_work');
  const call = `await ${asyncio}.to_thread(${[name, ...extraction.parameters].join(', ')})`;
  const lines = [...functionLines(context, name, extraction, context.indent, true), '', `${assignment(extraction)}${call}`];
  return { id: 'python.toThread', kind: 'extract', changes: withImports(context.doc, [{ module: 'asyncio' }], [replaceSelection(context, lines)]) };
}

function inPool(context: Context, extraction: Extraction, kind: 'thread' | 'process'): Refactor {
  const { doc, unit } = context;
  const executor = kind === 'thread' ? 'ThreadPoolExecutor' : 'ProcessPoolExecutor';
  const imports: PatternImport[] = [{ module: 'concurrent.futures', names: [executor] }];
  const pool = freshName(doc.text, 'pool');
  const loop = extraction.appendLoop;
  const name = freshName(doc.text, loop ? '_compute_item' : kind === 'thread' ? '_run_in_thread' : '_run_in_process');
  const extraParameters = loop ? loop.parameters : extraction.parameters;
  if (loop && extraParameters.length > 0) imports.push({ module: 'itertools', names: ['repeat'] });
  const atModuleLevel = enclosingFunction(context.statements[0]!) === null;
  const nestedHere = kind === 'thread' && !atModuleLevel;
  const definition = loop
    ? [`def ${name}(${[loop.item, ...extraParameters].join(', ')}):`, `${unit}return ${loop.value.text}`]
    : functionLines(context, name, extraction, '', nestedHere);
  const work = loop
    ? `${loop.list}.extend(${pool}.map(${[name, loop.iterable.text, ...extraParameters.map((parameter) => `repeat(${parameter})`)].join(', ')}))`
    : `${assignment(extraction)}${pool}.submit(${[name, ...extraction.parameters].join(', ')}).result()`;
  let call = [`with ${executor}() as ${pool}:`, `${unit}${work}`];
  if (kind === 'process' && atModuleLevel && !insideMainGuard(context.statements[0]!)) call = ['if __name__ == "__main__":', ...call.map((line) => unit + line)];
  const changes: TextChange[] = [];
  if (nestedHere) {
    // Threads need no pickling: the function stays next to the code that uses it.
    changes.push(replaceSelection(context, [...definition, '', ...call]));
  } else {
    // A top-level function, so a process pool can pickle it: placed before the top-level statement holding the selection.
    const topLevel = topLevelStatement(context.statements[0]!);
    const placeAt = doc.text.lastIndexOf('\n', topLevel.startIndex - 1) + 1;
    changes.push({ offset: placeAt, deleteLength: 0, insertText: `${definition.join('\n')}\n\n\n` });
    changes.push(replaceSelection(context, call));
  }
  return { id: kind === 'thread' ? 'python.threadPool' : 'python.processPool', kind: 'extract', changes: withImports(doc, imports, changes) };
}

function assignment(extraction: Extraction): string {
  return extraction.results.length > 0 ? `${extraction.results.join(', ')} = ` : '';
}

/** `def name(parameters):` and the selected code re-indented under it, returning the results. */
function functionLines(context: Context, name: string, extraction: Extraction, indent: string, relative: boolean): string[] {
  const { doc, statements, unit } = context;
  const bodyIndent = relative ? unit : indent + unit;
  const body = reindent(doc.text, statements, context.indent, bodyIndent);
  const returns = extraction.results.length > 0 ? [`${bodyIndent}return ${extraction.results.join(', ')}`] : [];
  return [`def ${name}(${extraction.parameters.join(', ')}):`, ...body, ...returns];
}

function topLevelStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.parent) current = current.parent;
  return current;
}

function insideMainGuard(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'if_statement' && /^__name__\s*==\s*['"]__main__['"]$/.test(parent.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}
