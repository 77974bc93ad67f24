import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleId } from '../../src/core/analysis/types';
import { applyEdits } from '../../src/core/fixes/edits';
import { type ProjectFacts, fixesFor, ignoreOnLineFix } from '../../src/core/fixes/fixes';
import { minimumPythonFromPyproject, projectDirectoriesOf, pythonFromVersionFile } from '../../src/core/fixes/pythonVersion';
import type { SourceLanguage } from '../../src/core/syntax/languages';
import { analyze, parse } from './helpers/syntax';

interface Golden {
  readonly name: string;
  readonly language: SourceLanguage;
  readonly rule: RuleId;
  readonly before: string;
  readonly after: string;
  /** Which of the rule's fixes (default: the first). */
  readonly fix?: number;
}

const lines = (...parts: string[]): string => `${parts.join('\n')}\n`;

const GOLDEN: readonly Golden[] = [
  {
    name: 'time.sleep → await asyncio.sleep, import added after the last import',
    language: 'python', rule: 'py/blocking-sleep',
    before: lines('"""Doc."""', 'import time', '', '', 'async def f():', '    # wait a bit', '    time.sleep(0.5)  # keep me'),
    after: lines('"""Doc."""', 'import time', 'import asyncio', '', '', 'async def f():', '    # wait a bit', '    await asyncio.sleep(0.5)  # keep me'),
  },
  {
    name: 'sleep via alias reuses the existing asyncio alias',
    language: 'python', rule: 'py/blocking-sleep',
    before: lines('import asyncio as aio', 'from time import sleep', '', 'async def f():', '    if True:', '        sleep(1)'),
    after: lines('import asyncio as aio', 'from time import sleep', '', 'async def f():', '    if True:', '        await aio.sleep(1)'),
  },
  {
    name: 'requests.get → to_thread, parenthesized when used as an object',
    language: 'python', rule: 'py/blocking-http',
    before: lines('import asyncio', 'import requests', '', 'async def f(url):', '    return requests.get(url, timeout=5).json()'),
    after: lines('import asyncio', 'import requests', '', 'async def f(url):', '    return (await asyncio.to_thread(requests.get, url, timeout=5)).json()'),
  },
  {
    name: 'subprocess.run over several lines keeps its arguments and comments',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('import subprocess as sp', '', 'async def f():', '    sp.run(', '        ["ls"],  # list', '        check=True,', '    )'),
    after: lines('import subprocess as sp', 'import asyncio', '', 'async def f():', '    await asyncio.to_thread(sp.run, ', '        ["ls"],  # list', '        check=True,', '    )'),
  },
  {
    name: 'subprocess.run([...]) statement → create_subprocess_exec, awaited to the end, cwd kept',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('import subprocess', '', 'async def f(name):', '    subprocess.run(["git", "add", name], cwd="/tmp")  # stage'),
    after: lines('import subprocess', 'import asyncio', '', 'async def f(name):', '    await (await asyncio.create_subprocess_exec("git", "add", name, cwd="/tmp")).wait()  # stage'),
  },
  {
    name: 'subprocess.run(check=True, capture_output=True) → communicate() and the same CalledProcessError',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('import asyncio', 'import subprocess', '', 'async def f(name):', '    subprocess.run(["git", "add", name], check=True, capture_output=True)', '    return 1'),
    after: lines(
      'import asyncio', 'import subprocess', '', 'async def f(name):', '    command = ["git", "add", name]',
      '    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)',
      '    stdout, stderr = await process.communicate()', '    if process.returncode != 0:', '        raise subprocess.CalledProcessError(process.returncode, command, stdout, stderr)', '    return 1',
    ),
  },
  {
    name: 'check_call(shell=True) imported by name → create_subprocess_shell, both imports added in one edit',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('from subprocess import check_call', '', 'async def f():', '    if True:', '        check_call("make all", shell=True)'),
    after: lines(
      'from subprocess import check_call', 'import asyncio', 'from subprocess import CalledProcessError', '', 'async def f():', '    if True:', '        command = "make all"',
      '        process = await asyncio.create_subprocess_shell(command)', '        await process.wait()', '        if process.returncode != 0:', '            raise CalledProcessError(process.returncode, command)',
    ),
  },
  {
    name: 'subprocess.call result (the return code) → the awaited wait()',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('import asyncio', 'import subprocess', '', 'async def f():', '    return subprocess.call(("ls", "-l")) == 0'),
    after: lines('import asyncio', 'import subprocess', '', 'async def f():', '    return await (await asyncio.create_subprocess_exec("ls", "-l")).wait() == 0'),
  },
  {
    name: 'os.system("cmd") statement → create_subprocess_shell',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('import asyncio', 'import os', '', 'async def f():', '    os.system("make")'),
    after: lines('import asyncio', 'import os', '', 'async def f():', '    await (await asyncio.create_subprocess_shell("make")).wait()'),
  },
  {
    name: 'subprocess.Popen([...]) statement → a started asyncio process',
    language: 'python', rule: 'py/blocking-subprocess',
    before: lines('import asyncio', 'import subprocess', '', 'async def f():', '    subprocess.Popen(["server", "--port", "8000"])'),
    after: lines('import asyncio', 'import subprocess', '', 'async def f():', '    await asyncio.create_subprocess_exec("server", "--port", "8000")'),
  },
  {
    name: 'Path.read_text → to_thread of the bound method',
    language: 'python', rule: 'py/blocking-file-io',
    before: lines('from pathlib import Path', '', 'async def f(p):', '    return Path(p).read_text()'),
    after: lines('from pathlib import Path', 'import asyncio', '', 'async def f(p):', '    return await asyncio.to_thread(Path(p).read_text)'),
  },
  {
    name: 'with open(p, encoding=…) as f: data = f.read() → Path(p).read_text in a thread, both imports in one edit after the docstring',
    language: 'python', rule: 'py/blocking-file-io',
    before: lines('"""Doc."""', 'async def f(p):', '    with open(p, encoding="utf-8") as fh:', '        data = fh.read()', '    return data'),
    after: lines('"""Doc."""', '', 'import asyncio', 'from pathlib import Path', '', 'async def f(p):', '    data = await asyncio.to_thread(Path(p).read_text, encoding="utf-8")', '    return data'),
  },
  {
    name: 'with open(p, "rb") as f: return f.read() → read_bytes',
    language: 'python', rule: 'py/blocking-file-io',
    before: lines('import asyncio', 'from pathlib import Path', '', 'async def f(p):', '    if p:', '        with open(p, "rb") as fh:', '            return fh.read()'),
    after: lines('import asyncio', 'from pathlib import Path', '', 'async def f(p):', '    if p:', '        return await asyncio.to_thread(Path(p).read_bytes)'),
  },
  {
    name: 'with io.open(p, mode="w") as f: f.write(text) → write_text through an existing pathlib import',
    language: 'python', rule: 'py/blocking-file-io',
    before: lines('import asyncio', 'import io', 'import pathlib', '', 'async def f(p, text):', '    with io.open(p, mode="w") as out:', '        out.write(text)'),
    after: lines('import asyncio', 'import io', 'import pathlib', '', 'async def f(p, text):', '    await asyncio.to_thread(pathlib.Path(p).write_text, text)'),
  },
  {
    name: 'input() → to_thread(input, …), import placed after a shebang and comments when there are no imports',
    language: 'python', rule: 'py/blocking-input',
    before: lines('#!/usr/bin/env python3', '# A tool.', 'async def ask():', '    return input("? ")'),
    after: lines('#!/usr/bin/env python3', '# A tool.', 'import asyncio', '', 'async def ask():', '    return await asyncio.to_thread(input, "? ")'),
  },
  {
    name: 'unawaited coroutine → await',
    language: 'python', rule: 'py/unawaited-coroutine',
    before: lines('async def g():', '    pass', '', 'async def f():', '    g()'),
    after: lines('async def g():', '    pass', '', 'async def f():', '    await g()'),
  },
  {
    name: 'unawaited coroutine → alternative: a kept task, asyncio imported once with the set',
    language: 'python', rule: 'py/unawaited-coroutine', fix: 1,
    before: lines('import json', '', 'async def g():', '    pass', '', 'async def f():', '    g()'),
    after: lines(
      'import json', 'import asyncio', '', '# Strong references: the event loop keeps only weak ones to tasks.', '_background_tasks = set()', '', 'async def g():', '    pass', '', 'async def f():',
      '    task = asyncio.create_task(g())', '    _background_tasks.add(task)', '    task.add_done_callback(_background_tasks.discard)',
    ),
  },
  {
    name: 'dangling task → strong reference in a module-level set (added once)',
    language: 'python', rule: 'py/dangling-task',
    before: lines('import asyncio', '', 'async def f(job):', '    asyncio.create_task(job())'),
    after: lines(
      'import asyncio', '', '# Strong references: the event loop keeps only weak ones to tasks.', '_background_tasks = set()', '', 'async def f(job):',
      '    task = asyncio.create_task(job())', '    _background_tasks.add(task)', '    task.add_done_callback(_background_tasks.discard)',
    ),
  },
  {
    name: 'dangling task reuses an existing set',
    language: 'python', rule: 'py/dangling-task',
    before: lines('import asyncio', '_background_tasks = set()', '', 'async def f(job):', '    asyncio.ensure_future(job())'),
    after: lines('import asyncio', '_background_tasks = set()', '', 'async def f(job):', '    task = asyncio.ensure_future(job())', '    _background_tasks.add(task)', '    task.add_done_callback(_background_tasks.discard)'),
  },
  {
    name: 'dangling task → alternative: the rest of the block moves into an asyncio.TaskGroup (comments kept, re-indented)',
    language: 'python', rule: 'py/dangling-task', fix: 1,
    before: lines('import asyncio', '', 'async def f(job, log):', '    log("start")', '    if job:', '        asyncio.create_task(job(), name="job")  # background', '        # then', '        log("started")', '', '        log("more")', '    return 1'),
    after: lines('import asyncio', '', 'async def f(job, log):', '    log("start")', '    if job:', '        async with asyncio.TaskGroup() as task_group:', '            task_group.create_task(job(), name="job")  # background', '            # then', '            log("started")', '', '            log("more")', '    return 1'),
  },
  {
    name: 'ensure_future imported by name → TaskGroup on a fresh name, asyncio imported',
    language: 'python', rule: 'py/dangling-task', fix: 1,
    before: lines('from asyncio import ensure_future', '', 'async def f(job, task_group):', '    ensure_future(job())'),
    after: lines('from asyncio import ensure_future', 'import asyncio', '', 'async def f(job, task_group):', '    async with asyncio.TaskGroup() as task_group_2:', '        task_group_2.create_task(job())'),
  },
  {
    name: 'await in a loop → asyncio.gather',
    language: 'python', rule: 'py/await-in-loop',
    before: lines('import asyncio', '', 'async def f(urls, out):', '    for url in urls:', '        out.append(await fetch(url))', '    return out'),
    after: lines('import asyncio', '', 'async def f(urls, out):', '    out.extend(await asyncio.gather(*(fetch(url) for url in urls)))', '    return out'),
  },
  {
    name: 'module-level processes → wrapped in a main guard, with the statements that create them',
    language: 'python', rule: 'py/missing-main-guard',
    before: lines('from multiprocessing import Process', '', 'def work():', '    pass', '', 'p = Process(target=work)', 'p.start()', '', '# wait', 'p.join()'),
    after: lines('from multiprocessing import Process', '', 'def work():', '    pass', '', 'if __name__ == "__main__":', '    p = Process(target=work)', '    p.start()', '', '    # wait', '    p.join()'),
  },
  {
    name: 'CPU-bound function in a thread pool → ProcessPoolExecutor imported next to the existing one',
    language: 'python', rule: 'py/cpu-bound-in-thread',
    before: lines('from concurrent.futures import ThreadPoolExecutor', '', 'def crunch(n):', '    total = 0', '    for i in range(n):', '        total += i * i', '    return total', '', 'def main():', '    with ThreadPoolExecutor() as pool:', '        pool.submit(crunch, 10)'),
    after: lines('from concurrent.futures import ThreadPoolExecutor', 'from concurrent.futures import ProcessPoolExecutor', '', 'def crunch(n):', '    total = 0', '    for i in range(n):', '        total += i * i', '    return total', '', 'def main():', '    with ProcessPoolExecutor() as pool:', '        pool.submit(crunch, 10)'),
  },
  {
    name: 'CPU-bound Thread → multiprocessing.Process',
    language: 'python', rule: 'py/cpu-bound-in-thread',
    before: lines('import threading', '', 'def crunch():', '    x = 0', '    while x < 10:', '        x += 1', '', 'def main():', '    threading.Thread(target=crunch).start()'),
    after: lines('import threading', 'import multiprocessing', '', 'def crunch():', '    x = 0', '    while x < 10:', '        x += 1', '', 'def main():', '    multiprocessing.Process(target=crunch).start()'),
  },
  {
    name: 'swallowed CancelledError → the handler ends with raise',
    language: 'python', rule: 'py/swallowed-cancellation',
    before: lines('import asyncio', '', 'async def f(queue, log):', '    try:', '        await queue.get()', '    except asyncio.CancelledError:', '        log("cancelled")  # note', '    return 1'),
    after: lines('import asyncio', '', 'async def f(queue, log):', '    try:', '        await queue.get()', '    except asyncio.CancelledError:', '        log("cancelled")  # note', '        raise', '    return 1'),
  },
  {
    name: 'swallowed CancelledError ending in break → raise instead of break',
    language: 'python', rule: 'py/swallowed-cancellation',
    before: lines('from asyncio import CancelledError', '', 'async def f(queue):', '    while True:', '        try:', '            await queue.get()', '        except CancelledError:', '            break'),
    after: lines('from asyncio import CancelledError', '', 'async def f(queue):', '    while True:', '        try:', '            await queue.get()', '        except CancelledError:', '            raise'),
  },
  {
    name: 'bare except around an await → a re-raising CancelledError clause first, through the existing asyncio import',
    language: 'python', rule: 'py/swallowed-cancellation',
    before: lines('import asyncio as aio', '', 'async def f(queue, log):', '    try:', '        await queue.get()', '    except ValueError:', '        log("bad")', '    except:', '        log("oops")'),
    after: lines('import asyncio as aio', '', 'async def f(queue, log):', '    try:', '        await queue.get()', '    except ValueError:', '        log("bad")', '    except aio.CancelledError:', '        raise', '    except:', '        log("oops")'),
  },
  {
    name: 'BaseException in anyio code → CancelledError imported for the re-raising clause',
    language: 'python', rule: 'py/swallowed-cancellation',
    before: lines('import anyio', '', 'async def f(stream, log):', '    try:', '        await stream.receive()', '    except BaseException as error:', '        log.error("failed", exc_info=error)'),
    after: lines('import anyio', 'from asyncio import CancelledError', '', 'async def f(stream, log):', '    try:', '        await stream.receive()', '    except CancelledError:', '        raise', '    except BaseException as error:', '        log.error("failed", exc_info=error)'),
  },
  {
    name: 'wait() before reading a pipe → communicate(), timeout kept',
    language: 'python', rule: 'py/pipe-deadlock',
    before: lines('import subprocess', '', 'def f(cmd):', '    process = subprocess.Popen(cmd, stdout=subprocess.PIPE)', '    process.wait(timeout=5)', '    return process.returncode'),
    after: lines('import subprocess', '', 'def f(cmd):', '    process = subprocess.Popen(cmd, stdout=subprocess.PIPE)', '    process.communicate(timeout=5)', '    return process.returncode'),
  },
  {
    name: 'asyncio child awaited before reading its pipe → await communicate()',
    language: 'python', rule: 'py/pipe-deadlock',
    before: lines('import asyncio', '', 'async def f():', '    child = await asyncio.create_subprocess_exec("ls", stderr=asyncio.subprocess.PIPE)', '    await child.wait()'),
    after: lines('import asyncio', '', 'async def f():', '    child = await asyncio.create_subprocess_exec("ls", stderr=asyncio.subprocess.PIPE)', '    await child.communicate()'),
  },
  {
    name: 'asyncio.run in a coroutine → await',
    language: 'python', rule: 'py/nested-event-loop',
    before: lines('import asyncio', '', 'async def fetch():', '    return 1', '', 'async def f():', '    return asyncio.run(fetch()) + 1'),
    after: lines('import asyncio', '', 'async def fetch():', '    return 1', '', 'async def f():', '    return await fetch() + 1'),
  },
  {
    name: 'loop.run_until_complete in a coroutine → await',
    language: 'python', rule: 'py/nested-event-loop',
    before: lines('import asyncio', '', 'async def fetch():', '    return 1', '', 'async def f():', '    loop = asyncio.get_event_loop()', '    loop.run_until_complete(fetch())'),
    after: lines('import asyncio', '', 'async def fetch():', '    return 1', '', 'async def f():', '    loop = asyncio.get_event_loop()', '    await fetch()'),
  },
  {
    name: 'executor future.result() in a coroutine → await asyncio.wrap_future(future)',
    language: 'python', rule: 'py/sync-wait-in-async',
    before: lines('import asyncio', 'from concurrent.futures import ThreadPoolExecutor', '', 'async def f(pool: ThreadPoolExecutor):', '    future = pool.submit(sum, [1])', '    return future.result() + 1'),
    after: lines('import asyncio', 'from concurrent.futures import ThreadPoolExecutor', '', 'async def f(pool: ThreadPoolExecutor):', '    future = pool.submit(sum, [1])', '    return await asyncio.wrap_future(future) + 1'),
  },
  {
    name: 'queue.get(timeout=…) in a coroutine → await asyncio.to_thread(queue.get, timeout=…), asyncio imported',
    language: 'python', rule: 'py/sync-wait-in-async',
    before: lines('import queue', '', 'jobs = queue.Queue()', '', 'async def f():', '    item = jobs.get(timeout=1)', '    return item'),
    after: lines('import queue', 'import asyncio', '', 'jobs = queue.Queue()', '', 'async def f():', '    item = await asyncio.to_thread(jobs.get, timeout=1)', '    return item'),
  },
  {
    name: 'fork with threads running → the pool on get_context("spawn")',
    language: 'python', rule: 'py/fork-with-threads',
    before: lines('import multiprocessing', 'import threading', '', 'def f(work):', '    threading.Thread(target=work).start()', '    with multiprocessing.Pool() as pool:', '        pool.map(work, [1])'),
    after: lines('import multiprocessing', 'import threading', '', 'def f(work):', '    threading.Thread(target=work).start()', '    with multiprocessing.get_context("spawn").Pool() as pool:', '        pool.map(work, [1])'),
  },
  {
    name: 'fork with threads running → ProcessPoolExecutor(mp_context=get_context("spawn")), multiprocessing imported',
    language: 'python', rule: 'py/fork-with-threads',
    before: lines('import threading', 'from concurrent.futures import ProcessPoolExecutor', '', 'def f(work):', '    threading.Thread(target=work).start()', '    with ProcessPoolExecutor(max_workers=2) as pool:', '        pool.submit(work).result()'),
    after: lines('import threading', 'from concurrent.futures import ProcessPoolExecutor', 'import multiprocessing', '', 'def f(work):', '    threading.Thread(target=work).start()', '    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:', '        pool.submit(work).result()'),
    fix: 0,
  },
  {
    name: 'fs.readFileSync through a namespace → fs.promises, no import needed',
    language: 'typescript', rule: 'js/sync-io-in-async',
    before: lines("import * as fs from 'node:fs';", '', 'export async function load(p: string) {', "  return fs.readFileSync(p, 'utf8').trim(); // read", '}'),
    after: lines("import * as fs from 'node:fs';", '', 'export async function load(p: string) {', "  return (await fs.promises.readFile(p, 'utf8')).trim(); // read", '}'),
  },
  {
    name: 'destructured readFileSync (CommonJS) → require of fs/promises added',
    language: 'javascript', rule: 'js/sync-io-in-async',
    before: lines("'use strict';", "const { readFileSync } = require('fs');", '', 'async function load(p) {', '  const text = readFileSync(p);', '  return text;', '}'),
    after: lines("'use strict';", "const { readFileSync } = require('fs');", "const fsPromises = require('node:fs/promises');", '', 'async function load(p) {', '  const text = await fsPromises.readFile(p);', '  return text;', '}'),
  },
  {
    name: 'execSync → promisify(exec) with both imports added once (ESM)',
    language: 'typescript', rule: 'js/sync-io-in-async',
    before: lines("import { execSync } from 'child_process';", '', 'export async function run() {', "  const out = execSync('ls');", '  return out;', '}'),
    after: lines("import { execSync } from 'child_process';", "import { exec } from 'node:child_process';", "import { promisify } from 'node:util';", '', 'export async function run() {', "  const out = (await promisify(exec)('ls')).stdout;", '  return out;', '}'),
  },
  {
    name: 'fs.existsSync as a condition → fs.promises.access mapped to a boolean',
    language: 'javascript', rule: 'js/sync-io-in-async',
    before: lines("const fs = require('fs');", 'async function f(p) {', '  if (!fs.existsSync(p)) return null;', '  return p;', '}'),
    after: lines("const fs = require('fs');", 'async function f(p) {', '  if (!await fs.promises.access(p).then(() => true, () => false)) return null;', '  return p;', '}'),
  },
  {
    name: 'existsSync imported by name (ESM) → fs/promises namespace imported once',
    language: 'typescript', rule: 'js/sync-io-in-async',
    before: lines("import { existsSync } from 'node:fs';", '', 'export async function has(p: string): Promise<boolean> {', '  return existsSync(p) && p.length > 0;', '}'),
    after: lines("import { existsSync } from 'node:fs';", "import * as fsPromises from 'node:fs/promises';", '', 'export async function has(p: string): Promise<boolean> {', '  return await fsPromises.access(p).then(() => true, () => false) && p.length > 0;', '}'),
  },
  {
    name: "a dropped spawnSync(…, { stdio: 'inherit' }) → spawn awaited until it closes, spawn imported once",
    language: 'typescript', rule: 'js/sync-io-in-async',
    before: lines("import { spawnSync } from 'node:child_process';", '', 'export async function build(dir: string) {', "  spawnSync('make', ['all'], { cwd: dir, stdio: 'inherit' }); // build", '}'),
    after: lines(
      "import { spawnSync } from 'node:child_process';", "import { spawn } from 'node:child_process';", '', 'export async function build(dir: string) {',
      "  await new Promise((resolve) => spawn('make', ['all'], { cwd: dir, stdio: 'inherit' }).on('error', resolve).on('close', resolve)); // build", '}',
    ),
  },
  {
    name: 'floating promise → await',
    language: 'javascript', rule: 'js/floating-promise',
    before: lines('async function save() {}', 'async function main() {', '  save();', '}'),
    after: lines('async function save() {}', 'async function main() {', '  await save();', '}'),
  },
  {
    name: 'floating promise in a sync function → void (await is not possible there)',
    language: 'tsx', rule: 'js/floating-promise',
    before: lines('async function save() {}', 'export function Button() {', '  save();', '  return <button />;', '}'),
    after: lines('async function save() {}', 'export function Button() {', '  void save();', '  return <button />;', '}'),
  },
  {
    name: 'await in a loop → Promise.all',
    language: 'typescript', rule: 'js/await-in-loop',
    before: lines('export async function all(ids: string[], out: number[]) {', '  for (const id of ids) {', '    out.push(await load(id));', '  }', '}'),
    after: lines('export async function all(ids: string[], out: number[]) {', '  out.push(...(await Promise.all(Array.from(ids, (id) => load(id)))));', '}'),
  },
  {
    name: 'async Promise executor that never awaits → synchronous executor',
    language: 'typescript', rule: 'js/async-promise-executor',
    before: lines('export const ready = new Promise<number>(async (resolve) => {', '  resolve(1);', '});'),
    after: lines('export const ready = new Promise<number>((resolve) => {', '  resolve(1);', '});'),
  },
  {
    name: 'lost update → await first into a fresh name, then update',
    language: 'javascript', rule: 'js/lost-update',
    before: lines('let total = 0;', 'const value = 1;', 'async function add(size, name) {', '  total += await size(name); // count', '}'),
    after: lines('let total = 0;', 'const value = 1;', 'async function add(size, name) {', '  const value_2 = await size(name);', '  total += value_2; // count', '}'),
  },
  {
    name: 'lost update of a property through a sum → the awaited part hoisted',
    language: 'typescript', rule: 'js/lost-update',
    before: lines('export class Counter {', '  n = 0;', '  async add(size: () => Promise<number>): Promise<void> {', '    this.n = this.n + (await size()) * 2;', '  }', '}'),
    after: lines('export class Counter {', '  n = 0;', '  async add(size: () => Promise<number>): Promise<void> {', '    const value = await size();', '    this.n = this.n + (value) * 2;', '  }', '}'),
  },
  {
    name: 'worker without error listener → handler added after the declaration',
    language: 'javascript', rule: 'js/unhandled-worker-events',
    before: lines("const { Worker } = require('worker_threads');", 'function start() {', "  const worker = new Worker('./w.js');", '  return 1;', '}'),
    after: lines("const { Worker } = require('worker_threads');", 'function start() {', "  const worker = new Worker('./w.js');", "  worker.on('error', (error) => {", '    console.error(error);', '  });', '  return 1;', '}'),
  },
  {
    name: 'spawned child without handlers → error and exit handlers chained',
    language: 'typescript', rule: 'js/unhandled-worker-events',
    before: lines("import { spawn } from 'node:child_process';", 'export function go() {', "  spawn('ls');", '}'),
    after: lines("import { spawn } from 'node:child_process';", 'export function go() {', "  spawn('ls').on('error', (error) => {", '    console.error(error);', "  }).on('exit', (code) => {", '    if (code !== 0) console.error(`exited with code ${code}`);', '  });', '}'),
  },
];

