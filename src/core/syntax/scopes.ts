/**
 * Whether a name used somewhere means something local rather than the module-level definition or
 * import of that name: a parameter, or a definition/declaration of an enclosing function or block
 * shadows it. Rules ask this before trusting a module-level fact about a name.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction, isFunctionNode } from './context';

/** Python: whether a function enclosing `use` defines or takes a parameter named `name` (shadowing the module-level one). */
export function definedLocally(use: Node, name: string): boolean {
  for (let fn = enclosingFunction(use); fn; fn = enclosingFunction(fn)) {
    const parameters = fn.childForFieldName('parameters');
    if (parameters && parameters.descendantsOfType('identifier').some((id) => id?.text === name)) return true;
    const body = fn.childForFieldName('body');
    if (body?.namedChildren.some((statement) => definitionName(statement) === name)) return true;
  }
  return false;
}

/** The name a Python `def` / `class` statement (decorated or not) defines. */
export function definitionName(statement: Node | null): string | undefined {
  const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  if (definition?.type !== 'function_definition' && definition?.type !== 'class_definition') return undefined;
  return definition.childForFieldName('name')?.text;
}

/**
 * JS/TS: whether an enclosing function or block declares `name` (a parameter, `const`/`let`/`var`,
 * a function or class), shadowing the module-level one; with `within`, only scopes up to that
 * function count (a variable of an outer function is then not local).
 */
export function declaredLocally(use: Node, name: string, within?: Node): boolean {
  for (let scope = use.parent; scope && scope.type !== 'program'; scope = scope.parent) {
    if (isFunctionNode(scope)) {
      const parameters = scope.childForFieldName('parameters') ?? scope.childForFieldName('parameter');
      if (mentionsIdentifier(parameters, name) || scope.childForFieldName('name')?.text === name) return true;
      if (within?.equals(scope)) return false;
    } else if (scope.type === 'statement_block' || scope.type === 'catch_clause' || scope.type === 'for_in_statement' || scope.type === 'for_statement') {
      if (scope.namedChildren.some((statement) => statement !== null && declares(statement, name))) return true;
    }
  }
  return false;
}

function declares(statement: Node, name: string): boolean {
  switch (statement.type) {
    case 'function_declaration':
    case 'generator_function_declaration':
    case 'class_declaration':
      return statement.childForFieldName('name')?.text === name;
    case 'lexical_declaration':
    case 'variable_declaration':
      return statement.namedChildren.some((declarator) => mentionsIdentifier(declarator?.childForFieldName('name') ?? null, name));
    case 'identifier': // catch (name), for (name of …)
      return statement.text === name;
    default:
      return false;
  }
}

function mentionsIdentifier(node: Node | null, name: string): boolean {
  if (!node) return false;
  if (node.type === 'identifier' || node.type === 'shorthand_property_identifier_pattern') return node.text === name;
  return node.text.includes(name) && [...node.descendantsOfType('identifier'), ...node.descendantsOfType('shorthand_property_identifier_pattern')].some((id) => id?.text === name);
}
