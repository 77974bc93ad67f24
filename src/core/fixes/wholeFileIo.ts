/**
 * `open()` in a coroutine, rewritten only where a `pathlib` one-liner does exactly the same:
 *
 *     with open(path[, "r"|"rb"|"w"|"wb"][, encoding=…][, errors=…]) as f:
 *         data = f.read()        →  data = await asyncio.to_thread(Path(path).read_text[, encoding=…])
 *         return f.read()        →  return await asyncio.to_thread(Path(path).read_text…)
 *         f.write(text)          →  await asyncio.to_thread(Path(path).write_text, text…)
 *
 * (`read_bytes` / `write_bytes` for binary modes). `Path.read_text`/`write_text` open the file the
 * same way (mode, encoding, errors, newline translation) and close it. Anything else — other
 * modes or keywords, more statements in the block, comments in it, `f` used after the block, a
 * file descriptor instead of a path, `open()` outside `with` — gets no fix: the message points to
 * the "Run in a background thread" refactor for the whole block instead.
 */
import type { Node } from 'web-tree-sitter';
import { enclosingFunction } from '../syntax/context';
import { importsOf } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type Fix, replaceNode } from './edits';
import { importsEdit, pythonReference } from './importEdits';

const METHODS: Readonly<Record<string, { read: string; write: string; text: boolean }>> = {
  r: { read: 'read_text', write: '', text: true },
  rt: { read: 'read_text', write: '', text: true },
  rb: { read: 'read_bytes', write: '', text: false },
  w: { read: '', write: 'write_text', text: true },
  wt: { read: '', write: 'write_text', text: true },
  wb: { read: '', write: 'write_bytes', text: false },
};
const TEXT_KEYWORDS = new Set(['encoding', 'errors']);

export function wholeFileInThread(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.childForFieldName('function');
  if (!callee || !['open', 'io.open'].includes(qualifiedName(callee, importsOf(doc.tree, 'python'), 'python') ?? '')) return [];
  const opened = openArguments(call);
  const file = withTarget(call);
  if (!opened || !file) return [];
  const { statement, name } = file;
  const body = statement.childForFieldName('body')?.namedChildren ?? [];
  const only = body.length === 1 ? body[0] : undefined;
  const use = only ? fileUse(only, name) : undefined;
  const method = use && (use.kind === 'read' ? METHODS[opened.mode]?.read : METHODS[opened.mode]?.write);
  if (!use || !method || statement.descendantsOfType('comment').length > 0 || usedAfter(statement, name)) return [];
  const asyncio = pythonReference(doc, 'asyncio');
  const path = pythonReference(doc, 'pathlib', 'Path');
  if (!asyncio || !path) return [];
  const args = [`${path.expression}(${opened.path.text}).${method}`, ...(use.data ? [use.data.text] : []), ...opened.keywords.map((keyword) => keyword.text)];
  const threaded = `await ${asyncio.expression}.to_thread(${args.join(', ')})`;
  const replacement = use.kind === 'read' ? `${use.prefix}${threaded}` : threaded;
  return [{
    title: { en: `Use await asyncio.to_thread(Path(…).${method})`, 'zh-cn': `改用 await asyncio.to_thread(Path(…).${method})` },
    kind: 'quickfix',
    isPreferred: true,
    edits: [importsEdit(doc, [asyncio, path]), replaceNode(statement, replacement)].filter((edit) => edit !== undefined),
  }];
}

