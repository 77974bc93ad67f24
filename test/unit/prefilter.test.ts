import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { mentionsATriggerWord, mentionsAny, rulesThatCanFire } from '../../src/core/analysis/prefilter';
import { RULES } from '../../src/core/analysis/rules';
import type { RuleMeta } from '../../src/core/analysis/types';
import { familyOf, languageForFileName } from '../../src/core/syntax/languages';
import { analyze } from './helpers/syntax';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'analysis');

describe('pre-filter', () => {
  it('rules out a file that has none of the trigger words, and turns off the rules whose words are missing', () => {
    assert.equal(rulesThatCanFire('def add(a, b):\n    return a + b\n', 'python', {}), undefined);
    assert.equal(rulesThatCanFire('x = "asynchronous"  # create_tasks\n', 'python', {}), undefined, 'whole words only');
    const rules = rulesThatCanFire('loop.create_task(work())\n', 'python', { 'py/dangling-task': 'error' });
    assert.ok(rules);
    assert.equal(rules['py/dangling-task'], 'error', 'the user setting stays');
    for (const rule of RULES.filter((meta) => meta.family === 'python' && meta.id !== 'py/dangling-task')) assert.equal(rules[rule.id], 'off', rule.id);
    assert.equal(rulesThatCanFire('loop.create_task(work())\n', 'python', { 'py/dangling-task': 'off' }), undefined, 'a disabled rule does not count');
  });

  it('a group of trigger words counts only when the file mentions them all', () => {
    const syncRunner = 'import asyncio\n\ndef main():\n    asyncio.run(serve())\n';
    const rules = rulesThatCanFire(syncRunner, 'python', {});
    assert.ok(rules, 'other rules still run on it');
    assert.equal(rules['py/nested-event-loop'], 'off', '`run` without `async`: no coroutine here starts a loop');
    assert.equal(rulesThatCanFire(`${syncRunner}\nasync def serve():\n    asyncio.run(other())\n`, 'python', {})?.['py/nested-event-loop'], undefined, 'with `async` it runs');
    assert.ok(mentionsATriggerWord(syncRunner.replace('import asyncio\n', ''), 'python', { 'py/nested-event-loop': 'error' }, RULES.filter((rule) => rule.id === 'py/nested-event-loop')), 'a module with `run` alone may still offer a loop runner to coroutines of other files');
    assert.equal(rulesThatCanFire('results = pool.map(work, items)\n', 'python', {}, RULES.filter((rule) => rule.id === 'py/lost-future-exception')), undefined, '`map` without concurrent.futures');
  });

  it('never rules out a rule that declares no trigger words', () => {
    const untriggered: RuleMeta = { ...(RULES[0] as RuleMeta), triggers: undefined };
    assert.deepEqual(rulesThatCanFire('x = 1\n', 'python', {}, [untriggered]), {});
  });

  it('loses nothing on the fixtures: the rules it keeps find what all rules find', async () => {
    for (const file of readdirSync(fixtures).sort()) {
      const text = readFileSync(path.join(fixtures, file), 'utf8');
      const language = languageForFileName(file);
      assert.ok(language);
      const all = await analyze(language, text);
      const kept = rulesThatCanFire(text, familyOf(language), {});
      const filtered = kept ? await analyze(language, text, kept) : undefined;
      assert.deepEqual(filtered?.findings ?? [], all.findings, file);
      all.dispose();
      filtered?.dispose();
    }
  });

  it('finds whole words of a list', () => {
    assert.equal(mentionsAny('await fetch_all()', ['fetch']), false);
    assert.equal(mentionsAny('x = db.fetch', ['load', 'fetch']), true);
  });
});
