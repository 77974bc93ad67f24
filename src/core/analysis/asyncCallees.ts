/**
 * "Is this callee a coroutine function / async function?" — the one place rules ask it. Names
 * come from the module facts (`context.facts.asyncFunctions`), so whatever the facts know (this
 * file's definitions today, other files' through the workspace index) every rule knows; methods
 * called on `self` / `this` are looked up in the enclosing class.
 */
import type { Node } from 'web-tree-sitter';
import { isAsyncFunction } from '../syntax/context';
import { unwrapExpression } from '../syntax/imports';
import { declaredLocally, definedLocally } from '../syntax/scopes';
import type { CheckContext } from './checkContext';
import { catchesOwnErrors } from './selfCatching';

/** Whether calling `callee` creates a coroutine (Python) or a promise of an async function (JS/TS). */
export function isAsyncCallee(callee: Node | null, context: CheckContext): boolean {
  const expression = context.family === 'node' ? unwrapExpression(callee) : callee;
  if (!expression) return false;
  if (expression.type === 'identifier') {
    const name = expression.text;
    if (!context.facts.asyncFunctions.has(name) || context.imports.bindings.has(name)) return false;
    return context.family === 'python' ? !definedLocally(expression, name) : !declaredLocally(expression, name);
  }
  const [objectField, nameField, self] = context.family === 'python' ? ['object', 'attribute', 'self'] : ['object', 'property', 'this'];
  if (expression.type !== (context.family === 'python' ? 'attribute' : 'member_expression')) return false;
  const object = expression.childForFieldName(objectField);
  const method = expression.childForFieldName(nameField)?.text;
  return method !== undefined && object?.text === self && asyncMethodOfEnclosingClass(expression, method) !== undefined;
}

/**
 * JS/TS: whether the async function `callee` names catches its own errors (see selfCatching.ts):
 * a module-level one the facts know, or an async method of the enclosing class called on `this`.
 */
export function asyncCalleeCatchesOwnErrors(callee: Node | null, context: CheckContext): boolean {
  const expression = unwrapExpression(callee);
  if (expression?.type === 'identifier') return context.facts.selfCatchingAsyncFunctions.has(expression.text);
  if (expression?.type !== 'member_expression' || expression.childForFieldName('object')?.type !== 'this') return false;
  const method = asyncMethodOfEnclosingClass(expression, expression.childForFieldName('property')?.text ?? '');
  return method !== undefined && catchesOwnErrors(method);
}

/** The async `def` / method named `method` in the class around `use` (its own methods, not inherited ones). */
function asyncMethodOfEnclosingClass(use: Node, method: string): Node | undefined {
  let classBody: Node | null = use.parent;
  while (classBody && classBody.type !== 'class_body' && !(classBody.type === 'block' && classBody.parent?.type === 'class_definition')) classBody = classBody.parent;
  for (const member of classBody?.namedChildren ?? []) {
    const definition = member?.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
    const isMethod = definition?.type === 'function_definition' || definition?.type === 'method_definition';
    if (definition && isMethod && definition.childForFieldName('name')?.text === method && isAsyncFunction(definition)) return definition;
  }
  return undefined;
}