describe('quick fixes (golden before/after)', () => {
  for (const golden of GOLDEN) {
    it(golden.name, async () => {
      const analysis = await analyze(golden.language, golden.before);
      const finding = analysis.findings.find((candidate) => candidate.rule === golden.rule);
      assert.ok(finding, `no ${golden.rule} finding in:\n${golden.before}`);
      const fix = fixesFor(analysis.document, finding)[golden.fix ?? 0];
      assert.ok(fix, 'no fix offered');
      const after = applyEdits(golden.before, fix.edits);
      assert.equal(after, golden.after);
      const reparsed = await parse(golden.language, after);
      assert.equal(reparsed.tree.rootNode.hasError, false, 'the fixed code must parse');
      reparsed.dispose();
      const again = await analyze(golden.language, after);
      assert.equal(again.findings.some((other) => other.rule === golden.rule), false, 'the finding is gone');
      again.dispose();
      analysis.dispose();
    });
  }

  it('offers no rewrite where none is safe (open() outside the narrow shapes, a used Popen, unpicklable target, spawnSync)', async () => {
    const cases: [SourceLanguage, string][] = [
      ['python', lines('async def f(p):', '    with open(p) as fh:', '        return fh.readline()')],
      ['python', lines('async def f(p):', "    with open(p, 'a') as fh:", "        fh.write('x')")],
      ['python', lines('async def f(p):', '    with open(p) as fh:', '        data = fh.read()', '    fh.close()')],
      ['python', lines('async def f(p):', '    with open(p) as fh:', '        data = fh.read()  # all of it')],
      ['python', lines('async def f(p):', "    with open(p, newline='') as fh:", '        data = fh.read()')],
      ['python', lines('async def f(fd):', '    with open(3) as fh:', '        data = fh.read()')],
      ['python', lines('async def f(p):', '    fh = open(p)')],
      ['python', lines('import subprocess', 'async def f():', '    process = subprocess.Popen(["ls"])')],
      ['python', lines('from multiprocessing import Pool', 'def f():', '    with Pool() as p:', '        p.map(lambda x: x, [1])')],
      ['javascript', lines("const { spawnSync } = require('child_process');", 'async function f() {', "  return spawnSync('ls').status;", '}')],
      ['javascript', lines("const { spawnSync } = require('child_process');", 'async function f() {', "  spawnSync('ls', ['-l']);", '}')],
      ['javascript', lines("const { spawnSync } = require('child_process');", 'async function f() {', "  spawnSync('ls', { stdio: 'inherit', timeout: 5 });", '}')],
    ];
    for (const [language, text] of cases) {
      const analysis = await analyze(language, text);
      assert.equal(analysis.findings.length, 1, text);
      assert.deepEqual(fixesFor(analysis.document, analysis.findings[0]!), [], text);
      analysis.dispose();
    }
  });
});

