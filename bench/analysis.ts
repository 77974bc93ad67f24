/**
 * `npm run bench:analysis`: our analyzer on a generated 10,000-line Python file and a 10,000-line
 * TypeScript file — median full analysis (parse + all rules) and median incremental re-analysis
 * after a one-character edit — and, interleaved in the same run on the same Python file, ruff
 * (wasm) with its ASYNC rules (+ RUF006) selected. Prints `RESULT name=value` lines.
 */
import { loadavg } from 'node:os';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import type { Parser } from 'web-tree-sitter';
import { DocumentAnalysis } from '../src/core/analysis/analyzer';
import type { SourceLanguage } from '../src/core/syntax/languages';
import { loader } from '../test/unit/helpers/syntax';
import { pythonSource, typescriptSource } from './generate';
import { median } from './measure';

const LINES = 10_000;
const RUNS = 21;
const INCREMENTAL_RUNS = 60;

function time(action: () => unknown): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A full analysis from scratch (parse + every rule); returns the number of findings. */
function fullAnalysis(parser: Parser, language: SourceLanguage, text: string): number {
  const analysis = DocumentAnalysis.ofText(parser, language, text);
  const count = analysis.findings.length;
  analysis.dispose();
  return count;
}

/** Median incremental re-analysis over one-character edits in the middle of the file (type a digit, delete it). */
function measureIncremental(parser: Parser, language: SourceLanguage, text: string, anchor: string): { median: number; scope: string } {
  const analysis = DocumentAnalysis.ofText(parser, language, text);
  const offset = text.indexOf(anchor, text.length >> 1) + anchor.length;
  const samples: number[] = [];
  const scopes = new Set<string>();
  for (let run = 0; run < INCREMENTAL_RUNS; run += 1) {
    const change = run % 2 === 0 ? { offset, deleteLength: 0, insertText: '7' } : { offset, deleteLength: 1, insertText: '' };
    samples.push(time(() => analysis.update([change])));
    scopes.add(analysis.lastUpdate);
  }
  analysis.dispose();
  return { median: median(samples), scope: [...scopes].join('+') };
}

async function main(): Promise<void> {
  const python = pythonSource(LINES);
  const typescript = typescriptSource(LINES);
  const pythonParser = await loader.createParser('python');
  const typescriptParser = await loader.createParser('typescript');
  const ruff = new Workspace({ lint: { select: ['ASYNC', 'RUF006'] } }, PositionEncoding.Utf16);
  const counts = { python: fullAnalysis(pythonParser, 'python', python), ts: fullAnalysis(typescriptParser, 'typescript', typescript), ruff: (ruff.check(python) as unknown[]).length };
  // Interleaved, so ours and ruff see the same machine load.
  const ours: number[] = [];
  const theirs: number[] = [];
  const ts: number[] = [];
  const parseOnly: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    // tree-sitter's parse alone, to tell parsing from checking.
    parseOnly.push(time(() => pythonParser.parse(python)?.delete()));
    ours.push(time(() => fullAnalysis(pythonParser, 'python', python)));
    theirs.push(time(() => ruff.check(python) as unknown));
    ts.push(time(() => fullAnalysis(typescriptParser, 'typescript', typescript)));
  }
  ruff.free();
  const pythonIncremental = measureIncremental(pythonParser, 'python', python, 'retries=');
  const tsIncremental = measureIncremental(typescriptParser, 'typescript', typescript, 'data/');
  console.log(`# ${python.split('\n').length - 1} Python lines, ${typescript.split('\n').length - 1} TypeScript lines; medians of ${RUNS} interleaved full runs and ${INCREMENTAL_RUNS} one-character edits; load average ${loadavg()[0]?.toFixed(1) ?? '?'}`);
  console.log(`# findings: ours python=${counts.python} ts=${counts.ts}; ruff (ASYNC, RUF006) python=${counts.ruff}; incremental scope: python=${pythonIncremental.scope} ts=${tsIncremental.scope}`);
  console.log(`RESULT analysis.python.full_ms=${median(ours).toFixed(2)}`);
  console.log(`RESULT analysis.python.incremental_ms=${pythonIncremental.median.toFixed(2)}`);
  console.log(`RESULT analysis.ts.full_ms=${median(ts).toFixed(2)}`);
  console.log(`RESULT analysis.ts.incremental_ms=${tsIncremental.median.toFixed(2)}`);
  console.log(`RESULT analysis.python.parse_only_ms=${median(parseOnly).toFixed(2)}`);
  console.log(`RESULT analysis.python.ruff_ms=${median(theirs).toFixed(2)}`);
  console.log(`RESULT analysis.python.ratio_vs_ruff=${(median(ours) / median(theirs)).toFixed(2)}`);
}

void main();
