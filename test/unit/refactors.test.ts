import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refactorsFor } from '../../src/core/refactors';
import { applyChanges, type RefactorId } from '../../src/core/refactors/types';
import type { SourceLanguage } from '../../src/core/syntax/languages';
import { applyEdits } from '../../src/core/fixes/edits';
import { fixesFor } from '../../src/core/fixes/fixes';
import { analyze, parse } from './helpers/syntax';

/** `source` with the selection marked «like this». */
async function offered(language: SourceLanguage, source: string): Promise<{ ids: RefactorId[]; apply(id: RefactorId): Promise<string> }> {
  const start = source.indexOf('«');
  const end = source.indexOf('»') - 1;
  const text = source.replace('«', '').replace('»', '');
  const doc = await parse(language, text);
  const refactors = refactorsFor(doc, start, end);
  doc.dispose();
  return {
    ids: refactors.map((refactor) => refactor.id),
    async apply(id) {
      const refactor = refactors.find((candidate) => candidate.id === id);
      assert.ok(refactor, `${id} is offered`);
      const result = applyChanges(text, refactor.changes);
      const parsed = await parse(language, result);
      assert.equal(parsed.tree.rootNode.hasError, false, `the result parses:\n${result}`);
      parsed.dispose();
      return result;
    },
  };
}

const GATHER_SOURCE = `import asyncio


async def main(client):
    print("start")
    «user = await client.get("/user")
    await client.ping()
    posts = await client.get("/posts")»
    return user, posts
`;

describe('Python refactors', () => {
  it('runs independent awaits concurrently with asyncio.gather', async () => {
    const refactors = await offered('python', GATHER_SOURCE);
    assert.deepEqual(refactors.ids.slice(0, 2), ['python.gather', 'python.taskGroup']);
    assert.equal(await refactors.apply('python.gather'), `import asyncio


async def main(client):
    print("start")
    user, _, posts = await asyncio.gather(
        client.get("/user"),
        client.ping(),
        client.get("/posts"),
    )
    return user, posts
`);
  });

  it('runs independent awaits in a TaskGroup, reading the results afterwards', async () => {
    assert.equal(await (await offered('python', GATHER_SOURCE)).apply('python.taskGroup'), `import asyncio


async def main(client):
    print("start")
    async with asyncio.TaskGroup() as group:
        user_task = group.create_task(client.get("/user"))
        group.create_task(client.ping())
        posts_task = group.create_task(client.get("/posts"))
    user = user_task.result()
    posts = posts_task.result()
    return user, posts
`);
  });

  it('does not offer gather when an await uses an earlier result, or outside async functions', async () => {
    const dependent = await offered('python', 'async def f(c):\n    «user = await c.get()\n    posts = await c.posts(user)»\n');
    assert.ok(!dependent.ids.includes('python.gather'));
    const partial = await offered('python', 'async def f(c):\n    user = «await c.get()\n    posts = await» c.posts()\n');
    assert.deepEqual(partial.ids, []);
  });

  it('moves blocking code to asyncio.to_thread, passing what it reads and returning what is used later, adding the import', async () => {
    const refactors = await offered('python', `import time


async def handler(path, retries):
    «data = open(path).read()
    size = len(data)
    time.sleep(retries)»
    return size
`);
    assert.deepEqual(refactors.ids, ['python.toThread', 'python.threadPool', 'python.processPool']);
    assert.equal(await refactors.apply('python.toThread'), `import time
import asyncio


async def handler(path, retries):
    def _blocking_work(path, retries):
        data = open(path).read()
        size = len(data)
        time.sleep(retries)
        return size

    size = await asyncio.to_thread(_blocking_work, path, retries)
    return size
`);
  });

  it('reuses an existing asyncio alias', async () => {
    const refactors = await offered('python', 'import asyncio as aio\n\n\nasync def f(a, b):\n    «x = await a\n    y = await b»\n    return x + y\n');
    assert.match(await refactors.apply('python.gather'), /x, y = await aio\.gather\(\n {8}a,\n {8}b,\n {4}\)\n/);
  });

  it('runs an appending loop in a thread pool with map, keeping the loop next to its function', async () => {
    const refactors = await offered('python', `import requests


def download_all(urls, timeout):
    pages = []
    «for url in urls:
        pages.append(requests.get(url, timeout=timeout).text)»
    return pages
`);
    assert.equal(await refactors.apply('python.threadPool'), `import requests
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat


def download_all(urls, timeout):
    pages = []
    def _compute_item(url, timeout):
        return requests.get(url, timeout=timeout).text

    with ThreadPoolExecutor() as pool:
        pages.extend(pool.map(_compute_item, urls, repeat(timeout)))
    return pages
`);
  });

  it('moves code into a top-level function for a process pool, returning mutated and assigned variables', async () => {
    const refactors = await offered('python', `def crunch(numbers):
    totals = {}
    «for n in numbers:
        totals[n] = sum(i * i for i in range(n))
    best = max(totals.values())»
    return best, totals
`);
    assert.equal(await refactors.apply('python.processPool'), `from concurrent.futures import ProcessPoolExecutor

def _run_in_process(numbers, totals):
    for n in numbers:
        totals[n] = sum(i * i for i in range(n))
    best = max(totals.values())
    return best, totals


def crunch(numbers):
    totals = {}
    with ProcessPoolExecutor() as pool:
        best, totals = pool.submit(_run_in_process, numbers, totals).result()
    return best, totals
`);
  });

  it('adds a main-module guard when process-pool code runs at module level', async () => {
    const refactors = await offered('python', `import math

limit = 10
«values = [math.factorial(n) for n in range(limit)]»
print(values)
`);
    assert.equal(await refactors.apply('python.processPool'), `import math
from concurrent.futures import ProcessPoolExecutor

limit = 10
def _run_in_process(limit):
    values = [math.factorial(n) for n in range(limit)]
    return values


if __name__ == "__main__":
    with ProcessPoolExecutor() as pool:
        values = pool.submit(_run_in_process, limit).result()
print(values)
`);
  });

  it('offers no extraction for code that returns, awaits or breaks out of the selection', async () => {
    for (const body of ['«x = 1\n    return x»', '«await g()\n    y = 2»', 'for i in r:\n        «x = i\n        break»']) {
      const refactors = await offered('python', `async def f(r):\n    ${body}\n`);
      assert.ok(!refactors.ids.some((id) => ['python.toThread', 'python.threadPool', 'python.processPool'].includes(id)), body);
    }
  });
});

