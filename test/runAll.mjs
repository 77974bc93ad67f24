// `npm test`: every check and every test layer, in order, with one summary at the end.
// Static checks and the build must pass before tests run; the test layers all run even when one
// fails, so one run shows everything that is broken.
import { spawn } from 'node:child_process';

const steps = [
  { name: 'lint', script: 'lint', gate: true },
  { name: 'typecheck', script: 'typecheck', gate: true },
  { name: 'build', script: 'build', gate: true },
  // Before the tests: some unit tests use Debian packages too (gdb).
  { name: 'setup (Debian packages and code-server, once)', script: 'test:setup', gate: true },
  { name: 'unit', script: 'test:unit' },
  { name: 'Python probe (every Python 3.8–3.13 present)', script: 'test:probe:python' },
  { name: 'Node probe', script: 'test:probe:node' },
  { name: 'integration (real VS Code extension host)', script: 'test:integration' },
  { name: 'UI (real workbench in Chromium)', script: 'test:ui' },
];

/**
 * Reads the last "<layer>: N passed, N failed" (our runners' totals, which may follow several
 * files' own reports), else "ℹ pass N" / "ℹ fail N" (node's test runner).
 */
function countResults(output) {
  const ours = [...output.matchAll(/^[\w -]+: (\d+) passed, (\d+) failed/gm)].at(-1);
  if (ours) return { passed: Number(ours[1]), failed: Number(ours[2]) };
  const node = { pass: /^ℹ pass (\d+)$/m.exec(output), fail: /^ℹ fail (\d+)$/m.exec(output) };
  return node.pass && node.fail ? { passed: Number(node.pass[1]), failed: Number(node.fail[1]) } : undefined;
}

function run(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const summary = [];
let failedSteps = 0;
for (const step of steps) {
  console.log(`\n━━ ${step.name} ━━`);
  const started = Date.now();
  const { code, output } = await run(step.script);
  const counts = countResults(output);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  summary.push({ step, code, counts, seconds });
  if (code !== 0) failedSteps += 1;
  if (code !== 0 && step.gate) break;
}

console.log('\n━━ summary ━━');
let passed = 0;
let failed = 0;
for (const { step, code, counts, seconds } of summary) {
  const detail = counts ? `${counts.passed} passed, ${counts.failed} failed` : code === 0 ? 'ok' : `exit ${code}`;
  console.log(`${code === 0 ? '✔' : '✘'} ${step.name}: ${detail} (${seconds} s)`);
  passed += counts?.passed ?? 0;
  failed += counts?.failed ?? (code === 0 ? 0 : 1);
}
const skipped = steps.length - summary.length;
if (skipped > 0) console.log(`✘ ${skipped} step(s) not run after a failed gate`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failedSteps > 0 ? 1 : 0;
