/**
 * A loop that awaits one call per item, rewritten to start them all and wait once: one
 * implementation behind both the `py/await-in-loop` / `js/await-in-loop` quick fixes and the
 * selection refactor on the same loop.
 */
import type { Node } from 'web-tree-sitter';
import { awaitedLoopCall } from '../analysis/nodeChecks';
import { singleAwaitedCall } from '../analysis/pythonChecks';
import { type TextEdit, replaceNode } from '../fixes/edits';
import { pythonReference } from '../fixes/importEdits';
import type { ParsedDocument } from '../syntax/parsedDocument';

/** `for x in xs: await f(x)` → `await asyncio.gather(*(f(x) for x in xs))` (and `.append` → `.extend`); undefined for other shapes. */
export function gatherLoopEdits(doc: ParsedDocument, loop: Node): TextEdit[] | undefined {
  if (loop.type !== 'for_statement' || loop.child(0)?.type === 'async' || loop.childForFieldName('alternative')) return undefined;
  const statements = loop.childForFieldName('body')?.namedChildren.filter((child) => child?.type !== 'comment') ?? [];
  const awaited = statements.length === 1 ? singleAwaitedCall(statements[0] ?? null) : undefined;
  const variable = loop.childForFieldName('left');
  const iterable = loop.childForFieldName('right');
  // Comments inside the loop would have nowhere to go.
  if (!awaited || !variable || !iterable || loop.descendantsOfType('comment').length > 0) return undefined;
  const asyncio = pythonReference(doc, 'asyncio');
  if (!asyncio) return undefined;
  const gather = `await ${asyncio.expression}.gather(*(${awaited.call.text} for ${variable.text} in ${iterable.text}))`;
  const replacement = replaceNode(loop, awaited.collector ? `${awaited.collector.text}.extend(${gather})` : gather);
  return asyncio.edit ? [asyncio.edit, replacement] : [replacement];
}

/** `for (const x of xs) { await f(x); }` → `await Promise.all(Array.from(xs, (x) => f(x)));` (and `push` → `push(...)`). */
export function promiseAllLoopEdits(loop: Node): TextEdit[] | undefined {
  const awaited = awaitedLoopCall(loop);
  if (!awaited || loop.descendantsOfType('comment').length > 0) return undefined;
  const all = `await Promise.all(Array.from(${awaited.iterable.text}, (${awaited.variable.text}) => ${awaited.call.text}))`;
  return [replaceNode(loop, awaited.collector ? `${awaited.collector.text}.push(...(${all}));` : `${all};`)];
}