describe('JavaScript/TypeScript refactors', () => {
  it('runs independent awaits concurrently with Promise.all', async () => {
    for (const language of ['javascript', 'typescript', 'tsx'] as const) {
      const refactors = await offered(language, `async function load(api) {
  «const user = await api.user();
  const posts = await api.posts();»
  return { user, posts };
}
`);
      assert.deepEqual(refactors.ids, ['node.promiseAll'], language);
      assert.equal(await refactors.apply('node.promiseAll'), `async function load(api) {
  const [user, posts] = await Promise.all([
    api.user(),
    api.posts(),
  ]);
  return { user, posts };
}
`);
    }
  });

  it('keeps bare awaits as holes and refuses dependent or mixed declarations', async () => {
    const bare = await offered('javascript', 'const f = async () => {\n    «await a();\n    await b();»\n};\n');
    assert.equal(await bare.apply('node.promiseAll'), 'const f = async () => {\n    await Promise.all([\n        a(),\n        b(),\n    ]);\n};\n');
    assert.deepEqual((await offered('javascript', 'async function f() {\n  «const a = await x();\n  const b = await y(a);»\n}\n')).ids, []);
    assert.deepEqual((await offered('javascript', 'async function f() {\n  «const a = await x();\n  let b = await y();»\n}\n')).ids, []);
    assert.deepEqual((await offered('javascript', 'function f() {\n  «a();\n  b();»\n}\n')).ids, []);
  });

  it('moves CPU work into a worker thread started from the same file, passing inputs and returning outputs', async () => {
    const refactors = await offered('javascript', `import { readFile } from 'node:fs/promises';

export async function report(path, rounds) {
  const text = await readFile(path, 'utf8');
  «let hash = 0;
  for (let i = 0; i < rounds; i++) {
    for (const ch of text) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  }»
  return hash;
}
`);
    assert.deepEqual(refactors.ids, ['node.workerThread', 'node.childProcess']);
    const result = await refactors.apply('node.workerThread');
    assert.equal(result, `import { readFile } from 'node:fs/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

function workerTask({ rounds, text }) {
  let hash = 0;
  for (let i = 0; i < rounds; i++) {
    for (const ch of text) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  }
  return { hash };
}

export async function report(path, rounds) {
  const text = await readFile(path, 'utf8');
  const { hash } = await runInWorker('workerTask', { rounds, text });
  return hash;
}

/** Runs a task of this module in a worker thread: the module starts itself as the worker. */
function runInWorker(task, args) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { task, args } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(\`worker stopped with exit code \${code}\`));
    });
  });
}

if (!isMainThread && workerData?.task === 'workerTask') {
  parentPort?.postMessage(workerTask(workerData.args));
}
`);
  });

  it('does not offer a worker when the module runs code at top level, is CommonJS, or the code reassigns outer variables', async () => {
    const body = 'async function f(n) {\n  let total = 0;\n  «const x = n * 2;»\n  return x;\n}\n';
    assert.deepEqual((await offered('javascript', `${body}f(1);\n`)).ids, []);
    assert.deepEqual((await offered('javascript', `const fs = require('fs');\n${body}`)).ids, []);
    assert.deepEqual((await offered('javascript', body)).ids, ['node.workerThread', 'node.childProcess']);
    assert.deepEqual((await offered('javascript', 'async function f(n) {\n  let total = 0;\n  «total = n * 2;»\n  return total;\n}\n')).ids, []);
  });

  it('runs the code in a child process the module forks, exchanging arguments and results over IPC', async () => {
    const refactors = await offered('javascript', 'export async function sum(n) {\n  «let total = 0;\n  for (let i = 0; i < n; i++) total += i;»\n  return total;\n}\n');
    assert.equal(await refactors.apply('node.childProcess'), `import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function childTask({ n }) {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return { total };
}

export async function sum(n) {
  const { total } = await runInChildProcess('childTask', { n });
  return total;
}

/** Runs a task of this module in a child Node.js process: the module forks itself and they talk over IPC. */
function runInChildProcess(task, args) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--run-task', task]);
    child.once('message', (result) => {
      child.disconnect();
      resolve(result);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(\`child process exited with code \${code}\`));
    });
    child.send(args);
  });
}

if (process.argv[2] === '--run-task' && process.argv[3] === 'childTask') {
  process.once('message', (args) => process.send?.(childTask(args)));
}
`);
  });
});

