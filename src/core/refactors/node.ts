/**
 * JavaScript/TypeScript refactors on a selection of whole statements:
 * - consecutive independent awaits (`await x;`, `const a = await x;`) → one `Promise.all`;
 * - CPU work in an async function → a top-level function run in a worker thread started from the
 *   same file (`isMainThread`), or in a child process the file forks, receiving the variables it
 *   reads and returning those used later. Offered only in ES modules whose top level declares
 *   things but runs nothing, because the worker or child re-evaluates the module.
 */
import type { Node } from 'web-tree-sitter';
import { planImports } from '../patterns/imports';
import type { PatternImport } from '../patterns/types';
import { enclosingFunction, inAsyncContext } from '../syntax/context';
import { importsOf } from '../syntax/imports';
import type { ParsedDocument } from '../syntax/parsedDocument';
import type { TextChange } from '../syntax/text';
import { promiseAllLoopEdits } from './loops';
import { freshName, indentationOf, indentUnit, reindent, selectedStatements, toTextChange, walk } from './selection';
import type { Refactor } from './types';

interface AwaitStatement {
  /** `const`/`let`/`var` for declarations, undefined for a bare `await x;`. */
  readonly declaration: string | undefined;
  readonly target: string | undefined;
  readonly awaited: Node;
}

export function nodeRefactors(doc: ParsedDocument, start: number, end: number): Refactor[] {
  const statements = selectedStatements(doc, start, end);
  const indent = statements && indentationOf(doc.text, statements[0]!);
  if (!statements || indent === undefined || !inAsyncContext(statements[0]!)) return [];
  const refactors: Refactor[] = [];
  const promiseAll = promiseAllRefactor(doc, statements, indent);
  if (promiseAll) refactors.push(promiseAll);
  const loopEdits = statements.length === 1 ? promiseAllLoopEdits(statements[0]!) : undefined;
  if (loopEdits) refactors.push({ id: 'node.promiseAllLoop', kind: 'rewrite', changes: loopEdits.map(toTextChange) });
  for (const target of OFFLOAD_TARGETS) {
    const offload = offloadRefactor(doc, statements, indent, target);
    if (offload) refactors.push(offload);
  }
  return refactors;
}

function promiseAllRefactor(doc: ParsedDocument, statements: readonly Node[], indent: string): Refactor | undefined {
  const awaits = concurrentAwaits(statements);
  if (!awaits) return undefined;
  const declarations = new Set(awaits.map((item) => item.declaration).filter((kind) => kind !== undefined));
  if (declarations.size > 1) return undefined;
  const unit = indentUnit(doc.text, statements[0]!, '  ');
  const declaration = [...declarations][0];
  const pattern = declaration ? `${declaration} [${awaits.map((item) => item.target ?? '').join(', ')}] = ` : '';
  const lines = [`${pattern}await Promise.all([`, ...awaits.map((item) => `${indent}${unit}${item.awaited.text},`), `${indent}]);`];
  const first = statements[0]!;
  const last = statements.at(-1)!;
  return { id: 'node.promiseAll', kind: 'rewrite', changes: [{ offset: first.startIndex, deleteLength: last.endIndex - first.startIndex, insertText: lines.join('\n') }] };
}

const FUNCTION_SCOPES = new Set(['function_declaration', 'function_expression', 'function', 'arrow_function', 'method_definition', 'class_declaration', 'class']);

function declaredNames(nodes: readonly Node[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) {
    walk(node, (child) => {
      if (child.type === 'variable_declarator') {
        const name = child.childForFieldName('name');
        if (name?.type === 'identifier') names.add(name.text);
      }
      if (child.type === 'function_declaration' || child.type === 'class_declaration') {
        const name = child.childForFieldName('name');
        if (name) names.add(name.text);
        return false;
      }
      return !FUNCTION_SCOPES.has(child.type);
    });
  }
  return names;
}

function identifiers(nodes: readonly Node[], from = 0): string[] {
  const names: string[] = [];
  for (const node of nodes) {
    walk(node, (child) => {
      if (child.endIndex <= from) return false;
      if ((child.type === 'identifier' || child.type === 'shorthand_property_identifier') && child.startIndex >= from && !names.includes(child.text)) names.push(child.text);
      return true;
    });
  }
  return names;
}

