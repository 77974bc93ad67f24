/**
 * JavaScript/TypeScript refactors on a selection of whole statements: consecutive independent
 * awaits (`await x;`, `const a = await x;`) → one `Promise.all`.
 */
import type { Node } from 'web-tree-sitter';
import { inAsyncContext } from '../syntax/context';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { indentationOf, indentUnit, selectedStatements, walk } from './selection';
import type { Refactor } from './types';

interface AwaitStatement {
  /** `const`/`let`/`var` for declarations, undefined for a bare `await x;`. */
  readonly declaration: string | undefined;
  readonly target: string | undefined;
  readonly awaited: Node;
}

export function nodeRefactors(doc: ParsedDocument, start: number, end: number): Refactor[] {
  const statements = selectedStatements(doc, start, end);
  const indent = statements && indentationOf(doc.text, statements[0]!);
  if (!statements || indent === undefined || !inAsyncContext(statements[0]!)) return [];
  const awaits = concurrentAwaits(statements);
  if (!awaits) return [];
  const declarations = new Set(awaits.map((item) => item.declaration).filter((kind) => kind !== undefined));
  if (declarations.size > 1) return [];
  const unit = indentUnit(doc.text, statements[0]!, '  ');
  const declaration = [...declarations][0];
  const pattern = declaration ? `${declaration} [${awaits.map((item) => item.target ?? '').join(', ')}] = ` : '';
  const lines = [`${pattern}await Promise.all([`, ...awaits.map((item) => `${indent}${unit}${item.awaited.text},`), `${indent}]);`];
  const first = statements[0]!;
  const last = statements.at(-1)!;
  return [{ id: 'node.promiseAll', kind: 'rewrite', changes: [{ offset: first.startIndex, deleteLength: last.endIndex - first.startIndex, insertText: lines.join('\n') }] }];
}

function awaitStatement(statement: Node): AwaitStatement | undefined {
  if (statement.type === 'expression_statement') {
    const expression = statement.namedChild(0);
    const awaited = expression?.type === 'await_expression' ? expression.namedChild(0) : null;
    return awaited ? { declaration: undefined, target: undefined, awaited } : undefined;
  }
  if (statement.type !== 'lexical_declaration' && statement.type !== 'variable_declaration') return undefined;
  const declarators = statement.namedChildren.filter((child) => child?.type === 'variable_declarator');
  const declarator = declarators.length === 1 ? declarators[0] : null;
  const name = declarator?.childForFieldName('name');
  const value = declarator?.childForFieldName('value');
  const awaited = value?.type === 'await_expression' ? value.namedChild(0) : null;
  if (name?.type !== 'identifier' || !awaited || declarator?.childForFieldName('type')) return undefined;
  return { declaration: statement.child(0)?.text, target: name.text, awaited };
}

/** Two or more awaits where none uses a name an earlier one declared. */
function concurrentAwaits(statements: readonly Node[]): AwaitStatement[] | undefined {
  if (statements.length < 2) return undefined;
  const declared = new Set<string>();
  const awaits: AwaitStatement[] = [];
  for (const statement of statements) {
    const item = awaitStatement(statement);
    if (!item) return undefined;
    let dependent = false;
    walk(item.awaited, (child) => {
      if ((child.type === 'identifier' || child.type === 'shorthand_property_identifier') && declared.has(child.text)) dependent = true;
      return !dependent;
    });
    if (dependent) return undefined;
    if (item.target !== undefined) declared.add(item.target);
    awaits.push(item);
  }
  return awaits;
}
