/**
 * Lost updates across an `await` (ESLint's require-atomic-updates, narrowed): `x += await f()`,
 * `x = x + await f()`, `this.n = this.n + await g()` where the target is shared beyond the async
 * function — a variable declared outside it (module or enclosing function), or a property of
 * `this` or of such a variable. The target is read before the function suspends and written after,
 * so an update made meanwhile by another call is overwritten. A read inside the awaited expression
 * (`x = await f(x)`) is left alone: it is an input to the work, not an update in two halves.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction, isFunctionNode } from '../syntax/context';
import { unwrapExpression } from '../syntax/imports';
import { declaredLocally } from '../syntax/scopes';
import { type CheckContext, awaitExpressions } from './checkContext';

/** Arithmetic/bitwise compound assignments (logical ones — `??=` — are lazy initialisation, another story). */
const UPDATING_OPERATORS = new Set(['+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=']);
const ASSIGNMENTS = new Set(['assignment_expression', 'augmented_assignment_expression']);

export function checkLostUpdates(context: CheckContext): void {
  if (!context.isEnabled('js/lost-update')) return;
  for (const awaitNode of awaitExpressions(context.root, 'await_expression')) {
    const update = lostUpdateAround(awaitNode);
    if (update) context.report('js/lost-update', update.assignment, { name: update.target.text });
  }
}

/** The assignment whose right side contains `awaitNode` and that updates shared state read before it. */
export function lostUpdateAround(awaitNode: Node): { assignment: Node; target: Node } | undefined {
  const fn = enclosingFunction(awaitNode);
  if (!fn || !isAsyncFunction(fn)) return undefined;
  let child = awaitNode;
  let assignment: Node | null = awaitNode.parent;
  while (assignment && !ASSIGNMENTS.has(assignment.type) && !isFunctionNode(assignment) && !assignment.type.endsWith('statement')) {
    child = assignment;
    assignment = assignment.parent;
  }
  if (!assignment || !ASSIGNMENTS.has(assignment.type) || !assignment.childForFieldName('right')?.equals(child)) return undefined;
  const target = unwrapExpression(assignment.childForFieldName('left'));
  if (!target || !isShared(target, fn)) return undefined;
  if (assignment.type === 'augmented_assignment_expression') {
    return UPDATING_OPERATORS.has(assignment.childForFieldName('operator')?.text ?? '') ? { assignment, target } : undefined;
  }
  return readBefore(child, target, awaitNode) ? { assignment, target } : undefined;
}

/** Whether `right` reads `target` (the same name or member chain) before `awaitNode`, outside it. */
function readBefore(right: Node, target: Node, awaitNode: Node): boolean {
  const text = target.text;
  const source = right.text;
  for (let index = source.indexOf(text); index >= 0; index = source.indexOf(text, index + 1)) {
    const at = right.startIndex + index;
    if (at >= awaitNode.startIndex) return false;
    const read = right.descendantForIndex(at, at + text.length);
    if (read && read.text === text && read.type === target.type) return true;
  }
  return false;
}

/** A variable declared outside `fn`, or a property of `this` / of such a variable. */
function isShared(target: Node, fn: Node): boolean {
  let root: Node | null = target;
  while (root && (root.type === 'member_expression' || root.type === 'subscript_expression')) root = unwrapExpression(root.childForFieldName('object'));
  if (!root) return false;
  if (root.type === 'this') return target.type !== 'identifier';
  return root.type === 'identifier' && !declaredLocally(root, root.text, fn);
}
