/** Quick fixes and refactors for the Python rules. */
import type { Node } from 'web-tree-sitter';
import { isMainGuard } from '../analysis/pythonChecks';
import { gatherLoopEdits } from '../refactors/loops';
import { enclosingFunction, isAsyncFunction, isFunctionNode } from '../syntax/context';
import { importsOf } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { freshName } from '../refactors/selection';
import { type Fix, type TextEdit, hasMultiLineString, withImport, indentLines, indentUnitOf, indentationAt, insertAt, isAloneOnLine, lineBreakOf, lineStartOf, parenthesizeIfOperand, replaceNode } from './edits';
import { pythonReference } from './importEdits';
import { type PythonVersion, projectSupports } from './pythonVersion';

/** Blocking calls that `asyncio.to_thread` can run unchanged (functions, not constructors of blocking objects). */
const TO_THREAD_SAFE = /^(requests\.\w+|httpx\.(get|post|put|patch|delete|head|options|request)|urllib\.request\.urlopen|urllib3\.request|subprocess\.(run|call|check_call|check_output|getoutput|getstatusoutput)|os\.(system|spawn\w+|wait\w*|posix_spawnp?)|os\.path\.\w+|input)$/;
/** Path methods `to_thread` can run as they are (not `open`, `iterdir`, `glob`…: what they return does more I/O later). */
const PATH_METHOD = /^(read_text|write_text|read_bytes|write_bytes|exists|is_file|is_dir|is_symlink|stat|lstat|mkdir|rmdir|unlink|touch|rename|replace|chmod|samefile|readlink|symlink_to|hardlink_to|owner|group)$/;

export function awaitAsyncioSleep(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.childForFieldName('function');
  const asyncio = pythonReference(doc, 'asyncio');
  if (!callee || !asyncio) return [];
  return [{
    title: { en: 'Use await asyncio.sleep(…)', 'zh-cn': '改用 await asyncio.sleep(…)' },
    kind: 'quickfix',
    isPreferred: true,
    edits: withImport(asyncio.edit, replaceNode(call, parenthesizeIfOperand(call, `await ${asyncio.expression}.sleep${argumentsText(call)}`))),
  }];
}

/** `f(a, b)` → `await asyncio.to_thread(f, a, b)` for blocking functions that are safe to run in a thread as they are. */
export function awaitToThread(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.childForFieldName('function');
  if (!callee) return [];
  const name = qualifiedName(callee, importsOf(doc.tree, 'python'), 'python');
  const pathMethod = callee.type === 'attribute' && PATH_METHOD.test(callee.childForFieldName('attribute')?.text ?? '');
  if (!pathMethod && (name === undefined || !TO_THREAD_SAFE.test(name))) return [];
  const asyncio = pythonReference(doc, 'asyncio');
  if (!asyncio) return [];
  const inner = argumentsText(call).slice(1, -1);
  const args = inner.trim() === '' ? '' : `, ${inner}`;
  return [{
    title: { en: 'Run it in a thread: await asyncio.to_thread(…)', 'zh-cn': '放到线程中运行：await asyncio.to_thread(…)' },
    kind: 'quickfix',
    isPreferred: name === 'input',
    edits: withImport(asyncio.edit, replaceNode(call, parenthesizeIfOperand(call, `await ${asyncio.expression}.to_thread(${callee.text}${args})`))),
  }];
}

export function addAwait(call: Node): Fix[] {
  const fn = enclosingFunction(call);
  if (!fn || !isAsyncFunction(fn)) return [];
  return [{ title: { en: 'Add await', 'zh-cn': '加上 await' }, kind: 'quickfix', isPreferred: true, edits: [insertAt(call.startIndex, 'await ')] }];
}

const TASK_SET = '_background_tasks';

/** Keeps a strong reference to the task in a module-level set until it is done (the pattern from the asyncio docs). */
export function keepTaskReference(doc: ParsedDocument, call: Node): Fix[] {
  const edits = keptTaskEdits(doc, call, call.text, undefined);
  return edits ? [{ title: { en: 'Keep a reference to the task until it is done', 'zh-cn': '保留任务引用直到其完成' }, kind: 'quickfix', isPreferred: true, edits }] : [];
}

/** The alternative to `await` for a dropped coroutine in a coroutine: run it as a task (kept referenced). */
export function scheduleAsTask(doc: ParsedDocument, call: Node): Fix[] {
  const fn = enclosingFunction(call);
  const asyncio = pythonReference(doc, 'asyncio');
  if (!fn || !isAsyncFunction(fn) || !asyncio) return [];
  const edits = keptTaskEdits(doc, call, `${asyncio.expression}.create_task(${call.text})`, asyncio.edit);
  return edits ? [{ title: { en: 'Run it concurrently with asyncio.create_task', 'zh-cn': '用 asyncio.create_task 并发运行' }, kind: 'quickfix', isPreferred: false, edits }] : [];
}

