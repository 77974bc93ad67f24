/** Quick fixes and refactors for the JavaScript / TypeScript rules. */
import type { Node } from 'web-tree-sitter';
import { missingEvents } from '../analysis/nodeChecks';
import { promiseAllLoopEdits } from '../refactors/loops';
import { enclosingFunction, isAsyncFunction, isFunctionNode } from '../syntax/context';
import { importsOf, unwrapExpression } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type Fix, indentUnitOf, indentationAt, insertAt, isAloneOnLine, lineBreakOf, parenthesizeIfOperand, replaceNode } from './edits';
import { type ImportedReference, importsEdit, nodeReference } from './importEdits';

/** `fs` sync functions and their `fs.promises` twins (`existsSync` has none: it becomes `access` mapped to a boolean). */
const FS_PROMISE_TWINS = new Set([
  'access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'lchown', 'link', 'lstat', 'lutimes', 'mkdir', 'mkdtemp', 'opendir', 'readdir', 'readFile', 'readlink',
  'realpath', 'rename', 'rm', 'rmdir', 'stat', 'statfs', 'symlink', 'truncate', 'unlink', 'utimes', 'writeFile',
]);

/**
 * `fs.readFileSync(a)` → `await fs.promises.readFile(a)`; `fs.existsSync(p)` → `await fs.promises.access(p).then(() => true, () => false)`
 * (the same boolean); a dropped `spawnSync(…, { stdio: 'inherit' })` → `spawn` awaited until it closes; `execSync(c)` → `(await promisify(exec)(c)).stdout`; `zlib.gzipSync(b)` → `await promisify(zlib.gzip)(b)`.
 */
export function usePromiseApi(doc: ParsedDocument, call: Node): Fix[] {
  const callee = unwrapExpression(call.childForFieldName('function'));
  const args = call.childForFieldName('arguments');
  if (!callee || !args) return [];
  const imports = importsOf(doc.tree, 'node');
  const name = qualifiedName(callee, imports, 'node') ?? '';
  const [module, syncName] = splitName(name);
  const asyncName = syncName.replace(/Sync$/, '');
  /** The object the code already wrote (`fs` of `fs.readFileSync`), reused for its siblings. */
  const object = callee.type === 'member_expression' ? callee.childForFieldName('object') : null;
  const existing = (expression: string): ImportedReference => ({ expression, statement: undefined, edit: undefined });
  let replacement: string;
  let references: ImportedReference[];
  if (module === 'fs' && (FS_PROMISE_TWINS.has(asyncName) || asyncName === 'exists')) {
    const promises = object ? existing(`${object.text}.promises`) : nodeReference(doc, 'fs/promises', undefined, 'fsPromises');
    if (!promises) return [];
    references = [promises];
    replacement = asyncName === 'exists' ? `await ${promises.expression}.access${args.text}.then(() => true, () => false)` : `await ${promises.expression}.${asyncName}${args.text}`;
  } else if ((module === 'child_process' && (syncName === 'execSync' || syncName === 'execFileSync')) || module === 'zlib') {
    const target = object ? existing(`${object.text}.${asyncName}`) : nodeReference(doc, module.replace(/\./g, '/'), asyncName, asyncName);
    const promisify = nodeReference(doc, 'util', 'promisify', 'promisify');
    if (!target || !promisify) return [];
    references = [target, promisify];
    replacement = `await ${promisify.expression}(${target.expression})${args.text}`;
    if (module === 'child_process') replacement = `(${replacement}).stdout`;
  } else if (module === 'child_process' && syncName === 'spawnSync' && call.parent?.type === 'expression_statement' && outputNotCollected(args)) {
    const spawn = object ? existing(`${object.text}.spawn`) : nodeReference(doc, 'child_process', 'spawn', 'spawn');
    if (!spawn) return [];
    references = [spawn];
    // spawnSync never throws for a failed start or a non-zero exit: the promise resolves in both cases too.
    replacement = `await new Promise((resolve) => ${spawn.expression}${args.text}.on('error', resolve).on('close', resolve))`;
  } else {
    return [];
  }
  const edits = [importsEdit(doc, references), replaceNode(call, module === 'child_process' ? replacement : parenthesizeIfOperand(call, replacement))].filter((edit) => edit !== undefined);
  const api = asyncName === 'exists' ? 'access' : asyncName;
  const title = syncName === 'spawnSync'
    ? { en: 'Await the child process: spawn(…) until it closes', 'zh-cn': '改为等待子进程：spawn(…) 直到其关闭' }
    : { en: `Use the promise API: ${api}`, 'zh-cn': `改用 Promise API：${api}` };
  return [{ title, kind: 'quickfix', isPreferred: module === 'fs', edits }];
}

