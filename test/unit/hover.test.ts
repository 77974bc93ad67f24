import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hoverAt } from '../../src/core/hovers/hover';
import type { SourceLanguage } from '../../src/core/syntax/languages';
import { parse } from './helpers/syntax';
import { ENGLISH_HOVER_LABELS } from './helpers/hoverLabels';

const LABELS = ENGLISH_HOVER_LABELS;

/** The canonical name hovered at `marker` (offset `delta` into it), or undefined for no hover. */
async function hoveredName(language: SourceLanguage, text: string, marker: string, delta = 0): Promise<string | undefined> {
  const doc = await parse(language, text);
  const offset = text.indexOf(marker);
  assert.ok(offset >= 0, marker);
  const hover = hoverAt(doc, offset + delta, 'en', LABELS);
  doc.dispose();
  return hover?.entry.canonicalName;
}

const PYTHON = `import asyncio as aio
from concurrent.futures import ProcessPoolExecutor as Pool
import threading, time

async def main():
    async with aio.TaskGroup() as tg:
        tg.create_task(work())
    await aio.gather(a(), b())
    with Pool() as pool:
        pass
    lock = threading.Lock()
    time.sleep(1)
    gather = 3
    print(gather)
`;

const NODE = `const { spawn: run } = require('node:child_process');
import { Worker } from 'worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
async function main() {
  const child = run('ls');
  const worker = new Worker('./w.js');
  await Promise.all([sleep(10)]);
  const signal = AbortSignal.timeout(500);
  for await (const x of stream) use(x);
  const all = 1;
}
`;

describe('hovers', () => {
  it('resolves Python names through aliases and keywords', async () => {
    assert.equal(await hoveredName('python', PYTHON, 'TaskGroup'), 'asyncio.TaskGroup');
    assert.equal(await hoveredName('python', PYTHON, 'gather(a'), 'asyncio.gather');
    assert.equal(await hoveredName('python', PYTHON, 'Pool()'), 'concurrent.futures.ProcessPoolExecutor');
    assert.equal(await hoveredName('python', PYTHON, 'Lock()'), 'threading.Lock');
    assert.equal(await hoveredName('python', PYTHON, 'sleep(1)'), 'time.sleep');
    assert.equal(await hoveredName('python', PYTHON, 'async def'), 'async def');
    assert.equal(await hoveredName('python', PYTHON, 'async with'), 'async with');
    assert.equal(await hoveredName('python', PYTHON, 'await aio'), 'await');
  });

  it('explains methods of Python locals holding a known object', async () => {
    const text = 'import asyncio\nfrom concurrent.futures import ProcessPoolExecutor\nasync def main():\n    loop = asyncio.get_running_loop()\n    with ProcessPoolExecutor() as pool:\n        await loop.run_in_executor(pool, print)\n        pool.submit(print)\n';
    assert.equal(await hoveredName('python', text, 'run_in_executor'), 'asyncio.loop.run_in_executor');
    assert.equal(await hoveredName('python', text, 'submit'), 'concurrent.futures.Executor.submit');
  });

  it('explains multiple interpreters (3.14+): module functions, objects they return and the interpreter pool', async () => {
    const text = [
      'from concurrent import interpreters',
      'from concurrent.futures import InterpreterPoolExecutor, ProcessPoolExecutor',
      'interp = interpreters.create()',
      'queue = interpreters.create_queue()',
      'interp.prepare_main(results=queue)',
      'interp.exec("results.put(1)")',
      'thread = interp.call_in_thread(print)',
      'with InterpreterPoolExecutor() as pool:',
      '    pool.map(sum, [])',
      'with ProcessPoolExecutor() as workers:',
      '    workers.terminate_workers()',
      '    workers.submit(print)',
      '',
    ].join('\n');
    assert.equal(await hoveredName('python', text, 'create()'), 'concurrent.interpreters.create');
    assert.equal(await hoveredName('python', text, 'prepare_main'), 'concurrent.interpreters.Interpreter.prepare_main');
    assert.equal(await hoveredName('python', text, 'exec('), 'concurrent.interpreters.Interpreter.exec');
    assert.equal(await hoveredName('python', text, 'call_in_thread'), 'concurrent.interpreters.Interpreter.call_in_thread');
    assert.equal(await hoveredName('python', text, 'InterpreterPoolExecutor()'), 'concurrent.futures.InterpreterPoolExecutor');
    assert.equal(await hoveredName('python', text, 'map(sum'), 'concurrent.futures.Executor.map');
    assert.equal(await hoveredName('python', text, 'terminate_workers'), 'concurrent.futures.ProcessPoolExecutor.terminate_workers');
    assert.equal(await hoveredName('python', text, 'submit(print)'), 'concurrent.futures.Executor.submit');
  });

  it('shows nothing on unrelated Python code', async () => {
    assert.equal(await hoveredName('python', PYTHON, 'gather = 3'), undefined);
    assert.equal(await hoveredName('python', PYTHON, 'print'), undefined);
    assert.equal(await hoveredName('python', PYTHON, 'create_task'), undefined, 'a method of an unknown object');
    assert.equal(await hoveredName('python', PYTHON, 'pass'), undefined);
  });

  it('resolves JavaScript and TypeScript names through require, import aliases and globals', async () => {
    for (const language of ['javascript', 'typescript', 'tsx'] as const) {
      assert.equal(await hoveredName(language, NODE, "run('ls')"), 'child_process.spawn', language);
      assert.equal(await hoveredName(language, NODE, "Worker('./"), 'worker_threads.Worker', language);
      assert.equal(await hoveredName(language, NODE, 'all(['), 'Promise.all', language);
      assert.equal(await hoveredName(language, NODE, 'sleep(10)'), 'timers.promises.setTimeout', language);
      assert.equal(await hoveredName(language, NODE, 'timeout(500)'), 'AbortSignal.timeout', language);
      assert.equal(await hoveredName(language, NODE, 'async function'), 'async', language);
      assert.equal(await hoveredName(language, NODE, 'for await'), 'for await', language);
      assert.equal(await hoveredName(language, NODE, 'const all'), undefined, language);
      assert.equal(await hoveredName(language, NODE, 'use(x)'), undefined, language);
    }
  });

  it('renders a compact hover: model badge, summary, when to use, pitfall, docs and a guide link with arguments', async () => {
    const doc = await parse('python', PYTHON);
    const offset = PYTHON.indexOf('gather(a');
    const hover = hoverAt(doc, offset, 'en', LABELS)!;
    assert.equal(PYTHON.slice(hover.start, hover.end), 'aio.gather');
    const lines = hover.markdown.split('\n\n');
    assert.equal(lines[0], '$(sync) **Coroutine** · `asyncio.gather`');
    assert.equal(lines[1], hover.entry.summary.en);
    assert.match(hover.markdown, /\*\*Pitfall:\*\* Without `return_exceptions=True`/);
    assert.ok(hover.markdown.includes('(https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)'));
    const link = /\(command:concurrencyLens\.openGuide\?([^)]+)\)/.exec(hover.markdown);
    assert.ok(link);
    assert.deepEqual(JSON.parse(decodeURIComponent(link[1]!)), [{ language: 'python', model: 'coroutines' }]);

    const chinese = hoverAt(doc, offset, 'zh-cn', LABELS)!;
    assert.ok(chinese.markdown.includes(hover.entry.summary['zh-cn']));
    assert.ok(chinese.markdown.includes(hover.entry.pitfall['zh-cn']));
    doc.dispose();
  });
});
