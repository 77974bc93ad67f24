/**
 * Blocking process calls in a coroutine rewritten to asyncio's own subprocess API, only where the
 * rewrite does exactly what the call did:
 * - `subprocess.run/call/check_call([...])` and `os.system("cmd")` as statements → the process is
 *   created and awaited (`.wait()`, or `.communicate()` when `capture_output=True` discards the
 *   output); `check=True` / `check_call` raise the same `CalledProcessError`;
 * - `subprocess.call(...)` anywhere: its result is the return code, which `.wait()` returns too;
 * - `subprocess.Popen([...])` as a statement (the process object is not used) → the process is
 *   created and left running.
 * The command must be a list/tuple literal (spread into `create_subprocess_exec`), or any expression
 * with `shell=True` (`create_subprocess_shell`). Keywords other than `check`, `capture_output`,
 * `shell`, `cwd` and `env` (`timeout`, `text`, `input`, `stdout=`…) have no exact asyncio
 * counterpart here, nor has a result used as a `CompletedProcess`, `os.system`'s wait status or a
 * `Popen` object: then only `asyncio.to_thread` (where safe) is offered.
 */
import type { Node } from 'web-tree-sitter';
import { freshName } from '../refactors/selection';
import { importsOf } from '../syntax/imports';
import { qualifiedName } from '../syntax/names';
import type { ParsedDocument } from '../syntax/parsedDocument';
import { type Fix, type TextEdit, indentUnitOf, indentationAt, isAloneOnLine, lineBreakOf, parenthesizeIfOperand, replaceNode } from './edits';
import { type ImportedReference, importsEdit, pythonReference } from './importEdits';

interface ProcessApi {
  /** Keywords the call may have (each maps exactly). */
  readonly keywords: ReadonlySet<string>;
  /** Whether a non-zero exit raises `CalledProcessError`. */
  readonly checks: boolean;
  /** `wait`: the call returns after the process ends; `start`: it returns once started. */
  readonly waits: boolean;
  /** Whether the result may be used (it equals what `await process.wait()` returns). */
  readonly resultIsReturnCode: boolean;
}

const PASS_THROUGH = ['cwd', 'env'];
const PROCESS_APIS: ReadonlyMap<string, ProcessApi> = new Map([
  ['subprocess.run', { keywords: new Set(['shell', 'check', 'capture_output', ...PASS_THROUGH]), checks: false, waits: true, resultIsReturnCode: false }],
  ['subprocess.call', { keywords: new Set(['shell', ...PASS_THROUGH]), checks: false, waits: true, resultIsReturnCode: true }],
  ['subprocess.check_call', { keywords: new Set(['shell', ...PASS_THROUGH]), checks: true, waits: true, resultIsReturnCode: false }],
  ['subprocess.Popen', { keywords: new Set(['shell', ...PASS_THROUGH]), checks: false, waits: false, resultIsReturnCode: false }],
  ['os.system', { keywords: new Set(), checks: false, waits: true, resultIsReturnCode: false }],
]);

interface ParsedCall {
  readonly command: Node;
  readonly shell: boolean;
  readonly check: boolean;
  readonly capture: boolean;
  readonly passThrough: readonly Node[];
}