/** True when the selection cannot move into another function: it returns, awaits, yields, jumps out, uses `this` or reassigns outer variables. */
function leavesSelection(statements: readonly Node[], declared: ReadonlySet<string>): boolean {
  let leaves = false;
  for (const statement of statements) {
    walk(statement, (child) => {
      if (['return_statement', 'await_expression', 'yield_expression', 'break_statement', 'continue_statement', 'this'].includes(child.type)) leaves = true;
      if (child.type === 'assignment_expression' || child.type === 'augmented_assignment_expression' || child.type === 'update_expression') {
        const target = child.childForFieldName('left') ?? child.childForFieldName('argument');
        if (target?.type === 'identifier' && !declared.has(target.text)) leaves = true;
      }
      return !leaves && !FUNCTION_SCOPES.has(child.type);
    });
  }
  return leaves;
}

/** Where selected code can move, and the glue each target needs (`unit` is one indentation level). */
interface OffloadTarget {
  readonly id: 'node.workerThread' | 'node.childProcess';
  readonly taskBase: string;
  readonly runner: string;
  readonly imports: readonly PatternImport[];
  runnerLines(unit: string): string[];
  dispatchLines(unit: string, task: string): string[];
}

const OFFLOAD_TARGETS: readonly OffloadTarget[] = [
  {
    id: 'node.workerThread',
    taskBase: 'workerTask',
    runner: 'runInWorker',
    imports: [{ module: 'node:worker_threads', names: ['Worker', 'isMainThread', 'parentPort', 'workerData'] }],
    runnerLines: (unit) => [
      '/** Runs a task of this module in a worker thread: the module starts itself as the worker. */',
      'function runInWorker(task, args) {',
      `${unit}return new Promise((resolve, reject) => {`,
      `${unit}${unit}const worker = new Worker(new URL(import.meta.url), { workerData: { task, args } });`,
      `${unit}${unit}worker.once('message', resolve);`,
      `${unit}${unit}worker.once('error', reject);`,
      `${unit}${unit}worker.once('exit', (code) => {`,
      `${unit}${unit}${unit}if (code !== 0) reject(new Error(\`worker stopped with exit code \${code}\`));`,
      `${unit}${unit}});`,
      `${unit}});`,
      '}',
    ],
    dispatchLines: (unit, task) => [`if (!isMainThread && workerData?.task === '${task}') {`, `${unit}parentPort?.postMessage(${task}(workerData.args));`, '}'],
  },
  {
    id: 'node.childProcess',
    taskBase: 'childTask',
    runner: 'runInChildProcess',
    imports: [
      { module: 'node:child_process', names: ['fork'] },
      { module: 'node:url', names: ['fileURLToPath'] },
    ],
    runnerLines: (unit) => [
      '/** Runs a task of this module in a child Node.js process: the module forks itself and they talk over IPC. */',
      'function runInChildProcess(task, args) {',
      `${unit}return new Promise((resolve, reject) => {`,
      `${unit}${unit}const child = fork(fileURLToPath(import.meta.url), ['--run-task', task]);`,
      `${unit}${unit}child.once('message', (result) => {`,
      `${unit}${unit}${unit}child.disconnect();`,
      `${unit}${unit}${unit}resolve(result);`,
      `${unit}${unit}});`,
      `${unit}${unit}child.once('error', reject);`,
      `${unit}${unit}child.once('exit', (code) => {`,
      `${unit}${unit}${unit}if (code !== 0) reject(new Error(\`child process exited with code \${code}\`));`,
      `${unit}${unit}});`,
      `${unit}${unit}child.send(args);`,
      `${unit}});`,
      '}',
    ],
    dispatchLines: (unit, task) => [
      `if (process.argv[2] === '--run-task' && process.argv[3] === '${task}') {`,
      `${unit}process.once('message', (args) => process.send?.(${task}(args)));`,
      '}',
    ],
  },
];

