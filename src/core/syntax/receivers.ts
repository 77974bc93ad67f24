/**
 * The class of a Python expression that holds a well-known object, so that its methods resolve
 * too: `pool.map` after `with ThreadPoolExecutor() as pool` is `concurrent.futures.Executor.map`;
 * `loop.run_in_executor` after `loop = asyncio.get_running_loop()` is
 * `asyncio.loop.run_in_executor`; `future.result` after `future = pool.submit(f)` is
 * `concurrent.futures.Future.result`; `self._lock.acquire` after `self._lock = threading.Lock()`
 * (in any method of the class) is `threading.Lock.acquire`; `config.read_text` is
 * `pathlib.Path.read_text` when `config` is a parameter annotated `Path`, a module-level
 * `Path(…)`, or built from one with `/`, `.parent`, `.with_suffix(…)`… The binding nearest before
 * the use, in the same function (or the scopes around it), decides; when that binding is anything
 * else — or the name is bound in a way we do not read (an untyped parameter, unpacking, `global`) —
 * the result is undefined: no guessing. An attribute of `self` resolves only when every
 * assignment to it in the class binds the same class.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction } from './context';
import type { ImportTable } from './imports';
import { calleeOf, qualifiedName, rootOfDottedName } from './names';

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
  ['asyncio.run_coroutine_threadsafe', 'concurrent.futures.Future'],
  ...['Path', 'PosixPath', 'WindowsPath', 'Path.cwd', 'Path.home'].map((name) => [`pathlib.${name}`, 'pathlib.Path'] as const),
  ['threading.Timer', 'threading.Thread'],
  ...['Lock', 'RLock', 'Event', 'Condition', 'Semaphore', 'BoundedSemaphore', 'Barrier'].map((name) => [`threading.${name}`, `threading.${name}`] as const),
  ...['Queue', 'LifoQueue', 'PriorityQueue', 'SimpleQueue'].map((name) => [`queue.${name}`, `queue.${name}`] as const),
  ...['Process', 'Queue', 'JoinableQueue', 'SimpleQueue', 'Lock', 'RLock', 'Event', 'Condition', 'Semaphore', 'BoundedSemaphore', 'Barrier'].map((name) => [`multiprocessing.${name}`, `multiprocessing.${name}`] as const),
]);

/** Bases of the classes above, where their inherited methods are found (`ProcessPoolExecutor.submit` is `Executor.submit`). */
const PYTHON_BASE_CLASSES: ReadonlyMap<string, string> = new Map([
  ['concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.Executor'],
]);

/** A known class, then its known bases, nearest first. */
export function pythonClassLineage(name: string): string[] {
  const lineage = [name];
  for (let base = PYTHON_BASE_CLASSES.get(name); base !== undefined; base = PYTHON_BASE_CLASSES.get(base)) lineage.push(base);
  return lineage;
}

/** What a method of a known class returns, by the method's canonical name. */
const PYTHON_METHOD_RESULTS: ReadonlyMap<string, string> = new Map([
  ['concurrent.futures.Executor.submit', 'concurrent.futures.Future'],
  ['asyncio.loop.run_in_executor', 'asyncio.Future'],
  ['asyncio.loop.create_task', 'asyncio.Task'],
  ...['with_name', 'with_stem', 'with_suffix', 'joinpath', 'resolve', 'absolute', 'expanduser', 'relative_to', 'readlink'].map((method) => [`pathlib.Path.${method}`, 'pathlib.Path'] as const),
  // What iterating them yields is a path (see `for` targets).
  ...['iterdir', 'glob', 'rglob'].map((method) => [`pathlib.Path.${method}`, 'pathlib.Path.iterator'] as const),
]);

/** What an attribute of a known class holds. */
const PYTHON_ATTRIBUTE_RESULTS: ReadonlyMap<string, string> = new Map([
  ['pathlib.Path.parent', 'pathlib.Path'],
]);

/** Classes a parameter annotation may name directly (besides the factories above, which are classes too). */
const PYTHON_ANNOTATIONS: ReadonlyMap<string, string> = new Map([
  ...[...new Set(PYTHON_FACTORIES.values())].map((name) => [name, name] as const),
  ['concurrent.futures.Executor', 'concurrent.futures.Executor'],
  ['concurrent.futures.Future', 'concurrent.futures.Future'],
  ['asyncio.AbstractEventLoop', 'asyncio.loop'],
  ['os.PathLike', 'pathlib.Path'],
]);