describe('fixes of the second-wave rules', () => {
  it('are not offered where the rewrite would not be exact', async () => {
    const cases: [SourceLanguage, RuleId, string][] = [
      ['python', 'py/swallowed-cancellation', lines('import asyncio', 'async def f(q):', '    try:', '        await q.get()', '    except asyncio.CancelledError:', '        return 42')],
      ['python', 'py/swallowed-cancellation', lines('import asyncio', 'async def f(q, log):', '    try:', '        await q.get()', '    except asyncio.CancelledError: log()')],
      ['python', 'py/swallowed-cancellation', lines('async def f(q):', '    try:', '        await q.get()', '    finally:', '        return 1')],
      ['python', 'py/pipe-deadlock', lines('import subprocess', 'def f(cmd):', '    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)', '    p.wait()', '    return p.stdout.read()')],
      ['python', 'py/pipe-deadlock', lines('import subprocess', 'def f(cmd, sleep):', '    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)', '    while p.poll() is None:', '        sleep(1)')],
      ['python', 'py/pipe-deadlock', lines('import asyncio', 'async def f():', '    p = await asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)', '    code = await p.wait()', '    return code')],
      ['python', 'py/nested-event-loop', lines('import asyncio', 'async def main():', '    return helper()', 'def helper():', '    return asyncio.run(main())')],
      ['python', 'py/sync-wait-in-async', lines('import threading', 'cond = threading.Condition()', 'async def f():', '    cond.wait()')],
      ['python', 'py/sync-wait-in-async', lines('import asyncio', 'import threading', 'lock = threading.Lock()', 'async def f():', '    with lock:', '        await asyncio.sleep(1)')],
      ['python', 'py/sync-wait-in-async', lines('import asyncio', 'async def f(coro, loop):', '    future = asyncio.run_coroutine_threadsafe(coro, loop)', '    return future.result(timeout=1)')],
      ['python', 'py/fork-with-threads', lines('import os', 'import threading', 'def f(work):', '    threading.Thread(target=work).start()', '    return os.fork()')],
      ['typescript', 'js/async-promise-executor', lines('export const p = new Promise(async (resolve) => {', '  resolve(await Promise.resolve(1));', '});')],
      ['javascript', 'js/lost-update', lines('let total = 0;', 'async function f(ok, g) {', '  total = total + (ok ? await g() : 0);', '}')],
    ];
    for (const [language, rule, text] of cases) {
      const analysis = await analyze(language, text);
      const findings = analysis.findings.filter((finding) => finding.rule === rule);
      assert.equal(findings.length, 1, `${rule} in:\n${text}`);
      assert.deepEqual(fixesFor(analysis.document, findings[0]!), [], text);
      analysis.dispose();
    }
  });
});