function offloadRefactor(doc: ParsedDocument, statements: readonly Node[], indent: string, target: OffloadTarget): Refactor | undefined {
  const root = doc.tree.rootNode;
  const table = importsOf(doc.tree, 'node');
  const runsCode = root.namedChildren.some((child) => child?.type === 'expression_statement' && child.namedChild(0)?.type !== 'string');
  const commonJs = table.statements.some((statement) => statement.type !== 'import_statement');
  const fn = enclosingFunction(statements[0]!);
  const body = fn?.childForFieldName('body');
  if (runsCode || commonJs || !fn || !body || body.type !== 'statement_block') return undefined;
  const declared = declaredNames(statements);
  if (leavesSelection(statements, declared)) return undefined;
  const first = statements[0]!;
  const last = statements.at(-1)!;
  const outside = body.namedChildren.filter((child): child is Node => child !== null && (child.endIndex <= first.startIndex || child.startIndex >= last.endIndex));
  const parameters = fn.childForFieldName('parameters');
  const local = new Set([...declaredNames(outside), ...(parameters ? identifiers([parameters]) : [])]);
  const inputs = identifiers(statements).filter((name) => local.has(name) && !declared.has(name));
  const outputs = [...declared].filter((name) => identifiers([body], last.endIndex).includes(name));
  const task = freshName(doc.text, target.taskBase);
  const unit = indentUnit(doc.text, first, '  ');
  const topLevel = (() => {
    let current = first;
    while (current.parent && current.parent.parent) current = current.parent;
    return current;
  })();
  const definition = [`function ${task}({ ${inputs.join(', ')} }) {`, ...reindent(doc.text, statements, indent, unit), ...(outputs.length > 0 ? [`${unit}return { ${outputs.join(', ')} };`] : []), '}', '', ''];
  const call = `${outputs.length > 0 ? `const { ${outputs.join(', ')} } = ` : ''}await ${target.runner}('${task}', { ${inputs.join(', ')} });`;
  const glue = ['', ...(doc.text.includes(`function ${target.runner}(`) ? [] : [...target.runnerLines(unit), '']), ...target.dispatchLines(unit, task), ''];
  const changes: TextChange[] = [];
  const imports = planImports(doc, target.imports);
  if (imports) changes.push({ offset: imports.offset, deleteLength: 0, insertText: imports.text });
  changes.push({ offset: doc.text.lastIndexOf('\n', topLevel.startIndex - 1) + 1, deleteLength: 0, insertText: definition.join('\n') });
  changes.push({ offset: first.startIndex, deleteLength: last.endIndex - first.startIndex, insertText: call });
  changes.push({ offset: doc.text.length, deleteLength: 0, insertText: `${doc.text.endsWith('\n') ? '' : '\n'}${glue.join('\n')}` });
  return { id: target.id, kind: 'extract', changes };
}

function awaitStatement(statement: Node): AwaitStatement | undefined {
  if (statement.type === 'expression_statement') {
    const expression = statement.namedChild(0);
    const awaited = expression?.type === 'await_expression' ? expression.namedChild(0) : null;
    return awaited ? { declaration: undefined, target: undefined, awaited } : undefined;
  }
  if (statement.type !== 'lexical_declaration' && statement.type !== 'variable_declaration') return undefined;
  const declarators = statement.namedChildren.filter((child) => child?.type === 'variable_declarator');
  const declarator = declarators.length === 1 ? declarators[0] : null;
  const name = declarator?.childForFieldName('name');
  const value = declarator?.childForFieldName('value');
  const awaited = value?.type === 'await_expression' ? value.namedChild(0) : null;
  if (name?.type !== 'identifier' || !awaited || declarator?.childForFieldName('type')) return undefined;
  return { declaration: statement.child(0)?.text, target: name.text, awaited };
}

/** Two or more awaits where none uses a name an earlier one declared. */
function concurrentAwaits(statements: readonly Node[]): AwaitStatement[] | undefined {
  if (statements.length < 2) return undefined;
  const declared = new Set<string>();
  const awaits: AwaitStatement[] = [];
  for (const statement of statements) {
    const item = awaitStatement(statement);
    if (!item) return undefined;
    let dependent = false;
    walk(item.awaited, (child) => {
      if ((child.type === 'identifier' || child.type === 'shorthand_property_identifier') && declared.has(child.text)) dependent = true;
      return !dependent;
    });
    if (dependent) return undefined;
    if (item.target !== undefined) declared.add(item.target);
    awaits.push(item);
  }
  return awaits;
}
