import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parseArguments } from '../../src/cli/arguments';
import { RULE_IDS } from '../../src/core/analysis/types';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'concurrency-lens.js');
const fixtures = 'test/fixtures/analysis';

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonReport {
  version: number;
  findings: { file: string; line: number; column: number; endLine: number; endColumn: number; rule: string; severity: string; message: string; related: string[] }[];
}

describe('CLI arguments', () => {
  it('parses check with paths, format and rules (also --flag=value)', () => {
    assert.deepEqual(parseArguments(['check', 'a', '--format', 'json', '--rules=py/blocking-sleep,js/floating-promise', 'b']), {
      command: 'check', paths: ['a', 'b'], format: 'json', rules: ['py/blocking-sleep', 'js/floating-promise'],
    });
    assert.deepEqual(parseArguments(['check']), { command: 'check', paths: ['.'], format: 'text', rules: undefined });
  });

  it('rejects bad usage with a reason', () => {
    for (const argv of [['lint'], ['check', '--format', 'xml'], ['check', '--rules', 'py/nope'], ['check', '--rules'], ['check', '--fast']]) {
      const parsed = parseArguments(argv);
      assert.equal(parsed.command, 'error', argv.join(' '));
    }
  });
});

describe('CLI (bundled bin/concurrency-lens.js)', () => {
  before(() => {
    if (!existsSync(cli) || !existsSync(path.join(root, 'dist', 'wasm', 'tree-sitter.wasm'))) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  });

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
