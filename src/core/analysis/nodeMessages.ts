/**
 * Values the structured clone cannot carry through `postMessage(…)` or `new Worker(…, { workerData })`:
 * functions (`DataCloneError`), objects and arrays holding one, and instances of classes that have
 * methods or private fields (they arrive as plain objects, without them). A name is followed to its
 * `const` / function / class declaration: inside functions on the tree, at module level through the
 * module facts (so that a definition checked alone sees the same module). Anything else
 * (parameters, `let`, imports) is left alone.
 */
import type { Node } from 'web-tree-sitter';
import { isFunctionNode } from '../syntax/context';
import { unwrapExpression } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import { type CheckContext, callsNamed } from './checkContext';
import type { Localized } from './types';

/** Why a value cannot travel as it is: what it is, and what happens. */
export interface Uncloneable {
  readonly what: Localized;
  readonly consequence: Localized;
}

/** Where names that are not declared in the enclosing functions come from. */
interface ModuleValues {
  readonly uncloneables: ReadonlyMap<string, Uncloneable>;
  readonly behaviourClasses: ReadonlySet<string>;
}

const FUNCTION_TYPES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function', 'class']);
const WORKERS = new Set(['worker_threads.Worker']);
const NOT_CLONEABLE: Localized = { en: 'functions cannot be cloned (`DataCloneError`).', 'zh-cn': '函数无法被克隆（`DataCloneError`）。' };
const A_FUNCTION: Uncloneable = { what: { en: 'a function', 'zh-cn': '函数' }, consequence: NOT_CLONEABLE };

export function checkMessages(context: CheckContext): void {
  if (!context.isEnabled('js/uncloneable-message')) return;
  const text = context.root.text;
  if (!text.includes('postMessage') && !text.includes('workerData')) return;
  const module: ModuleValues = { uncloneables: context.facts.moduleUncloneables, behaviourClasses: context.facts.behaviourClasses };
  for (const call of callsNamed(context.root, 'postMessage|Worker')) {
    const sent = sentValue(call, context);
    const problem = sent && problemOf(sent.value, module, 0);
    if (sent && problem) context.report('js/uncloneable-message', sent.value, { name: sent.channel, what: problem.what, consequence: problem.consequence });
  }
}

/** The value sent: the first argument of `x.postMessage(…)`, or `workerData` of a worker_threads `Worker`'s options. */
function sentValue(call: Node, context: CheckContext): { value: Node; channel: string } | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((arg): arg is Node => arg !== null && arg.type !== 'comment') ?? [];
  if (call.type === 'call_expression') {
    const callee = unwrapExpression(call.childForFieldName('function'));
    const isPostMessage = callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'postMessage';
    return isPostMessage && args[0] ? { value: args[0], channel: 'postMessage' } : undefined;
  }
  const constructor = call.childForFieldName('constructor');
  const options = unwrapExpression(args[1] ?? null);
  if (!constructor || !WORKERS.has(qualifiedName(constructor, context.imports, 'node') ?? '') || options?.type !== 'object') return undefined;
  for (const property of options.namedChildren) {
    if (property?.type === 'pair' && property.childForFieldName('key')?.text === 'workerData') {
      const value = property.childForFieldName('value');
      return value ? { value, channel: 'workerData' } : undefined;
    }
    if (property?.type === 'shorthand_property_identifier' && property.text === 'workerData') return { value: property, channel: 'workerData' };
  }
  return undefined;
}

/**
 * The module-level names whose value cannot be cloned (function declarations, `const` functions
 * and objects holding one, `const` instances of `behaviourClasses`), in declaration order.
 */
export function moduleUncloneables(statements: readonly Node[], behaviourClasses: ReadonlySet<string>): Map<string, Uncloneable> {
  const uncloneables = new Map<string, Uncloneable>();
  const module: ModuleValues = { uncloneables, behaviourClasses };
  // Functions first: they are hoisted, and constants may hold them.
  for (const statement of statements) {
    const declaration = declarationIn(statement);
    const name = declaration?.childForFieldName('name')?.text;
    if (name !== undefined && (declaration?.type === 'function_declaration' || declaration?.type === 'generator_function_declaration' || declaration?.type === 'class_declaration')) uncloneables.set(name, namedFunction(name));
  }
  for (const statement of statements) {
    const declaration = declarationIn(statement);
    if (declaration?.type !== 'lexical_declaration' || declaration.child(0)?.type !== 'const') continue;
    for (const declarator of declaration.namedChildren) {
      const name = declarator?.type === 'variable_declarator' ? declarator.childForFieldName('name') : null;
      const value = declarator?.childForFieldName('value');
      const problem = name?.type === 'identifier' && value ? problemOf(value, module, 0) : undefined;
      if (name && problem) uncloneables.set(name.text, problem);
    }
  }
  return uncloneables;
}

/** Whether the top-level `statement` declares a class with methods, accessors or private fields: what the clone loses matters. */
export function behaviourClassDeclared(statement: Node): string | undefined {
  const declaration = declarationIn(statement);
  return declaration?.type === 'class_declaration' && hasBehaviour(declaration) ? declaration.childForFieldName('name')?.text : undefined;
}

