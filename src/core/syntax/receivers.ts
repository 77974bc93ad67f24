/**
 * The class of a Python local that holds a well-known concurrency object, so that its methods
 * resolve too: `pool.map` after `with ThreadPoolExecutor() as pool` is
 * `concurrent.futures.Executor.map`; `loop.run_in_executor` after `loop = asyncio.get_running_loop()`
 * is `asyncio.loop.run_in_executor`. The local's binding nearest before the use, in the same
 * function (or module), decides; when that binding is anything else — or the name is bound in a way
 * we do not read (a parameter, a loop target, `global`) — the result is undefined: no guessing.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction } from './context';
import type { ImportTable } from './imports';
import { calleeOf, qualifiedName } from './names';

/** What a factory or constructor returns, by its canonical name. */
const PYTHON_FACTORIES: ReadonlyMap<string, string> = new Map([
  ['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.Executor'],
  // The process pool's own class: it has methods of its own (`terminate_workers`); the others are `Executor`'s.
  ['concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.ProcessPoolExecutor'],
  ['concurrent.futures.InterpreterPoolExecutor', 'concurrent.futures.Executor'],
  ['concurrent.interpreters.create', 'concurrent.interpreters.Interpreter'],
  ['concurrent.interpreters.get_current', 'concurrent.interpreters.Interpreter'],
  ['concurrent.interpreters.get_main', 'concurrent.interpreters.Interpreter'],
  ['concurrent.interpreters.create_queue', 'concurrent.interpreters.Queue'],
  ['multiprocessing.Pool', 'multiprocessing.pool.Pool'],
  ['multiprocessing.pool.Pool', 'multiprocessing.pool.Pool'],
  ['threading.Thread', 'threading.Thread'],
  ['subprocess.Popen', 'subprocess.Popen'],
  ['asyncio.get_running_loop', 'asyncio.loop'],
  ['asyncio.get_event_loop', 'asyncio.loop'],
  ['asyncio.new_event_loop', 'asyncio.loop'],
  ['asyncio.create_task', 'asyncio.Task'],
  ['asyncio.ensure_future', 'asyncio.Task'],
]);

/** Parents of an identifier that bind it without a value we can read. */
const OPAQUE_BINDERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'augmented_assignment', 'global_statement', 'nonlocal_statement', 'aliased_import', 'for_in_clause']);

/** The class of the Python identifier `use` (e.g. `concurrent.futures.Executor`), or undefined. */
export function pythonReceiverClass(use: Node, imports: ImportTable): string | undefined {
  const value = bindingBefore(use.text, use.startIndex, enclosingFunction(use), use);
  if (value?.type !== 'call') return undefined;
  const callee = calleeOf(value);
  const factory = callee ? qualifiedName(callee, imports, 'python') : undefined;
  return factory === undefined ? undefined : PYTHON_FACTORIES.get(factory);
}

/**
 * The value last bound to `name` before `offset` in `scope` (a function, or the module when null),
 * looking outwards when the scope does not bind it; undefined when unknown or opaque.
 */
function bindingBefore(name: string, offset: number, scope: Node | null, anyNode: Node): Node | undefined {
  if (scope && parameterNames(scope).includes(name)) return undefined;
  const body = scope ? scope.childForFieldName('body') : rootOf(anyNode);
  if (!body) return undefined;
  let nearest: Node | undefined;
  let bound = false;
  // The last binding before the use wins; the text prefilter keeps tree lookups few.
  for (let index = body.text.indexOf(name); index >= 0; index = body.text.indexOf(name, index + name.length)) {
    const at = body.startIndex + index;
    if (at >= offset) break;
    const occurrence = body.descendantForIndex(at, at + name.length);
    if (occurrence?.type !== 'identifier' || occurrence.text !== name || !sameScope(occurrence, scope)) continue;
    const value = bindingValue(occurrence);
    if (value === null) continue;
    bound = true;
    nearest = value;
  }
  if (bound) return nearest;
  // Not bound here: a closure or a module-level name, bound in the scope around this one.
  return scope ? bindingBefore(name, scope.startIndex, enclosingFunction(scope), scope) : undefined;
}

/**
 * For an identifier that this occurrence binds: the value bound, or `undefined` when it is bound
 * opaquely (loop target, unpacking, `def`, import …); `null` when the occurrence is only a use.
 */
function bindingValue(identifier: Node): Node | undefined | null {
  const parent = identifier.parent;
  if (!parent) return null;
  switch (parent.type) {
    case 'assignment':
      return parent.childForFieldName('left')?.equals(identifier) ? parent.childForFieldName('right') ?? undefined : null;
    case 'as_pattern_target': {
      const asPattern = parent.parent;
      return asPattern?.type === 'as_pattern' ? asPattern.namedChild(0) ?? undefined : undefined;
    }
    case 'for_statement':
      return parent.childForFieldName('left')?.equals(identifier) ? undefined : null;
    case 'function_definition':
    case 'class_definition':
      return parent.childForFieldName('name')?.equals(identifier) ? undefined : null;
    default:
      return OPAQUE_BINDERS.has(parent.type) ? undefined : null;
  }
}

function parameterNames(fn: Node): string[] {
  const parameters = fn.childForFieldName('parameters');
  if (!parameters) return [];
  return parameters.namedChildren.map((parameter) => {
    if (!parameter) return '';
    if (parameter.type === 'identifier') return parameter.text;
    return (parameter.childForFieldName('name') ?? parameter.namedChild(0))?.text ?? '';
  });
}

function sameScope(node: Node, scope: Node | null): boolean {
  const own = enclosingFunction(node);
  return own === null ? scope === null : scope !== null && own.equals(scope);
}

function rootOf(node: Node): Node {
  let root = node;
  while (root.parent) root = root.parent;
  return root;
}
