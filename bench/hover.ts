// `npm run bench:hover`: how long a hover takes on a large file once the grammar is loaded.
// Measures the whole computation behind the HoverProvider (symbol under the cursor → import
// resolution → knowledge-base lookup → markdown), side by side for Python and TypeScript, at
// steady state (tree up to date) and right after a one-character edit (incremental reparse first).
import { hoverAt } from '../src/core/hovers/hover';
import type { SourceLanguage } from '../src/core/syntax/languages';
import { parse } from '../test/unit/helpers/syntax';
import { median } from './measure';
import { ENGLISH_HOVER_LABELS } from '../test/unit/helpers/hoverLabels';

const LABELS = ENGLISH_HOVER_LABELS;

const PYTHON_HEADER = 'import asyncio\nimport threading as th\nfrom concurrent.futures import ThreadPoolExecutor\n\n';
const pythonBlock = (index: number): string => `
async def task_${index}(items):
    results = await asyncio.gather(*(fetch(item) for item in items), return_exceptions=True)
    lock = th.Lock()
    with ThreadPoolExecutor() as pool:
        total = sum(pool.map(len, results))
    await asyncio.sleep(0)
    return total + ${index}
`;

const NODE_HEADER = "import { Worker } from 'node:worker_threads';\nconst { spawn } = require('node:child_process');\n\n";
const nodeBlock = (index: number): string => `
async function task${index}(items: string[]): Promise<number> {
  const results = await Promise.all(items.map((item) => fetch(item)));
  const child = spawn('ls', ['-l']);
  const worker = new Worker('./worker.js');
  await new Promise((resolve) => setTimeout(resolve, 0));
  return results.length + ${index};
}
`;

function percentile95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN;
}

async function measure(language: SourceLanguage, text: string, markers: readonly string[], samples: number): Promise<void> {
  const doc = await parse(language, text);
  const lines = text.split('\n').length;
  // Hover positions spread over the whole file: every occurrence of each marker.
  const offsets = markers.flatMap((marker) => {
    const found: number[] = [];
    for (let index = text.indexOf(marker); index >= 0 && found.length < samples; index = text.indexOf(marker, index + 1)) found.push(index);
    return found;
  });
  let hits = 0;
  hoverAt(doc, offsets[0] ?? 0, 'en', LABELS); // first hover builds the import table of the tree
  const steady: number[] = [];
  for (const offset of offsets) {
    const started = performance.now();
    if (hoverAt(doc, offset, 'en', LABELS)) hits += 1;
    steady.push(performance.now() - started);
  }
  const afterEdit: number[] = [];
  for (let round = 0; round < 40; round += 1) {
    const offset = offsets[(round * 7) % offsets.length] ?? 0;
    // A character typed into the hovered name and deleted again: the tree must be reparsed first.
    doc.applyChanges([{ offset, deleteLength: 0, insertText: 'x' }]);
    doc.applyChanges([{ offset, deleteLength: 1, insertText: '' }]);
    const started = performance.now();
    hoverAt(doc, offset, 'en', LABELS);
    afterEdit.push(performance.now() - started);
  }
  doc.dispose();
  const name = language === 'python' ? 'python' : 'typescript';
  console.log(`${name}: ${lines} lines, ${offsets.length} hovers (${hits} with content)`);
  console.log(`RESULT hover.${name}.median_ms=${median(steady).toFixed(3)}`);
  console.log(`RESULT hover.${name}.p95_ms=${percentile95(steady).toFixed(3)}`);
  console.log(`RESULT hover.${name}.after_edit_median_ms=${median(afterEdit).toFixed(3)}`);
  allSteady.push(...steady);
}

const allSteady: number[] = [];
const blocks = 1250; // ≈ 10,000 lines per language

async function main(): Promise<void> {
  await measure('python', PYTHON_HEADER + Array.from({ length: blocks }, (_, index) => pythonBlock(index)).join(''), ['gather', 'Lock', 'pool.map', 'sleep', 'results ='], 200);
  await measure('typescript', NODE_HEADER + Array.from({ length: blocks }, (_, index) => nodeBlock(index)).join(''), ['all(', 'spawn(', 'Worker(', 'setTimeout', 'results.length'], 200);
  console.log(`RESULT hover.median_ms=${median(allSteady).toFixed(3)}`);
}

void main();
