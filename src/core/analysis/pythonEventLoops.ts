/**
 * Event loops started where one already runs: `asyncio.run()` / `loop.run_until_complete()` in a
 * coroutine, or in a module-level function that this file calls only from coroutines (directly,
 * never passed on as a callback — a function handed to a thread may rightly run a loop there).
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isAsyncFunction } from '../syntax/context';
import { qualifiedName } from '../syntax/names';
import { type PythonNames, pythonReceiverClass } from '../syntax/receivers';
import { type CheckContext, alternation, callsNamed, pythonNames, wordOccurrences } from './checkContext';
import { nestedFunctionBetween } from './suspensions';

const LOOP_GETTERS = new Set(['asyncio.get_event_loop', 'asyncio.get_running_loop', 'asyncio.new_event_loop']);

/** An event loop: `asyncio.get_running_loop()` and the like, a local bound to one, or a name such as `loop` / `self._loop`. */
export function isEventLoop(receiver: Node | null, names: PythonNames): boolean {
  if (!receiver) return false;
  if (receiver.type === 'call') {
    const callee = receiver.childForFieldName('function');
    return callee !== null && LOOP_GETTERS.has(qualifiedName(callee, names.imports, 'python') ?? '');
  }
  return /^(self\.)?_?(event_)?loop$/.test(receiver.text) || pythonReceiverClass(receiver, names) === 'asyncio.loop';
}

/** `asyncio.run(…)` or `<loop>.run_until_complete(…)`. */
function runsEventLoop(call: Node, names: PythonNames): boolean {
  const callee = call.childForFieldName('function');
  if (!callee) return false;
  if (qualifiedName(callee, names.imports, 'python') === 'asyncio.run') return true;
  return callee.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'run_until_complete' && isEventLoop(callee.childForFieldName('object'), names);
}

function loopRunsIn(node: Node, names: PythonNames): Node[] {
  const words = new Set(['run', 'run_until_complete']);
  for (const [local, binding] of names.imports.bindings) if (binding.qualifiedName === 'asyncio.run') words.add(local);
  return callsNamed(node, alternation(words)).filter((call) => runsEventLoop(call, names));
}

export function checkNestedEventLoops(context: CheckContext): void {
  if (!context.isEnabled('py/nested-event-loop')) return;
  for (const call of loopRunsIn(context.root, pythonNames(context))) {
    const fn = enclosingFunction(call);
    if (!fn) continue;
    const name = call.childForFieldName('function')?.text ?? 'asyncio.run';
    if (isAsyncFunction(fn)) {
      context.report('py/nested-event-loop', call, {
        name,
        where: { en: 'this coroutine', 'zh-cn': '当前协程' },
        remedy: { en: 'Use `await` instead.', 'zh-cn': '请改用 `await`。' },
      });
      continue;
    }
    const helper = fn.childForFieldName('name')?.text;
    if (helper !== undefined && isModuleLevel(fn) && context.facts.loopRunnersCalledFromCoroutines.has(helper)) {
      context.report('py/nested-event-loop', call, {
        name,
        where: { en: `\`${helper}\`, which this file calls only from coroutines,`, 'zh-cn': `本文件只在协程中调用的 \`${helper}\`` },
        remedy: { en: `Make \`${helper}\` a coroutine and \`await\` what it runs.`, 'zh-cn': `请把 \`${helper}\` 改为协程，并 \`await\` 它所运行的内容。` },
      });
    }
  }
}

function isModuleLevel(fn: Node): boolean {
  const statement = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
  return statement.parent?.type === 'module';
}

/** The name of the module-level sync function `statement` defines when its own code starts an event loop. */
export function loopRunnerDefined(statement: Node, names: PythonNames): string | undefined {
  const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  const body = definition?.type === 'function_definition' && !isAsyncFunction(definition) ? definition.childForFieldName('body') : null;
  if (!definition || !body || !/\basyncio\b|\brun\s*\(|run_until_complete/.test(body.text)) return undefined;
  return loopRunsIn(body, names).some((call) => !nestedFunctionBetween(call, body)) ? definition.childForFieldName('name')?.text : undefined;
}

/**
 * Each mention of one of `names` in `statement`: `name:coroutine` when it is called directly in a
 * coroutine's own code, `name:other` for any other use (a call in sync code, a reference passed on).
 */
export function mentionsOf(statement: Node, names: ReadonlySet<string>): string[] {
  if (names.size === 0) return [];
  const found: string[] = [];
  const text = statement.text;
  for (const name of names) {
    for (const offset of wordOccurrences(text, name)) {
      const use = statement.descendantForIndex(statement.startIndex + offset, statement.startIndex + offset + name.length);
      if (use?.type !== 'identifier' || use.text !== name) continue;
      const parent = use.parent;
      if (parent?.type === 'function_definition' && parent.childForFieldName('name')?.equals(use)) continue;
      const called = parent?.type === 'call' && parent.childForFieldName('function')?.equals(use);
      const fn = called ? enclosingFunction(use) : null;
      found.push(`${name}:${fn && isAsyncFunction(fn) ? 'coroutine' : 'other'}`);
    }
  }
  return found;
}