/** Parents of an identifier that bind it without a value we can read. */
const OPAQUE_BINDERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'augmented_assignment', 'global_statement', 'nonlocal_statement', 'aliased_import', 'for_in_clause']);

/**
 * What resolution sees beyond the expression: the imports, and optionally the classes of
 * module-level names. Analysis passes the module's own (facts computed once per document), so that
 * a definition checked on its own resolves module-level names exactly as the whole document does;
 * without them, module-level bindings are read from the tree.
 */
export interface PythonNames {
  readonly imports: ImportTable;
  readonly moduleClasses?: ReadonlyMap<string, string>;
}

/** The class of the Python identifier or attribute `use` (e.g. `concurrent.futures.Executor`), or undefined. */
export function pythonReceiverClass(use: Node, names: PythonNames): string | undefined {
  if (use.type === 'attribute') return attributeClass(use, names);
  if (use.type !== 'identifier') return undefined;
  const name = use.text;
  // The nearest binding before the use, from its own function outwards.
  let offset = use.startIndex;
  for (let scope = enclosingFunction(use); scope; offset = scope.startIndex, scope = enclosingFunction(scope)) {
    const binding = bindingIn(name, offset, scope, scope.childForFieldName('body'));
    if (binding.bound) return valueClass(binding.value, names);
  }
  if (names.moduleClasses) return names.moduleClasses.get(name);
  const binding = bindingIn(name, offset, null, rootOf(use));
  return binding.bound ? valueClass(binding.value, names) : undefined;
}

/** Whether a function around `identifier` binds its name (a parameter, an assignment, an import). */
function boundInFunctions(identifier: Node): boolean {
  let offset = identifier.startIndex;
  for (let scope = enclosingFunction(identifier); scope; offset = scope.startIndex, scope = enclosingFunction(scope)) {
    if (bindingIn(identifier.text, offset, scope, scope.childForFieldName('body')).bound) return true;
  }
  return false;
}

/** The class of a Python expression: a name or attribute as above, a call of a known factory or method (`pool.submit(f)`), `path / "x"`. */
export function pythonExpressionClass(expression: Node, names: PythonNames): string | undefined {
  return valueClass(expression, names);
}

/**
 * Classes of the module-level names bound by `statements` (assignments in module code, also under
 * `if` / `try` / `with`): a name bound to values of different or unknown classes has none.
 */
export function pythonModuleClasses(statements: readonly Node[], imports: ImportTable): Map<string, string> {
  const seen = new Map<string, Set<string | undefined>>();
  const visit = (statement: Node): void => {
    if (statement.type === 'expression_statement') {
      const assignment = statement.namedChild(0);
      const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      if (target?.type === 'identifier') {
        const classes = seen.get(target.text) ?? new Set();
        classes.add(valueClass(assignment?.childForFieldName('right'), { imports }));
        seen.set(target.text, classes);
      }
      return;
    }
    if (MODULE_BLOCKS.has(statement.type)) for (const child of statement.namedChildren) if (child) visit(child);
  };
  for (const statement of statements) visit(statement);
  const classes = new Map<string, string>();
  for (const [name, values] of seen) {
    const [only] = values;
    if (values.size === 1 && only !== undefined) classes.set(name, only);
  }
  return classes;
}

const MODULE_BLOCKS = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'with_statement', 'block']);

/**
 * The class of what `value` evaluates to: a known factory's call, a known method or attribute of a
 * known receiver (`pool.submit(…)`, `path.parent`), a path joined with `/`, a parameter annotated
 * with a known class, a `for` target over a path's `iterdir()` / `glob()`, or the context
 * `multiprocessing.get_context("fork")` returns (its start method is part of its class).
 */