describe('loop rewrites shared by the await-in-loop quick fixes and the selection refactors', () => {
  const cases: { language: SourceLanguage; rule: 'py/await-in-loop' | 'js/await-in-loop'; id: RefactorId; source: string }[] = [
    { language: 'python', rule: 'py/await-in-loop', id: 'python.gatherLoop', source: 'import asyncio\n\n\nasync def f(urls, out):\n    «for url in urls:\n        out.append(await fetch(url))»\n    return out\n' },
    { language: 'typescript', rule: 'js/await-in-loop', id: 'node.promiseAllLoop', source: 'export async function all(ids: string[]) {\n  «for (const id of ids) {\n    await load(id);\n  }»\n}\n' },
  ];
  for (const { language, rule, id, source } of cases) {
    it(`${id}: the selected loop gets the very rewrite the ${rule} fix makes`, async () => {
      const text = source.replace('«', '').replace('»', '');
      const analysis = await analyze(language, text);
      const finding = analysis.findings.find((candidate) => candidate.rule === rule);
      assert.ok(finding);
      const [fix] = fixesFor(analysis.document, finding);
      assert.ok(fix);
      analysis.dispose();
      const refactors = await offered(language, source);
      assert.equal(await refactors.apply(id), applyEdits(text, fix.edits));
    });
  }

  it('is not offered for a loop whose body does more than await one call, or outside async functions', async () => {
    assert.deepEqual((await offered('python', 'async def f(xs):\n    «for x in xs:\n        await g(x)\n        print(x)»\n')).ids.filter((id) => id === 'python.gatherLoop'), []);
    assert.deepEqual((await offered('python', 'def f(xs):\n    «for x in xs:\n        g(x)»\n')).ids.filter((id) => id === 'python.gatherLoop'), []);
  });
});
