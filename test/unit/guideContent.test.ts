import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { GUIDE_CONTENT, localizedContent } from '../../src/core/guide/content';
import { decide } from '../../src/core/guide/decide';
import { MODEL_EXAMPLES, PYTHON_FREE_THREADED_EXAMPLE, PYTHON_TO_THREAD_EXAMPLE } from '../../src/core/guide/examples';
import { GUIDE_LOCALES, guideLocaleFor, type Localized } from '../../src/core/guide/localized';
import {
  COMPARISON_ROWS, GUIDE_LANGUAGES, PYTHON_BUILDS, UNIT_COUNTS, WORKLOADS, comparisonCell, modelsOf, topicOf, type DecisionAnswers,
  type GuideClaim,
} from '../../src/shared/guideProtocol';

const CLAIM_LISTS = ['scheduling', 'cost', 'sharing', 'bestFor', 'notFor', 'pitfalls'] as const;
const CHINESE = /[\u4e00-\u9fff]/;
/** Names that stay in English inside Chinese text (see shared notes: zh-cn terms). */
const ALLOWED_IN_CHINESE = [
  'Python', 'Node.js', 'Node', 'CPython', 'JavaScript', 'GIL', 'V8', 'isolate', 'Worker', 'Promise', 'IPC', 'I/O', 'CPU',
  'libuv', 'pickle', 'fork', 'spawn', 'forkserver', 'stdio', 'shell', 'lambda', 'HTTP', 'fs', 'crypto', 'zlib', 'cluster',
  'API', 'asyncio', 'coroutine … was never awaited', 'Windows', 'macOS', 'Linux', 'Task', 'Tasks', 'await', 'worker_threads', 'C',
  'PEP', 'CSP', 'actor', 'AsyncContextFrame', 'async_hooks', 'CommonJS', 'ES',
];

function everyLocalized(value: unknown, found: Localized[] = []): Localized[] {
  if (Array.isArray(value)) value.forEach((item) => everyLocalized(item, found));
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.en === 'string' && typeof record['zh-cn'] === 'string') found.push(record as unknown as Localized);
    else Object.values(record).forEach((item) => everyLocalized(item, found));
  }
  return found;
}

function everyDocsUrl(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => everyDocsUrl(item, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'docs' && typeof item === 'string') found.push(item);
      else everyDocsUrl(item, found);
    }
  }
  return found;
}

