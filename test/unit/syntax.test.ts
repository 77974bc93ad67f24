import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enclosingFunction, inAsyncContext } from '../../src/core/syntax/context';
import { GrammarLoader } from '../../src/core/syntax/grammars';
import { importsOf } from '../../src/core/syntax/imports';
import { languageForEditorId, languageForFileName } from '../../src/core/syntax/languages';
import { ParsedDocument } from '../../src/core/syntax/parsedDocument';
import { symbolAt } from '../../src/core/syntax/symbols';
import { LineIndex, applyTextChanges, singleChange } from '../../src/core/syntax/text';
import { parse, wasmFromNodeModules } from './helpers/syntax';

function bindings(doc: ParsedDocument): Record<string, string> {
  return Object.fromEntries([...importsOf(doc.tree, doc.family).bindings].map(([name, binding]) => [name, binding.qualifiedName]));
}

/** The symbol under the first occurrence of `marker` in the text, offset by `delta` characters. */
function symbolUnder(doc: ParsedDocument, marker: string, delta = 0): { name: string; text: string } | undefined {
  const offset = doc.text.indexOf(marker);
  assert.ok(offset >= 0, `marker ${marker} not in text`);
  const symbol = symbolAt(doc, offset + delta);
  return symbol && { name: symbol.name, text: doc.text.slice(symbol.start, symbol.end) };
}

describe('languages', () => {
  it('maps editor ids and file names to grammars', () => {
    assert.equal(languageForEditorId('typescriptreact'), 'tsx');
    assert.equal(languageForEditorId('javascriptreact'), 'javascript');
    assert.equal(languageForEditorId('markdown'), undefined);
    assert.equal(languageForFileName('a/b.mjs'), 'javascript');
    assert.equal(languageForFileName('x.PY'), 'python');
    assert.equal(languageForFileName('types.d.ts'), undefined);
    assert.equal(languageForFileName('README'), undefined);
  });
});

describe('grammar loading', () => {
  it('loads nothing until a language is asked for, then only that grammar, once', async () => {
    const loader = new GrammarLoader(wasmFromNodeModules);
    assert.deepEqual(loader.requestedLanguages(), []);
    const first = await loader.grammar('python');
    assert.deepEqual(loader.requestedLanguages(), ['python']);
    assert.equal(await loader.grammar('python'), first);
  });

  it('parses all four grammars, JSX and TSX included, without errors', async () => {
    const sources = {
      python: 'async def f():\n    await g()\n',
      javascript: 'const A = async () => <div onClick={() => f()}>{await x}</div>;\n',
      typescript: 'async function f(x: number): Promise<void> { await g<number>(x as number); }\n',
      tsx: 'const C = (p: { n: number }) => <b>{p.n}</b>;\n',
    } as const;
    for (const [language, text] of Object.entries(sources)) {
      const doc = await parse(language as keyof typeof sources, text);
      assert.equal(doc.tree.rootNode.hasError, false, language);
      doc.dispose();
    }
  });
});

describe('ParsedDocument', () => {
  it('reparses incrementally and ends with the same tree as a fresh parse', async () => {
    const text = 'import time\n\nasync def f():\n    time.sleep(1)\n';
    const doc = await parse('python', text);
    const changes = [
      { offset: text.indexOf('1)'), deleteLength: 1, insertText: '2.5' },
      { offset: 0, deleteLength: 0, insertText: '# héllo 😀\n' },
    ];
    doc.applyChanges(changes);
    const expected = applyTextChanges(text, changes);
    assert.equal(doc.text, expected);
    const fresh = await parse('python', expected);
    assert.equal(doc.tree.rootNode.toString(), fresh.tree.rootNode.toString());
    const call = doc.tree.rootNode.descendantForIndex(expected.indexOf('sleep'));
    assert.equal(call?.text, 'sleep');
    assert.deepEqual(doc.lineIndex.positionAt(expected.indexOf('2.5')), { line: 4, character: 15 });
    doc.dispose();
    fresh.dispose();
  });

  it('parses a fragment with its parser, leaving its own tree alone, and counts the documents alive', async () => {
    const before = ParsedDocument.liveCount;
    const doc = await parse('python', 'x = 1\n');
    assert.equal(ParsedDocument.liveCount, before + 1);
    const fragment = doc.parseFragment('async def f():\n    pass\n');
    assert.equal(fragment?.rootNode.firstNamedChild?.type, 'function_definition');
    fragment?.delete();
    assert.equal(doc.tree.rootNode.text, 'x = 1\n');
    doc.dispose();
    doc.dispose();
    assert.equal(ParsedDocument.liveCount, before, 'disposing twice counts once');
  });

  it('replaces the whole text', async () => {
    const doc = await parse('javascript', 'let a = 1;');
    doc.replaceText('await x;');
    assert.equal(doc.tree.rootNode.text, 'await x;');
    doc.dispose();
  });
});

