/**
 * `npm run check:prefilter`: the proof that `check`'s pre-filter loses nothing. On the corpora of
 * the precision figures — the asyncio, concurrent and multiprocessing packages and their tests of
 * every Python 3 in pyenv, and the project's node_modules — `check` runs with and without the
 * pre-filter (no cache); the two JSON reports must be identical. Prints, per corpus, the files,
 * lines, findings and how many files the pre-filter left unparsed; exits 1 on any difference.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'concurrency-lens.js');
const PYENV = '/root/.pyenv/versions';
const PYTHON_PARTS = ['asyncio', 'concurrent', 'multiprocessing', 'test/test_asyncio', 'test/test_concurrent_futures', 'test/test_concurrent_futures.py', 'test/_test_multiprocessing.py'];

function corpora(): [string, string[]][] {
  const found: [string, string[]][] = [];
  for (const version of existsSync(PYENV) ? readdirSync(PYENV).filter((name) => name.startsWith('3.')).sort() : []) {
    const lib = path.join(PYENV, version, 'lib', `python${version.split('.').slice(0, 2).join('.')}`);
    const paths = PYTHON_PARTS.map((part) => path.join(lib, part)).filter((part) => existsSync(part));
    if (paths.length > 0) found.push([`Python ${version}`, paths]);
  }
  found.push(['node_modules', [path.join(ROOT, 'node_modules')]]);
  return found;
}

function check(paths: readonly string[], extra: readonly string[]): { report: string; statistics: string } {
  const result = spawnSync(process.execPath, [CLI, 'check', ...paths, '--no-cache', '--format', 'json', '--statistics', ...extra], { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`check failed (${result.status ?? result.signal}): ${result.stderr}`);
  return { report: result.stdout, statistics: /concurrency-lens: (\d+ file.*)$/m.exec(result.stderr)?.[1] ?? '?' };
}

let different = 0;
for (const [name, paths] of corpora()) {
  const filtered = check(paths, []);
  const unfiltered = check(paths, ['--no-prefilter']);
  const findings = (JSON.parse(filtered.report) as { findings: unknown[] }).findings.length;
  const same = filtered.report === unfiltered.report;
  if (!same) different += 1;
  console.log(`${same ? 'identical' : 'DIFFERENT'}: ${name}: ${findings} findings; with the pre-filter ${filtered.statistics}; without: ${unfiltered.statistics}`);
}
process.exitCode = different > 0 ? 1 : 0;
