// `npm run test:ui`: the Playwright suites against the real workbench, one file at a time. A file
// that fails is run once more, because a browser driving a whole workbench on a small shared
// machine can miss a beat; the first failure stays in the log, marked, so a flaky test is seen
// and fixed rather than hidden. Ends with one "UI: N passed, N failed" line for test/runAll.mjs.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const uiDir = path.resolve(import.meta.dirname, 'ui');
const files = readdirSync(uiDir).filter((name) => name.endsWith('.test.ts')).sort().map((name) => path.join(uiDir, name));

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const count = (label) => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
      resolve({ code: code ?? 1, passed: count('pass'), failed: code === 0 ? 0 : Math.max(1, count('fail')) });
    });
  });
}

let passed = 0;
let failed = 0;
const retried = [];
for (const file of files) {
  let result = await runFile(file);
  if (result.code !== 0) {
    console.log(`\n⚠ ${path.basename(file)} failed (${result.failed} test(s)); running it once more`);
    result = await runFile(file);
    retried.push(`${path.basename(file)}: ${result.code === 0 ? 'passed on the second run (flaky: look at the first run above)' : 'failed twice'}`);
  }
  passed += result.passed;
  failed += result.failed;
}
for (const line of retried) console.log(`⚠ ${line}`);
console.log(`UI: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
