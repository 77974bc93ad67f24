/**
 * The `with` / `async with` items of a Python file: which expression each enters and which lines
 * its body spans. A thread or task whose frame is at a line inside the body of `with <expression>:`
 * holds what that expression named when it entered (a lock, a semaphore, a condition): the probes
 * report a waiting thread's frames and the lock-like objects each frame names, and this tells
 * which of those the frame holds.
 */
import type { Node, Tree } from 'web-tree-sitter';

export interface WithItem {
  /** The expression entered, without whitespace (`self.journal`, `accounts`). */
  readonly expression: string;
  /** 1-based line of the `with` keyword. */
  readonly line: number;
  /** 1-based lines of its body, inclusive. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly isAsync: boolean;
}

/** Every `with` item of a Python syntax tree, in source order. */
export function withItemsOf(tree: Tree): WithItem[] {
  const items: WithItem[] = [];
  for (const statement of tree.rootNode.descendantsOfType('with_statement')) {
    if (!statement) continue;
    const body = statement.childForFieldName('body');
    const clause = statement.namedChildren.find((child) => child?.type === 'with_clause');
    if (!body || !clause) continue;
    const isAsync = statement.child(0)?.type === 'async';
    for (const item of clause.namedChildren) {
      if (item?.type !== 'with_item') continue;
      const value = item.childForFieldName('value');
      const entered = value?.type === 'as_pattern' ? value.namedChild(0) : value;
      if (!entered) continue;
      items.push({
        expression: normalized(entered),
        line: statement.startPosition.row + 1,
        bodyStart: body.startPosition.row + 1,
        bodyEnd: body.endPosition.row + 1,
        isAsync,
      });
    }
  }
  return items;
}

/** The items a frame at `line` is inside the body of (it holds what they entered), outermost first. */
export function itemsEnteredAt(items: readonly WithItem[], line: number): WithItem[] {
  return items.filter((item) => line > item.line && line >= item.bodyStart && line <= item.bodyEnd);
}

function normalized(node: Node): string {
  // `(lock)` and `lock` enter the same object.
  let inner = node;
  while (inner.type === 'parenthesized_expression' && inner.namedChild(0)) inner = inner.namedChild(0)!;
  return inner.text.replace(/\s+/g, '');
}
