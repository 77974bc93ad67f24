import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importSpecifiers, importedFacts, importedWords } from '../../src/core/analysis/crossFile';
import { onlyRules } from '../../src/core/analysis/configuration';
import { DocumentAnalysis } from '../../src/core/analysis/analyzer';
import { fixesFor } from '../../src/core/fixes/fixes';
import { MemoryWorkspace } from './helpers/workspace';
import { loader } from './helpers/syntax';

const DB = 'async def fetch(url):\n    return url\n\ndef parse(text):\n    return text\n';
const UNAWAITED = onlyRules(['py/unawaited-coroutine']);
const FLOATING = onlyRules(['js/floating-promise']);

/** Findings of `target` in a workspace of `files`. */
async function check(files: Record<string, string>, target: string, configuration = UNAWAITED): Promise<string[]> {
  return (await MemoryWorkspace.of(files)).findings(target, configuration);
}

describe('cross-file knowledge: Python imports', () => {
  it('a relative import of a coroutine function; a sync function beside it is not one', async () => {
    const files = { 'app/__init__.py': '', 'app/db.py': DB, 'app/main.py': 'from .db import fetch, parse\n\ndef main():\n    fetch("x")\n    parse("x")\n' };
    assert.deepEqual(await check(files, 'app/main.py'), ['4:py/unawaited-coroutine']);
  });

  it('an aliased import, and an awaited call is fine', async () => {
    const files = { 'app/__init__.py': '', 'app/db.py': DB, 'app/main.py': 'from .db import fetch as get\n\nasync def main():\n    get("x")\n    await get("y")\n' };
    assert.deepEqual(await check(files, 'app/main.py'), ['4:py/unawaited-coroutine']);
  });

  it('absolute imports from the package root: `from pkg.db import`, `import pkg.db`, `import pkg.db as db`', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/db.py': DB,
      'pkg/sub/__init__.py': '',
      'pkg/sub/jobs.py': 'from pkg.db import fetch\nimport pkg.db\nimport pkg.db as db\n\ndef run():\n    fetch(1)\n    pkg.db.fetch(2)\n    db.fetch(3)\n    db.parse(4)\n',
    };
    assert.deepEqual(await check(files, 'pkg/sub/jobs.py'), ['6:py/unawaited-coroutine', '7:py/unawaited-coroutine', '8:py/unawaited-coroutine']);
  });

  it('a submodule imported from its package: `from pkg import db`, `from . import db`', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/db.py': DB, 'pkg/a.py': 'from pkg import db\nfrom . import db as same\n\ndb.fetch(1)\nsame.fetch(2)\n' };
    assert.deepEqual(await check(files, 'pkg/a.py'), ['4:py/unawaited-coroutine', '5:py/unawaited-coroutine']);
  });

  it('re-exports through `__init__.py`: by name, and `from .db import *` limited by `__all__`', async () => {
    const byName = { 'pkg/__init__.py': 'from .db import fetch\n', 'pkg/db.py': DB, 'main.py': 'from pkg import fetch\nfetch(1)\n' };
    assert.deepEqual(await check(byName, 'main.py'), ['2:py/unawaited-coroutine']);
    const starred = { 'pkg/__init__.py': 'from .db import *\n', 'pkg/db.py': DB, 'main.py': 'import pkg\nfrom pkg import fetch\npkg.fetch(1)\nfetch(2)\n' };
    assert.deepEqual(await check(starred, 'main.py'), ['3:py/unawaited-coroutine', '4:py/unawaited-coroutine']);
    const limited = { ...starred, 'pkg/db.py': `__all__ = ["parse"]\n${DB}` };
    assert.deepEqual(await check(limited, 'main.py'), [], '__all__ does not list fetch');
    const private_ = { ...starred, 'pkg/db.py': 'async def _fetch():\n    pass\n', 'main.py': 'from pkg import _fetch\n_fetch()\n' };
    assert.deepEqual(await check(private_, 'main.py'), [], 'a star import takes no underscore names');
  });

  it('`from m import *` in the checked file; its own definition shadows the imported one', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/db.py': DB, 'pkg/a.py': 'from .db import *\nfetch(1)\n', 'pkg/b.py': 'from .db import *\n\ndef fetch(x):\n    pass\n\nfetch(1)\n' };
    assert.deepEqual(await check(files, 'pkg/a.py'), ['2:py/unawaited-coroutine']);
    assert.deepEqual(await check(files, 'pkg/b.py'), []);
  });

  it('a script importing a module of its own folder, a `src/` layout, and a namespace package (no `__init__.py`)', async () => {
    const files = {
      'scripts/helpers.py': DB,
      'scripts/run.py': 'import helpers\nhelpers.fetch(1)\n',
      'src/lib/__init__.py': '',
      'src/lib/db.py': DB,
      'tests/test_db.py': 'from lib.db import fetch\nfetch(1)\n',
      'ns/jobs.py': DB,
      'use_ns.py': 'from ns import jobs\nfrom ns.jobs import fetch\njobs.fetch(1)\nfetch(2)\n',
    };
    assert.deepEqual(await check(files, 'scripts/run.py'), ['2:py/unawaited-coroutine']);
    assert.deepEqual(await check(files, 'tests/test_db.py'), ['2:py/unawaited-coroutine']);
    assert.deepEqual(await check(files, 'use_ns.py'), ['3:py/unawaited-coroutine', '4:py/unawaited-coroutine']);
  });

  it('an absolute import inside a package is not a sibling module (`import subprocess` in a package with a subprocess.py)', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/subprocess.py': DB.replace('fetch', 'run'), 'pkg/a.py': 'import subprocess\nsubprocess.run(1)\nfrom . import subprocess as mine\nmine.run(2)\n' };
    assert.deepEqual(await check(files, 'pkg/a.py'), ['4:py/unawaited-coroutine']);
  });

  it('parent-relative imports `from ..util import`', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/util.py': DB, 'pkg/sub/__init__.py': '', 'pkg/sub/a.py': 'from ..util import fetch\nfetch(1)\n' };
    assert.deepEqual(await check(files, 'pkg/sub/a.py'), ['2:py/unawaited-coroutine']);
  });

  it('nothing for modules outside the workspace, missing relative modules, or a name the module lacks', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/db.py': DB, 'pkg/a.py': 'from aiohttp import request\nfrom .missing import fetch\nfrom .db import nothing\nrequest()\nfetch()\nnothing()\n' };
    assert.deepEqual(await check(files, 'pkg/a.py'), []);
  });

  it('a parameter or a nested definition shadowing the imported name', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/db.py': DB, 'pkg/a.py': 'from .db import fetch\nimport pkg.db as db\n\ndef f(fetch, db):\n    fetch(1)\n    db.fetch(2)\n' };
    assert.deepEqual(await check(files, 'pkg/a.py'), []);
  });

  it('an import cycle of re-exports ends (no answer, no finding)', async () => {
    const files = { 'pkg/__init__.py': '', 'pkg/a.py': 'from .b import fetch\n', 'pkg/b.py': 'from .a import fetch\n', 'pkg/c.py': 'from .a import fetch\nfetch()\n' };
    assert.deepEqual(await check(files, 'pkg/c.py'), []);
  });

  it('outside APIs re-exported by a workspace module keep their meaning: dangling task, blocking sleep', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/compat.py': 'import asyncio\nfrom asyncio import create_task\nfrom time import sleep as nap\nspawn = asyncio.ensure_future\n',
      'pkg/a.py': 'from .compat import create_task, spawn, nap\nfrom . import compat\n\nasync def main(coro):\n    create_task(coro)\n    spawn(coro)\n    compat.create_task(coro)\n    nap(1)\n',
    };
    assert.deepEqual(await check(files, 'pkg/a.py', {}), ['5:py/dangling-task', '6:py/dangling-task', '7:py/dangling-task', '8:py/blocking-sleep']);
    const starred = { ...files, 'pkg/b.py': 'from .compat import *\n\nasync def main(coro):\n    spawn(coro)\n    nap(1)\n' };
    assert.deepEqual(await check(starred, 'pkg/b.py', {}), ['4:py/dangling-task', '5:py/blocking-sleep']);
  });
});