function assertWellFormedDocsUrl(url: string): void {
  const parsed = new URL(url);
  assert.equal(parsed.protocol, 'https:', url);
  assert.ok(['docs.python.org', 'nodejs.org'].includes(parsed.hostname), `${url}: not an official docs site`);
  if (parsed.hostname === 'docs.python.org') assert.match(parsed.pathname, /^\/3\/[\w/.-]+\.html$/, url);
  else assert.match(parsed.pathname, /^\/(api\/[\w_]+\.html|en\/learn\/[\w/-]+)$/, url);
  assert.match(parsed.hash, /^#[\w.-]+$/, `${url}: links to a section (anchor)`);
}

const allAnswers: DecisionAnswers[] = WORKLOADS.flatMap((workload) => UNIT_COUNTS.flatMap((units) =>
  [false, true].flatMap((blockingLibrary) => [false, true].flatMap((isolation) => [false, true].flatMap((sharedState) =>
    PYTHON_BUILDS.map((python) => ({ workload, units, blockingLibrary, isolation, sharedState, python })))))));

describe('guide content', () => {
  it('has every section for every model × language, with claims backed by docs', () => {
    for (const language of GUIDE_LANGUAGES) {
      for (const model of modelsOf(language)) {
        const topic = topicOf(GUIDE_CONTENT, language, model);
        assert.ok(topic, `${language}/${model} topic`);
        assert.ok(topic.apis.length > 0, `${language}/${model} apis`);
        for (const list of CLAIM_LISTS) assert.ok(topic[list].length > 0, `${language}/${model} ${list} is empty`);
        assert.ok(topic.example.code.length > 0 && topic.example.fileName && topic.example.docs);
      }
      for (const row of COMPARISON_ROWS) for (const model of modelsOf(language)) assert.ok(comparisonCell(GUIDE_CONTENT, language, row, model), `${language} ${row} ${model}`);
    }
  });

  it('has every text in every locale, and the zh-cn text is Chinese with English only in code and API names', () => {
    const texts = everyLocalized(GUIDE_CONTENT);
    assert.ok(texts.length > 120, `only ${texts.length} texts`);
    for (const localized of texts) {
      for (const locale of GUIDE_LOCALES) assert.ok(localized[locale].trim().length > 0, JSON.stringify(localized));
      const chinese = localized['zh-cn'];
      assert.match(chinese, CHINESE, `not translated: ${chinese}`);
      let rest = chinese.replace(/`[^`]*`/g, '');
      for (const name of [...ALLOWED_IN_CHINESE].sort((a, b) => b.length - a.length)) rest = rest.split(name).join('');
      assert.doesNotMatch(rest, /[A-Za-z]{2,}/, `English left in zh-cn: ${chinese}`);
    }
  });

  it('says the truth about the GIL, free threading and Node\'s single JavaScript thread', () => {
    const threads = GUIDE_CONTENT.topics.python.threads;
    const threadText = threads.scheduling.map((item) => item.text.en).join(' ');
    assert.match(threadText, /GIL/);
    assert.match(threadText, /does not get faster with more threads/);
    assert.match(threadText, /python3\.14t/);
    assert.match(threadText, /with a warning/, 'an extension that is not free-threading-ready re-enables the GIL with a warning');
    assert.match(threads.notFor.map((item) => item.text.en).join(' '), /CPU-bound/);
    assert.match(GUIDE_CONTENT.topics.node.coroutines.scheduling[0]!.text.en, /single-threaded/);
    assert.match(GUIDE_CONTENT.topics.node.threads.bestFor[0]!.text.en, /CPU-bound/);
    const pitfalls = (language: 'python' | 'node', model: 'processes' | 'coroutines'): string =>
      GUIDE_CONTENT.topics[language][model].pitfalls.map((item) => item.text.en).join(' ');
    assert.match(pitfalls('python', 'processes'), /__name__ == "__main__"/);
    assert.match(pitfalls('python', 'processes'), /[Pp]ickl/);
    assert.match(pitfalls('python', 'processes'), /Zombies/);
    assert.match(pitfalls('python', 'processes'), /Orphans/);
    assert.match(pitfalls('node', 'coroutines'), /Unhandled rejections/);
  });

  it('links every claim to a section of docs.python.org or nodejs.org', () => {
    const urls = [...everyDocsUrl(GUIDE_CONTENT), ...allAnswers.flatMap((answers) =>
      GUIDE_LANGUAGES.flatMap((language) => everyDocsUrl(decide(language, answers))))];
    assert.ok(urls.length > 60);
    for (const url of new Set(urls)) assertWellFormedDocsUrl(url);
    const pythonTopics = everyDocsUrl(GUIDE_CONTENT.topics.python);
    const nodeTopics = everyDocsUrl(GUIDE_CONTENT.topics.node);
    assert.ok(pythonTopics.every((url) => url.startsWith('https://docs.python.org/')), 'Python claims cite Python docs');
    assert.ok(nodeTopics.every((url) => url.startsWith('https://nodejs.org/')), 'Node claims cite Node docs');
  });

  it('localizes the whole content to one language without leaving records behind', () => {
    const zh = localizedContent('zh-cn');
    assert.equal(zh.topics.python.threads.sharing[0]!.text, GUIDE_CONTENT.topics.python.threads.sharing[0]!.text['zh-cn']);
    assert.equal(localizedContent('en').comparisonRows.parallelCpu, 'Parallel CPU work?');
    assert.deepEqual(everyLocalized(zh), []);
    assert.equal(guideLocaleFor('zh-cn'), 'zh-cn');
    assert.equal(guideLocaleFor('zh-CN'), 'zh-cn');
    assert.equal(guideLocaleFor('en'), 'en');
    assert.equal(guideLocaleFor('de'), 'en');
  });
});

describe('guide examples', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-examples-'));
  const examples = [
    ...GUIDE_LANGUAGES.flatMap((language) => modelsOf(language).map((model) => topicOf(GUIDE_CONTENT, language, model)!.example)),
    PYTHON_TO_THREAD_EXAMPLE, PYTHON_FREE_THREADED_EXAMPLE,
  ];

  for (const example of examples) {
    it(`${example.fileName} compiles`, () => {
      const file = path.join(dir, example.fileName);
      writeFileSync(file, example.code);
      if (file.endsWith('.py')) execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });
      else execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
    });
  }

  it('Python examples that start processes keep the main-module guard', () => {
    assert.match(MODEL_EXAMPLES.python.processes.code, /if __name__ == "__main__":/);
  });

  it('the coroutine examples run and finish every job', () => {
    const nodeFile = path.join(dir, 'run-promise-all.mjs');
    writeFileSync(nodeFile, MODEL_EXAMPLES.node.coroutines.code);
    assert.match(execFileSync(process.execPath, [nodeFile], { encoding: 'utf8' }), /job-9 done after 500 ms/);
    const pythonFile = path.join(dir, 'run_gather.py');
    writeFileSync(pythonFile, MODEL_EXAMPLES.python.coroutines.code);
    assert.match(execFileSync('python3', [pythonFile], { encoding: 'utf8' }), /job-9 done after 0\.5s/);
  });
});

describe('decision helper', () => {
  const base: DecisionAnswers = { workload: 'io', units: 'few', blockingLibrary: false, isolation: false, sharedState: false, python: 'gil' };
  const reasons = (claims: readonly GuideClaim<Localized>[]): string => claims.map((item) => item.text.en).join(' ');

  it('CPU-bound Python → processes, because of the GIL, with the process-pool example', () => {
    const decision = decide('python', { ...base, workload: 'cpu' });
    assert.equal(decision.model, 'processes');
    assert.match(reasons(decision.reasons), /GIL/);
    assert.match(reasons(decision.reasons), /pickled/);
    assert.equal(decision.example.fileName, MODEL_EXAMPLES.python.processes.fileName);
  });

  it('CPU-bound Python on 3.14+ → interpreters, with their limits and the InterpreterPoolExecutor example', () => {
    const decision = decide('python', { ...base, workload: 'cpu', python: 'py314' });
    assert.equal(decision.model, 'interpreters');
    assert.match(reasons(decision.reasons), /InterpreterPoolExecutor/);
    assert.match(reasons(decision.reasons), /__main__/);
    assert.match(reasons(decision.reasons), /extension module/);
    assert.equal(decision.example.fileName, MODEL_EXAMPLES.python.interpreters.fileName);
    assert.match(reasons(decide('python', { ...base, workload: 'cpu', python: 'py314', sharedState: true }).reasons), /create_queue/);
  });

  it('CPU-bound Python on a free-threaded build → threads, with a CPU-bound thread example and the GIL check', () => {
    const decision = decide('python', { ...base, workload: 'cpu', python: 'freeThreaded' });
    assert.equal(decision.model, 'threads');
    assert.match(reasons(decision.reasons), /_is_gil_enabled/);
    assert.equal(decision.example.fileName, PYTHON_FREE_THREADED_EXAMPLE.fileName);
    assert.match(decision.example.code, /ThreadPoolExecutor/);
  });

  it('CPU-bound Python up to 3.13 → processes, pointing to what 3.14 adds', () => {
    const decision = decide('python', { ...base, workload: 'cpu', python: 'gil' });
    assert.equal(decision.model, 'processes');
    assert.match(reasons(decision.reasons), /3\.14\+/);
    assert.doesNotMatch(reasons(decide('python', { ...base, workload: 'cpu', python: 'py314', isolation: true }).reasons), /3\.14\+ there are lighter/);
  });

  it('isolation → processes on every Python build; the Python build does not change Node\'s answers', () => {
    for (const python of PYTHON_BUILDS) {
      assert.equal(decide('python', { ...base, workload: 'cpu', isolation: true, python }).model, 'processes', python);
      assert.equal(decide('node', { ...base, workload: 'cpu', python }).model, 'threads', python);
      assert.equal(decide('python', { ...base, python }).model, 'coroutines', `I/O on ${python}`);
    }
  });

  it('I/O with many units → coroutines in both languages', () => {
    assert.equal(decide('python', { ...base, units: 'many' }).model, 'coroutines');
    assert.equal(decide('node', { ...base, units: 'many' }).model, 'coroutines');
    assert.match(reasons(decide('python', { ...base, units: 'many' }).reasons), /thousands/);
  });

  it('a blocking library in async Python code → threads via asyncio.to_thread', () => {
    const decision = decide('python', { ...base, blockingLibrary: true, units: 'many' });
    assert.equal(decision.model, 'threads');
    assert.equal(decision.example.fileName, PYTHON_TO_THREAD_EXAMPLE.fileName);
    assert.match(decision.example.code, /asyncio\.to_thread/);
    assert.match(reasons(decision.reasons), /to_thread/);
  });

  it('Node CPU-bound → worker_threads; Node blocking library → worker_threads', () => {
    const cpu = decide('node', { ...base, workload: 'cpu' });
    assert.equal(cpu.model, 'threads');
    assert.match(cpu.example.code, /worker_threads/);
    assert.equal(decide('node', { ...base, blockingLibrary: true }).model, 'threads');
  });

  it('isolation → processes, whatever the workload', () => {
    for (const language of GUIDE_LANGUAGES) {
      for (const workload of WORKLOADS) assert.equal(decide(language, { ...base, workload, isolation: true }).model, 'processes');
    }
  });

  it('mentions shared state only when asked, with advice for the chosen model', () => {
    assert.doesNotMatch(reasons(decide('python', { ...base, workload: 'cpu' }).reasons), /Shared state/);
    assert.match(reasons(decide('python', { ...base, workload: 'cpu', sharedState: true }).reasons), /shared_memory/);
    assert.match(reasons(decide('python', { ...base, blockingLibrary: true, sharedState: true }).reasons), /lock/);
    assert.match(reasons(decide('node', { ...base, workload: 'cpu', sharedState: true }).reasons), /Atomics/);
  });

  it('answers every combination with at least one reason and an example', () => {
    for (const language of GUIDE_LANGUAGES) {
      for (const answers of allAnswers) {
        const decision = decide(language, answers);
        assert.ok(decision.reasons.length > 0, JSON.stringify(answers));
        assert.ok(decision.example.code.length > 0);
      }
    }
  });
});