/** `task = <task>` kept in a module-level set until done; undefined where that shape does not fit. */
function keptTaskEdits(doc: ParsedDocument, call: Node, task: string, importEdit: TextEdit | undefined): TextEdit[] | undefined {
  const statement = call.parent;
  const text = doc.text;
  if (statement?.type !== 'expression_statement' || !isAloneOnLine(text, statement) || !enclosingFunction(call)) return undefined;
  const imports = importsOf(doc.tree, 'python');
  if (imports.bindings.has(TASK_SET)) return undefined;
  const eol = lineBreakOf(text);
  const indent = indentationAt(text, statement.startIndex);
  const edits: TextEdit[] = [replaceNode(call, `task = ${task}${eol}${indent}${TASK_SET}.add(task)${eol}${indent}task.add_done_callback(${TASK_SET}.discard)`)];
  let definition = imports.moduleDefinitions.has(TASK_SET) ? undefined : moduleLevelDefinition(doc, `# Strong references: the event loop keeps only weak ones to tasks.${eol}${TASK_SET} = set()`);
  // An added import and the set may go to the same place: one edit, import first.
  if (importEdit && definition && importEdit.start === definition.start) definition = { ...definition, newText: importEdit.newText + definition.newText };
  else if (importEdit) edits.push(importEdit);
  if (definition) edits.push(definition);
  return edits;
}

const TASK_GROUP_PYTHON: PythonVersion = { major: 3, minor: 11 };
const GROUP_TASK_KEYWORDS = new Set(['name', 'context']);

/**
 * `asyncio.create_task(coro)` / `ensure_future(coro)` dropped in a coroutine → the statement and
 * the rest of its block move under `async with asyncio.TaskGroup() as task_group:`, the task
 * created on the group (which keeps it referenced and waits for it at the end of the block).
 * Not offered: in a loop (each iteration would wait for its task instead of overlapping them),
 * when the argument is not a call (`ensure_future` also takes futures, which a group refuses), for
 * `loop.create_task` (code that drives a loop itself is usually not inside one coroutine), across
 * multi-line strings (re-indenting would change them), around a `yield`, or when the project supports Python < 3.11.
 */
export function moveToTaskGroup(doc: ParsedDocument, call: Node, pythonMinimum: PythonVersion | undefined): Fix[] {
  const statement = call.parent;
  const block = statement?.parent;
  const fn = enclosingFunction(call);
  const callee = call.childForFieldName('function');
  const text = doc.text;
  if (!projectSupports(pythonMinimum, TASK_GROUP_PYTHON) || statement?.type !== 'expression_statement' || block?.type !== 'block' || !fn || !isAsyncFunction(fn) || !callee) return [];
  if (!['asyncio.create_task', 'asyncio.ensure_future'].includes(qualifiedName(callee, importsOf(doc.tree, 'python'), 'python') ?? '')) return [];
  const [coroutine, ...keywords] = call.childForFieldName('arguments')?.namedChildren.filter((argument) => argument?.type !== 'comment') ?? [];
  if (coroutine?.type !== 'call' || !keywords.every((keyword) => keyword?.type === 'keyword_argument' && GROUP_TASK_KEYWORDS.has(keyword.childForFieldName('name')?.text ?? ''))) return [];
  for (let node: Node | null = block; node && !node.equals(fn); node = node.parent) if (node.type === 'for_statement' || node.type === 'while_statement') return [];
  if (!isAloneOnLine(text, statement)) return [];
  const start = lineStartOf(text, statement.startIndex);
  const end = block.endIndex;
  // A `yield` inside a task group suspends the generator with the group open (PEP 789).
  if (hasMultiLineString(block, start, end) || block.descendantsOfType('yield').some((node) => node !== null && node.startIndex >= start)) return [];
  const asyncio = pythonReference(doc, 'asyncio');
  if (!asyncio) return [];
  const group = freshName(text, 'task_group');
  const eol = lineBreakOf(text);
  const unit = indentUnitOf(text);
  const moved = text.slice(start, callee.startIndex) + `${group}.create_task` + text.slice(callee.endIndex, end);
  const body = indentLines(moved, unit, eol);
  const opening = `${indentationAt(text, statement.startIndex)}async with ${asyncio.expression}.TaskGroup() as ${group}:${eol}`;
  return [{
    title: { en: 'Move to asyncio.TaskGroup (needs Python 3.11+)', 'zh-cn': '改用 asyncio.TaskGroup（需要 Python 3.11+）' },
    kind: 'quickfix',
    isPreferred: false,
    edits: withImport(asyncio.edit, { start, end, newText: opening + body }),
  }];
}

/** The loop around an awaited call becomes one `asyncio.gather` (the same rewrite as the selection refactor). */
export function gatherLoop(doc: ParsedDocument, awaitNode: Node): Fix[] {
  let loop: Node | null = awaitNode.parent;
  while (loop && loop.type !== 'for_statement' && !isFunctionNode(loop)) loop = loop.parent;
  const edits = loop?.type === 'for_statement' ? gatherLoopEdits(doc, loop) : undefined;
  return edits ? [{ title: { en: 'Run the iterations concurrently with asyncio.gather', 'zh-cn': '用 asyncio.gather 并发执行各次迭代' }, kind: 'refactor', isPreferred: false, edits }] : [];
}