describe('asyncio subprocess fix', () => {
  it('is not offered where no exact rewrite exists; to_thread stays where it is safe', async () => {
    const cases: [string, string[]][] = [
      [lines('import subprocess', 'async def f():', '    result = subprocess.run(["ls"], capture_output=True)', '    return result.stdout'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import subprocess', 'async def f():', '    subprocess.run(["ls"], timeout=5)'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import subprocess', 'async def f():', '    subprocess.run(["ls"], text=True, check=True)'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import subprocess', 'async def f(cmd):', '    subprocess.run(cmd)'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import subprocess', 'async def f(args):', '    subprocess.run(["ls", *args])'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import subprocess', 'async def f():', '    subprocess.run(["ls -l"], shell=True)'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import os', 'async def f():', '    status = os.system("make")'), ['Run it in a thread: await asyncio.to_thread(…)']],
      [lines('import subprocess', 'async def f():', '    proc = subprocess.Popen(["ls"])', '    proc.wait()'), []],
      [lines('import os', 'async def f():', '    os.popen("ls").read()'), []],
    ];
    for (const [text, expected] of cases) {
      const analysis = await analyze('python', text);
      const finding = analysis.findings.find((candidate) => candidate.rule === 'py/blocking-subprocess');
      assert.ok(finding, text);
      assert.deepEqual(fixesFor(analysis.document, finding).map((fix) => fix.title.en), expected, text);
      analysis.dispose();
    }
  });
});

