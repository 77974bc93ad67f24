/**
 * The `concurrency-lens` command line (bundled to bin/concurrency-lens.js, an ES module whose
 * chunks load on use: `check` never loads `record`'s probe protocol and schemas, and its worker
 * threads, bin/check-worker.js, load only the analyses): the editor's engine for CI. `check` exit
 * codes: 0 no findings, 1 findings, 2 bad usage (and unexpected failures); `record`
 * (src/cli/record.ts) has its own.
 */
import { readFileSync, writeSync } from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, parseArguments } from './arguments';
import { contentHash } from './cache';
import { type CheckStatistics, MissingPathError, type SourceFile, checkFiles, collectFiles } from './check';
import { jsonReport, sarifReport, textReport } from './reports';

declare const CLI_VERSION: string;

// Node.js ≥ 22.1 can keep the code it compiles on disk (in the system's temporary folder): the
// chunks loaded after this call (the analyses and parsers, also in the worker threads: see
// workerMain.ts) then load without compiling next time. Node.js 20 has no such cache.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const BIN_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
/** The grammars ship in dist/wasm/ next to the extension. */
const WASM_DIRECTORY = path.join(BIN_DIRECTORY, '..', 'dist', 'wasm');
/** The probes `record` loads into the programs it runs. */
const PROBES_DIRECTORY = path.join(BIN_DIRECTORY, '..', 'probes');
/** What `check`'s worker threads run (src/cli/workerMain.ts). */
const WORKER_SCRIPT = path.join(BIN_DIRECTORY, 'check-worker.js');

/**
 * Cached results belong to the code that made them: a rebuilt tool does not reuse them. The two
 * entry files name their chunks by content hash, so their texts change whenever any code does.
 */
function buildId(): string {
  const entries = [fileURLToPath(import.meta.url), WORKER_SCRIPT].map((file) => readFileSync(file, 'utf8')).join('\0');
  return `${CLI_VERSION}-${contentHash(entries).slice(0, 12)}`;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'record') {
    const [{ recordCommand }, { GrammarLoader, wasmInDirectory }] = await Promise.all([import('./record'), import('../core/syntax/grammars')]);
    return recordCommand(argv.slice(1), PROBES_DIRECTORY, new GrammarLoader(wasmInDirectory(WASM_DIRECTORY)));
  }
  const parsed = parseArguments(argv);
  switch (parsed.command) {
    case 'help':
      writeOut(1, `${USAGE}\n`);
      return 0;
    case 'version':
      writeOut(1, `${CLI_VERSION}\n`);
      return 0;
    case 'error':
      writeOut(2, `concurrency-lens: ${parsed.message}\n\n${USAGE}\n`);
      return 2;
    case 'check': {
      let files: SourceFile[];
      try {
        files = collectFiles(parsed.paths);
      } catch (error) {
        if (!(error instanceof MissingPathError)) throw error;
        writeOut(2, `concurrency-lens: ${error.message}\n`);
        return 2;
      }
      const { findings, statistics, tooLarge } = await checkFiles(files, parsed, {
        wasmDirectory: WASM_DIRECTORY,
        workerScript: WORKER_SCRIPT,
        buildId: buildId(),
      });
      const output = parsed.format === 'json' ? jsonReport(findings) : parsed.format === 'sarif' ? sarifReport(findings, CLI_VERSION) : textReport(findings, files.length);
      writeOut(1, output);
      if (tooLarge.length > 0) writeOut(2, `concurrency-lens: not checked, larger than ${parsed.maxFileSize} bytes (--max-file-size): ${tooLarge.join(', ')}\n`);
      if (parsed.statistics) writeOut(2, statisticsLine(statistics));
      return findings.length > 0 ? 1 : 0;
    }
  }
}

function statisticsLine(statistics: CheckStatistics): string {
  const { files, lines, analysed, skipped, cached, parsedForSummary, threads, read } = statistics;
  return `concurrency-lens: ${files} file(s), ${lines} line(s): ${analysed} analysed, ${skipped} ruled out by the pre-filter, ${cached} from the cache; ${parsedForSummary} imported module(s) parsed for their summary; ${threads} thread(s) analysing; ${read} file(s) read\n`;
}

/**
 * Writes to standard output (1) or error (2) directly: a short-lived command needs none of the
 * stream objects Node.js builds on first use of `process.stdout` (milliseconds of start-up). A
 * descriptor left non-blocking by whoever started us may refuse (EAGAIN): the stream takes the rest.
 */
function writeOut(descriptor: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(descriptor, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    (descriptor === 1 ? process.stdout : process.stderr).write(bytes.subarray(written));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    writeOut(2, `concurrency-lens: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
