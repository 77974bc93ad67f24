/**
 * Fixes as pure edit computations: a fix is a title plus non-overlapping text edits (UTF-16
 * offsets into the document as analysed). The glue turns them into one `WorkspaceEdit` (one undo
 * step); tests apply them with `applyEdits` and reparse the result.
 */
import type { Node } from 'web-tree-sitter';
import type { Localized } from '../analysis/types';

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

export interface Fix {
  readonly title: Localized;
  /** `quickfix` repairs a finding; `refactor` rewrites working code into a better shape. */
  readonly kind: 'quickfix' | 'refactor';
  readonly isPreferred: boolean;
  readonly edits: readonly TextEdit[];
}

/** Applies edits (any order, non-overlapping) to `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

export function replaceNode(node: Node, newText: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, newText };
}

export function insertAt(offset: number, newText: string): TextEdit {
  return { start: offset, end: offset, newText };
}

/** `edit`, preceded by the import edit it needs (if any). */
export function withImport(importEdit: TextEdit | undefined, edit: TextEdit): TextEdit[] {
  return importEdit ? [importEdit, edit] : [edit];
}

/** The whitespace that starts the line containing `offset`. */
export function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, lineEndOf(text, lineStart)))?.[0] ?? '';
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  const lineEnd = end < 0 ? text.length : end;
  return text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
}

/** The line break the document uses (`\r\n` or `\n`). */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** One indentation step of the document: the smallest indentation in use, else four spaces. */
export function indentUnitOf(text: string): string {
  const match = /\n(\t+|[ ]+)\S/.exec(text);
  if (!match?.[1]) return '    ';
  return match[1].startsWith('\t') ? '\t' : ' '.repeat(Math.min(match[1].length, 8));
}

/** The text's lines one indentation `unit` deeper (blank lines left empty), joined with `eol`. */
export function indentLines(text: string, unit: string, eol: string): string {
  return text.split(/\r?\n/).map((line) => (line.trim() === '' ? '' : `${unit}${line}`)).join(eol);
}

/** Whether a string literal spanning lines starts in [start, end) of `scope` (indenting it would change its value). */
export function hasMultiLineString(scope: Node, start: number, end: number): boolean {
  return scope.descendantsOfType('string').some((string) => string !== null && string.startIndex >= start && string.startIndex < end && string.text.includes('\n'));
}

/** A statement is alone on its line(s) when only whitespace precedes it and only a comment follows. */
export function isAloneOnLine(text: string, node: Node): boolean {
  const before = text.slice(lineStartOf(text, node.startIndex), node.startIndex);
  const after = text.slice(node.endIndex, lineEndOf(text, node.endIndex)).trim();
  return before.trim() === '' && (after === '' || after === ';' || after.startsWith('#') || after.startsWith('//'));
}

/** Wraps in parentheses when the expression is used as the object of `.x`, a callee or a subscript (where `await e` would bind wrongly). */
export function parenthesizeIfOperand(node: Node, text: string): string {
  const parent = node.parent;
  const asObject = parent && (parent.type === 'attribute' || parent.type === 'member_expression' || parent.type === 'subscript' || parent.type === 'subscript_expression') && parent.childForFieldName('object')?.equals(node);
  const asCallee = parent && (parent.type === 'call' || parent.type === 'call_expression') && parent.childForFieldName('function')?.equals(node);
  return asObject || asCallee ? `(${text})` : text;
}