describe('TaskGroup fix for a dangling task', () => {
  const titles = async (text: string, project: ProjectFacts = {}): Promise<string[]> => {
    const analysis = await analyze('python', text);
    const finding = analysis.findings.find((candidate) => candidate.rule === 'py/dangling-task');
    assert.ok(finding, text);
    const result = fixesFor(analysis.document, finding, project).map((fix) => fix.title.en);
    analysis.dispose();
    return result;
  };
  const TASK_GROUP = 'Move to asyncio.TaskGroup (needs Python 3.11+)';

  it('is offered when the project supports only 3.11+ or says nothing, not when it supports older Pythons', async () => {
    const text = lines('import asyncio', 'async def f(job):', '    asyncio.create_task(job())');
    assert.ok((await titles(text)).includes(TASK_GROUP));
    assert.ok((await titles(text, { pythonMinimum: { major: 3, minor: 12 } })).includes(TASK_GROUP));
    assert.deepEqual(await titles(text, { pythonMinimum: { major: 3, minor: 9 } }), ['Keep a reference to the task until it is done']);
  });

  it('is not offered in a loop, for loop.create_task, for a non-call argument, across a multi-line string or a yield, or outside a coroutine', async () => {
    const cases = [
      lines('import asyncio', 'async def f(jobs):', '    for job in jobs:', '        asyncio.create_task(job())'),
      lines('import asyncio', 'async def f(job):', '    loop = asyncio.get_running_loop()', '    loop.create_task(job())'),
      lines('import asyncio', 'async def f(future):', '    asyncio.ensure_future(future)'),
      lines('import asyncio', 'async def f(job):', '    asyncio.create_task(job())', '    x = """a', 'b"""'),
      lines('import asyncio', 'def f(job):', '    asyncio.create_task(job())'),
      lines('import asyncio', 'async def f(job):', '    asyncio.create_task(job())', '    yield 1'),
    ];
    for (const text of cases) assert.equal((await titles(text)).includes(TASK_GROUP), false, text);
  });
});

