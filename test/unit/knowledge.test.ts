import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KNOWLEDGE_BASE, localeFor, lookupKnowledge } from '../../src/core/knowledge';
import { KNOWLEDGE_MODELS, LOCALES } from '../../src/core/knowledge/types';
import { CONCURRENCY_MODELS, GUIDE_LANGUAGES } from '../../src/shared/guideProtocol';

const CHINESE = /[\u4e00-\u9fff]/;
const DOCS_HOSTS = new Set(['docs.python.org', 'nodejs.org', 'developer.mozilla.org']);

/** Every API the issue names; each must have an entry. */
const REQUIRED: Record<'python' | 'node', string[]> = {
  python: [
    'async def', 'await', 'async with', 'async for',
    ...['run', 'create_task', 'gather', 'wait', 'wait_for', 'timeout', 'as_completed', 'TaskGroup', 'Task', 'Future', 'sleep', 'to_thread',
      'loop.run_in_executor', 'get_running_loop', 'Queue', 'Lock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier', 'shield',
      'create_subprocess_exec', 'create_subprocess_shell', 'Runner'].map((name) => `asyncio.${name}`),
    ...['Thread', 'Lock', 'RLock', 'Event', 'Condition', 'Semaphore', 'Barrier', 'Timer', 'local'].map((name) => `threading.${name}`),
    ...['ThreadPoolExecutor', 'ProcessPoolExecutor', 'as_completed', 'wait', 'Future'].map((name) => `concurrent.futures.${name}`),
    ...['Process', 'Pool', 'Queue', 'JoinableQueue', 'Pipe', 'Manager', 'Value', 'Array', 'Lock', 'get_context', 'set_start_method',
      'shared_memory.SharedMemory'].map((name) => `multiprocessing.${name}`),
    'subprocess.run', 'subprocess.Popen', 'queue.Queue',
  ],
  node: [
    'async', 'await', 'Promise.all', 'Promise.allSettled', 'Promise.race', 'Promise.any', 'Promise.withResolvers',
    'setTimeout', 'setImmediate', 'process.nextTick', 'queueMicrotask', 'timers.promises.setTimeout', 'AbortController', 'AbortSignal',
    'events.once', 'stream.promises.pipeline',
    ...['Worker', 'isMainThread', 'parentPort', 'workerData', 'MessageChannel', 'BroadcastChannel', 'receiveMessageOnPort', 'resourceLimits']
      .map((name) => `worker_threads.${name}`),
    'SharedArrayBuffer', 'Atomics',
    ...['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync'].map((name) => `child_process.${name}`),
    'cluster',
  ],
};

describe('knowledge base', () => {
  it('has at least 150 entries', () => {
    assert.ok(KNOWLEDGE_BASE.length >= 150, `only ${KNOWLEDGE_BASE.length} entries`);
  });

  it('covers every API the issue lists', () => {
    for (const language of GUIDE_LANGUAGES) {
      const missing = REQUIRED[language].filter((name) => !lookupKnowledge(language, name));
      assert.deepEqual(missing, [], `${language} entries missing`);
    }
  });

  it('has unique canonical names within each language', () => {
    for (const language of GUIDE_LANGUAGES) {
      const names = KNOWLEDGE_BASE.filter((entry) => entry.guide.language === language).map((entry) => entry.canonicalName);
      assert.deepEqual(names.filter((name, index) => names.indexOf(name) !== index), [], `${language} duplicates`);
    }
  });

  it('gives every entry a model, a guide section and all three texts in English and Simplified Chinese', () => {
    for (const entry of KNOWLEDGE_BASE) {
      assert.ok(KNOWLEDGE_MODELS.includes(entry.model), entry.canonicalName);
      assert.ok(GUIDE_LANGUAGES.includes(entry.guide.language) && CONCURRENCY_MODELS.includes(entry.guide.model), entry.canonicalName);
      for (const field of ['summary', 'whenToUse', 'pitfall'] as const) {
        for (const locale of LOCALES) {
          const text = entry[field][locale];
          assert.ok(text.trim().length >= (locale === 'en' ? 20 : 8), `${entry.canonicalName} ${field} ${locale} is too short`);
        }
        assert.match(entry[field]['zh-cn'], CHINESE, `${entry.canonicalName} ${field} is not translated`);
        assert.doesNotMatch(entry[field].en, CHINESE, `${entry.canonicalName} ${field} English has Chinese`);
        assert.notEqual(entry[field].en, entry[field]['zh-cn']);
      }
    }
  });

  it('points every entry to well-formed official documentation with an anchor', () => {
    for (const entry of KNOWLEDGE_BASE) {
      const url = new URL(entry.docsUrl);
      assert.equal(url.protocol, 'https:', entry.docsUrl);
      assert.ok(DOCS_HOSTS.has(url.hostname), entry.docsUrl);
      assert.doesNotMatch(entry.docsUrl, /\s/);
      if (url.hostname === 'docs.python.org') {
        assert.match(url.pathname, /^\/3\/(library|reference)\/[\w.-]+\.html$/, entry.docsUrl);
        assert.match(url.hash, /^#[\w.-]+$/, entry.docsUrl);
      }
      if (url.hostname === 'nodejs.org') assert.match(url.pathname, /^\/api\/[\w-]+\.html$/, entry.docsUrl);
    }
  });

  it('files each entry under the guide of its language and a matching model', () => {
    assert.deepEqual(lookupKnowledge('python', 'asyncio.gather')?.guide, { language: 'python', model: 'coroutines' });
    assert.deepEqual(lookupKnowledge('python', 'concurrent.futures.ProcessPoolExecutor')?.guide, { language: 'python', model: 'processes' });
    assert.deepEqual(lookupKnowledge('node', 'worker_threads.Worker')?.guide, { language: 'node', model: 'threads' });
    assert.equal(lookupKnowledge('python', 'asyncio.gather')?.docsUrl, 'https://docs.python.org/3/library/asyncio-task.html#asyncio.gather');
    for (const entry of KNOWLEDGE_BASE.filter((candidate) => ['coroutine', 'thread', 'process'].includes(candidate.model))) {
      if (entry.model === 'process') assert.equal(entry.guide.model, 'processes', entry.canonicalName);
    }
  });

  it('is correct about the GIL: Python thread entries never promise CPU speed-ups', () => {
    for (const name of ['threading.Thread', 'concurrent.futures.ThreadPoolExecutor', 'asyncio.to_thread']) {
      assert.match(lookupKnowledge('python', name)!.pitfall.en, /GIL/);
    }
  });

  it('distinguishes the same keyword in both languages', () => {
    assert.match(lookupKnowledge('python', 'await')!.docsUrl, /docs\.python\.org/);
    assert.match(lookupKnowledge('node', 'await')!.docsUrl, /developer\.mozilla\.org/);
    assert.equal(lookupKnowledge('python', 'Promise.all'), undefined);
  });

  it('maps VS Code display languages to a locale', () => {
    assert.equal(localeFor('zh-cn'), 'zh-cn');
    assert.equal(localeFor('zh-CN'), 'zh-cn');
    assert.equal(localeFor('en'), 'en');
    assert.equal(localeFor('de'), 'en');
  });
});
