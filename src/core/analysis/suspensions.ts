/**
 * Where code can suspend: `await`, `async with`, `async for` (Python) and `await`, `for await`
 * (JS/TS). Cancellation reaches a coroutine only there, and an update spanning one is not atomic.
 * Found in the text first (cheap), confirmed on the tree; code of functions nested inside does not
 * count (it runs when they are called).
 */
import type { Node } from 'web-tree-sitter';
import { isFunctionNode } from '../syntax/context';
import { wordOccurrences } from './checkContext';

const SUSPENDING_PARENTS = new Set(['await', 'await_expression', 'with_statement', 'for_statement', 'for_in_statement', 'for_in_clause']);

/** The suspension points of `node`'s own code, in document order (the `await` / `async` keyword tokens). */
export function suspensionPoints(node: Node): Node[] {
  const text = node.text;
  const points: Node[] = [];
  for (const word of ['await', 'async']) {
    for (const offset of wordOccurrences(text, word)) {
      const at = node.startIndex + offset;
      const token = node.descendantForIndex(at, at + word.length);
      if (!token || token.isNamed || token.type !== word || !SUSPENDING_PARENTS.has(token.parent?.type ?? '')) continue;
      if (!nestedFunctionBetween(token, node)) points.push(token);
    }
  }
  return points.sort((a, b) => a.startIndex - b.startIndex);
}

/** Whether `node`'s own code can suspend. */
export function canSuspend(node: Node): boolean {
  return suspensionPoints(node).length > 0;
}

/** Whether a function lies between `inner` and its ancestor `outer` (`outer` itself excluded). */
export function nestedFunctionBetween(inner: Node, outer: Node): boolean {
  for (let parent = inner.parent; parent && !parent.equals(outer); parent = parent.parent) if (isFunctionNode(parent)) return true;
  return false;
}
