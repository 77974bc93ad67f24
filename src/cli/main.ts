/**
 * The `concurrency-lens` command line (bundled to bin/concurrency-lens.js): the editor's engine
 * for CI. `check` exit codes: 0 no findings, 1 findings, 2 bad usage (and unexpected failures);
 * `record` (src/cli/record.ts) has its own. The same bundle runs `check`'s worker threads.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { GrammarLoader, wasmInDirectory } from '../core/syntax/grammars';
import { USAGE, parseArguments } from './arguments';
import { contentHash } from './cache';
import { type CheckStatistics, MissingPathError, checkFiles, collectFiles } from './check';
import { recordCommand } from './record';
import { jsonReport, sarifReport, textReport } from './reports';
import { runWorker } from './worker';

declare const CLI_VERSION: string;

/** The bundle lives in bin/; the grammars ship in dist/wasm/ next to the extension. */
const WASM_DIRECTORY = path.join(__dirname, '..', 'dist', 'wasm');
/** The probes `record` loads into the programs it runs. */
const PROBES_DIRECTORY = path.join(__dirname, '..', 'probes');

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'record') return recordCommand(argv.slice(1), PROBES_DIRECTORY, new GrammarLoader(wasmInDirectory(WASM_DIRECTORY)));
  const parsed = parseArguments(argv);
  switch (parsed.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${CLI_VERSION}\n`);
      return 0;
    case 'error':
      process.stderr.write(`concurrency-lens: ${parsed.message}\n\n${USAGE}\n`);
      return 2;
    case 'check': {
      let files: string[];
      try {
        files = collectFiles(parsed.paths);
      } catch (error) {
        if (!(error instanceof MissingPathError)) throw error;
        process.stderr.write(`concurrency-lens: ${error.message}\n`);
        return 2;
      }
      const { findings, statistics, tooLarge } = await checkFiles(files, parsed, {
        grammars: new GrammarLoader(wasmInDirectory(WASM_DIRECTORY)),
        wasmDirectory: WASM_DIRECTORY,
        workerScript: __filename,
        // Cached results belong to the code that made them: a rebuilt tool does not reuse them.
        buildId: `${CLI_VERSION}-${contentHash(readFileSync(__filename, 'utf8')).slice(0, 12)}`,
      });
      const output = parsed.format === 'json' ? jsonReport(findings) : parsed.format === 'sarif' ? sarifReport(findings, CLI_VERSION) : textReport(findings, files.length);
      process.stdout.write(output);
      if (tooLarge.length > 0) process.stderr.write(`concurrency-lens: not checked, larger than ${parsed.maxFileSize} bytes (--max-file-size): ${tooLarge.join(', ')}\n`);
      if (parsed.statistics) process.stderr.write(statisticsLine(statistics));
      return findings.length > 0 ? 1 : 0;
    }
  }
}

function statisticsLine(statistics: CheckStatistics): string {
  const { files, lines, analysed, skipped, cached, parsedForSummary, threads } = statistics;
  return `concurrency-lens: ${files} file(s), ${lines} line(s): ${analysed} analysed, ${skipped} ruled out by the pre-filter, ${cached} from the cache; ${parsedForSummary} imported module(s) parsed for their summary; ${threads} thread(s) analysing\n`;
}

if (isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`concurrency-lens: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
} else {
  runWorker();
}