describe('Python version of the project', () => {
  it('reads the lower bound of requires-python and .python-version', () => {
    assert.deepEqual(minimumPythonFromPyproject('[project]\nname = "x"\nrequires-python = ">=3.9, <4"\n'), { major: 3, minor: 9 });
    assert.deepEqual(minimumPythonFromPyproject("requires-python = '~=3.11'"), { major: 3, minor: 11 });
    assert.deepEqual(minimumPythonFromPyproject('requires-python = ">3.10,>=3.8"'), { major: 3, minor: 11 });
    assert.equal(minimumPythonFromPyproject('requires-python = "<4"'), undefined);
    assert.equal(minimumPythonFromPyproject('[project]\nname = "x"\n'), undefined);
    assert.deepEqual(pythonFromVersionFile('3.12.1\n3.8\n'), { major: 3, minor: 12 });
    assert.equal(pythonFromVersionFile('system'), undefined);
  });

  it('looks for them from the file\'s directory up to the workspace folder, nearest first', () => {
    assert.deepEqual(projectDirectoriesOf('/ws/services/api/app/main.py', '/ws'), ['/ws/services/api/app', '/ws/services/api', '/ws/services', '/ws']);
    assert.deepEqual(projectDirectoriesOf('/ws/main.py', '/ws/'), ['/ws']);
    assert.deepEqual(projectDirectoriesOf('/c:/ws/pkg/x.py', '/c:/ws'), ['/c:/ws/pkg', '/c:/ws']);
    assert.deepEqual(projectDirectoriesOf('/ws2/x.py', '/ws'), ['/ws2'], 'a file outside the folder: its own directory only');
    assert.deepEqual(projectDirectoriesOf('/a/b.py', '/'), ['/a', '/']);
  });
});

