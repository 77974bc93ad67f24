import type { ParsedDocument } from '../syntax/parsedDocument';
import { nodeRefactors } from './node';
import { pythonRefactors } from './python';
import type { Refactor } from './types';

/** The refactors valid for the selection [start, end) of `doc`; empty when none applies. */
export function refactorsFor(doc: ParsedDocument, start: number, end: number): Refactor[] {
  return doc.family === 'python' ? pythonRefactors(doc, start, end) : nodeRefactors(doc, start, end);
}
