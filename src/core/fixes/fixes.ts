/**
 * The fixes of a finding, computed on the current tree: each rule's rewrite (where a safe one
 * exists), plus "Ignore on this line" for every finding.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding, RuleId } from '../analysis/types';
import { useAsyncioSubprocess } from './asyncioSubprocess';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type Fix, type TextEdit, insertAt, indentationAt, lineBreakOf, lineEndOf, lineStartOf } from './edits';
import { awaitBeforeUpdate, synchronousExecutor } from './nodeAsyncFixes';
import { addEventHandlers, awaitOrVoid, promiseAllLoop, usePromiseApi } from './nodeFixes';
import type { PythonVersion } from './pythonVersion';
import { awaitInstead, communicateInstead, reraiseCancellation, spawnContext, waitWithoutBlocking } from './pythonWaitingFixes';
import { addAwait, awaitAsyncioSleep, awaitToThread, gatherLoop, keepTaskReference, moveToTaskGroup, scheduleAsTask, useProcesses, wrapInMainGuard } from './pythonFixes';
import { wholeFileInThread } from './wholeFileIo';

/** What a fix may need to know about the project beyond the document. */
export interface ProjectFacts {
  /** The oldest Python the project supports, when it declares one. */
  readonly pythonMinimum?: PythonVersion;
}

export function fixesFor(doc: ParsedDocument, finding: Finding, project: ProjectFacts = {}): Fix[] {
  const node = doc.tree.rootNode.descendantForIndex(finding.start, finding.end);
  if (!node || node.startIndex !== finding.start || node.endIndex !== finding.end) return [];
  return ruleFixes(doc, node, finding.rule, project);
}

function ruleFixes(doc: ParsedDocument, node: Node, rule: RuleId, project: ProjectFacts): Fix[] {
  switch (rule) {
    case 'py/blocking-sleep':
      return awaitAsyncioSleep(doc, node);
    case 'py/blocking-subprocess':
      return [...useAsyncioSubprocess(doc, node), ...awaitToThread(doc, node)];
    case 'py/blocking-file-io':
      return [...wholeFileInThread(doc, node), ...awaitToThread(doc, node)];
    case 'py/blocking-http':
    case 'py/blocking-input':
      return awaitToThread(doc, node);
    case 'py/unawaited-coroutine':
      return [...addAwait(node), ...scheduleAsTask(doc, node)];
    case 'py/dangling-task':
      return [...keepTaskReference(doc, node), ...moveToTaskGroup(doc, node, project.pythonMinimum)];
    case 'py/await-in-loop':
      return gatherLoop(doc, node);
    case 'py/missing-main-guard':
      return wrapInMainGuard(doc, node);
    case 'py/unpicklable-target':
      return [];
    case 'py/cpu-bound-in-thread':
      return useProcesses(doc, node);
    case 'py/swallowed-cancellation':
      return reraiseCancellation(doc, node);
    case 'py/pipe-deadlock':
      return communicateInstead(doc, node);
    case 'py/fork-with-threads':
      return spawnContext(doc, node);
    case 'py/nested-event-loop':
      return awaitInstead(doc, node);
    case 'py/sync-wait-in-async':
      return waitWithoutBlocking(doc, node);
    case 'py/lost-future-exception':
    case 'py/busy-wait':
    case 'py/yield-in-scope':
      return [];
    case 'js/sync-io-in-async':
      return usePromiseApi(doc, node);
    case 'js/floating-promise':
      return awaitOrVoid(node);
    case 'js/await-in-loop':
      return promiseAllLoop(node);
    case 'js/unhandled-worker-events':
      return addEventHandlers(doc, node);
    case 'js/async-promise-executor':
      return synchronousExecutor(doc, node);
    case 'js/lost-update':
      return awaitBeforeUpdate(doc, node);
    case 'js/misused-async-callback':
    case 'js/uncloneable-message':
      return [];
  }
}

const SUPPRESSION_IDS = /(concurrency-lens:\s*ignore\[)([^\]]*)\]/;

/**
 * `# concurrency-lens: ignore[rule]` at the end of the finding's line (extending an existing
 * one), or on its own line above when the line ends inside a string or a JSX text.
 */
export function ignoreOnLineFix(doc: ParsedDocument, finding: Finding): Fix | undefined {
  const text = doc.text;
  const marker = doc.family === 'python' ? '#' : '//';
  const lineStart = lineStartOf(text, finding.start);
  const lineEnd = lineEndOf(text, finding.start);
  const line = text.slice(lineStart, lineEnd);
  const existing = SUPPRESSION_IDS.exec(line);
  let edit: TextEdit;
  if (existing) {
    const at = lineStart + existing.index + (existing[1]?.length ?? 0) + (existing[2]?.length ?? 0);
    edit = insertAt(at, existing[2]?.trim() ? `, ${finding.rule}` : finding.rule);
  } else if (insideJsx(doc, finding.start)) {
    return undefined; // a comment there would be JSX text
  } else if (endsInsideText(doc, lineEnd)) {
    edit = insertAt(lineStart, `${indentationAt(text, lineStart)}${marker} concurrency-lens: ignore[${finding.rule}]${lineBreakOf(text)}`);
  } else {
    edit = insertAt(lineEnd, `${doc.family === 'python' ? '  ' : ' '}${marker} concurrency-lens: ignore[${finding.rule}]`);
  }
  return { title: { en: `Ignore ${finding.rule} on this line`, 'zh-cn': `在此行忽略 ${finding.rule}` }, kind: 'quickfix', isPreferred: false, edits: [edit] };
}

const TEXT_NODES = new Set(['string', 'string_content', 'string_fragment', 'template_string']);

function insideJsx(doc: ParsedDocument, offset: number): boolean {
  for (let node = doc.tree.rootNode.descendantForIndex(offset, offset); node; node = node.parent) if (node.type === 'jsx_element' || node.type === 'jsx_self_closing_element') return true;
  return false;
}

function endsInsideText(doc: ParsedDocument, lineEnd: number): boolean {
  if (lineEnd === 0) return false;
  if (doc.text[lineEnd - 1] === '\\') return true;
  for (let node = doc.tree.rootNode.descendantForIndex(lineEnd - 1, lineEnd); node; node = node.parent) {
    if (TEXT_NODES.has(node.type) && node.endIndex > lineEnd) return true;
    if (node.type === 'comment') return false;
  }
  return false;
}