describe('Ignore on this line', () => {
  async function ignored(language: SourceLanguage, text: string): Promise<string> {
    const analysis = await analyze(language, text);
    const finding = analysis.findings[0];
    assert.ok(finding);
    const fix = ignoreOnLineFix(analysis.document, finding);
    assert.ok(fix);
    const after = applyEdits(text, fix.edits);
    const again = await analyze(language, after);
    assert.equal(again.findings.length, analysis.findings.length - 1, 'that finding is silenced');
    analysis.dispose();
    again.dispose();
    return after;
  }

  it('appends a comment, or extends an existing one', async () => {
    assert.equal(await ignored('python', lines('import time', 'async def f():', '    time.sleep(1)')), lines('import time', 'async def f():', '    time.sleep(1)  # concurrency-lens: ignore[py/blocking-sleep]'));
    assert.equal(
      await ignored('python', lines('import time', 'async def f():', '    time.sleep(1); input()  # concurrency-lens: ignore[py/blocking-sleep]')),
      lines('import time', 'async def f():', '    time.sleep(1); input()  # concurrency-lens: ignore[py/blocking-sleep, py/blocking-input]'),
    );
    assert.equal(await ignored('javascript', lines('async function f() {}', 'f();')), lines('async function f() {}', 'f(); // concurrency-lens: ignore[js/floating-promise]'));
  });

  it('offers both await and void in an async function', async () => {
    const analysis = await analyze('javascript', lines('async function save() {}', 'async function main() {', '  save();', '}'));
    assert.deepEqual(fixesFor(analysis.document, analysis.findings[0]!).map((fix) => [fix.title.en, fix.isPreferred]), [['Add await', true], ['Mark as intentionally not awaited (void)', false]]);
    analysis.dispose();
  });

  it('puts the comment above when the line ends inside a string', async () => {
    assert.equal(
      await ignored('python', lines('import time', 'async def f():', '    time.sleep(1); x = """a', 'b"""')),
      lines('import time', 'async def f():', '    # concurrency-lens: ignore[py/blocking-sleep]', '    time.sleep(1); x = """a', 'b"""'),
    );
  });
});