describe('LineIndex', () => {
  it('converts offsets and positions both ways', () => {
    const index = new LineIndex('ab\r\ncd\n\nef');
    assert.deepEqual(index.positionAt(4), { line: 1, character: 0 });
    assert.equal(index.offsetAt({ line: 3, character: 1 }), 9);
    assert.equal(index.lineText(0), 'ab');
    assert.equal(index.lineCount, 4);
  });
});

describe('singleChange', () => {
  it('finds the one replacement between two texts', () => {
    assert.equal(singleChange('abc', 'abc'), undefined);
    assert.deepEqual(singleChange('hello world', 'hello brave world'), { offset: 6, deleteLength: 0, insertText: 'brave ' });
    assert.deepEqual(singleChange('aaa', 'aa'), { offset: 2, deleteLength: 1, insertText: '' });
    for (const [before, after] of [['x = 1\ny = 2', 'x = 10\ny = 3'], ['', 'new'], ['old', '']]) {
      const change = singleChange(before!, after!);
      assert.equal(applyTextChanges(before!, change ? [change] : []), after);
    }
  });
});

describe('imports', () => {
  it('resolves Python imports and aliases', async () => {
    const doc = await parse('python', [
      'import time as t, os.path',
      'from time import sleep',
      'from subprocess import run as r, Popen',
      'from . import sibling',
      'try:',
      '    import requests',
      'except ImportError:',
      '    requests = None',
      'def helper(): pass',
    ].join('\n'));
    assert.deepEqual(bindings(doc), {
      t: 'time', os: 'os', sleep: 'time.sleep', r: 'subprocess.run', Popen: 'subprocess.Popen', sibling: '..sibling', requests: 'requests',
    });
    assert.ok(importsOf(doc.tree, 'python').moduleDefinitions.has('helper'));
  });

  it('resolves JS/TS require, destructuring, namespace, default and named imports, node: prefix', async () => {
    const doc = await parse('typescript', [
      "const { execSync, spawn: sp } = require('child_process');",
      "const fsp = require('node:fs').promises;",
      "const { promises: fsp2 } = require('fs');",
      "import * as cp from 'node:child_process';",
      "import fs, { readFileSync as rfs } from 'fs';",
      "import { setTimeout as sleep } from 'node:timers/promises';",
      "import wt = require('worker_threads');",
      'const local = 1;',
    ].join('\n'));
    assert.deepEqual(bindings(doc), {
      execSync: 'child_process.execSync', sp: 'child_process.spawn', fsp: 'fs.promises', fsp2: 'fs.promises', cp: 'child_process',
      fs: 'fs', rfs: 'fs.readFileSync', sleep: 'timers.promises.setTimeout', wt: 'worker_threads',
    });
  });
});

describe('context', () => {
  it('knows sync functions nested in async ones are not async context, and vice versa', async () => {
    const doc = await parse('python', [
      'async def outer():',
      '    a()',
      '    def inner():',
      '        b()',
      '    f = lambda: c()',
      '    class K:',
      '        d()',
      '    [e() for _ in x]',
      'def sync():',
      '    async def nested():',
      '        g()',
      '    @h()',
      '    async def decorated(): pass',
    ].join('\n'));
    const at = (name: string): boolean => {
      const node = doc.tree.rootNode.descendantForIndex(doc.text.indexOf(`${name}()`));
      assert.ok(node);
      return inAsyncContext(node);
    };
    assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'g', 'h'].map(at), [true, false, false, true, true, true, false]);
  });

  it('treats default parameter values as the outer scope in JS', async () => {
    const doc = await parse('javascript', 'async function f() { function g(x = a()) { b(); } const h = async () => c(); }');
    const fnOf = (name: string) => enclosingFunction(doc.tree.rootNode.descendantForIndex(doc.text.indexOf(`${name}()`))!);
    assert.equal(fnOf('a')?.childForFieldName('name')?.text, 'f');
    assert.equal(fnOf('b')?.childForFieldName('name')?.text, 'g');
    assert.equal(fnOf('c')?.type, 'arrow_function');
  });
});