const SPAWN_OPTIONS = new Set(['cwd', 'env', 'shell', 'stdio', 'windowsHide', 'argv0']);

/**
 * A dropped `spawnSync(cmd, [args], { stdio: 'inherit' | 'ignore', … })`: only then does `spawn`
 * behave the same (spawnSync's default pipes collect output that `spawn` would leave unread, which
 * can stall the child; `timeout`, `input`, `encoding`… have no `spawn` counterpart).
 */
function outputNotCollected(args: Node): boolean {
  const options = args.namedChildren.at(-1);
  if (options?.type !== 'object' || args.namedChildCount < 2) return false;
  let stdio: string | undefined;
  for (const property of options.namedChildren) {
    if (property?.type !== 'pair') return false;
    const key = property.childForFieldName('key');
    const name = key?.type === 'string' ? key.text.slice(1, -1) : key?.text;
    if (!name || !SPAWN_OPTIONS.has(name)) return false;
    const value = property.childForFieldName('value');
    if (name === 'stdio') stdio = value?.type === 'string' ? value.text.slice(1, -1) : undefined;
  }
  return stdio === 'inherit' || stdio === 'ignore';
}

export function awaitOrVoid(call: Node): Fix[] {
  const fixes: Fix[] = [];
  const fn = enclosingFunction(call);
  if (fn && isAsyncFunction(fn)) fixes.push({ title: { en: 'Add await', 'zh-cn': '加上 await' }, kind: 'quickfix', isPreferred: true, edits: [insertAt(call.startIndex, 'await ')] });
  fixes.push({ title: { en: 'Mark as intentionally not awaited (void)', 'zh-cn': '标记为有意不等待（void）' }, kind: 'quickfix', isPreferred: false, edits: [insertAt(call.startIndex, 'void ')] });
  return fixes;
}

/** The loop around an awaited call becomes one `Promise.all` (the same rewrite as the selection refactor). */
export function promiseAllLoop(awaitNode: Node): Fix[] {
  let loop: Node | null = awaitNode.parent;
  while (loop && loop.type !== 'for_in_statement' && !isFunctionNode(loop)) loop = loop.parent;
  const edits = loop?.type === 'for_in_statement' ? promiseAllLoopEdits(loop) : undefined;
  return edits ? [{ title: { en: 'Run the iterations concurrently with Promise.all', 'zh-cn': '用 Promise.all 并发执行各次迭代' }, kind: 'refactor', isPreferred: false, edits }] : [];
}

/** Adds `'error'` (and for child processes `'exit'`) listeners after the creation. */
export function addEventHandlers(doc: ParsedDocument, creation: Node): Fix[] {
  const text = doc.text;
  const eol = lineBreakOf(text);
  const missing = missingEvents(creation, creation.type === 'new_expression' ? 'worker' : 'child');
  const needsExit = missing.includes('exit');
  const needsError = missing.includes('error');
  /** `.on(...)` calls, without the subject and the final semicolon. */
  const handlers = (indent: string, unit: string): string[] => [
    ...(needsError ? [`.on('error', (error) => {${eol}${indent}${unit}console.error(error);${eol}${indent}})`] : []),
    ...(needsExit ? [`.on('exit', (code) => {${eol}${indent}${unit}if (code !== 0) console.error(\`exited with code \${code}\`);${eol}${indent}})`] : []),
  ];
  const unit = indentUnitOf(text);
  const declarator = creation.parent;
  const title = { en: "Add 'error'/'exit' handlers", 'zh-cn': "添加 'error'/'exit' 处理函数" };
  if (declarator?.type === 'variable_declarator') {
    const statement = declarator.parent;
    const name = declarator.childForFieldName('name')?.text;
    if (!statement || !name || !isAloneOnLine(text, statement)) return [];
    const indent = indentationAt(text, statement.startIndex);
    const lineEnd = text.indexOf('\n', statement.endIndex);
    const at = lineEnd < 0 ? text.length : lineEnd + 1;
    const added = handlers(indent, unit).map((handler) => `${indent}${name}${handler};${eol}`).join('');
    return [{ title, kind: 'quickfix', isPreferred: true, edits: [insertAt(at, lineEnd < 0 ? `${eol}${added}` : added)] }];
  }
  if (declarator?.type === 'expression_statement' && isAloneOnLine(text, declarator)) {
    const indent = indentationAt(text, declarator.startIndex);
    const chained = handlers(indent, unit).join('');
    return [{ title, kind: 'quickfix', isPreferred: true, edits: [insertAt(creation.endIndex, chained)] }];
  }
  return [];
}

function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}
