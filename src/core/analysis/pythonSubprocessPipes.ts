/**
 * A child started with `stdout=PIPE` / `stderr=PIPE` (subprocess.Popen, asyncio's
 * create_subprocess_*) that is then waited for — `wait()`, or a `poll()` loop — before anything
 * reads its pipes: the deadlock the subprocess and asyncio docs warn about. Uses are followed in
 * the text order of the function that started the child; any read of a pipe, `communicate()`, a
 * `terminate()` / `kill()`, or the process object escaping (passed on, returned, rebound) ends the
 * search silently.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction } from '../syntax/context';
import { qualifiedName } from '../syntax/names';
import { type CheckContext, allImports, alternation, callsNamed, wordOccurrences } from './checkContext';
import type { Localized } from './types';

const CHILD_FACTORIES = new Set(['subprocess.Popen', 'asyncio.create_subprocess_exec', 'asyncio.create_subprocess_shell', 'asyncio.subprocess.create_subprocess_exec', 'asyncio.subprocess.create_subprocess_shell']);
const PIPES = new Set(['subprocess.PIPE', 'asyncio.subprocess.PIPE']);
const LOOPS = new Set(['while_statement', 'for_statement']);

export function checkPipeDeadlocks(context: CheckContext): void {
  if (!context.isEnabled('py/pipe-deadlock') || !context.root.text.includes('PIPE')) return;
  const names = new Set(['Popen', 'create_subprocess_exec', 'create_subprocess_shell']);
  for (const [local, binding] of allImports(context)) if (CHILD_FACTORIES.has(binding.qualifiedName)) names.add(local);
  for (const call of callsNamed(context.root, alternation(names))) {
    const callee = call.childForFieldName('function');
    if (!callee || !CHILD_FACTORIES.has(qualifiedName(callee, context.imports, 'python') ?? '')) continue;
    const pipes = pipedOutputs(call, context);
    const child = pipes.length > 0 ? boundName(call) : undefined;
    const wait = child && unreadWait(child, call);
    if (!wait) continue;
    const method = wait.childForFieldName('function')?.childForFieldName('attribute')?.text ?? 'wait';
    const named = pipes.map((pipe) => `\`${pipe}\``);
    const pipesText: Localized = { en: named.join(' and '), 'zh-cn': named.join(' 和 ') };
    context.report('py/pipe-deadlock', wait, { name: `${child.text}.${method}()`, pipes: pipesText });
  }
}

/** `stdout` / `stderr` passed `PIPE`. */
function pipedOutputs(call: Node, context: CheckContext): string[] {
  const piped: string[] = [];
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    const name = argument?.type === 'keyword_argument' ? argument.childForFieldName('name')?.text : undefined;
    const value = argument?.childForFieldName('value');
    if ((name === 'stdout' || name === 'stderr') && value && PIPES.has(qualifiedName(value, context.imports, 'python') ?? '')) piped.push(name);
  }
  return piped;
}

/** The identifier the child is bound to: `p = Popen(…)`, `p = await create_subprocess_exec(…)`, `with Popen(…) as p:`. */
function boundName(call: Node): Node | undefined {
  const value = call.parent?.type === 'await' ? call.parent : call;
  const parent = value.parent;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.equals(value)) {
    const target = parent.childForFieldName('left');
    return target?.type === 'identifier' ? target : undefined;
  }
  if (parent?.type === 'as_pattern') {
    const target = parent.childForFieldName('alias')?.namedChild(0);
    return target?.type === 'identifier' ? target : undefined;
  }
  return undefined;
}

/** The first `child.wait()` / polling `child.poll()` after the creation, if nothing reads a pipe or takes the object first. */
function unreadWait(child: Node, creation: Node): Node | undefined {
  const scope = enclosingFunction(creation)?.childForFieldName('body') ?? creation.tree.rootNode;
  const name = child.text;
  for (const offset of wordOccurrences(scope.text, name)) {
    const at = scope.startIndex + offset;
    if (at < creation.endIndex) continue;
    const use = scope.descendantForIndex(at, at + name.length);
    if (use?.type !== 'identifier' || use.text !== name || use.equals(child)) continue;
    const member = use.parent;
    if (member?.type !== 'attribute' || !member.childForFieldName('object')?.equals(use)) return undefined; // rebound, passed on, returned
    const attribute = member.childForFieldName('attribute')?.text;
    const call = member.parent?.type === 'call' && member.parent.childForFieldName('function')?.equals(member) ? member.parent : undefined;
    // Read (or handed on), or ended: a killed child does not wait for its pipe to drain.
    if (attribute === 'stdout' || attribute === 'stderr' || attribute === 'communicate' || attribute === 'terminate' || attribute === 'kill' || attribute === 'send_signal') return undefined;
    if (attribute === 'wait' && call) return call;
    if (attribute === 'poll' && call) {
      const loop = enclosingLoop(call, scope);
      if (loop) return readsPipes(loop, name) ? undefined : call;
    }
  }
  return undefined;
}

function enclosingLoop(node: Node, scope: Node): Node | undefined {
  for (let parent = node.parent; parent && !parent.equals(scope); parent = parent.parent) if (LOOPS.has(parent.type)) return parent;
  return undefined;
}

function readsPipes(loop: Node, name: string): boolean {
  return new RegExp(`\\b${name}\\.(stdout|stderr|communicate)\\b`).test(loop.text);
}