/** Wraps the run of module-level statements around the finding in `if __name__ == "__main__":`. */
export function wrapInMainGuard(doc: ParsedDocument, node: Node): Fix[] {
  const root = doc.tree.rootNode;
  let statement: Node | null = node;
  while (statement?.parent && !statement.parent.equals(root)) statement = statement.parent;
  if (!statement || isMainGuard(statement)) return [];
  const siblings = root.namedChildren.filter((child): child is Node => child !== null);
  const index = siblings.findIndex((child) => child.equals(statement));
  const movable = (child: Node | undefined): child is Node => child !== undefined && !isDefinitionOrImport(child) && !isMainGuard(child);
  let last = index;
  while (movable(siblings[last + 1])) last += 1;
  let first = index;
  // Pull in the statements that create what the run uses (`p = Process(...)` before `p.start()`).
  while (first > 0 && movable(siblings[first - 1]) && assignsNameUsedIn(siblings[first - 1] as Node, siblings.slice(first, last + 1))) first -= 1;
  const start = siblings[first]?.startIndex ?? statement.startIndex;
  const end = siblings[last]?.endIndex ?? statement.endIndex;
  const text = doc.text;
  if (hasMultiLineString(root, start, end)) return [];
  const eol = lineBreakOf(text);
  const body = indentLines(text.slice(start, end), indentUnitOf(text), eol);
  return [{
    title: { en: 'Wrap in if __name__ == "__main__":', 'zh-cn': '放到 if __name__ == "__main__": 之下' },
    kind: 'quickfix',
    isPreferred: true,
    edits: [{ start, end, newText: `if __name__ == "__main__":${eol}${body}` }],
  }];
}

/** Thread(target=f) → multiprocessing.Process(target=f); ThreadPoolExecutor → ProcessPoolExecutor. */
export function useProcesses(doc: ParsedDocument, target: Node): Fix[] {
  if (!enclosingFunction(target)) return [];
  const imports = importsOf(doc.tree, 'python');
  const call = target.parent?.type === 'keyword_argument' ? target.parent.parent?.parent : target.parent?.parent;
  const callee = call?.childForFieldName('function');
  if (!call || !callee) return [];
  const name = qualifiedName(callee, imports, 'python');
  if (name === 'threading.Thread') {
    const multiprocessing = pythonReference(doc, 'multiprocessing');
    if (!multiprocessing) return [];
    return [processFix(withImport(multiprocessing.edit, replaceNode(callee, `${multiprocessing.expression}.Process`)))];
  }
  const receiver = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
  const creation = receiver?.type === 'identifier' ? poolCreation(receiver) : undefined;
  const creationCallee = creation?.childForFieldName('function');
  if (!creationCallee || qualifiedName(creationCallee, imports, 'python') !== 'concurrent.futures.ThreadPoolExecutor') return [];
  const executor = pythonReference(doc, 'concurrent.futures', 'ProcessPoolExecutor');
  if (!executor) return [];
  return [processFix(withImport(executor.edit, replaceNode(creationCallee, executor.expression)))];
}

function processFix(edits: TextEdit[]): Fix {
  return { title: { en: 'Use processes instead of threads', 'zh-cn': '改用进程代替线程' }, kind: 'quickfix', isPreferred: false, edits };
}

/** The `Executor(...)` call of `with Executor(...) as <receiver>:` around the receiver's use. */
function poolCreation(receiver: Node): Node | undefined {
  for (let node = receiver.parent; node; node = node.parent) {
    if (node.type !== 'with_statement') continue;
    for (const pattern of node.descendantsOfType('as_pattern')) {
      if (pattern?.childForFieldName('alias')?.text === receiver.text) {
        const value = pattern.namedChild(0);
        if (value?.type === 'call') return value;
      }
    }
  }
  return undefined;
}

function isDefinitionOrImport(node: Node): boolean {
  return ['function_definition', 'class_definition', 'decorated_definition', 'import_statement', 'import_from_statement', 'future_import_statement'].includes(node.type)
    || (node.type === 'expression_statement' && node.namedChild(0)?.type === 'string');
}

function assignsNameUsedIn(statement: Node, run: readonly Node[]): boolean {
  const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
  const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
  return target?.type === 'identifier' && run.some((node) => node.descendantsOfType('identifier').some((identifier) => identifier?.text === target.text));
}

/** `(…)` of a call, or the parenthesised generator that is its only argument. */
function argumentsText(call: Node): string {
  return call.childForFieldName('arguments')?.text ?? '()';
}


/** A module-level definition placed after the imports (with blank lines around it). */
function moduleLevelDefinition(doc: ParsedDocument, code: string): TextEdit {
  const imports = importsOf(doc.tree, 'python').statements.filter((node) => node.parent?.equals(doc.tree.rootNode));
  const last = imports[imports.length - 1];
  const eol = lineBreakOf(doc.text);
  const at = last ? doc.text.indexOf('\n', last.endIndex) : -1;
  return at < 0 ? insertAt(last ? doc.text.length : 0, last ? `${eol}${eol}${code}${eol}` : `${code}${eol}${eol}`) : insertAt(at + 1, `${eol}${code}${eol}`);
}