/** Why `value` does not survive the structured clone, or undefined when it does (or we cannot tell). */
function problemOf(raw: Node, module: ModuleValues, depth: number): Uncloneable | undefined {
  const value = unwrapExpression(raw);
  if (!value || depth > 4) return undefined;
  if (FUNCTION_TYPES.has(value.type)) return A_FUNCTION;
  switch (value.type) {
    case 'identifier':
    case 'shorthand_property_identifier': {
      const declared = localDeclaration(value);
      if (declared === 'module') return module.uncloneables.get(value.text);
      if (declared?.type === 'function_declaration' || declared?.type === 'generator_function_declaration' || declared?.type === 'class_declaration') return namedFunction(value.text);
      const inner = declared?.type === 'variable_declarator' ? declared.childForFieldName('value') : null;
      return inner ? problemOf(inner, module, depth + 1) : undefined;
    }
    case 'object':
      for (const property of value.namedChildren) {
        if (property?.type === 'method_definition') return holding(property.childForFieldName('name')?.text ?? 'method');
        const propertyValue = property?.type === 'pair' ? property.childForFieldName('value') : property?.type === 'shorthand_property_identifier' ? property : null;
        const key = property?.type === 'pair' ? property.childForFieldName('key')?.text : property?.text;
        const inner = propertyValue ? problemOf(propertyValue, module, depth + 1) : undefined;
        if (inner) return inner.consequence === NOT_CLONEABLE ? holding(key ?? '…') : inner;
      }
      return undefined;
    case 'array':
      for (const element of value.namedChildren) {
        const inner = element ? problemOf(element, module, depth + 1) : undefined;
        if (inner) return inner;
      }
      return undefined;
    case 'new_expression': {
      const constructor = value.childForFieldName('constructor');
      if (constructor?.type !== 'identifier') return undefined;
      const declared = localDeclaration(constructor);
      const behaves = declared === 'module' ? module.behaviourClasses.has(constructor.text) : declared?.type === 'class_declaration' && hasBehaviour(declared);
      return behaves ? {
        what: { en: `an instance of \`${constructor.text}\``, 'zh-cn': `类 \`${constructor.text}\` 的实例` },
        consequence: { en: 'it arrives as a plain object without its prototype, so its methods (and private fields) are gone on the other side.', 'zh-cn': '它到达另一端时变成没有原型的普通对象，方法（和私有字段）都不见了。' },
      } : undefined;
    }
    default:
      return undefined;
  }
}

function namedFunction(name: string): Uncloneable {
  return { what: { en: `a function (\`${name}\`)`, 'zh-cn': `函数（\`${name}\`）` }, consequence: NOT_CLONEABLE };
}

function holding(key: string): Uncloneable {
  return { what: { en: `an object holding a function (\`${key}\`)`, 'zh-cn': `包含函数（\`${key}\`）的对象` }, consequence: NOT_CLONEABLE };
}

function hasBehaviour(declaration: Node): boolean {
  const body = declaration.childForFieldName('body');
  return (body?.namedChildren ?? []).some((member) => {
    if (member?.type === 'method_definition') return member.childForFieldName('name')?.text !== 'constructor';
    return member?.type === 'field_definition' && member.childForFieldName('property')?.type === 'private_property_identifier';
  });
}

/**
 * The declaration of `use`'s name in the functions around it: a function/class declaration or a
 * `const` declarator; `'module'` when no function declares it (module facts know module names);
 * undefined when declared in a way whose value we do not follow (a parameter, `let`, destructuring).
 */
function localDeclaration(use: Node): Node | 'module' | undefined {
  const name = use.text;
  for (let scope = use.parent; scope; scope = scope.parent) {
    if (scope.type === 'program') return 'module';
    if (isFunctionNode(scope) && isParameter(scope, name)) return undefined;
    const loopOrCatch = scope.type === 'for_in_statement' ? scope.childForFieldName('left') : scope.type === 'catch_clause' ? scope.childForFieldName('parameter') : null;
    if (loopOrCatch && patternBinds(loopOrCatch, name)) return undefined;
    if (scope.type !== 'statement_block') continue;
    for (const statement of scope.namedChildren) {
      const declaration = statement && declarationIn(statement);
      if (!declaration) continue;
      if (declaration.type === 'function_declaration' || declaration.type === 'generator_function_declaration' || declaration.type === 'class_declaration') {
        if (declaration.childForFieldName('name')?.text === name) return declaration;
      } else if ((declaration.type === 'lexical_declaration' || declaration.type === 'variable_declaration') && declaration.text.includes(name)) {
        for (const declarator of declaration.namedChildren) {
          const target = declarator?.type === 'variable_declarator' ? declarator.childForFieldName('name') : null;
          if (target?.type === 'identifier' && target.text === name) return declaration.child(0)?.type === 'const' ? declarator ?? undefined : undefined;
          if (target && target.type !== 'identifier' && patternBinds(target, name)) return undefined;
        }
      }
    }
  }
  return 'module';
}

function declarationIn(statement: Node): Node | null {
  return statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
}

function patternBinds(pattern: Node, name: string): boolean {
  if (pattern.type === 'identifier') return pattern.text === name;
  return [...pattern.descendantsOfType('identifier'), ...pattern.descendantsOfType('shorthand_property_identifier_pattern')].some((id) => id?.text === name);
}

function isParameter(fn: Node, name: string): boolean {
  const parameters = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!parameters) return false;
  return parameters.type === 'identifier' ? parameters.text === name : patternBinds(parameters, name);
}