export function useAsyncioSubprocess(doc: ParsedDocument, call: Node): Fix[] {
  const callee = call.childForFieldName('function');
  const name = callee ? qualifiedName(callee, importsOf(doc.tree, 'python'), 'python') : undefined;
  const api = name === undefined ? undefined : PROCESS_APIS.get(name);
  const parsed = api && parseCall(call, api, name === 'os.system');
  if (!api || !parsed) return [];
  const statement = call.parent?.type === 'expression_statement' && isAloneOnLine(doc.text, call.parent) ? call.parent : undefined;
  if (!statement && !api.resultIsReturnCode) return [];
  const asyncio = pythonReference(doc, 'asyncio');
  if (!asyncio) return [];
  const check = parsed.check || api.checks;
  const title = { en: `Use asyncio.${parsed.shell ? 'create_subprocess_shell' : 'create_subprocess_exec'}`, 'zh-cn': `改用 asyncio.${parsed.shell ? 'create_subprocess_shell' : 'create_subprocess_exec'}` };
  const fix = (references: ImportedReference[], edit: TextEdit): Fix[] => [{ title, kind: 'quickfix', isPreferred: true, edits: [importsEdit(doc, references), edit].filter((one) => one !== undefined) }];
  if (!check) {
    const started = `await ${creation(asyncio.expression, parsed, commandArguments(parsed))}`;
    const finish = !api.waits ? '' : parsed.capture ? '.communicate()' : '.wait()';
    return fix([asyncio], replaceNode(call, parenthesizeIfOperand(call, finish === '' ? started : `await (${started})${finish}`)));
  }
  const subprocess = pythonReference(doc, 'subprocess', 'CalledProcessError');
  if (!statement || !subprocess) return [];
  const text = doc.text;
  const eol = lineBreakOf(text);
  const indent = indentationAt(text, statement.startIndex);
  const fresh = (base: string): string => freshName(text, base);
  const [command, process] = [fresh('command'), fresh('process')];
  const [stdout, stderr] = parsed.capture ? [fresh('stdout'), fresh('stderr')] : [];
  const lines = [
    `${command} = ${parsed.command.text}`,
    `${process} = await ${creation(asyncio.expression, parsed, parsed.shell ? command : `*${command}`)}`,
    parsed.capture ? `${stdout}, ${stderr} = await ${process}.communicate()` : `await ${process}.wait()`,
    `if ${process}.returncode != 0:`,
    `${indentUnitOf(text)}raise ${subprocess.expression}(${[`${process}.returncode`, command, ...(parsed.capture ? [stdout, stderr] : [])].join(', ')})`,
  ];
  return fix([asyncio, subprocess], replaceNode(call, lines.join(`${eol}${indent}`)));
}

function parseCall(call: Node, api: ProcessApi, alwaysShell: boolean): ParsedCall | undefined {
  const positional: Node[] = [];
  const flags = new Map<string, boolean>();
  const passThrough: Node[] = [];
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!argument) continue;
    if (argument.type !== 'keyword_argument') {
      // A comment between the arguments would be lost; splats hide what is passed.
      if (argument.type === 'comment' || argument.type === 'list_splat' || argument.type === 'dictionary_splat') return undefined;
      positional.push(argument);
      continue;
    }
    const keyword = argument.childForFieldName('name')?.text ?? '';
    const value = argument.childForFieldName('value');
    if (!api.keywords.has(keyword) || !value) return undefined;
    if (PASS_THROUGH.includes(keyword)) passThrough.push(argument);
    else if (value.type === 'true' || value.type === 'false') flags.set(keyword, value.type === 'true');
    else return undefined;
  }
  const [command] = positional;
  if (!command || positional.length !== 1) return undefined;
  const shell = alwaysShell || flags.get('shell') === true;
  const literalSequence = (command.type === 'list' || command.type === 'tuple') && !command.namedChildren.some((item) => item?.type === 'list_splat');
  // Without a shell the program and its arguments must be visible; with one, a sequence means something else.
  if (shell === literalSequence) return undefined;
  return { command, shell, check: flags.get('check') === true, capture: flags.get('capture_output') === true, passThrough };
}

/** The command as arguments: the shell string, or the items of the list literal. */
function commandArguments(parsed: ParsedCall): string {
  return parsed.shell ? parsed.command.text : parsed.command.text.slice(1, -1).trim().replace(/,$/, '');
}

function creation(asyncio: string, parsed: ParsedCall, command: string): string {
  const pipes = parsed.capture ? [`stdout=${asyncio}.subprocess.PIPE`, `stderr=${asyncio}.subprocess.PIPE`] : [];
  const args = [command, ...pipes, ...parsed.passThrough.map((keyword) => keyword.text)];
  return `${asyncio}.${parsed.shell ? 'create_subprocess_shell' : 'create_subprocess_exec'}(${args.join(', ')})`;
}