describe('cross-file knowledge: JavaScript / TypeScript imports', () => {
  const API = 'export async function fetchData(id: string) { return id; }\nexport function parse(text: string) { return text; }\n';

  it('ES named imports of a TS module without extension; a sync export is not async', async () => {
    const files = { 'src/api.ts': API, 'src/main.ts': "import { fetchData, parse } from './api';\nfetchData('a');\nparse('b');\n" };
    assert.deepEqual(await check(files, 'src/main.ts', FLOATING), ['2:js/floating-promise']);
  });

  it('`./x.js` naming `x.ts`, a folder naming `index.ts`, a namespace import', async () => {
    const files = {
      'src/api.ts': API,
      'src/lib/index.ts': "export { fetchData as load } from '../api.js';\n",
      'src/main.ts': "import { fetchData } from './api.js';\nimport { load } from './lib';\nimport * as api from './api';\nfetchData('a');\nload('b');\napi.fetchData('c');\napi.parse('d');\n",
    };
    assert.deepEqual(await check(files, 'src/main.ts', FLOATING), ['4:js/floating-promise', '5:js/floating-promise', '6:js/floating-promise']);
  });

  it('default exports, `export *`, `export * as ns`, `export { x }` of a local async arrow', async () => {
    const files = {
      'load.js': 'export default async function load() {}\n',
      'impl.js': 'const save = async () => {};\nexport { save };\nexport const sync = () => 1;\n',
      'barrel.js': "export * from './impl.js';\nexport * as impl from './impl.js';\n",
      'main.js': "import load from './load.js';\nimport { save, sync, impl } from './barrel.js';\nload();\nsave();\nsync();\nimpl.save();\n",
    };
    assert.deepEqual(await check(files, 'main.js', FLOATING), ['3:js/floating-promise', '4:js/floating-promise', '6:js/floating-promise']);
  });

  it('CommonJS: `module.exports = { … }`, `exports.x = async …`, `module.exports = async function`', async () => {
    const files = {
      'api.js': 'async function fetchData() {}\nfunction parse() {}\nmodule.exports = { fetchData, parse, async save() {} };\n',
      'jobs.js': 'exports.run = async () => {};\nexports.stop = () => {};\n',
      'task.js': 'module.exports = async function task() {};\n',
      'main.js': "const { fetchData, parse, save } = require('./api');\nconst jobs = require('./jobs');\nconst task = require('./task');\nfetchData();\nparse();\nsave();\njobs.run();\njobs.stop();\ntask();\n",
    };
    assert.deepEqual(await check(files, 'main.js', FLOATING), ['4:js/floating-promise', '6:js/floating-promise', '7:js/floating-promise', '9:js/floating-promise']);
  });

  it('an outside API re-exported by a workspace module: sync I/O in an async function', async () => {
    const files = {
      'fsx.ts': "export { readFileSync } from 'node:fs';\nexport { execSync as run } from 'child_process';\n",
      'main.ts': "import { readFileSync, run } from './fsx';\nexport async function f() {\n  readFileSync('a');\n  run('ls');\n}\n",
    };
    assert.deepEqual(await check(files, 'main.ts', onlyRules(['js/sync-io-in-async'])), ['3:js/sync-io-in-async', '4:js/sync-io-in-async']);
  });

  it('an async function of another file that catches its own errors is fired and forgotten on purpose, as in its own file', async () => {
    const files = {
      'writer.js': 'export async function writeAll(stream, chunks) {\n  try {\n    for (const chunk of chunks) await stream.write(chunk);\n  } catch (error) {\n    stream.destroy(error);\n  }\n}\nexport async function writeOne(stream, chunk) {\n  await stream.write(chunk);\n}\n',
      'task.js': 'module.exports = async function run() {\n  try {\n    await work();\n  } catch (error) {\n    report(error);\n  }\n};\n',
      'main.js': "import { writeAll, writeOne } from './writer.js';\nconst run = require('./task');\nexport function start(stream) {\n  writeAll(stream, []);\n  writeOne(stream, 'a');\n  run();\n}\n",
    };
    assert.deepEqual(await check(files, 'main.js', FLOATING), ['5:js/floating-promise']);
  });

  it('nothing for bare package specifiers or a locally shadowed name', async () => {
    const files = { 'api.ts': API, 'main.ts': "import { fetchData as x } from 'some-package';\nimport { fetchData } from './api';\nx();\nfunction g(fetchData: () => void) {\n  fetchData();\n}\n" };
    assert.deepEqual(await check(files, 'main.ts', FLOATING), []);
  });
});

