/**
 * Plain-text positions: zero-based lines and UTF-16 columns (the units VS Code, JavaScript strings
 * and web-tree-sitter all use), and the text changes an editor reports.
 */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/** A replacement of `deleteLength` characters at `offset` by `insertText` (offsets in UTF-16 units). */
export interface TextChange {
  readonly offset: number;
  readonly deleteLength: number;
  readonly insertText: string;
}

/** Line starts of a text, for offset ↔ position conversions in O(log lines). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) this.starts.push(index + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] ?? 0) <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - (this.starts[low] ?? 0) };
  }

  offsetAt(position: Position): number {
    const start = this.starts[Math.max(0, Math.min(position.line, this.starts.length - 1))] ?? 0;
    return Math.min(start + position.character, this.text.length);
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))] ?? 0;
  }

  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line + 1 < this.starts.length ? (this.starts[line + 1] ?? this.text.length) - 1 : this.text.length;
    return this.text.slice(start, next).replace(/\r$/, '');
  }
}

/** Applies changes in order, each against the text the previous ones produced. */
export function applyTextChanges(text: string, changes: readonly TextChange[]): string {
  let result = text;
  for (const change of changes) result = result.slice(0, change.offset) + change.insertText + result.slice(change.offset + change.deleteLength);
  return result;
}

/** The one replacement that turns `before` into `after` (common prefix and suffix kept), or undefined if equal. */
export function singleChange(before: string, after: string): TextChange | undefined {
  if (before === after) return undefined;
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix += 1;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix += 1;
  return { offset: prefix, deleteLength: before.length - prefix - suffix, insertText: after.slice(prefix, after.length - suffix) };
}

/** Every occurrence of `word` as a whole identifier-like word in `text` (a cheap prefilter; callers confirm with the tree). */
export function wordOccurrences(text: string, word: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(word); index >= 0; index = text.indexOf(word, index + word.length)) if (isWholeWord(text, index, word.length)) found.push(index);
  return found;
}

/** Whether `word` occurs in `text` as a whole identifier-like word (stops at the first). */
export function containsWord(text: string, word: string): boolean {
  for (let index = text.indexOf(word); index >= 0; index = text.indexOf(word, index + word.length)) if (isWholeWord(text, index, word.length)) return true;
  return false;
}

function isWholeWord(text: string, index: number, length: number): boolean {
  return !isWordChar(text.charCodeAt(index - 1)) && !isWordChar(text.charCodeAt(index + length));
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}
