/**
 * Where a node runs: the nearest enclosing function and whether it is a coroutine / async
 * function. A sync `def`, `lambda` or `function` nested in an async one is NOT async context; an
 * async function nested in a sync one is. Class bodies, comprehensions and decorators belong to
 * the function around them (decorators are evaluated where the definition stands).
 */
import type { Node, Tree } from 'web-tree-sitter';

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

/**
 * Per tree, the answers of `enclosingFunction` by node id, for every node a walk went through: walks
 * from nodes of the same function share their steps (each `.parent` re-walks the tree from its root).
 */
const enclosingFunctions = new WeakMap<Tree, Map<number, Node | null>>();

/** The nearest function whose body contains `node` (a function's own name and decorators are outside it). */
export function enclosingFunction(node: Node): Node | null {
  let known = enclosingFunctions.get(node.tree);
  if (!known) {
    known = new Map();
    enclosingFunctions.set(node.tree, known);
  }
  // Every node on the way up to the function shares its answer.
  const passed: number[] = [];
  let found: Node | null = null;
  for (let child: Node | null = node; child; ) {
    const answer = known.get(child.id);
    if (answer !== undefined) {
      found = answer;
      break;
    }
    passed.push(child.id);
    const parent: Node | null = child.parent;
    // Default parameter values and Python decorators run in the outer scope, not in the function.
    if (parent && isFunctionNode(parent) && parent.childForFieldName('body')?.equals(child)) {
      found = parent;
      break;
    }
    child = parent;
  }
  for (const id of passed) known.set(id, found);
  return found;
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