describe('cross-file facts', () => {
  it('name what they were read from, and which files were not known yet', async () => {
    const workspace = await MemoryWorkspace.of({ 'pkg/__init__.py': '', 'pkg/db.py': DB, 'pkg/a.py': 'from .db import fetch\nfrom .gone import x\n' });
    const summary = workspace.summaryOf('/ws/pkg/a.py');
    assert.ok(summary);
    const facts = importedFacts('/ws/pkg/a.py', summary, workspace);
    assert.deepEqual(facts.asyncFunctions, ['.db.fetch']);
    assert.deepEqual(facts.dependencies, ['/ws/pkg/db.py']);
    assert.deepEqual(facts.missing, []);
    const partial = importedFacts('/ws/pkg/a.py', summary, { ...workspace, pythonRoots: ['/ws'], isFile: (file) => workspace.isFile(file), summaryOf: () => undefined });
    assert.deepEqual(partial.asyncFunctions, []);
    assert.deepEqual(partial.missing, ['/ws/pkg/db.py']);
  });

  it('import specifiers read from the text include every import the parser sees', () => {
    const python = 'import a.b.c as d, e\nfrom . import x, y  # z\nfrom ..pkg.mod import (\n   f as g,\n   h,\n)\nimport q; import r\nfrom s \\\n   import t\n';
    const found = importSpecifiers(python, 'python');
    for (const specifier of ['a', 'a.b', 'a.b.c', 'e', '.', '.x', '.y', '..pkg.mod', '..pkg.mod.f', '..pkg.mod.h', 'q', 'r', 's', 's.t']) assert.ok(found.has(specifier), specifier);
    assert.ok(!found.has('.z'), 'comments are not names');
    const node = importSpecifiers("import x from './a';\nexport * from \"../b\";\nconst c = require('./c');\nimport('./d');\nimport 'fs';\nexport { k } from './e.js';\n", 'node');
    assert.deepEqual([...node].sort(), ['../b', './a', './c', './d', './e.js']);
  });

  it('words a file must contain to use what its imports bring: async names and renamed outside APIs, not same-name ones', async () => {
    const workspace = await MemoryWorkspace.of({
      'pkg/__init__.py': '',
      'pkg/db.py': DB,
      'pkg/compat.py': 'from asyncio import create_task\nfrom asyncio import ensure_future as spawn\n',
      'lib.js': 'export default async function () {}\n',
    });
    const python = importedWords('/ws/pkg/a.py', importSpecifiers('from .db import parse\nfrom .compat import *\n', 'python'), 'python', workspace);
    assert.deepEqual([...python.words].sort(), ['fetch', 'spawn']);
    assert.equal(python.anyUse, false);
    assert.equal(importedWords('/ws/main.js', importSpecifiers("import whatever from './lib.js';\n", 'node'), 'node', workspace).anyUse, true, 'an async default export can be used under any name');
  });
});

