/**
 * Cancellation in coroutines: handlers that swallow `asyncio.CancelledError` (and `return` /
 * `break` / `continue` in `finally`, which discard it), and async generators that `yield` inside a
 * cancel scope (a timeout, a TaskGroup, an anyio/trio scope), lending the scope to their consumer.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction } from '../syntax/context';
import { qualifiedName } from '../syntax/names';
import { type CheckContext, allImports, asyncBodies, keywordNodes, namedDescendants, wordOccurrences } from './checkContext';
import { canSuspend, nestedFunctionBetween } from './suspensions';
import type { Localized } from './types';

/** How a handler catches cancellation: only it (`except CancelledError`), or along with other exceptions. */
export type CancellationCatch = { readonly kind: 'only' | 'among'; readonly node: Node; readonly clause: Node };

export function checkCancellation(context: CheckContext): void {
  if (context.isEnabled('py/swallowed-cancellation')) {
    checkHandlers(context);
    checkFinallyJumps(context);
  }
  if (context.isEnabled('py/yield-in-scope')) checkYieldsInScopes(context);
}

function checkHandlers(context: CheckContext): void {
  for (const clause of keywordNodes(context.root, 'except', 'except_clause', asyncBodies(context.root))) {
    const caught = swallowedCancellation(clause, context);
    if (!caught) continue;
    const label = caught.kind === 'only' ? `except ${caught.node.text}` : caught.node.type === 'except' ? 'except:' : `except ${caught.node.text}`;
    const what: Localized = caught.kind === 'only'
      ? { en: `\`${label}\` does not re-raise`, 'zh-cn': `\`${label}\` 没有重新抛出` }
      : { en: `\`${label}\` catches \`asyncio.CancelledError\` and does not re-raise it`, 'zh-cn': `\`${label}\` 捕获了 \`asyncio.CancelledError\` 却没有重新抛出` };
    const remedy: Localized = caught.kind === 'only'
      ? { en: 'End the handler with `raise` (or call `uncancel()` if suppressing it is really meant).', 'zh-cn': '请在处理块末尾加上 `raise`（若确实要压制取消，请调用 `uncancel()`）。' }
      : { en: 'Put `except asyncio.CancelledError: raise` before it, or catch `Exception` instead.', 'zh-cn': '请在它之前加上 `except asyncio.CancelledError: raise`，或改为捕获 `Exception`。' };
    context.report('py/swallowed-cancellation', caught.node, { what, remedy });
  }
}

/**
 * The part of `clause` that catches a cancellation it then swallows: in a coroutine, around code
 * that can suspend, not caught by an earlier clause, not re-raised (nor `uncancel()`ed), and not
 * around the awaiting of something this coroutine cancelled (that cancellation is expected).
 */
export function swallowedCancellation(clause: Node, context: CheckContext): CancellationCatch | undefined {
  const tryStatement = clause.parent;
  if (tryStatement?.type !== 'try_statement' || clause.children.some((child) => child?.type === '*')) return undefined;
  const caught = cancellationCaughtBy(clause, context);
  // A catch-all (`except:`, `BaseException`) meets asyncio's CancelledError only in asyncio code.
  if (!caught || (!isCancelledError(caught.node, context) && !usesAsyncio(context))) return undefined;
  const fn = enclosingFunction(tryStatement);
  const body = tryStatement.childForFieldName('body');
  if (!fn || !isAsyncFunction(fn) || !body || !canSuspend(body)) return undefined;
  for (const earlier of tryStatement.namedChildren) {
    if (!earlier || earlier.equals(clause)) break;
    if (earlier.type === 'except_clause' && cancellationCaughtBy(earlier, context)) return undefined;
  }
  const handler = clause.namedChildren.find((child) => child?.type === 'block');
  if (!handler || reraises(handler) || exitsThroughCall(handler, context) || handsOn(clause, handler) || raisesCancellationLater(fn, clause) || cancelsBefore(fn, clause)) return undefined;
  return caught;
}

/** What of `clause`'s exception types catches `asyncio.CancelledError`: a bare `except:`, `BaseException`, or CancelledError itself. */
function cancellationCaughtBy(clause: Node, context: CheckContext): CancellationCatch | undefined {
  let value = clause.childForFieldName('value');
  if (!value) {
    const keyword = clause.child(0);
    return keyword?.type === 'except' ? { kind: 'among', node: keyword, clause } : undefined;
  }
  if (value.type === 'as_pattern') value = value.namedChild(0);
  if (!value) return undefined;
  const types = value.type === 'tuple' || value.type === 'parenthesized_expression' ? value.namedChildren.filter((type): type is Node => type !== null) : [value];
  for (const type of types) {
    const kind = isBaseException(type, context) ? 'among' : isCancelledError(type, context) ? (types.length === 1 ? 'only' : 'among') : undefined;
    if (kind) return { kind, node: type, clause };
  }
  return undefined;
}

