import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as ts from 'typescript';
import { PATTERNS, patternsFor } from '../../src/core/patterns';
import { planImports, renderImports } from '../../src/core/patterns/imports';
import { expandSnippetDefaults, patternBody, SNIPPET_FILES, snippetBody, snippetFile } from '../../src/core/patterns/snippets';
import { PATTERN_MODELS } from '../../src/core/patterns/types';
import { parse } from './helpers/syntax';

const root = path.resolve(__dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'cl-snippets-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The code a snippet produces with every placeholder at its default. */
const expanded = (lines: readonly string[]): string => `${expandSnippetDefaults(lines.join('\n'))}\n`;

describe('snippet syntax', () => {
  it('expands placeholders to their defaults, tab stops to nothing and escapes to literals', () => {
    assert.equal(expandSnippetDefaults('def ${1:main}():\n\t$0'), 'def main():\n\t');
    assert.equal(expandSnippetDefaults('${1:outer ${2:inner}} ${3} $TM_FILENAME'), 'outer inner  ');
    assert.equal(expandSnippetDefaults('${1|spawn,fork|}'), 'spawn');
    assert.equal(expandSnippetDefaults('`after \\${ms} ms` \\\\ ${1:a\\}b}'), '`after ${ms} ms` \\ a}b');
  });
});

describe('concurrency patterns', () => {
  it('offers at least 24 patterns with unique ids and prefixes and every model for both languages', () => {
    assert.ok(PATTERNS.length >= 24, `only ${PATTERNS.length}`);
    for (const key of ['id', 'prefix'] as const) {
      const values = PATTERNS.map((pattern) => `${pattern.language}:${pattern[key]}`);
      assert.equal(new Set(values).size, values.length, `duplicate ${key}`);
    }
    for (const language of ['python', 'node'] as const) {
      for (const model of PATTERN_MODELS) assert.ok(patternsFor(language).some((pattern) => pattern.model === model), `${language} ${model}`);
    }
    for (const pattern of PATTERNS) {
      assert.match(pattern.title['zh-cn'], /[\u4e00-\u9fff]/, `${pattern.id} title`);
      assert.match(pattern.description['zh-cn'], /[\u4e00-\u9fff]/, `${pattern.id} description`);
    }
  });

  it('keeps snippets/*.json in sync with the pattern data (run `npm run generate:snippets`)', () => {
    for (const [language, file] of Object.entries(SNIPPET_FILES)) {
      const committed: unknown = JSON.parse(readFileSync(path.join(root, file), 'utf8'));
      assert.deepEqual(committed, JSON.parse(JSON.stringify(snippetFile(patternsFor(language as keyof typeof SNIPPET_FILES)))), file);
    }
  });

  it('every Python snippet, with defaults filled in, passes python3 -m py_compile', () => {
    const files = patternsFor('python').map((pattern) => {
      const file = path.join(scratch, `${pattern.prefix.replace(/\W/g, '_')}.py`);
      writeFileSync(file, expanded(snippetBody(pattern)));
      return file;
    });
    try {
      execFileSync('python3', ['-m', 'py_compile', ...files], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(String((error as { stderr?: Buffer }).stderr ?? error));
    }
  });

  it('every Node snippet, with defaults filled in, passes node --check as an ES module', () => {
    for (const pattern of patternsFor('node')) {
      const file = path.join(scratch, `${pattern.prefix}.mjs`);
      writeFileSync(file, expanded(snippetBody(pattern)));
      try {
        execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
      } catch (error) {
        assert.fail(`${pattern.id}: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
      }
    }
  });

  it('every Node snippet also parses as TypeScript and TSX without syntax errors', () => {
    for (const pattern of patternsFor('node')) {
      for (const fileName of ['snippet.ts', 'snippet.tsx']) {
        const output = ts.transpileModule(expanded(snippetBody(pattern)), {
          fileName,
          reportDiagnostics: true,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.Preserve },
        });
        const messages = (output.diagnostics ?? []).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        assert.deepEqual(messages, [], `${pattern.id} as ${fileName}`);
      }
    }
  });

  it('the body the command inserts, plus its rendered imports, is the whole snippet', () => {
    for (const pattern of PATTERNS) {
      const body = snippetBody(pattern);
      assert.deepEqual(body.slice(body.length - patternBody(pattern).length), patternBody(pattern));
      assert.ok(patternBody(pattern).every((line) => !/^ {2,}/.test(line)), `${pattern.id} indents with tabs`);
    }
  });
});

describe('adding imports', () => {
  async function applyImports(language: 'python' | 'javascript' | 'typescript', text: string, imports: Parameters<typeof planImports>[1]): Promise<string> {
    const doc = await parse(language, text);
    const edit = planImports(doc, imports);
    doc.dispose();
    return edit ? text.slice(0, edit.offset) + edit.text + text.slice(edit.offset) : text;
  }

  it('renders Python, ES module and CommonJS imports, aliases included', () => {
    const imports = [{ module: 'node:timers/promises', names: ['setTimeout as sleep', 'setImmediate'] }];
    assert.deepEqual(renderImports(imports, 'esm'), ["import { setTimeout as sleep, setImmediate } from 'node:timers/promises';"]);
    assert.deepEqual(renderImports(imports, 'commonjs'), ["const { setTimeout: sleep, setImmediate } = require('node:timers/promises');"]);
    assert.deepEqual(renderImports([{ module: 'asyncio' }, { module: 'concurrent.futures', names: ['ThreadPoolExecutor'] }], 'python'), [
      'import asyncio',
      'from concurrent.futures import ThreadPoolExecutor',
    ]);
  });

  it('puts Python imports after the shebang, docstring, __future__ and existing imports', async () => {
    const before = '#!/usr/bin/env python3\n"""Tool."""\nfrom __future__ import annotations\nimport os\n\n\ndef f():\n    pass\n';
    const after = await applyImports('python', before, [{ module: 'asyncio' }, { module: 'os' }]);
    assert.equal(after, '#!/usr/bin/env python3\n"""Tool."""\nfrom __future__ import annotations\nimport os\nimport asyncio\n\n\ndef f():\n    pass\n');
  });

  it('puts Python imports after a docstring when there are none, separated by blank lines', async () => {
    assert.equal(await applyImports('python', '"""Doc."""\nx = 1\n', [{ module: 'asyncio' }]), '"""Doc."""\n\nimport asyncio\n\nx = 1\n');
    assert.equal(await applyImports('python', 'x = 1\n', [{ module: 'asyncio' }]), 'import asyncio\n\nx = 1\n');
    assert.equal(await applyImports('python', '', [{ module: 'asyncio' }]), 'import asyncio\n\n');
  });

  it('adds nothing a file already imports, and only the missing names of a module', async () => {
    const text = 'import asyncio\nfrom concurrent.futures import ThreadPoolExecutor\n';
    assert.equal(await applyImports('python', text, [{ module: 'asyncio' }, { module: 'concurrent.futures', names: ['ThreadPoolExecutor'] }]), text);
    assert.equal(
      await applyImports('python', text, [{ module: 'concurrent.futures', names: ['ThreadPoolExecutor', 'as_completed'] }]),
      `${text}from concurrent.futures import as_completed\n`,
    );
    assert.equal(await applyImports('python', 'import asyncio as aio\n', [{ module: 'asyncio' }]), 'import asyncio as aio\nimport asyncio\n');
  });

  it('uses the module style of a JavaScript file and skips names bound under another specifier spelling', async () => {
    const esm = "'use strict';\nimport { Worker } from 'worker_threads';\n\nrun();\n";
    assert.equal(
      await applyImports('javascript', esm, [{ module: 'node:worker_threads', names: ['Worker', 'isMainThread'] }]),
      "'use strict';\nimport { Worker } from 'worker_threads';\nimport { isMainThread } from 'node:worker_threads';\n\nrun();\n",
    );
    const commonjs = "const fs = require('node:fs');\nrun();";
    assert.equal(
      await applyImports('javascript', commonjs, [{ module: 'node:child_process', names: ['spawn'] }]),
      "const fs = require('node:fs');\nconst { spawn } = require('node:child_process');\nrun();",
    );
    assert.equal(
      await applyImports('typescript', "#!/usr/bin/env node\n// tool\nrun();\n", [{ module: 'node:child_process', names: ['spawn'] }]),
      "#!/usr/bin/env node\n// tool\nimport { spawn } from 'node:child_process';\n\nrun();\n",
    );
  });
});
