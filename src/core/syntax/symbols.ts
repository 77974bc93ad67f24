/**
 * `symbolAt(doc, offset)`: what concurrency-relevant thing is under a position — a name that
 * resolves through imports/builtins/globals to a canonical qualified name (`time.sleep`,
 * `child_process.execSync`, `asyncio.gather`, `fetch`; in Python also a method of a local holding a
 * known object, `pool.map` → `concurrent.futures.Executor.map`), or an async keyword. Used by hovers,
 * "Insert pattern" and refactors; rules use `qualifiedName` directly.
 */
import type { Node } from 'web-tree-sitter';
import { type ImportTable, importsOf } from './imports';
import type { LanguageFamily } from './languages';
import { qualifiedName } from './names';
import type { ParsedDocument } from './parsedDocument';
import { pythonReceiverClass } from './receivers';

/**
 * Keywords, by canonical name. Python: `async def`, `await`, `async with`, `async for`.
 * JavaScript/TypeScript: `async` (any async function), `await`, `for await`.
 */
export type AsyncKeyword = 'async def' | 'async with' | 'async for' | 'await' | 'async' | 'for await';

export type SymbolInfo =
  | { readonly kind: 'name'; readonly name: string; readonly family: LanguageFamily; readonly start: number; readonly end: number; readonly node: Node }
  | { readonly kind: 'keyword'; readonly name: AsyncKeyword; readonly family: LanguageFamily; readonly start: number; readonly end: number; readonly node: Node };

/**
 * The symbol at `offset` (UTF-16 offset into `doc.text`). For a dotted name, hovering a part
 * resolves the chain up to that part: on `t` of `t.sleep` → `time`, on `sleep` → `time.sleep`
 * (range = the whole `t.sleep`). Returns undefined for anything that does not resolve.
 */
export function symbolAt(doc: ParsedDocument, offset: number): SymbolInfo | undefined {
  const node = doc.tree.rootNode.descendantForIndex(offset, offset);
  if (!node) return undefined;
  const family = doc.family;
  const keyword = keywordAt(node, family);
  if (keyword) return { kind: 'keyword', ...keyword, family, node };
  if (!NAME_TYPES.has(node.type)) return undefined;
  const expression = dottedExpressionEndingAt(node);
  const imports = importsOf(doc.tree, family);
  const name = qualifiedName(expression, imports, family) ?? methodOfKnownObject(expression, imports, family);
  return name === undefined ? undefined : { kind: 'name', name, family, start: expression.startIndex, end: expression.endIndex, node: expression };
}

/** `pool.map` where `pool` holds a known concurrency object (Python): `concurrent.futures.Executor.map`. */
function methodOfKnownObject(expression: Node, imports: ImportTable, family: LanguageFamily): string | undefined {
  if (family !== 'python' || expression.type !== 'attribute') return undefined;
  const object = expression.childForFieldName('object');
  const attribute = expression.childForFieldName('attribute');
  if (object?.type !== 'identifier' || !attribute) return undefined;
  const receiver = pythonReceiverClass(object, { imports });
  return receiver === undefined ? undefined : `${receiver}.${attribute.text}`;
}

const NAME_TYPES = new Set(['identifier', 'property_identifier']);

/** The attribute/member expression whose last part is `name`, or `name` itself. */
function dottedExpressionEndingAt(name: Node): Node {
  const parent = name.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(name)) return parent;
  if (parent?.type === 'member_expression' && parent.childForFieldName('property')?.equals(name)) return parent;
  return name;
}

function keywordAt(token: Node, family: LanguageFamily): { name: AsyncKeyword; start: number; end: number } | undefined {
  const parent = token.parent;
  if (!parent || token.isNamed) return undefined;
  if (family === 'python') {
    if (token.type === 'await' && parent.type === 'await') return { name: 'await', start: token.startIndex, end: token.endIndex };
    const asyncToken = token.type === 'async' ? token : precedingAsync(token);
    if (!asyncToken) return undefined;
    const name = PYTHON_ASYNC_FORMS[parent.type];
    if (!name) return undefined;
    const second = asyncToken.nextSibling;
    return { name, start: asyncToken.startIndex, end: second?.endIndex ?? asyncToken.endIndex };
  }
  if (token.type === 'async') return { name: 'async', start: token.startIndex, end: token.endIndex };
  if (token.type === 'await' && parent.type === 'await_expression') return { name: 'await', start: token.startIndex, end: token.endIndex };
  if (parent.type === 'for_in_statement' && (token.type === 'await' || token.type === 'for')) {
    const forToken = parent.child(0);
    const awaitToken = forToken?.nextSibling;
    if (forToken?.type === 'for' && awaitToken?.type === 'await') return { name: 'for await', start: forToken.startIndex, end: awaitToken.endIndex };
  }
  return undefined;
}

const PYTHON_ASYNC_FORMS: Readonly<Record<string, AsyncKeyword>> = {
  function_definition: 'async def',
  with_statement: 'async with',
  for_statement: 'async for',
  for_in_clause: 'async for',
};

/** For `def`/`with`/`for` written after `async`, the `async` token. */
function precedingAsync(token: Node): Node | null {
  if (token.type !== 'def' && token.type !== 'with' && token.type !== 'for') return null;
  const previous = token.previousSibling;
  return previous?.type === 'async' ? previous : null;
}