/** Whether the module runs on asyncio (or anyio, which may): elsewhere (trio) a catch-all does not meet asyncio's CancelledError. */
function usesAsyncio(context: CheckContext): boolean {
  return allImports(context).some(([, binding]) => /^(asyncio|anyio)(\.|$)/.test(binding.qualifiedName));
}

function isBaseException(type: Node, context: CheckContext): boolean {
  return type.type === 'identifier' && type.text === 'BaseException' && !context.imports.bindings.has(type.text) && !context.imports.moduleDefinitions.has(type.text);
}

/** asyncio's `CancelledError` however imported (also through asyncio's own relative imports); not concurrent.futures' (a different class since 3.8). */
function isCancelledError(type: Node, context: CheckContext): boolean {
  if (!type.text.endsWith('CancelledError')) return false;
  const name = qualifiedName(type, context.imports, 'python');
  return name !== undefined && name.endsWith('.CancelledError') && !name.startsWith('concurrent.');
}

/** A `raise` (or an `uncancel()`, which settles the cancellation on purpose) in the handler's own code. */
function reraises(handler: Node): boolean {
  const text = handler.text;
  if (wordOccurrences(text, 'uncancel').length > 0) return true;
  return wordOccurrences(text, 'raise').some((offset) => {
    const token = handler.descendantForIndex(handler.startIndex + offset, handler.startIndex + offset + 'raise'.length);
    return token?.type === 'raise' && token.parent?.type === 'raise_statement' && !nestedFunctionBetween(token, handler);
  });
}

/** Functions that never return (typeshed's `NoReturn`): they raise another exception, or end the process. */
const NEVER_RETURN = new Set(['sys.exit', 'os._exit', 'os.abort', 'pytest.fail', 'pytest.skip', 'pytest.exit', 'pytest.xfail']);

/** A call in the handler's own code that never returns (`pytest.fail(…)`, `sys.exit(…)`): the coroutine goes no further, the cancellation ends in another exception. */
function exitsThroughCall(handler: Node, context: CheckContext): boolean {
  return namedDescendants(handler, CALLS, FUNCTIONS).some((call) => {
    const callee = call.childForFieldName('function');
    return callee !== null && NEVER_RETURN.has(qualifiedName(callee, context.imports, 'python') ?? '');
  });
}

const CALLS: ReadonlySet<string> = new Set(['call']);
const FUNCTIONS: ReadonlySet<string> = new Set(['function_definition', 'lambda', 'class_definition']);

/** Calls that only report an exception: handing it to them does not carry it on. */
const LOGGING = /(^|\.)(log\w*|logger|logging|warnings)\.|(^|\.)(debug|info|warning|warn|error|exception|critical|print|print_exc|log\w*)$/;

/**
 * A handler that hands the exception on — to a future (`set_exception(…)`), stored for later
 * (`self._error = error`), or passed to code that decides (`self._convert_error(error)`,
 * `errors.append(Error(error))`) — does not lose the cancellation; handing it only to logging does.
 */
function handsOn(clause: Node, handler: Node): boolean {
  if (handler.text.includes('set_exception(')) return true;
  const value = clause.childForFieldName('value');
  const name = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.text : undefined;
  if (name === undefined) return false;
  return wordOccurrences(handler.text, name).some((offset) => {
    const at = handler.startIndex + offset;
    const use = handler.descendantForIndex(at, at + name.length);
    if (use?.type !== 'identifier' || use.text !== name || nestedFunctionBetween(use, handler)) return false;
    const parent = use.parent?.type === 'keyword_argument' ? use.parent.parent : use.parent;
    if (use.parent?.type === 'assignment' && use.parent.childForFieldName('right')?.equals(use)) return true;
    const callee = parent?.type === 'argument_list' ? parent.parent?.childForFieldName('function') : null;
    return callee !== null && callee !== undefined && !LOGGING.test(callee.text);
  });
}

/** The coroutine raises CancelledError itself after the handler (it noted the cancellation and re-raises it once done). */
function raisesCancellationLater(fn: Node, clause: Node): boolean {
  return /\braise\s+[\w.]*CancelledError\b/.test(fn.text.slice(clause.endIndex - fn.startIndex));
}

