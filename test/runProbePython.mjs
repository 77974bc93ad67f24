// `npm run test:probe:python`: the Python probe's unittest suite under every Python 3.8–3.13 on
// this machine (pyenv versions and python3 on PATH), saying which versions were skipped, ending
// with one "probe-python: N passed, N failed" line for test/runAll.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

const SUPPORTED = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];
const probeDir = path.resolve(import.meta.dirname, '..', 'probes', 'python');

function candidates() {
  const found = [];
  const pyenv = process.env.PYENV_ROOT ? path.join(process.env.PYENV_ROOT, 'versions') : '/root/.pyenv/versions';
  if (existsSync(pyenv)) {
    for (const version of readdirSync(pyenv)) {
      const executable = path.join(pyenv, version, 'bin', 'python3');
      if (existsSync(executable)) found.push(executable);
    }
  }
  const onPath = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) found.push(onPath);
  return found;
}

const byVersion = new Map();
for (const executable of candidates()) {
  let version;
  try {
    version = execFileSync(executable, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
  } catch {
    continue;
  }
  const real = realpathSync(executable);
  if (!byVersion.has(version)) byVersion.set(version, real);
}

let passed = 0;
let failed = 0;
for (const version of SUPPORTED) {
  const executable = byVersion.get(version);
  if (!executable) {
    console.log(`Python ${version}: skipped (not installed)`);
    continue;
  }
  const result = spawnSync(executable, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
    cwd: probeDir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, timeout: 600_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const ran = Number(/^Ran (\d+) tests?/m.exec(output)?.[1] ?? 0);
  const problems = /^FAILED \((.*)\)$/m.exec(output)?.[1] ?? '';
  const bad = [...problems.matchAll(/(?:failures|errors)=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0) || (result.status === 0 ? 0 : Math.max(1, ran));
  passed += ran - Math.min(bad, ran);
  failed += bad;
  console.log(`Python ${version} (${executable}): ${ran - Math.min(bad, ran)} passed, ${bad} failed`);
  if (bad > 0) console.log(output);
}
for (const version of [...byVersion.keys()].filter((found) => !SUPPORTED.includes(found))) {
  console.log(`Python ${version}: skipped (outside the supported 3.8–3.13)`);
}
console.log(`probe-python: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
