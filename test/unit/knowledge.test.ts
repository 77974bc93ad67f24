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
  it('has at least 220 entries', () => {
    assert.ok(KNOWLEDGE_BASE.length >= 220, `only ${KNOWLEDGE_BASE.length} entries`);
  });

  it('documents multiple interpreters (3.14+) with at least 10 entries filed under the interpreters page', () => {
    const interpreters = KNOWLEDGE_BASE.filter((entry) => entry.guide.model === 'interpreters');
    assert.ok(interpreters.length >= 10, `only ${interpreters.length}`);
    for (const entry of interpreters) {
      assert.equal(entry.guide.language, 'python', entry.canonicalName);
      assert.equal(entry.model, 'interpreter', entry.canonicalName);
      assert.match(entry.docsUrl, /concurrent\.(interpreters|futures)\.html#/, entry.canonicalName);
    }
    assert.match(lookupKnowledge('python', 'concurrent.futures.InterpreterPoolExecutor')!.pitfall.en, /__main__/);
    for (const name of ['asyncio.capture_call_graph', 'asyncio.print_call_graph', 'sys.remote_exec', 'sys.flags.thread_inherit_context',
      'concurrent.futures.ProcessPoolExecutor.terminate_workers', 'concurrent.futures.ProcessPoolExecutor.kill_workers']) {
      assert.match(lookupKnowledge('python', name)!.summary.en, /3\.14\+/, name);
    }
  });

  it('finds methods a subclass inherits where they are documented, and its own methods under its own name', () => {
    assert.equal(lookupKnowledge('python', 'concurrent.futures.ProcessPoolExecutor.map')?.canonicalName, 'concurrent.futures.Executor.map');
    assert.equal(lookupKnowledge('python', 'concurrent.futures.ProcessPoolExecutor.terminate_workers')?.canonicalName,
      'concurrent.futures.ProcessPoolExecutor.terminate_workers');
    assert.equal(lookupKnowledge('python', 'concurrent.futures.ProcessPoolExecutor.nothing'), undefined);
    assert.equal(lookupKnowledge('python', 'concurrent.futures.ThreadPoolExecutor.terminate_workers'), undefined);
  });

  it('states what the docs say where a review found it wrong', () => {
    const en = (language: 'python' | 'node', name: string): string => {
      const entry = lookupKnowledge(language, name)!;
      return `${entry.summary.en} ${entry.whenToUse.en} ${entry.pitfall.en}`;
    };
    assert.match(en('python', 'sys._is_gil_enabled'), /prints a warning/);
    assert.doesNotMatch(en('python', 'sys._is_gil_enabled'), /silently/);
    assert.match(en('node', 'timers.promises.setInterval'), /back to back/);
    assert.doesNotMatch(en('node', 'timers.promises.setInterval'), /skip/);
    assert.match(en('node', 'Atomics'), /shared or not/);
    assert.match(en('node', 'AbortSignal.timeout'), /AbortError whose `cause` is the TimeoutError/);
    assert.match(en('node', 'process.nextTick'), /in ES modules after them/);
    assert.match(en('node', 'worker_threads.MessagePort'), /class instances arrive as plain objects/);
    assert.match(en('node', 'async_hooks.AsyncLocalStorage'), /AsyncContextFrame/);
    assert.match(en('python', 'asyncio.get_event_loop'), /3\.14 raises RuntimeError/);
    assert.match(en('python', 'queue.ShutDown'), /only once the queue is empty/);
    assert.match(en('python', 'asyncio.QueueShutDown'), /immediate=True/);
    assert.match(en('python', 'os.process_cpu_count'), /affinity/);
    assert.doesNotMatch(en('python', 'multiprocessing.cpu_count'), /container/);
    assert.match(en('python', 'multiprocessing.freeze_support'), /unless the start method is spawn and the program is frozen/);
    assert.match(en('python', 'asyncio.loop.call_soon_threadsafe'), /run_coroutine_threadsafe/);
    assert.doesNotMatch(en('python', 'asyncio.loop.call_soon_threadsafe'), /only safe way/);
    assert.match(en('python', 'concurrent.futures.Executor.map'), /buffersize/);
    assert.match(en('python', 'contextvars.ContextVar'), /Thread\(context=copy_context\(\)\)/);
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

  it('states Node versions against the LTS lines, never Node 20 alone', () => {
    for (const entry of KNOWLEDGE_BASE.filter((candidate) => candidate.guide.language === 'node')) {
      assert.doesNotMatch(`${entry.summary.en} ${entry.whenToUse.en} ${entry.pitfall.en}`, /Node 20\b/, entry.canonicalName);
    }
    assert.match(lookupKnowledge('node', 'worker_threads.Worker')!.whenToUse.en, /await using/);
    assert.match(lookupKnowledge('node', 'worker_threads.Worker')!.pitfall.en, /--allow-worker/);
    assert.match(lookupKnowledge('node', 'process.permission.has')!.pitfall.en, /--allow-child-process/);
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