function valueClass(value: Node | undefined | null, names: PythonNames): string | undefined {
  if (!value) return undefined;
  switch (value.type) {
    case 'identifier':
    case 'attribute':
      return pythonReceiverClass(value, names);
    case 'parenthesized_expression':
      return valueClass(value.namedChild(0), names);
    case 'binary_operator': {
      const joinsPath = value.childForFieldName('operator')?.text === '/';
      const sides = [value.childForFieldName('left'), value.childForFieldName('right')];
      return joinsPath && sides.some((side) => valueClass(side, names) === 'pathlib.Path') ? 'pathlib.Path' : undefined;
    }
    case 'typed_parameter':
    case 'typed_default_parameter':
      return annotationClass(value.childForFieldName('type'), names.imports);
    case 'for_statement': {
      const iterated = value.childForFieldName('right');
      return iterated?.type === 'call' && valueClass(iterated, names) === 'pathlib.Path.iterator' ? 'pathlib.Path' : undefined;
    }
    case 'call': {
      const callee = calleeOf(value);
      if (!callee) return undefined;
      const factory = qualifiedName(callee, names.imports, 'python');
      if (factory === 'multiprocessing.get_context') return startMethodContext(value);
      if (factory !== undefined) return PYTHON_FACTORIES.get(factory);
      const receiver = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
      const method = callee.childForFieldName('attribute')?.text;
      const receiverClass = receiver ? valueClass(receiver, names) : undefined;
      if (receiverClass === undefined || method === undefined) return undefined;
      for (const owner of pythonClassLineage(receiverClass)) {
        const result = PYTHON_METHOD_RESULTS.get(`${owner}.${method}`);
        if (result !== undefined) return result;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `multiprocessing.get_context()` → `multiprocessing.context.DefaultContext`; `get_context("fork")` → `multiprocessing.context.ForkContext`, and so on. */
function startMethodContext(call: Node): string | undefined {
  const argument = call.childForFieldName('arguments')?.namedChild(0);
  if (!argument) return 'multiprocessing.context.DefaultContext';
  const method = argument.type === 'string' ? argument.text.replace(/^[rbuRBU]*(['"])(.*)\1$/s, '$2') : undefined;
  return method === undefined ? undefined : START_METHOD_CONTEXTS.get(method);
}

const START_METHOD_CONTEXTS: ReadonlyMap<string, string> = new Map([
  ['fork', 'multiprocessing.context.ForkContext'],
  ['spawn', 'multiprocessing.context.SpawnContext'],
  ['forkserver', 'multiprocessing.context.ForkServerContext'],
]);

/** `Path`, `pathlib.Path`, `Optional[Path]`, `Path | None`, `"Path"`: the known class an annotation names, if any. */
function annotationClass(annotation: Node | null, imports: ImportTable): string | undefined {
  let type = annotation?.type === 'type' ? annotation.namedChild(0) : annotation;
  if (type?.type === 'generic_type' && /^(typing\.)?Optional$/.test(type.namedChild(0)?.text ?? '')) type = type.namedChild(1)?.namedChild(0)?.namedChild(0) ?? null;
  if (type?.type === 'binary_operator' && type.childForFieldName('operator')?.text === '|') {
    const sides = [type.childForFieldName('left'), type.childForFieldName('right')].filter((side) => side?.text !== 'None');
    type = sides.length === 1 ? (sides[0] ?? null) : null;
  }
  if (!type) return undefined;
  const name = type.type === 'string' ? forwardReference(type.text.slice(1, -1), imports) : qualifiedName(type, imports, 'python');
  return name === undefined ? undefined : (PYTHON_ANNOTATIONS.get(name) ?? PYTHON_FACTORIES.get(name));
}

/** A string annotation (`"Path"`, `"pathlib.Path"`) resolved through the imports like the name it spells. */
function forwardReference(spelled: string, imports: ImportTable): string {
  const dot = spelled.indexOf('.');
  const first = dot < 0 ? spelled : spelled.slice(0, dot);
  const binding = imports.bindings.get(first);
  return binding ? binding.qualifiedName + spelled.slice(first.length) : spelled;
}

/** `self.<name>` (see below), or an attribute of a known class (`path.parent`). */
function attributeClass(use: Node, names: PythonNames): string | undefined {
  const object = use.childForFieldName('object');
  if (object?.text === 'self') return selfAttributeClass(use, names);
  // A module's object reached through the module (`state.lock` after `import state`), unless a
  // function rebinds the module's name.
  const qualified = qualifiedName(use, names.imports, 'python');
  const throughModule = qualified === undefined ? undefined : names.moduleClasses?.get(qualified);
  if (throughModule !== undefined && !boundInFunctions(rootOfDottedName(use))) return throughModule;
  const objectClass = object ? valueClass(object, names) : undefined;
  return objectClass === undefined ? undefined : PYTHON_ATTRIBUTE_RESULTS.get(`${objectClass}.${use.childForFieldName('attribute')?.text ?? ''}`);
}

/** `self.<name>` whose every assignment in the enclosing class (`self.<name> = …` in its methods, `<name> = …` in its body) binds one known class. */
function selfAttributeClass(use: Node, names: PythonNames): string | undefined {
  const name = use.childForFieldName('attribute')?.text;
  if (use.childForFieldName('object')?.text !== 'self' || name === undefined) return undefined;
  let classNode: Node | null = use.parent;
  while (classNode && classNode.type !== 'class_definition') classNode = classNode.parent;
  const body = classNode?.childForFieldName('body');
  if (!body) return undefined;
  // `self.path = self.path.parent` refers to itself: resolving it again from inside gives nothing.
  const key = `${body.startIndex}:${name}`;
  if (resolvingAttributes.has(key)) return undefined;
  resolvingAttributes.add(key);
  try {
    return assignedClass(body, name, names);
  } finally {
    resolvingAttributes.delete(key);
  }
}

const resolvingAttributes = new Set<string>();

function assignedClass(body: Node, name: string, names: PythonNames): string | undefined {
  const classes = new Set<string | undefined>();
  const text = body.text;
  for (let index = text.indexOf(name); index >= 0; index = text.indexOf(name, index + name.length)) {
    const occurrence: Node | null = body.descendantForIndex(body.startIndex + index, body.startIndex + index + name.length);
    const target: Node | null = occurrence?.parent?.type === 'attribute' && occurrence.parent.childForFieldName('object')?.text === 'self' ? occurrence.parent : occurrence;
    const assignment: Node | null | undefined = target?.parent;
    const isClassLevel = target?.type === 'identifier' && assignment?.parent?.parent?.equals(body) === true;
    if (!target || occurrence?.text !== name || assignment?.type !== 'assignment' || !assignment.childForFieldName('left')?.equals(target) || (target.type !== 'attribute' && !isClassLevel)) continue;
    classes.add(valueClass(assignment.childForFieldName('right'), names));
  }
  const [only] = classes;
  return classes.size === 1 ? only : undefined;
}

/**
 * How `name` is bound in `scope` (a function, or the module when null) before `offset`: `bound`
 * when the scope binds it at all (a parameter, an assignment, a loop…), with the last value bound
 * before the offset (undefined when opaque: an untyped parameter, unpacking, `global`…).
 */
function bindingIn(name: string, offset: number, scope: Node | null, body: Node | null): { bound: boolean; value: Node | undefined } {
  const parameter = scope ? parameterNamed(scope, name) : undefined;
  // A parameter is the first binding: its annotation may name its class (an untyped one is opaque).
  let value: Node | undefined = parameter?.type === 'typed_parameter' || parameter?.type === 'typed_default_parameter' ? parameter : undefined;
  let bound = parameter !== undefined;
  if (!body) return { bound, value };
  // The last binding before the use wins; the text prefilter keeps tree lookups few.
  const text = body.text;
  for (let index = text.indexOf(name); index >= 0; index = text.indexOf(name, index + name.length)) {
    const at = body.startIndex + index;
    if (at >= offset) break;
    const occurrence: Node | null = body.descendantForIndex(at, at + name.length);
    if (occurrence?.type !== 'identifier' || occurrence.text !== name || !sameScope(occurrence, scope)) continue;
    const bindingValueHere = bindingValue(occurrence);
    if (bindingValueHere === null) continue;
    // `x = x.parent`: the use on the right means the binding before this one.
    const evaluated = bindingValueHere?.type === 'for_statement' ? bindingValueHere.childForFieldName('right') : bindingValueHere;
    if (evaluated && evaluated.startIndex <= offset && offset < evaluated.endIndex) continue;
    bound = true;
    value = bindingValueHere;
  }
  return { bound, value };
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
      return parent.childForFieldName('left')?.equals(identifier) ? parent : null;
    case 'function_definition':
    case 'class_definition':
      return parent.childForFieldName('name')?.equals(identifier) ? undefined : null;
    default:
      return OPAQUE_BINDERS.has(parent.type) ? undefined : null;
  }
}

/** The parameter of `fn` named `name` (its node: `x`, `x: T`, `x=1`, `x: T = 1`), if any. */
function parameterNamed(fn: Node, name: string): Node | undefined {
  const parameters = fn.childForFieldName('parameters');
  for (const parameter of parameters?.namedChildren ?? []) {
    if (!parameter) continue;
    const own = parameter.type === 'identifier' ? parameter : (parameter.childForFieldName('name') ?? parameter.namedChild(0));
    if (own?.text === name) return parameter;
  }
  return undefined;
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
