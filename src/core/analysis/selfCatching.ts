/**
 * Async functions that catch their own errors: every `await` sits in a try whose catch clause does
 * not rethrow, in such a catch clause (cleanup), or awaits a promise whose rejection is already handled. Dropping the promise of
 * one is a deliberate fire-and-forget — it cannot turn into an unhandled rejection — so
 * `js/floating-promise` stays silent on calls of them, and timers and listeners may take them.
 */
import type { Node } from 'web-tree-sitter';
import { unwrapExpression } from '../syntax/imports';
import { wordOccurrences } from './checkContext';
import { nestedFunctionBetween, suspensionPoints } from './suspensions';

/**
 * Whether the async function `fn` catches its own errors: every `await` of the function lies in a
 * try whose catch clause does not rethrow, in such a catch clause (its error handling: awaiting a
 * cleanup, a helper that settles the other side), or awaits a promise whose rejection is handled
 * (`await p.catch(…)`). Its promise then only rejects if code outside those blocks throws (setup
 * before the first await) or its error handling fails (the catch clause's own calls and awaits).
 */
export function catchesOwnErrors(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (body?.type !== 'statement_block') return false;
  const points = suspensionPoints(body);
  if (points.length === 0) return body.namedChildren.some((statement) => statement?.type === 'try_statement' && handlesErrors(statement));
  return points.every((point) => {
    if (handledAwait(point)) return true;
    for (let node = point.parent; node && !node.equals(body); node = node.parent) {
      if (node.type === 'statement_block' && node.parent?.type === 'try_statement' && node.parent.childForFieldName('body')?.equals(node) && handlesErrors(node.parent)) return true;
      if (node.type === 'catch_clause' && node.parent?.type === 'try_statement' && handlesErrors(node.parent)) return true;
    }
    return false;
  });
}

/** `await p.catch(…)`, `await p.then(ok, failed)`: the awaited promise cannot reject. */
function handledAwait(point: Node): boolean {
  const awaited = point.parent?.type === 'await_expression' ? unwrapExpression(point.parent.namedChild(0)) : null;
  const callee = awaited?.type === 'call_expression' ? unwrapExpression(awaited.childForFieldName('function')) : null;
  const method = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  return method === 'catch' || (method === 'then' && (awaited?.childForFieldName('arguments')?.namedChildCount ?? 0) >= 2);
}

function handlesErrors(tryStatement: Node): boolean {
  const handler = tryStatement.childForFieldName('handler');
  if (!handler) return false;
  return !wordOccurrences(handler.text, 'throw').some((offset) => {
    const token = handler.descendantForIndex(handler.startIndex + offset, handler.startIndex + offset + 'throw'.length);
    return token?.type === 'throw' && !nestedFunctionBetween(token, handler);
  });
}
