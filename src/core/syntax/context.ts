/**
 * Where a node runs: the nearest enclosing function and whether it is a coroutine / async
 * function. A sync `def`, `lambda` or `function` nested in an async one is NOT async context; an
 * async function nested in a sync one is. Class bodies, comprehensions and decorators belong to
 * the function around them (decorators are evaluated where the definition stands).
 */
import type { Node } from 'web-tree-sitter';

const FUNCTION_TYPES = new Set([
  // Python
  'function_definition', 'lambda',
  // JavaScript / TypeScript
  'function_declaration', 'function_expression', 'function', 'arrow_function', 'method_definition',
  'generator_function_declaration', 'generator_function',
]);

export function isFunctionNode(node: Node): boolean {
  return FUNCTION_TYPES.has(node.type);
}

/** The nearest function whose body contains `node` (a function's own name and decorators are outside it). */
export function enclosingFunction(node: Node): Node | null {
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (!isFunctionNode(parent)) continue;
    // Default parameter values and Python decorators run in the outer scope, not in the function.
    const body = parent.childForFieldName('body');
    if (body?.equals(child)) return parent;
  }
  return null;
}

export function isAsyncFunction(fn: Node): boolean {
  for (let index = 0; index < fn.childCount; index += 1) {
    const child = fn.child(index);
    if (!child) continue;
    if (child.type === 'async') return true;
    // `async` always comes before the name/parameters/body.
    if (child.isNamed && child.type !== 'decorator') return false;
  }
  return false;
}

/** True when `node` runs directly in an async function's body (not in a nested sync function). */
export function inAsyncContext(node: Node): boolean {
  const fn = enclosingFunction(node);
  return fn !== null && isAsyncFunction(fn);
}

