/**
 * Quick fixes of the Python rules about waiting and cancellation, each offered only in the shapes
 * where it does exactly what the finding asks: re-raise a swallowed CancelledError, read the pipes
 * with `communicate()`, `await` instead of starting a nested event loop, wait in a thread (or
 * through `asyncio.wrap_future`) instead of blocking the loop, start processes with `spawn`.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction } from '../syntax/context';
import { importsOf } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { pythonExpressionClass } from '../syntax/receivers';
import { type Fix, indentUnitOf, indentationAt, insertAt, isAloneOnLine, lineBreakOf, lineEndOf, lineStartOf, parenthesizeIfOperand, replaceNode, withImport } from './edits';
import { pythonReference } from './importEdits';

/** A statement that ends a handler without doing anything `raise` would not do better. */
const REPLACEABLE_ENDINGS = new Set(['pass_statement', 'break_statement', 'continue_statement']);

/**
 * `except asyncio.CancelledError:` that does not re-raise → `raise` ends the handler (replacing a
 * final `pass` / `break` / `continue` / bare `return`); a catch-all (`except:`, `BaseException`, a
 * tuple with CancelledError) → `except asyncio.CancelledError: raise` inserted before it, so every
 * other exception is handled as before.
 */
export function reraiseCancellation(doc: ParsedDocument, node: Node): Fix[] {
  let clause: Node | null = node.parent;
  while (clause && clause.type !== 'except_clause') clause = clause.parent;
  const handler = clause?.namedChildren.find((child) => child?.type === 'block');
  if (!clause || !handler || handler.startPosition.row === clause.startPosition.row) return [];
  const text = doc.text;
  const eol = lineBreakOf(text);
  let value = clause.childForFieldName('value');
  if (value?.type === 'as_pattern') value = value.namedChild(0);
  // `except CancelledError:` alone: re-raise at its end. A catch-all (`BaseException`, `except:`, a tuple) handles other exceptions too.
  if (value?.equals(node) && node.text.endsWith('CancelledError')) {
    const last = handler.namedChildren.filter((statement) => statement?.type !== 'comment').at(-1);
    if (!last || !isAloneOnLine(text, last)) return [];
    const bareReturn = last.type === 'return_statement' && last.namedChildCount === 0;
    if (last.type === 'return_statement' && !bareReturn) return [];
    const edit = REPLACEABLE_ENDINGS.has(last.type) || bareReturn ? replaceNode(last, 'raise') : insertAt(lineEndOf(text, last.endIndex), `${eol}${indentationAt(text, last.startIndex)}raise`);
    return [{ title: { en: 'Re-raise it at the end of the handler', 'zh-cn': '在处理块末尾重新抛出它' }, kind: 'quickfix', isPreferred: true, edits: [edit] }];
  }
  const cancelled = pythonReference(doc, 'asyncio', 'CancelledError');
  if (!cancelled || text.slice(lineStartOf(text, clause.startIndex), clause.startIndex).trim() !== '') return [];
  const indent = indentationAt(text, clause.startIndex);
  const reraise = `except ${cancelled.expression}:${eol}${indent}${indentUnitOf(text)}raise${eol}${indent}`;
  return [{
    title: { en: `Re-raise it first: except ${cancelled.expression}: raise`, 'zh-cn': `先重新抛出它：except ${cancelled.expression}: raise` },
    kind: 'quickfix',
    isPreferred: true,
    edits: withImport(cancelled.edit, insertAt(clause.startIndex, reraise)),
  }];
}

/**
 * `process.wait()` (or `await process.wait()`) as a statement → `communicate()`, which reads the
 * pipes until the child ends: when nothing reads them later (they are gone afterwards) and the
 * arguments carry over (only subprocess's `timeout`; asyncio's `communicate` takes none).
 */
export function communicateInstead(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.childForFieldName('function');
  const attribute = callee?.type === 'attribute' ? callee.childForFieldName('attribute') : null;
  const child = callee?.childForFieldName('object');
  const awaited = call.parent?.type === 'await';
  const statement = awaited ? call.parent?.parent : call.parent;
  if (attribute?.text !== 'wait' || child?.type !== 'identifier' || statement?.type !== 'expression_statement') return [];
  const args = call.childForFieldName('arguments')?.namedChildren.filter((arg) => arg?.type !== 'comment') ?? [];
  const argumentsCarryOver = args.every((arg) => !awaited && arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'timeout');
  const scope = enclosingFunction(call) ?? doc.tree.rootNode;
  const later = doc.text.slice(call.endIndex, scope.endIndex);
  if (!argumentsCarryOver || new RegExp(`\\b${child.text}\\.(stdout|stderr)\\b`).test(later)) return [];
  return [{
    title: { en: 'Use communicate(), which reads the pipes while it waits', 'zh-cn': '改用 communicate()，它会一边读取管道一边等待' },
    kind: 'quickfix',
    isPreferred: true,
    edits: [replaceNode(attribute, 'communicate')],
  }];
}

