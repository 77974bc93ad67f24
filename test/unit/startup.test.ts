import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '..', '..');

/**
 * The source files and packages the extension host loads before `activate()` runs: the static
 * import closure of the entry, bundled as esbuild.mjs bundles it (an ES module split into chunks;
 * dynamic imports start new chunks).
 */
async function loadedAtActivation(): Promise<Set<string>> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { extension: 'src/extension.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    outdir: 'out/startup-test',
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((file) => file.endsWith('extension.mjs'));
  assert.ok(entry);
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  return new Set([...seen].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {})));
}

describe('start-up', () => {
  it('activation loads no parser, analysis engine, fixes, knowledge base, schema library or WebSocket client: they load on first use', async () => {
    const loaded = [...(await loadedAtActivation())];
    const onFirstUse = [
      'node_modules/web-tree-sitter/', 'node_modules/zod/', 'node_modules/ws/',
      'src/core/analysis/analyzer.ts', 'src/core/analysis/rules.ts', 'src/core/syntax/moduleSummary.ts',
      'src/core/fixes/fixes.ts', 'src/core/refactors/', 'src/core/knowledge/', 'src/core/probe/protocol.ts',
    ];
    assert.deepEqual(onFirstUse.filter((prefix) => loaded.some((file) => file.startsWith(prefix))), []);
    assert.ok(loaded.includes('src/extension.ts'));
  });
});
