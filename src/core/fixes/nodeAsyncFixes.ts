/**
 * Quick fixes of the JS/TS rules about async functions, offered where exact: an async Promise
 * executor that never awaits loses its `async`; a lost update awaits first, then updates.
 */
import type { Node } from 'web-tree-sitter';
import { canSuspend } from '../analysis/suspensions';
import { freshName } from '../refactors/selection';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type Fix, indentationAt, insertAt, isAloneOnLine, lineBreakOf, replaceNode } from './edits';

/** `new Promise(async (resolve) => …)` whose executor never awaits → the same executor, synchronous: what it throws now rejects the promise. */
export function synchronousExecutor(doc: ParsedDocument, asyncKeyword: Node): Fix[] {
  const executor = asyncKeyword.parent;
  const body = executor?.childForFieldName('body');
  if (asyncKeyword.type !== 'async' || !executor || !body || canSuspend(body)) return [];
  const end = /^\s*/.exec(doc.text.slice(asyncKeyword.endIndex))?.[0].length ?? 0;
  return [{
    title: { en: 'Make the executor synchronous (remove async)', 'zh-cn': '让执行器保持同步（去掉 async）' },
    kind: 'quickfix',
    isPreferred: true,
    edits: [{ start: asyncKeyword.startIndex, end: asyncKeyword.endIndex + end, newText: '' }],
  }];
}

/** Parents through which the awaited value flows unconditionally into the assignment (hoisting the await keeps its evaluation). */
const UNCONDITIONAL = new Set(['parenthesized_expression', 'array', 'spread_element', 'arguments', 'call_expression', 'template_substitution', 'template_string', 'pair', 'object', 'as_expression', 'non_null_expression']);

/**
 * `x += await f();` / `obj.n = obj.n + await g();` as a statement → `const value = await f();`
 * first, then the update reads `x` after the await. Offered when the await is evaluated
 * unconditionally (not behind `&&`, `??` or `?:`).
 */
export function awaitBeforeUpdate(doc: ParsedDocument, assignment: Node): Fix[] {
  const statement = assignment.parent;
  const right = assignment.childForFieldName('right');
  const text = doc.text;
  if (statement?.type !== 'expression_statement' || !right || !isAloneOnLine(text, statement)) return [];
  const awaited = firstAwait(right);
  if (!awaited) return [];
  for (let node = awaited.parent; node && !node.equals(assignment); node = node.parent) {
    const shortCircuit = node.type === 'binary_expression' && /^(&&|\|\||\?\?)$/.test(node.childForFieldName('operator')?.text ?? '');
    if (shortCircuit || (node.type !== 'binary_expression' && !UNCONDITIONAL.has(node.type))) return [];
  }
  const name = freshName(text, 'value');
  return [{
    title: { en: 'Await first, then update', 'zh-cn': '先 await，再更新' },
    kind: 'quickfix',
    isPreferred: true,
    edits: [
      insertAt(statement.startIndex, `const ${name} = ${awaited.text};${lineBreakOf(text)}${indentationAt(text, statement.startIndex)}`),
      replaceNode(awaited, name),
    ],
  }];
}

/** The first `await` in `node`'s own code (not in nested functions). */
function firstAwait(node: Node): Node | undefined {
  if (node.type === 'await_expression') return node;
  for (const child of node.namedChildren) {
    if (!child || child.type === 'arrow_function' || child.type === 'function_expression' || child.type === 'function') continue;
    const found = firstAwait(child);
    if (found) return found;
  }
  return undefined;
}