describe('symbolAt', () => {
  it('resolves Python names through aliases, and builtins unless redefined', async () => {
    const doc = await parse('python', 'import time as t\nfrom subprocess import run as r\nasync def f():\n    t.sleep(1)\n    r(["ls"])\n    open("x")\n    obj.sleep(2)\n');
    assert.deepEqual(symbolUnder(doc, 't.sleep', 3), { name: 'time.sleep', text: 't.sleep' });
    assert.deepEqual(symbolUnder(doc, 't.sleep'), { name: 'time', text: 't' });
    assert.deepEqual(symbolUnder(doc, 'r(['), { name: 'subprocess.run', text: 'r' });
    assert.deepEqual(symbolUnder(doc, 'open'), { name: 'open', text: 'open' });
    assert.equal(symbolUnder(doc, 'obj.sleep', 5), undefined);
    const shadowed = await parse('python', 'def open(p): pass\nopen("x")\n');
    assert.equal(symbolUnder(shadowed, 'open("x")'), undefined);
  });

  it('resolves methods of Python locals that hold a known concurrency object, and nothing else', async () => {
    const doc = await parse('python', [
      'import asyncio',
      'from concurrent.futures import ThreadPoolExecutor as TPE',
      'import multiprocessing as mp',
      'runner = mp.Pool(2)',
      'def work(items, given):',
      '    with TPE() as pool:',
      '        pool.map(str, items)',
      '    given.map(str, items)',
      '    runner.imap_unordered(str, items)',
      '    pool = object()',
      '    pool.submit(str)',
      'async def main():',
      '    loop = asyncio.get_running_loop()',
      '    await loop.run_in_executor(None, print)',
      '    task = asyncio.create_task(main())',
      '    task.cancel()',
      '    for task in []:',
      '        task.cancel()',
      '    def inner(loop):',
      '        loop.call_soon(print)',
      '    class Box:',
      '        loop = None',
      '',
    ].join('\n'));
    assert.deepEqual(symbolUnder(doc, 'map(str, items)'), { name: 'concurrent.futures.Executor.map', text: 'pool.map' });
    assert.deepEqual(symbolUnder(doc, 'imap_unordered'), { name: 'multiprocessing.pool.Pool.imap_unordered', text: 'runner.imap_unordered' }, 'a module-level object used in a function');
    assert.deepEqual(symbolUnder(doc, 'run_in_executor'), { name: 'asyncio.loop.run_in_executor', text: 'loop.run_in_executor' });
    assert.deepEqual(symbolUnder(doc, 'cancel()'), { name: 'asyncio.Task.cancel', text: 'task.cancel' });
    assert.equal(symbolUnder(doc, 'given.map', 7), undefined, 'a parameter');
    assert.equal(symbolUnder(doc, 'submit'), undefined, 'rebound to something else');
    assert.equal(symbolUnder(doc, '        task.cancel', 14), undefined, 'a loop target');
    assert.equal(symbolUnder(doc, 'call_soon'), undefined, 'the parameter of a nested function');
  });

  it('resolves JS/TS names, inline require and globals', async () => {
    const doc = await parse('tsx', "import * as cp from 'node:child_process';\nconst out = cp.execSync('ls');\nconst t = require('fs').readFileSync('x');\nawait fetch(url);\nconst e = <div>{Promise.all(ps)}</div>;\n");
    assert.deepEqual(symbolUnder(doc, 'execSync'), { name: 'child_process.execSync', text: 'cp.execSync' });
    assert.deepEqual(symbolUnder(doc, 'readFileSync'), { name: 'fs.readFileSync', text: "require('fs').readFileSync" });
    assert.deepEqual(symbolUnder(doc, 'fetch'), { name: 'fetch', text: 'fetch' });
    assert.deepEqual(symbolUnder(doc, 'all(ps'), { name: 'Promise.all', text: 'Promise.all' });
    assert.equal(symbolUnder(doc, 'out'), undefined);
  });

  it('names Python async keywords', async () => {
    const doc = await parse('python', 'async def f():\n    async with a:\n        async for x in y:\n            await z\n    return [i async for i in y]\n');
    assert.deepEqual(symbolUnder(doc, 'async def', 1), { name: 'async def', text: 'async def' });
    assert.deepEqual(symbolUnder(doc, 'def f'), { name: 'async def', text: 'async def' });
    assert.deepEqual(symbolUnder(doc, 'with a'), { name: 'async with', text: 'async with' });
    assert.deepEqual(symbolUnder(doc, 'async for x'), { name: 'async for', text: 'async for' });
    assert.deepEqual(symbolUnder(doc, 'await z'), { name: 'await', text: 'await' });
    assert.deepEqual(symbolUnder(doc, 'async for i'), { name: 'async for', text: 'async for' });
  });

  it('names JS async keywords', async () => {
    const doc = await parse('javascript', 'const f = async () => { for await (const x of xs) { await x; } };\n');
    assert.deepEqual(symbolUnder(doc, 'async'), { name: 'async', text: 'async' });
    assert.deepEqual(symbolUnder(doc, 'for await'), { name: 'for await', text: 'for await' });
    assert.deepEqual(symbolUnder(doc, 'await x;'), { name: 'await', text: 'await' });
  });
});