describe('cross-file knowledge in the other rules', () => {
  const only = (...rules: Parameters<typeof onlyRules>[0]): ReturnType<typeof onlyRules> => onlyRules(rules);

  it('py/swallowed-cancellation: `CancelledError` re-exported by a workspace module is asyncio\'s, or concurrent.futures\' (not a cancellation of the coroutine)', async () => {
    const handler = 'async def main(job):\n    try:\n        await job()\n    except CancelledError:\n        pass\n';
    const files = {
      'pkg/__init__.py': '',
      'pkg/compat.py': 'from asyncio import CancelledError\n',
      'pkg/futures_compat.py': 'from concurrent.futures import CancelledError\n',
      'pkg/a.py': `from .compat import CancelledError\n\n${handler}`,
      'pkg/b.py': `from .futures_compat import CancelledError\n\n${handler}`,
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/swallowed-cancellation')), ['6:py/swallowed-cancellation']);
    assert.deepEqual(await check(files, 'pkg/b.py', only('py/swallowed-cancellation')), []);
  });

  it('py/lost-future-exception: an executor another module creates; its `run_coroutine_threadsafe` re-exported; not a pool of unknown class', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/pools.py': 'from concurrent.futures import ThreadPoolExecutor\nfrom asyncio import run_coroutine_threadsafe as submit_to_loop\n\nworkers = ThreadPoolExecutor(4)\nqueue = make_queue()\n',
      'pkg/a.py': 'from .pools import workers, queue, submit_to_loop\n\ndef start(job, coro, loop):\n    workers.submit(job)\n    queue.submit(job)\n    submit_to_loop(coro, loop)\n',
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/lost-future-exception')), ['4:py/lost-future-exception', '6:py/lost-future-exception']);
  });

  it('py/nested-event-loop: `asyncio.run` re-exported by a workspace module; a workspace function named `run` is not it', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/compat.py': 'from asyncio import run\n',
      'pkg/tasks.py': 'def run(job):\n    return job\n',
      'pkg/a.py': 'from .compat import run\n\nasync def main(coro):\n    run(coro)\n',
      'pkg/b.py': 'from .tasks import run\n\nasync def main(coro):\n    run(coro)\n',
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/nested-event-loop')), ['4:py/nested-event-loop']);
    assert.deepEqual(await check(files, 'pkg/b.py', only('py/nested-event-loop')), []);
  });

  it('py/nested-event-loop: a sync function of another module that starts an event loop, called from a coroutine (by name, through a module, a re-export); not from sync code, not a shadowing parameter, not a helper whose loop runs in a thread', async () => {
    const files = {
      'pkg/__init__.py': 'from .helpers import run_sync\n',
      'pkg/helpers.py': 'import asyncio\nimport threading\n\ndef run_sync(coro):\n    return asyncio.run(coro)\n\ndef in_thread(coro):\n    def target():\n        asyncio.run(coro)\n    threading.Thread(target=target).start()\n\ndef plain(x):\n    return x\n',
      'pkg/a.py': 'from .helpers import run_sync, in_thread, plain\nfrom . import helpers\nimport pkg\n\nasync def main(coro):\n    run_sync(coro)\n    helpers.run_sync(coro)\n    pkg.run_sync(coro)\n    in_thread(coro)\n    plain(coro)\n\ndef sync_main(coro):\n    run_sync(coro)\n\nasync def other(coro, run_sync):\n    run_sync(coro)\n',
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/nested-event-loop')), ['6:py/nested-event-loop', '7:py/nested-event-loop', '8:py/nested-event-loop']);
  });

  it('py/nested-event-loop: "Await it instead" only for asyncio.run itself, not for a helper of another file (it may do more than run its argument)', async () => {
    const workspace = await MemoryWorkspace.of({
      'pkg/__init__.py': '',
      'pkg/helpers.py': 'import asyncio\n\ndef run_sync(coro):\n    return asyncio.run(coro)\n',
      'pkg/a.py': 'import asyncio\nfrom .helpers import run_sync\n\nasync def main(make):\n    run_sync(make())\n    asyncio.run(make())\n',
    });
    const file = '/ws/pkg/a.py';
    const analysis = DocumentAnalysis.ofText(await loader.createParser('python'), 'python', workspace.texts.get(file) ?? '', only('py/nested-event-loop'), workspace.context(file));
    const titles = analysis.findings.map((finding) => fixesFor(analysis.document, finding).map((fix) => fix.title.en));
    analysis.dispose();
    assert.deepEqual(titles, [[], ['Await it instead']]);
  });

  it('py/sync-wait-in-async: a threading lock and a queue.Queue another module creates, directly and through `from m import *`; not an asyncio lock', async () => {
    const body = 'async def main(job):\n    item = jobs.get()\n    with lock:\n        await job(item)\n';
    const files = {
      'pkg/__init__.py': '',
      'pkg/state.py': 'import queue\nimport threading\n\nlock = threading.Lock()\njobs = queue.Queue()\n',
      'pkg/loop_state.py': 'import asyncio\n\nlock = asyncio.Lock()\njobs = asyncio.Queue()\n',
      'pkg/a.py': `from .state import lock, jobs\n\n${body}`,
      'pkg/b.py': `from .state import *\n\n${body}`,
      'pkg/c.py': `from .loop_state import lock, jobs\n\n${body}`,
    };
    const rule = only('py/sync-wait-in-async');
    assert.deepEqual(await check(files, 'pkg/a.py', rule), ['4:py/sync-wait-in-async', '5:py/sync-wait-in-async']);
    assert.deepEqual(await check(files, 'pkg/b.py', rule), ['4:py/sync-wait-in-async', '5:py/sync-wait-in-async']);
    assert.deepEqual(await check(files, 'pkg/c.py', rule), []);
  });

  it('py/sync-wait-in-async and py/lost-future-exception through the module object: `from . import state`, `import pkg.state`, `import pkg.state as st`; not when a function rebinds the name', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/state.py': 'import threading\nfrom concurrent.futures import ThreadPoolExecutor\n\nlock = threading.Lock()\npool = ThreadPoolExecutor()\n',
      'pkg/a.py': 'from . import state\nimport pkg.state\nimport pkg.state as st\n\nasync def main(job):\n    with state.lock:\n        await job()\n    pkg.state.lock.acquire()\n    st.pool.submit(job)\n\nasync def other(state, job):\n    with state.lock:\n        await job()\n',
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/sync-wait-in-async')), ['6:py/sync-wait-in-async', '8:py/sync-wait-in-async']);
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/lost-future-exception')), ['9:py/lost-future-exception']);
  });

  it('py/blocking-file-io: a module-level `Path` of another module; not a string setting', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/settings.py': 'import os\nfrom pathlib import Path\n\nROOT = Path(__file__).parent\nNAME = os.environ["NAME"]\n',
      'pkg/a.py': 'from .settings import ROOT, NAME\n\nasync def load():\n    text = (ROOT / "config.toml").read_text()\n    NAME.strip()\n    return text\n',
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/blocking-file-io')), ['4:py/blocking-file-io']);
  });

  it('await-in-loop: a coroutine function of another module awaited per item; a pause re-exported by a workspace module is left alone', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/db.py': DB,
      'pkg/compat.py': 'from asyncio import sleep as pause\n',
      'pkg/a.py': 'from .db import fetch\nfrom .compat import pause\n\nasync def main(urls):\n    for url in urls:\n        await fetch(url)\n    for url in urls:\n        await pause(url)\n',
      'web/delay.ts': "export { setTimeout as delay } from 'node:timers/promises';\n",
      'web/main.ts': "import { delay } from './delay';\nexport async function poll(ids: string[]) {\n  for (const id of ids) {\n    await delay(id.length);\n  }\n}\n",
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/await-in-loop')), ['6:py/await-in-loop']);
    assert.deepEqual(await check(files, 'web/main.ts', only('js/await-in-loop')), []);
  });

  it('dangling-task and sync-io-in-async through a module object: `import pkg.compat as c`, `import * as fsx`', async () => {
    const files = {
      'pkg/__init__.py': '',
      'pkg/compat.py': 'from asyncio import ensure_future as spawn\n',
      'pkg/a.py': 'import pkg.compat as c\n\nasync def main(coro):\n    c.spawn(coro)\n',
      'fsx.ts': "export { readFileSync as read } from 'node:fs';\n",
      'main.ts': "import * as fsx from './fsx';\nexport async function f() {\n  fsx.read('a');\n}\n",
    };
    assert.deepEqual(await check(files, 'pkg/a.py', only('py/dangling-task')), ['4:py/dangling-task']);
    assert.deepEqual(await check(files, 'main.ts', only('js/sync-io-in-async')), ['3:js/sync-io-in-async']);
  });
});
