import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DocumentAnalysis } from '../../src/core/analysis/analyzer';
import { onlyRules, parseRuleConfiguration } from '../../src/core/analysis/configuration';
import { RULES, ruleMessage } from '../../src/core/analysis/rules';
import { RULE_IDS, type Finding } from '../../src/core/analysis/types';
import { languageForFileName } from '../../src/core/syntax/languages';
import { analyze, parse } from './helpers/syntax';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'analysis');
const CHINESE = /[\u4e00-\u9fff]/;

/** `line:rule` for every `expect: rule` marker (1-based lines). */
function expectedFindings(text: string): string[] {
  return text.split('\n').flatMap((line, index) => [...line.matchAll(/expect: ([\w/-]+)/g)].map((match) => `${index + 1}:${match[1]}`));
}

function actualFindings(text: string, findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${text.slice(0, finding.start).split('\n').length}:${finding.rule}`);
}

describe('rule catalogue', () => {
  it('has the 27 rules, each with bilingual texts, a guide link and a known family', () => {
    assert.equal(RULES.length, 27);
    assert.deepEqual(RULES.map((rule) => rule.id), [...RULE_IDS]);
    for (const rule of RULES) {
      assert.ok(rule.id.startsWith(rule.family === 'python' ? 'py/' : 'js/'), rule.id);
      for (const text of [rule.title, rule.explanation, ruleMessage(rule.id, { name: 'x', events: 'y' })]) {
        assert.ok(text.en.length > 10 && !CHINESE.test(text.en), `${rule.id} en`);
        assert.ok(CHINESE.test(text['zh-cn']), `${rule.id} zh-cn`);
      }
      assert.equal(rule.guide.language, rule.family);
      assert.match(rule.docs, /^https:\/\/[\w.-]+\/\S*$/, `${rule.id} docs`);
    }
  });

  it('fills message placeholders with code or localized phrases', () => {
    const message = ruleMessage('js/unhandled-worker-events', { name: { en: 'This Worker', 'zh-cn': '该 Worker ' }, events: "'error'" });
    assert.match(message.en, /^This Worker has no 'error' listener/);
    assert.match(message['zh-cn'], /^该 Worker 没有 'error' 监听器/);
  });
});

describe('rules on fixtures (positive and negative cases)', () => {
  for (const file of readdirSync(fixtures).sort()) {
    it(file, async () => {
      const text = readFileSync(path.join(fixtures, file), 'utf8');
      const language = languageForFileName(file);
      assert.ok(language);
      const analysis = await analyze(language, text);
      assert.deepEqual(actualFindings(text, analysis.findings), expectedFindings(text));
      analysis.dispose();
    });
  }

  it('reports the call itself: range starts at the callee and covers the arguments', async () => {
    const text = 'import time\nasync def f():\n    x = time.sleep(1)\n';
    const analysis = await analyze('python', text);
    const [finding] = analysis.findings;
    assert.equal(text.slice(finding?.start, finding?.end), 'time.sleep(1)');
    assert.equal(finding?.severity, 'warning');
    assert.match(finding?.message.en ?? '', /`time\.sleep` blocks the event loop/);
    analysis.dispose();
  });
});

describe('rule configuration', () => {
  const text = 'import time\nasync def f():\n    time.sleep(1)\n    input()\n';

  it('turns rules off and overrides severities', async () => {
    const analysis = await analyze('python', text, parseRuleConfiguration({ 'py/blocking-sleep': 'error', 'py/blocking-input': 'off', 'not/a-rule': 'off', 'py/dangling-task': 42 }));
    assert.deepEqual(analysis.findings.map((finding) => [finding.rule, finding.severity]), [['py/blocking-sleep', 'error']]);
    assert.deepEqual(analysis.configure({}).map((finding) => finding.rule), ['py/blocking-sleep', 'py/blocking-input']);
    analysis.dispose();
  });

  it('runs only the listed rules', async () => {
    const analysis = await analyze('python', text, onlyRules(['py/blocking-input']));
    assert.deepEqual(analysis.findings.map((finding) => finding.rule), ['py/blocking-input']);
    analysis.dispose();
  });
});

describe('incremental analysis', () => {
  type Scope = 'definition' | 'document';
  interface Edit {
    find: string;
    replace: string;
    /** How `update` re-analyses the edit as the editor reports it. */
    scope: Scope;
    /** How `refresh` re-analyses it when it differs: it sees only the texts, so it finds the smallest change between them. */
    refreshScope?: Scope;
  }

  /**
   * Applies each edit incrementally, both to an analysis that owns its document (`update`) and to
   * the owner of a document an analysis shares (`refresh`), and checks both equal a fresh full analysis.
   */
  async function assertIncrementalMatchesFull(file: string, edits: Edit[]): Promise<void> {
    const original = readFileSync(path.join(fixtures, file), 'utf8');
    const language = languageForFileName(file);
    assert.ok(language);
    const incremental = await analyze(language, original);
    const shared = await parse(language, original);
    const sharing = DocumentAnalysis.ofDocument(shared);
    let text = original;
    for (const edit of edits) {
      const offset = text.indexOf(edit.find);
      assert.ok(offset >= 0, edit.find);
      const change = { offset, deleteLength: edit.find.length, insertText: edit.replace };
      incremental.update([change]);
      assert.equal(incremental.lastUpdate, edit.scope, `scope of replacing ${edit.find}`);
      shared.applyChanges([change]);
      assert.equal(sharing.isUpToDate, false, 'the shared document moved on without the analysis');
      sharing.refresh();
      assert.equal(sharing.lastUpdate, edit.refreshScope ?? edit.scope, `refresh scope of replacing ${edit.find}`);
      assert.equal(sharing.isUpToDate, true);
      text = text.slice(0, offset) + edit.replace + text.slice(offset + edit.find.length);
      const full = await analyze(language, text);
      assert.equal(incremental.document.text, text);
      assert.equal(sharing.document, shared, 'reads the shared document itself');
      assert.deepEqual(incremental.findings, full.findings, `after replacing ${edit.find}`);
      assert.deepEqual(sharing.findings, full.findings, `shared, after replacing ${edit.find}`);
      full.dispose();
    }
    incremental.dispose();
    sharing.dispose();
    assert.equal(shared.tree.rootNode.text, text, 'disposing the analysis leaves the shared document usable');
    assert.throws(() => sharing.update([{ offset: 0, deleteLength: 0, insertText: '#' }]), /shared document/);
    shared.dispose();
  }

  it('Python: edits inside definitions, renames, imports and module-level code', () =>
    assertIncrementalMatchesFull('blocking.py', [
      { find: 't.sleep(1)  # expect', replace: 't.sleep(10)  # expect', scope: 'definition' },
      { find: 'await asyncio.sleep(1)', replace: 'time.sleep(1)', scope: 'definition' },
      { find: 'import time as t', replace: 'import time as t\nimport time', scope: 'document' },
      { find: 'def sync_code(url):', replace: 'async def sync_code(url):', scope: 'document' },
      { find: '    obj.sleep(1)\n', replace: '', scope: 'definition' },
      { find: 'class Service:', replace: 'class Service :', scope: 'document', refreshScope: 'definition' },
      { find: 'return out, name, data', replace: 'return (out, name, data', scope: 'document' },
      { find: 'return (out, name, data', replace: 'return out, name, data', scope: 'document' },
    ]));

  it('Python: thread targets defined in other definitions', () =>
    assertIncrementalMatchesFull('processes.py', [
      { find: 'tex.submit(download, "x")', replace: 'tex.submit(crunch, "x")', scope: 'definition' },
      { find: 'total += i * i % 7', replace: 'total += i * i % 7 + len(str(i))', scope: 'document' },
    ]));

  it('Python: edits inside a definition that change module facts re-analyse the document', () =>
    assertIncrementalMatchesFull('forks.py', [
      { find: 'pid = os.fork()', replace: 'pid = os.fork() + 0', scope: 'definition' },
      // The heartbeat no longer outlives its function: forks elsewhere stop being reported.
      { find: 'threading.Thread(target=work, daemon=True).start()', replace: 'threading.Thread(target=work).start()', scope: 'document' },
      { find: 'threading.Thread(target=work).start()', replace: 'threading.Thread(target=work, daemon=True).start()', scope: 'document' },
    ]).then(() =>
      assertIncrementalMatchesFull('loops.py', [
        // `sync_helper` is then called only from sync code: its asyncio.run stops being reported.
        { find: 'return result + sync_helper() + ', replace: 'return result + ', scope: 'document' },
        { find: 'result = asyncio.run(fetch())', replace: 'result = asyncio.run(fetch()) or 1', scope: 'definition' },
      ]))
      .then(() =>
        assertIncrementalMatchesFull('waiting.py', [
          { find: 'item = jobs.get()', replace: 'item = jobs.get() or None', scope: 'definition' },
        ])));

  it('JavaScript / TypeScript: edits that change module facts re-analyse the document', () =>
    assertIncrementalMatchesFull('callbacks.ts', [
      // safeTick starts rethrowing: setInterval(safeTick) becomes a finding.
      { find: 'console.error(error);\n  }\n}', replace: 'throw error;\n  }\n}', scope: 'document' },
      { find: "items.forEach(save);", replace: "items.forEach(save); // still", scope: 'definition' },
    ]).then(() =>
      assertIncrementalMatchesFull('messages.js', [
        // Point gains a method: sending an instance becomes a finding.
        { find: '    this.x = x;\n  }\n}', replace: '    this.x = x;\n  }\n\n  norm() {\n    return this.x;\n  }\n}', scope: 'document' },
        { find: 'worker.postMessage(plain);', replace: 'worker.postMessage(plain); // plain', scope: 'definition' },
      ])));

  it('TypeScript: edits inside functions and classes', () =>
    assertIncrementalMatchesFull('node.ts', [
      { find: "const ok = await fs.promises.readFile(path, 'utf8');", replace: "const ok = fs.readFileSync(path, 'utf8');", scope: 'definition' },
      { find: 'this.sync();', replace: 'this.flush();', scope: 'definition' },
      { find: "handled.on('error'", replace: "handled.on('exit'", scope: 'definition' },
      { find: 'async function floating', replace: 'function floating', scope: 'document' },
    ]));
});

describe('analysis of a shared document', () => {
  it('catches up with several edits at once: one definition re-parsed when they all fall inside it, else the whole document', async () => {
    const text = 'import time\n\nasync def first():\n    pass\n\nasync def second():\n    pass\n';
    const document = await parse('python', text);
    const analysis = DocumentAnalysis.ofDocument(document);
    assert.deepEqual(analysis.findings, []);
    const insertAfter = (anchor: string, insertText: string): void => document.applyChanges([{ offset: document.text.indexOf(anchor) + anchor.length, deleteLength: 0, insertText }]);

    insertAfter('first():\n', '    time.sleep(1)\n');
    insertAfter('first():\n', '    x = 1\n');
    assert.deepEqual(analysis.refresh().map((finding) => finding.rule), ['py/blocking-sleep']);
    assert.equal(analysis.lastUpdate, 'definition');

    insertAfter('second():\n', '    time.sleep(2)\n');
    insertAfter('import time\n', 'import os\n');
    const findings = analysis.refresh();
    assert.equal(analysis.lastUpdate, 'document');
    const full = await analyze('python', document.text);
    assert.deepEqual(findings, full.findings);
    assert.equal(findings.length, 2);
    full.dispose();
    analysis.dispose();
    assert.equal(document.tree.rootNode.hasError, false, 'still usable by its owner');
    document.dispose();
  });
});

describe('manifest', () => {
  it('declares the concurrencyLens.rules setting for exactly the rules of the catalogue', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { properties?: Record<string, { enum: string[] }> }> } };
    };
    const rules = manifest.contributes.configuration.properties['concurrencyLens.rules']?.properties ?? {};
    assert.deepEqual(Object.keys(rules), [...RULE_IDS]);
    for (const setting of Object.values(rules)) assert.deepEqual(setting.enum, ['on', 'off', 'error', 'warning', 'information', 'hint']);
  });
});
