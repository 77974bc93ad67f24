/**
 * What a selection covers, in syntax terms: whole sibling statements of one block (a refactor
 * never cuts a statement in half), plus the indentation facts needed to write code around them.
 */
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from '../fixes/edits';
import type { ParsedDocument } from '../syntax/parsedDocument';
import type { TextChange } from '../syntax/text';

const BLOCK_TYPES = new Set(['module', 'block', 'program', 'statement_block']);

/** The statements exactly covered by [start, end) once surrounding whitespace is ignored, or undefined. */
export function selectedStatements(doc: ParsedDocument, start: number, end: number): Node[] | undefined {
  const text = doc.text;
  let from = start;
  let to = end;
  while (from < to && /\s/.test(text[from] ?? '')) from += 1;
  while (to > from && /\s/.test(text[to - 1] ?? '')) to -= 1;
  if (from >= to) return undefined;
  let block: Node | null = doc.tree.rootNode.descendantForIndex(from, from);
  while (block && !(BLOCK_TYPES.has(block.type) && block.startIndex <= from && block.endIndex >= to)) block = block.parent;
  if (!block) return undefined;
  const overlapping = block.namedChildren.filter((child): child is Node => child !== null && child.startIndex < to && child.endIndex > from);
  const first = overlapping[0];
  const last = overlapping.at(-1);
  if (!first || !last || first.startIndex !== from || last.endIndex !== to) return undefined;
  if (overlapping.some((statement) => statement.hasError)) return undefined;
  return overlapping;
}

/** The whitespace before `node` on its line (undefined when code precedes it on that line). */
export function indentationOf(text: string, node: Node): string | undefined {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  const before = text.slice(lineStart, node.startIndex);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** One indentation level as the file writes it: the step from the enclosing statement to `node`, or a default. */
export function indentUnit(text: string, node: Node, fallback: string): string {
  const own = indentationOf(text, node) ?? '';
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.parent === null) break;
    if (parent.type === 'block' || parent.type === 'statement_block') continue;
    const lineStart = text.lastIndexOf('\n', parent.startIndex - 1) + 1;
    const outer = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
    if (own.startsWith(outer) && own.length > outer.length) return own.slice(outer.length);
    break;
  }
  return own.startsWith('\t') ? '\t' : fallback;
}

/** The source of `nodes` (first to last) re-indented from `from` to `to`, line by line. */
export function reindent(text: string, nodes: readonly Node[], from: string, to: string): string[] {
  const first = nodes[0]!;
  const last = nodes.at(-1)!;
  return text
    .slice(first.startIndex, last.endIndex)
    .split('\n')
    .map((line, index) => {
      if (index === 0) return to + line;
      if (line.trim() === '') return '';
      return line.startsWith(from) ? to + line.slice(from.length) : line;
    });
}

/** Every descendant of `node` (itself included) for which `visit` returns true; `visit` returning false skips the subtree. */
export function walk(node: Node, visit: (node: Node) => boolean): void {
  if (!visit(node)) return;
  for (const child of node.namedChildren) if (child) walk(child, visit);
}

/** A name not yet used as an identifier in the text: `base`, `base_2`, … */
export function freshName(text: string, base: string): string {
  for (let suffix = 1; ; suffix += 1) {
    const name = suffix === 1 ? base : `${base}_${suffix}`;
    if (!new RegExp(`\\b${name}\\b`).test(text)) return name;
  }
}

/** A fix's edit as a refactor's change (the two shapes of one replacement). */
export function toTextChange(edit: TextEdit): TextChange {
  return { offset: edit.start, deleteLength: edit.end - edit.start, insertText: edit.newText };
}
