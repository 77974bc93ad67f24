import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_MAX_FILE_SIZE, parseArguments } from '../../src/cli/arguments';
import { RULE_IDS } from '../../src/core/analysis/types';
import { ResultCache } from '../../src/cli/cache';
import { FileChangedError, RACY_MARGIN_MS, SourceTexts, isRacy } from '../../src/cli/sources';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'concurrency-lens.js');
const fixtures = 'test/fixtures/analysis';

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return runIn(root, ...args);
}

function runIn(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function buildOnce(): void {
  if (!existsSync(cli) || !existsSync(path.join(root, 'dist', 'wasm', 'tree-sitter.wasm'))) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
}

interface JsonReport {
  version: number;
  findings: { file: string; line: number; column: number; endLine: number; endColumn: number; rule: string; severity: string; message: string; related: string[] }[];
}

describe('CLI arguments', () => {
  const defaults = { cacheDirectory: '.concurrency-lens-cache', prefilter: true, jobs: undefined, statistics: false, maxFileSize: DEFAULT_MAX_FILE_SIZE };

  it('parses check with paths, format and rules (also --flag=value)', () => {
    assert.deepEqual(parseArguments(['check', 'a', '--format', 'json', '--rules=py/blocking-sleep,js/floating-promise', 'b']), {
      command: 'check', paths: ['a', 'b'], format: 'json', rules: ['py/blocking-sleep', 'js/floating-promise'], ...defaults,
    });
    assert.deepEqual(parseArguments(['check']), { command: 'check', paths: ['.'], format: 'text', rules: undefined, ...defaults });
  });

  it('parses the cache, worker, size and pre-filter options', () => {
    assert.deepEqual(parseArguments(['check', '--cache-dir', '/tmp/c', '--jobs=3', '--max-file-size', '1000', '--no-prefilter', '--statistics']), {
      command: 'check', paths: ['.'], format: 'text', rules: undefined, cacheDirectory: '/tmp/c', prefilter: false, jobs: 3, statistics: true, maxFileSize: 1000,
    });
    assert.equal((parseArguments(['check', '--no-cache']) as { cacheDirectory: unknown }).cacheDirectory, undefined);
  });

  it('rejects bad usage with a reason', () => {
    for (const argv of [['lint'], ['check', '--format', 'xml'], ['check', '--rules', 'py/nope'], ['check', '--rules'], ['check', '--fast'], ['check', '--jobs', '0'], ['check', '--jobs', 'many'], ['check', '--cache-dir'], ['check', '--max-file-size', '-1']]) {
      const parsed = parseArguments(argv);
      assert.equal(parsed.command, 'error', argv.join(' '));
    }
  });
});

describe('CLI (bundled bin/concurrency-lens.js)', () => {
  before(buildOnce);

  it('text: one line per finding, exit code 1', () => {
    const { code, stdout } = run('check', `${fixtures}/tasks.py`);
    assert.equal(code, 1);
    assert.match(stdout, /^test\/fixtures\/analysis\/tasks\.py:12:5: error \[py\/unawaited-coroutine\] `fetch\(\.\.\.\)` creates a coroutine/m);
    assert.match(stdout, /^12 finding\(s\) in 1 of 1 file\(s\)\.$/m);
  });

  it('json: the documented shape with 1-based positions at the call', () => {
    const { code, stdout } = run('check', `${fixtures}/node.ts`, '--format', 'json', '--rules', 'js/sync-io-in-async');
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as JsonReport;
    assert.equal(report.version, 1);
    assert.equal(report.findings.length, 7);
    assert.deepEqual(report.findings[0], {
      file: 'test/fixtures/analysis/node.ts', line: 11, column: 13, endLine: 11, endColumn: 42, rule: 'js/sync-io-in-async', severity: 'warning',
      message: '`fs.readFileSync` blocks the event loop until it finishes. Use the promise API with `await`.', related: ['n/no-sync'],
    });
    for (const finding of report.findings) assert.deepEqual(Object.keys(finding), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'related']);
  });

  it('sarif: a valid SARIF 2.1.0 log whose results point at rules of the driver', () => {
    const { code, stdout } = run('check', fixtures, '--format', 'sarif');
    assert.equal(code, 1);
    const log = JSON.parse(stdout) as {
      version: string; $schema: string;
      runs: { tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[] } }; columnKind: string; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[] }[] }[];
    };
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const [run0] = log.runs;
    assert.ok(run0);
    assert.equal(run0.tool.driver.name, 'Concurrency Lens');
    assert.deepEqual(run0.tool.driver.rules.map((rule) => rule.id), [...RULE_IDS]);
    assert.equal(run0.columnKind, 'utf16CodeUnits');
    assert.ok(run0.results.length > 40);
    const levels = new Set(['none', 'note', 'warning', 'error']);
    for (const result of run0.results) {
      assert.equal(run0.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
      assert.ok(levels.has(result.level));
      assert.ok(result.message.text.length > 0);
      const [location] = result.locations;
      assert.match(location?.physicalLocation.artifactLocation.uri ?? '', /^test\/fixtures\/analysis\/[\w.]+$/);
      const region = location?.physicalLocation.region;
      assert.ok(region && region.startLine >= 1 && region.startColumn >= 1 && (region.endLine > region.startLine || region.endColumn > region.startColumn));
    }
  });

  it('exit code 0 and a summary when there is nothing to report', () => {
    const { code, stdout } = run('check', `${fixtures}/guarded.py`);
    assert.equal(code, 0);
    assert.equal(stdout, 'No concurrency findings in 1 file(s).\n');
  });

  it('exit code 2 on bad usage and on missing paths, with a message on stderr', () => {
    for (const args of [['check', '--format', 'xml'], ['frobnicate'], ['check', 'no/such/path.py']]) {
      const { code, stderr, stdout } = run(...args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /^concurrency-lens: /);
      assert.equal(stdout, '');
    }
  });
});

