/**
 * Entry point loaded by the extension host (`extensionTestsPath`): runs every bundled
 * `*.test.js` next to this file with mocha. Works the same under code-server and @vscode/test-electron.
 * Lines are prefixed with `[test]` so the runner can tell them from the workbench's own logging.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function report(line: string): void {
  console.log(`[test] ${line}`);
}

class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner) {
    super(runner);
    let depth = 0;
    runner.on(Mocha.Runner.constants.EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) report(`${'  '.repeat(depth)}${suite.title}`);
      depth += 1;
    });
    runner.on(Mocha.Runner.constants.EVENT_SUITE_END, () => {
      depth -= 1;
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test: Mocha.Test) => report(`${'  '.repeat(depth)}✔ ${test.title} (${test.duration ?? 0} ms)`));
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test: Mocha.Test, error: Error) => {
      report(`${'  '.repeat(depth)}✘ ${test.fullTitle()}`);
      for (const line of (error.stack ?? String(error)).split('\n')) report(`${'  '.repeat(depth + 2)}${line}`);
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      report(`integration: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
    });
  }
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, reporter: LineReporter, color: false });
  const filter = process.env.CL_TEST_GREP;
  if (filter) mocha.grep(filter);
  for (const file of readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
