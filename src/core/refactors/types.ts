import type { TextChange } from '../syntax/text';

/** The refactors we offer; the host localizes their titles. */
export type RefactorId =
  | 'python.toThread'
  | 'python.threadPool'
  | 'python.processPool'
  | 'python.gather'
  | 'python.taskGroup'
  | 'python.gatherLoop'
  | 'node.promiseAll'
  | 'node.promiseAllLoop'
  | 'node.workerThread'
  | 'node.childProcess';

export interface Refactor {
  readonly id: RefactorId;
  /** `extract` when code moves into a new function, `rewrite` when it is rewritten in place. */
  readonly kind: 'rewrite' | 'extract';
  /** Non-overlapping changes against the current text, applied together as one edit. */
  readonly changes: readonly TextChange[];
}

/** Applies changes given against one text (any order, non-overlapping; equal offsets keep their order). */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  const ordered = changes.map((change, index) => ({ change, index })).sort((a, b) => b.change.offset - a.change.offset || b.index - a.index);
  let result = text;
  for (const { change } of ordered) result = result.slice(0, change.offset) + change.insertText + result.slice(change.offset + change.deleteLength);
  return result;
}