function openArguments(call: Node): { path: Node; mode: string; keywords: Node[] } | undefined {
  const positional: Node[] = [];
  const keywords: Node[] = [];
  let mode: Node | undefined;
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!argument) continue;
    if (argument.type !== 'keyword_argument') positional.push(argument);
    else if (argument.childForFieldName('name')?.text === 'mode') mode = argument.childForFieldName('value') ?? undefined;
    else keywords.push(argument);
  }
  const [path, positionalMode, ...rest] = positional;
  mode ??= positionalMode;
  if (!path || rest.length > 0 || (mode && positionalMode && mode !== positionalMode)) return undefined;
  // A file descriptor is not a path; splats hide what is passed.
  if (path.type === 'integer' || positional.some((argument) => argument.type === 'list_splat' || argument.type === 'dictionary_splat' || argument.type === 'comment')) return undefined;
  const modeText = mode ? stringLiteral(mode) : 'r';
  const shape = modeText === undefined ? undefined : METHODS[modeText];
  if (!shape || keywords.some((keyword) => !shape.text || !TEXT_KEYWORDS.has(keyword.childForFieldName('name')?.text ?? ''))) return undefined;
  return { path, mode: modeText ?? 'r', keywords };
}

/** The text of a plain one-part string literal (`"rb"`), else undefined. */
function stringLiteral(node: Node): string | undefined {
  if (node.type !== 'string' || node.namedChildren.some((child) => child?.type === 'interpolation')) return undefined;
  const match = /^(['"])(\w*)\1$/.exec(node.text);
  return match?.[2];
}

/** `with <call> as name:` with that single item (not `async with`). */
function withTarget(call: Node): { statement: Node; name: string } | undefined {
  const pattern = call.parent;
  const item = pattern?.type === 'as_pattern' ? pattern.parent : null;
  const clause = item?.type === 'with_item' ? item.parent : null;
  const statement = clause?.type === 'with_clause' ? clause.parent : null;
  const alias = pattern?.childForFieldName('alias')?.namedChild(0);
  if (statement?.type !== 'with_statement' || statement.child(0)?.type === 'async' || clause?.namedChildCount !== 1 || alias?.type !== 'identifier') return undefined;
  return { statement, name: alias.text };
}

/** `x = f.read()` / `return f.read()` (prefix kept) or `f.write(data)`, where only that use mentions `f`. */
function fileUse(statement: Node, file: string): { kind: 'read' | 'write'; prefix: string; data: Node | undefined } | undefined {
  const expression = statement.type === 'return_statement' ? statement.namedChild(0) : statement.type === 'expression_statement' ? statement.namedChild(0) : null;
  if (!expression) return undefined;
  if (expression.type === 'call' && methodCallOn(expression, file) === 'write') {
    const args = expression.childForFieldName('arguments')?.namedChildren ?? [];
    const data = args.length === 1 ? args[0] : null;
    if (statement.type !== 'expression_statement' || !data || data.type === 'keyword_argument' || data.type === 'list_splat' || mentionsName(data, file)) return undefined;
    return { kind: 'write', prefix: '', data };
  }
  const value = expression.type === 'assignment' ? expression.childForFieldName('right') : expression;
  const target = expression.type === 'assignment' ? expression.childForFieldName('left') : null;
  if (value?.type !== 'call' || methodCallOn(value, file) !== 'read' || (value.childForFieldName('arguments')?.namedChildCount ?? 0) > 0) return undefined;
  if (expression.type === 'assignment' && (!target || mentionsName(target, file) || expression.childForFieldName('type'))) return undefined;
  const prefix = statement.type === 'return_statement' ? 'return ' : target ? `${target.text} = ` : '';
  return prefix === '' ? undefined : { kind: 'read', prefix, data: undefined };
}

function methodCallOn(call: Node, object: string): string | undefined {
  const callee = call.childForFieldName('function');
  return callee?.type === 'attribute' && callee.childForFieldName('object')?.text === object ? callee.childForFieldName('attribute')?.text : undefined;
}

function mentionsName(node: Node, name: string): boolean {
  return node.descendantsOfType('identifier').some((identifier) => identifier?.text === name);
}

/** Whether the file variable is read after the `with` block in the same function. */
function usedAfter(statement: Node, name: string): boolean {
  const scope = enclosingFunction(statement)?.childForFieldName('body');
  return scope?.descendantsOfType('identifier').some((identifier) => identifier !== null && identifier.startIndex >= statement.endIndex && identifier.text === name) ?? false;
}