/** `asyncio.run(coro())` / `loop.run_until_complete(coro())` in a coroutine → `await coro()`. */
export function awaitInstead(doc: ParsedDocument, call: Node): Fix[] {
  const fn = enclosingFunction(call);
  const args = call.childForFieldName('arguments')?.namedChildren.filter((arg) => arg?.type !== 'comment') ?? [];
  const [coroutine] = args;
  if (!fn || !isAsyncFunction(fn) || args.length !== 1 || coroutine?.type !== 'call') return [];
  return [{
    title: { en: 'Await it instead', 'zh-cn': '改为直接 await 它' },
    kind: 'quickfix',
    isPreferred: true,
    edits: [replaceNode(call, parenthesizeIfOperand(call, `await ${coroutine.text}`))],
  }];
}

/** Receivers whose blocking method can run in a worker thread as it is (not a Condition or an RLock: they belong to the thread that took them). */
const THREAD_SAFE_WAITS = /^(threading\.Thread\.join|multiprocessing\.Process\.join|(queue\.\w+|multiprocessing\.(Joinable|Simple)?Queue)\.(get|join)|(threading|multiprocessing)\.(Event|Barrier)\.wait|(threading|multiprocessing)\.(Lock|Semaphore|BoundedSemaphore)\.acquire)$/;

/** `future.result()` → `await asyncio.wrap_future(future)`; `thread.join()`, `queue.get()`, `event.wait()`… → `await asyncio.to_thread(…)`. */
export function waitWithoutBlocking(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.type === 'call' ? call.childForFieldName('function') : null;
  const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  const method = callee?.childForFieldName('attribute')?.text;
  const asyncio = pythonReference(doc, 'asyncio');
  if (!callee || !receiver || !asyncio) return [];
  const wait = `${pythonExpressionClass(receiver, { imports: importsOf(doc.tree, 'python') }) ?? ''}.${method ?? ''}`;
  const args = call.childForFieldName('arguments');
  const inner = args?.text.slice(1, -1).trim() ?? '';
  if (wait === 'concurrent.futures.Future.result' && inner === '') {
    return [{
      title: { en: 'Await the future: await asyncio.wrap_future(…)', 'zh-cn': '改为等待 Future：await asyncio.wrap_future(…)' },
      kind: 'quickfix',
      isPreferred: true,
      edits: withImport(asyncio.edit, replaceNode(call, parenthesizeIfOperand(call, `await ${asyncio.expression}.wrap_future(${receiver.text})`))),
    }];
  }
  if (!THREAD_SAFE_WAITS.test(wait)) return [];
  return [{
    title: { en: 'Run it in a thread: await asyncio.to_thread(…)', 'zh-cn': '放到线程中运行：await asyncio.to_thread(…)' },
    kind: 'quickfix',
    isPreferred: true,
    edits: withImport(asyncio.edit, replaceNode(call, parenthesizeIfOperand(call, `await ${asyncio.expression}.to_thread(${callee.text}${inner === '' ? '' : `, ${inner}`})`))),
  }];
}

const CONTEXT_FACTORIES = new Set(['multiprocessing.Process', 'multiprocessing.Pool', 'multiprocessing.Manager']);
const EXECUTORS = new Set(['concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.process.ProcessPoolExecutor']);

/**
 * A process started with the default (fork) method → the same call on
 * `multiprocessing.get_context("spawn")` (for an executor, `mp_context=` of it). Not preferred:
 * spawn starts a fresh interpreter, so the target must be importable and picklable, as
 * `py/unpicklable-target` and `py/missing-main-guard` check.
 */
export function spawnContext(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.childForFieldName('function');
  const name = callee ? qualifiedName(callee, importsOf(doc.tree, 'python'), 'python') : undefined;
  const args = call.childForFieldName('arguments');
  const multiprocessing = pythonReference(doc, 'multiprocessing');
  if (!callee || !args || name === undefined || !multiprocessing) return [];
  const context = `${multiprocessing.expression}.get_context("spawn")`;
  const title = { en: 'Start it with the spawn method: get_context("spawn")', 'zh-cn': '改用 spawn 启动方式：get_context("spawn")' };
  if (CONTEXT_FACTORIES.has(name)) {
    return [{ title, kind: 'quickfix', isPreferred: false, edits: withImport(multiprocessing.edit, replaceNode(callee, `${context}.${name.slice(name.lastIndexOf('.') + 1)}`)) }];
  }
  if (!EXECUTORS.has(name) || args.text.includes('mp_context')) return [];
  const last = args.namedChildren.filter((arg) => arg?.type !== 'comment').at(-1);
  const edit = last ? insertAt(last.endIndex, `, mp_context=${context}`) : insertAt(args.endIndex - 1, `mp_context=${context}`);
  return [{ title, kind: 'quickfix', isPreferred: false, edits: withImport(multiprocessing.edit, edit) }];
}