/** `concurrency-lens: N file(s), …` of --statistics, as numbers. */
function statistics(stderr: string): { files: number; analysed: number; ruledOut: number; cached: number; parsedForSummary: number; threads: number } {
  const match = /(\d+) file\(s\), \d+ line\(s\): (\d+) analysed, (\d+) ruled out by the pre-filter, (\d+) from the cache; (\d+) imported module\(s\) parsed for their summary; (\d+) thread/.exec(stderr);
  assert.ok(match, stderr);
  const [files, analysed, ruledOut, cached, parsedForSummary, threads] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  return { files, analysed, ruledOut, cached, parsedForSummary, threads };
}

/** A project folder of its own for each test (the CLI runs in it: its cache lands there). */
function project(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'concurrency-lens-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

function findingLines(stdout: string): string[] {
  return (JSON.parse(stdout) as JsonReport).findings.map((finding) => `${finding.file}:${finding.line}:${finding.rule}`);
}

describe('CLI across files, with the cache, the pre-filter and worker threads', () => {
  const folders: string[] = [];
  const make = (files: Record<string, string>): string => {
    const folder = project(files);
    folders.push(folder);
    return folder;
  };
  before(buildOnce);
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  const APP = {
    'app/__init__.py': '',
    'app/db.py': 'def fetch(url):\n    return url\n',
    'app/jobs.py': 'from .db import fetch\n\n\ndef run():\n    fetch("x")\n',
    'app/other.py': 'import asyncio\n\n\nasync def main():\n    asyncio.sleep(1)\n',
  };

  it('a finding from another file appears when that file changes, and the cache reuses everything else', () => {
    const folder = make({
      ...APP,
      'app/db.py': 'async def fetch(url):\n    return url\n\n\ndef parse(text):\n    return text\n',
      'app/jobs.py': 'from .db import parse\n\n\nasync def run():\n    parse("x")\n',
    });
    const first = runIn(folder, 'check', '.', '--format', 'json', '--statistics');
    assert.deepEqual(findingLines(first.stdout), ['app/other.py:5:py/unawaited-coroutine']);
    assert.deepEqual(statistics(first.stderr), { files: 4, analysed: 3, ruledOut: 1, cached: 0, parsedForSummary: 0, threads: 1 });
    assert.ok(existsSync(path.join(folder, '.concurrency-lens-cache', 'CACHEDIR.TAG')));
    assert.equal(readFileSync(path.join(folder, '.concurrency-lens-cache', '.gitignore'), 'utf8').trim().split('\n').at(-1), '*');

    const again = runIn(folder, 'check', '.', '--format', 'json', '--statistics');
    assert.equal(again.stdout, first.stdout, 'same findings from the cache');
    assert.deepEqual(statistics(again.stderr), { files: 4, analysed: 0, ruledOut: 1, cached: 3, parsedForSummary: 0, threads: 0 });

    // The module's body changes, not what it offers: only it is analysed again.
    writeFileSync(path.join(folder, 'app/db.py'), 'async def fetch(url):\n    return url * 2\n\n\ndef parse(text):\n    return text\n');
    assert.deepEqual(statistics(runIn(folder, 'check', '.', '--statistics').stderr), { files: 4, analysed: 1, ruledOut: 1, cached: 2, parsedForSummary: 0, threads: 1 });

    // `parse` becomes a coroutine function: jobs.py, unchanged, now drops a coroutine.
    writeFileSync(path.join(folder, 'app/db.py'), 'async def fetch(url):\n    return url\n\n\nasync def parse(text):\n    return text\n');
    const changed = runIn(folder, 'check', '.', '--format', 'json', '--statistics');
    assert.deepEqual(findingLines(changed.stdout), ['app/jobs.py:5:py/unawaited-coroutine', 'app/other.py:5:py/unawaited-coroutine']);
    assert.deepEqual(statistics(changed.stderr), { files: 4, analysed: 2, ruledOut: 1, cached: 1, parsedForSummary: 0, threads: 1 });
  });

  it('a file whose module comes later in the run waits for the cached summary of that module, and comes from the cache too', () => {
    const folder = make({ 'pkg/__init__.py': '', 'pkg/a.py': 'from .z import f\n\n\nasync def g():\n    f()\n', 'pkg/z.py': 'async def f():\n    pass\n' });
    const first = runIn(folder, 'check', '.', '--statistics');
    assert.match(first.stdout, /pkg\/a\.py:5:5: error \[py\/unawaited-coroutine\]/);
    assert.deepEqual(statistics(runIn(folder, 'check', '.', '--statistics').stderr), { files: 3, analysed: 0, ruledOut: 1, cached: 2, parsedForSummary: 0, threads: 0 });
  });

  it('the cache keys on the rule configuration, lives where --cache-dir says, and --no-cache leaves no trace', () => {
    const folder = make(APP);
    const elsewhere = path.join(folder, 'elsewhere');
    runIn(folder, 'check', '.', '--cache-dir', elsewhere);
    assert.ok(readdirSync(elsewhere).includes('CACHEDIR.TAG'));
    assert.ok(!existsSync(path.join(folder, '.concurrency-lens-cache')));
    const filtered = runIn(folder, 'check', '.', '--cache-dir', elsewhere, '--rules', 'py/dangling-task', '--format', 'json', '--statistics');
    assert.deepEqual(findingLines(filtered.stdout), []);
    assert.equal(statistics(filtered.stderr).cached, 0, 'other rules, other entries');
    const uncached = make(APP);
    runIn(uncached, 'check', '.', '--no-cache');
    assert.deepEqual(readdirSync(uncached).sort(), ['app']);
  });

  it('the pre-filter leaves files with no trigger word unparsed, and finds what they import from other files all the same', () => {
    const folder = make({
      ...APP,
      'app/db.py': 'async def fetch(url):\n    return url\n',
      'app/plain.py': 'def add(a, b):\n    return a + b\n',
      'web/api.ts': 'export async function load(id: string) { return id; }\n',
      'web/main.ts': "import { load } from './api';\n\nexport function start(): void {\n  load('a');\n}\n",
    });
    const filtered = runIn(folder, 'check', '.', '--no-cache', '--format', 'json', '--statistics');
    const unfiltered = runIn(folder, 'check', '.', '--no-cache', '--format', 'json', '--statistics', '--no-prefilter');
    assert.equal(filtered.stdout, unfiltered.stdout);
    assert.deepEqual(findingLines(filtered.stdout), ['app/jobs.py:5:py/unawaited-coroutine', 'app/other.py:5:py/unawaited-coroutine', 'web/main.ts:4:js/floating-promise']);
    assert.ok(statistics(filtered.stderr).ruledOut >= 2, 'app/__init__.py and app/plain.py are not parsed');
    assert.equal(statistics(unfiltered.stderr).ruledOut, 0);
  });

  it('a file that the trigger word of another rule lets through still gets every rule for what it imports from other files', () => {
    const folder = make({
      ...APP,
      'app/db.py': 'async def fetch(url):\n    return url\n',
      // `Process` lets py/fork-with-threads through, not py/unawaited-coroutine (no `async` here).
      'app/spawner.py': 'from multiprocessing import Process\nfrom .db import fetch\n\n\ndef start():\n    fetch("y")\n    Process(target=print).start()\n',
      // `async` lets the coroutine rules through, not py/nested-event-loop (no `run` here).
      'app/loops.py': 'import asyncio\n\n\ndef run_sync(coro):\n    return asyncio.run(coro)\n',
      'app/caller.py': 'from .loops import run_sync\n\n\nasync def main(coro):\n    run_sync(coro)\n',
    });
    const filtered = runIn(folder, 'check', '.', '--no-cache', '--format', 'json');
    assert.equal(filtered.stdout, runIn(folder, 'check', '.', '--no-cache', '--format', 'json', '--no-prefilter').stdout);
    assert.ok(findingLines(filtered.stdout).includes('app/spawner.py:6:py/unawaited-coroutine'));
    assert.ok(findingLines(filtered.stdout).includes('app/caller.py:5:py/nested-event-loop'));
  });

  it('the pre-filter and worker threads change nothing on the fixtures', () => {
    const outputs = [[], ['--no-prefilter'], ['--jobs', '2'], ['--jobs', '3', '--no-prefilter']].map((extra) => run('check', fixtures, '--no-cache', '--format', 'json', ...extra));
    for (const output of outputs.slice(1)) assert.equal(output.stdout, outputs[0]?.stdout);
    const threads = statistics(run('check', fixtures, '--no-cache', '--jobs', '2', '--statistics').stderr).threads;
    assert.equal(threads, 2);
  });

  it('a require of a JSON file (which resolution also tries as a folder) is no error', () => {
    const folder = make({
      'package.json': '{ "name": "app", "version": "1.0.0" }\n',
      'lib/meta.js': "const { version } = require('../package.json');\n\nasync function send() { return version; }\n\nfunction start() {\n  send();\n}\n\nmodule.exports = { start };\n",
    });
    const result = runIn(folder, 'check', '.', '--no-cache', '--format', 'json');
    assert.equal(result.stderr, '');
    assert.deepEqual(findingLines(result.stdout), ['lib/meta.js:6:js/floating-promise']);
  });

  it('files over --max-file-size are named on stderr, not checked', () => {
    const folder = make({ 'big.py': `import time\n\nasync def f():\n    time.sleep(1)\n${'# padding\n'.repeat(100)}`, 'small.py': 'x = 1\n' });
    const result = runIn(folder, 'check', '.', '--no-cache', '--max-file-size', '500');
    assert.equal(result.code, 0);
    assert.match(result.stderr, /not checked, larger than 500 bytes \(--max-file-size\): big\.py/);
  });
});

describe('CLI cache: files unchanged since the cache noted them are not read, and a changed one is never taken for unchanged', () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  before(buildOnce);

  /** A project whose files were last modified long ago (a stamp is only noted for a file that did not change just before the run). */
  const oldProject = (files: Record<string, string>): string => {
    const folder = project(files);
    folders.push(folder);
    for (const name of Object.keys(files)) utimesSync(path.join(folder, name), LONG_AGO, LONG_AGO);
    return folder;
  };
  const check = (folder: string): { findings: string[]; statistics: ReturnType<typeof statistics>; read: number } => {
    const result = runIn(folder, 'check', '.', '--format', 'json', '--statistics');
    return { findings: findingLines(result.stdout), statistics: statistics(result.stderr), read: filesRead(result.stderr) };
  };
  /** `replacement` padded with a comment to the length of `original`. */
  const sameSize = (original: string, replacement: string): string => {
    const padded = `${replacement}#${'x'.repeat(original.length - replacement.length - 2)}\n`;
    assert.equal(padded.length, original.length);
    return padded;
  };
  // Comments leave room for edits of the same size.
  const APP = {
    'app/__init__.py': '',
    'app/db.py': 'def fetch(url):\n    return url\n# room for an edit\n',
    'app/jobs.py': 'from .db import fetch\n\n\ndef run():\n    fetch("x")\n',
    'app/other.py': 'import asyncio\n\n\nasync def main():\n    asyncio.sleep(1)\n# room for an edit\n',
  };

  it('a second run reads no file; an edit of the same size that keeps the modification time is found (by the change time)', () => {
    const folder = oldProject(APP);
    const first = check(folder);
    assert.deepEqual(first.findings, ['app/other.py:5:py/unawaited-coroutine']);
    assert.equal(first.read, 4);
    const second = check(folder);
    assert.deepEqual(second.findings, first.findings);
    assert.equal(second.read, 0, 'every stamp is unchanged');
    assert.equal(second.statistics.cached, 1);

    const file = path.join(folder, 'app/other.py');
    const before = statSync(file);
    writeFileSync(file, sameSize(APP['app/other.py'], 'import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n'));
    utimesSync(file, before.atime, before.mtime);
    const after = statSync(file);
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs, 'same modification time');
    const edited = check(folder);
    assert.deepEqual(edited.findings, [], 'the edit is seen');
    assert.equal(edited.read, 1);
    assert.deepEqual(check(folder).findings, []);
  });

  it('a file touched without change is read again and its cached findings still hold', () => {
    const folder = oldProject(APP);
    const first = check(folder);
    const now = new Date();
    utimesSync(path.join(folder, 'app/other.py'), now, now);
    const touched = check(folder);
    assert.deepEqual(touched.findings, first.findings);
    assert.equal(touched.read, 1);
    assert.deepEqual({ analysed: touched.statistics.analysed, cached: touched.statistics.cached }, { analysed: 0, cached: 1 });
  });

  it('a file replaced by a rename (same size, same times) is read again', () => {
    const folder = oldProject(APP);
    assert.deepEqual(check(folder).findings, ['app/other.py:5:py/unawaited-coroutine']);
    const file = path.join(folder, 'app/other.py');
    const replacement = path.join(folder, 'app/other.py.new');
    writeFileSync(replacement, sameSize(APP['app/other.py'], 'import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n'));
    utimesSync(replacement, LONG_AGO, LONG_AGO);
    renameSync(replacement, file);
    const replaced = check(folder);
    assert.deepEqual(replaced.findings, []);
    assert.equal(replaced.read, 1);
  });

  it('an imported module edited (same size and modification time) changes the findings of the unchanged file that imports it', () => {
    const folder = oldProject(APP);
    assert.deepEqual(check(folder).findings, ['app/other.py:5:py/unawaited-coroutine']);
    assert.equal(check(folder).read, 0);
    const file = path.join(folder, 'app/db.py');
    writeFileSync(file, sameSize(APP['app/db.py'], 'async def fetch(u):\n    return u\n'));
    utimesSync(file, LONG_AGO, LONG_AGO);
    const edited = check(folder);
    assert.deepEqual(edited.findings, ['app/jobs.py:5:py/unawaited-coroutine', 'app/other.py:5:py/unawaited-coroutine']);
    assert.ok(edited.read >= 1);
    assert.deepEqual(check(folder).findings, edited.findings, 'and from the cache again');
  });

  it('a module outside the checked paths that appears, then changes (same size and modification time), changes the findings of a file that imports it', () => {
    const folder = oldProject({ ...APP, 'app/jobs.py': 'from lib.db import fetch\n\n\ndef run():\n    fetch("x")\n' });
    const checkApp = (): ReturnType<typeof check> => {
      const result = runIn(folder, 'check', 'app', '--format', 'json', '--statistics');
      return { findings: findingLines(result.stdout), statistics: statistics(result.stderr), read: filesRead(result.stderr) };
    };
    assert.deepEqual(checkApp().findings, ['app/other.py:5:py/unawaited-coroutine']);
    assert.equal(checkApp().read, 0);
    const module = path.join(folder, 'lib/db.py');
    mkdirSync(path.dirname(module));
    writeFileSync(module, 'async def fetch(url):\n    return url\n# room for an edit\n');
    utimesSync(module, LONG_AGO, LONG_AGO);
    assert.deepEqual(checkApp().findings, ['app/jobs.py:5:py/unawaited-coroutine', 'app/other.py:5:py/unawaited-coroutine'], 'lib/db.py now exists');
    assert.equal(checkApp().read, 0);
    writeFileSync(module, sameSize('async def fetch(url):\n    return url\n# room for an edit\n', 'def fetch(url):\n    return url\n'));
    utimesSync(module, LONG_AGO, LONG_AGO);
    assert.deepEqual(checkApp().findings, ['app/other.py:5:py/unawaited-coroutine'], 'lib/db.py changed');
  });

  it('a file changed just before a run is read again by the next run (its stamp could not tell a change in the same tick)', () => {
    const folder = project(APP);
    folders.push(folder);
    assert.equal(check(folder).read, 4);
    assert.equal(check(folder).read, 4);
  });

  it('stamps: racy when both times lie within the margin before the run; a read that finds another content than the stamp said fails', () => {
    const startedAt = Date.now();
    assert.equal(isRacy({ mtimeMs: startedAt - 10, ctimeMs: startedAt - 10 }, startedAt), true);
    assert.equal(isRacy({ mtimeMs: startedAt - RACY_MARGIN_MS - 1, ctimeMs: startedAt - 10 }, startedAt), false, 'an edit moves both times: one old time is enough');
    assert.equal(isRacy({ mtimeMs: startedAt - RACY_MARGIN_MS - 1, ctimeMs: startedAt - RACY_MARGIN_MS - 1 }, startedAt), false);

    const folder = oldProject({ 'a.py': 'x = 1\n' });
    const file = path.join(folder, 'a.py');
    const cacheDirectory = path.join(folder, 'cache');
    const first = ResultCache.open(cacheDirectory, 'test', [folder], {});
    const reading = new SourceTexts(first, true, Date.now());
    const hash = reading.hash(file);
    assert.equal(reading.reads, 1);
    first.save();
    const trusting = new SourceTexts(ResultCache.open(cacheDirectory, 'test', [folder], {}), true, Date.now());
    assert.equal(trusting.hash(file), hash);
    assert.equal(trusting.reads, 0, 'known from the stamp');
    writeFileSync(file, 'x = 2\n');
    assert.throws(() => trusting.text(file), FileChangedError);
  });
});

/** 1 January 2020: long before any run. */
const LONG_AGO = new Date(Date.UTC(2020, 0, 1));

/** `N file(s) read` of --statistics. */
function filesRead(stderr: string): number {
  const match = /(\d+) file\(s\) read/.exec(stderr);
  assert.ok(match, stderr);
  return Number(match[1]);
}
