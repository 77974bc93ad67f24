/**
 * One syntax tree per document, kept up to date incrementally: `applyChanges` tells the old tree
 * what moved (`tree.edit`), and the next read of `tree` reparses with the old tree as a guide
 * (`parser.parse(text, oldTree)`), so a burst of keystrokes costs one reparse, not one each.
 * Trees live in wasm memory: call `dispose()` when the document closes.
 */
import type { Parser, Point, Tree } from 'web-tree-sitter';
import { familyOf, type LanguageFamily, type SourceLanguage } from './languages';
import { LineIndex, type TextChange } from './text';

export class ParsedDocument {
  private static live = 0;
  private currentTree: Tree;
  private stale = false;
  private lines: LineIndex | undefined;
  private disposed = false;

  private constructor(
    private readonly parser: Parser,
    readonly language: SourceLanguage,
    private currentText: string,
  ) {
    this.currentTree = parseOrThrow(parser, currentText, null);
    ParsedDocument.live += 1;
  }

  /** How many documents hold a tree in wasm memory right now (created and not yet disposed): lets tests check nothing parses a document twice. */
  static get liveCount(): number {
    return ParsedDocument.live;
  }

  /** Parses `text` with `parser`, which must already be set to `language`'s grammar. */
  static parse(parser: Parser, language: SourceLanguage, text: string): ParsedDocument {
    return new ParsedDocument(parser, language, text);
  }

  get family(): LanguageFamily {
    return familyOf(this.language);
  }

  get text(): string {
    return this.currentText;
  }

  /** The tree of the current text (reparsed incrementally if changes arrived since the last read). */
  get tree(): Tree {
    if (this.disposed) throw new Error('ParsedDocument used after dispose()');
    if (this.stale) {
      const next = parseOrThrow(this.parser, this.currentText, this.currentTree);
      this.currentTree.delete();
      this.currentTree = next;
      this.stale = false;
    }
    return this.currentTree;
  }

  /** Offsets ↔ line/character positions of the current text. */
  get lineIndex(): LineIndex {
    this.lines ??= new LineIndex(this.currentText);
    return this.lines;
  }

  /** Applies editor changes (in order, each relative to the text the previous one produced). */
  applyChanges(changes: readonly TextChange[]): void {
    for (const change of changes) {
      const before = this.currentText;
      const oldEndIndex = change.offset + change.deleteLength;
      const after = before.slice(0, change.offset) + change.insertText + before.slice(oldEndIndex);
      const startPosition = pointAt(before, change.offset);
      this.currentTree.edit({
        startIndex: change.offset,
        oldEndIndex,
        newEndIndex: change.offset + change.insertText.length,
        startPosition,
        oldEndPosition: advancePoint(startPosition, before.slice(change.offset, oldEndIndex)),
        newEndPosition: advancePoint(startPosition, change.insertText),
      });
      this.currentText = after;
    }
    if (changes.length > 0) {
      this.stale = true;
      this.lines = undefined;
    }
  }

  /**
   * Parses a fragment of text (e.g. one definition) with this document's parser, leaving the
   * document's own tree alone; the caller deletes the returned tree.
   */
  parseFragment(text: string): Tree | undefined {
    return this.parser.parse(text) ?? undefined;
  }

  /** Replaces the whole text (e.g. when the editor reloads a file): a full parse. */
  replaceText(text: string): void {
    const next = parseOrThrow(this.parser, text, null);
    this.currentTree.delete();
    this.currentTree = next;
    this.currentText = text;
    this.stale = false;
    this.lines = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ParsedDocument.live -= 1;
    this.currentTree.delete();
  }
}

function parseOrThrow(parser: Parser, text: string, oldTree: Tree | null): Tree {
  const tree = parser.parse(text, oldTree);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) {
    row += 1;
    lineStart = index + 1;
  }
  return { row, column: offset - lineStart };
}

function advancePoint(start: Point, inserted: string): Point {
  const lastNewline = inserted.lastIndexOf('\n');
  if (lastNewline < 0) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let index = inserted.indexOf('\n'); index >= 0; index = inserted.indexOf('\n', index + 1)) rows += 1;
  return { row: start.row + rows, column: inserted.length - lastNewline - 1 };
}