/** Whether the coroutine cancels something before `clause` (`task.cancel()`, `call_soon(task.cancel)`): it then awaits what it cancelled, and expects its CancelledError. */
function cancelsBefore(fn: Node, clause: Node): boolean {
  const text = fn.text.slice(0, clause.startIndex - fn.startIndex);
  return /\.cancel\b/.test(text);
}

const JUMPS = new Set(['return_statement', 'break_statement', 'continue_statement']);
const LOOPS = new Set(['for_statement', 'while_statement']);

/** `return` / `break` / `continue` in the `finally` of a coroutine's try that can suspend: it discards the CancelledError in flight. */
function checkFinallyJumps(context: CheckContext): void {
  for (const clause of keywordNodes(context.root, 'finally', 'finally_clause', asyncBodies(context.root))) {
    const tryStatement = clause.parent;
    const block = clause.namedChildren.find((child) => child?.type === 'block');
    if (tryStatement?.type !== 'try_statement' || !block) continue;
    const fn = enclosingFunction(tryStatement);
    if (!fn || !isAsyncFunction(fn) || !canSuspend(tryStatement)) continue;
    for (const jump of jumpsLeaving(block)) {
      const keyword = jump.type.replace('_statement', '');
      context.report('py/swallowed-cancellation', jump, {
        what: { en: `\`${keyword}\` in \`finally\` discards the exception in flight, \`asyncio.CancelledError\` included`, 'zh-cn': `\`finally\` 中的 \`${keyword}\` 会丢弃正在传播的异常，包括 \`asyncio.CancelledError\`` },
        remedy: { en: 'Move it after the `try` statement.', 'zh-cn': '请把它移到 `try` 语句之后。' },
      });
    }
  }
}

/** The jumps in `block` that leave it (a `break`/`continue` of a loop inside the block stays inside). */
function jumpsLeaving(block: Node): Node[] {
  const found: Node[] = [];
  const visit = (node: Node, inLoop: boolean): void => {
    for (const child of node.namedChildren) {
      if (!child || child.type === 'function_definition' || child.type === 'class_definition' || child.type === 'lambda') continue;
      if (JUMPS.has(child.type) && (child.type === 'return_statement' || !inLoop)) found.push(child);
      else visit(child, inLoop || LOOPS.has(child.type));
    }
  };
  visit(block, false);
  return found;
}

/** Context managers that open a cancel scope owned by the task that enters them. */
const CANCEL_SCOPES = new Set([
  'asyncio.timeout', 'asyncio.timeout_at', 'asyncio.TaskGroup', 'asyncio.taskgroups.TaskGroup', 'asyncio.timeouts.timeout',
  'anyio.create_task_group', 'anyio.move_on_after', 'anyio.move_on_at', 'anyio.fail_after', 'anyio.fail_at', 'anyio.CancelScope',
  'trio.open_nursery', 'trio.move_on_after', 'trio.move_on_at', 'trio.fail_after', 'trio.fail_at', 'trio.CancelScope',
]);

/** `yield` in an async generator, inside `async with asyncio.timeout(…)` / `TaskGroup()` / an anyio or trio scope (PEP 789). */
function checkYieldsInScopes(context: CheckContext): void {
  for (const yieldNode of keywordNodes(context.root, 'yield', 'yield', asyncBodies(context.root))) {
    const fn = enclosingFunction(yieldNode);
    if (!fn || !isAsyncFunction(fn) || isContextManagerOrFixture(fn)) continue;
    const scope = enclosingCancelScope(yieldNode, fn, context);
    if (scope) context.report('py/yield-in-scope', yieldNode, { name: scope });
  }
}

/** The cancel scope (its canonical name) of a `with` around `node` within `fn`, if any. */
function enclosingCancelScope(node: Node, fn: Node, context: CheckContext): string | undefined {
  for (let parent = node.parent; parent && !parent.equals(fn); parent = parent.parent) {
    if (parent.type !== 'with_statement') continue;
    const items = parent.namedChildren.find((child) => child?.type === 'with_clause')?.namedChildren ?? [];
    for (const item of items) {
      let value = item?.childForFieldName('value') ?? null;
      if (value?.type === 'as_pattern') value = value.namedChild(0);
      const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
      const name = callee ? qualifiedName(callee, context.imports, 'python') : undefined;
      if (name !== undefined && CANCEL_SCOPES.has(name)) return name;
    }
  }
  return undefined;
}

/** `@asynccontextmanager` generators yield inside scopes by design (the scope then wraps the `async with` body); so do pytest fixtures. */
function isContextManagerOrFixture(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return (decorated?.namedChildren ?? []).some((child) => child?.type === 'decorator' && /contextmanager|fixture/.test(child.text));
}
