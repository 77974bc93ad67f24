// One build script, one entry per bundle: the extension host and the CLI (Node, ES modules split into chunks) and each webview
// (browser, IIFE). `--production` minifies; `--watch` rebuilds on change. Integration tests are
// bundled too, because they run inside the extension host as plain JavaScript.
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { rollup } from 'rollup';

const production = process.argv.includes('--production');
const packageVersion = JSON.parse(readFileSync('package.json', 'utf8')).version;
const watch = process.argv.includes('--watch');

/** @param {string} dir @returns {string[]} */
function findTests(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

/** Where esbuild leaves the extension host's chunks for `mergeActivationChunks`. */
const HOST_CHUNKS = 'out/host-chunks';

/** Rollup reads each of esbuild's files with its source map, so the merged files still map to src/. */
const esbuildSourceMaps = {
  name: 'esbuild-source-maps',
  /** @param {string} id */
  load(id) {
    const map = `${id}.map`;
    return existsSync(map) ? { code: readFileSync(id, 'utf8'), map: readFileSync(map, 'utf8') } : null;
  },
};

/**
 * The extension host resolves and loads every ES module file through its module hook (it is how
 * `import 'vscode'` works), a round trip to another thread per file; esbuild's code splitting
 * leaves the code activation needs in a dozen and a half small shared chunks, which cost more to
 * load than their bytes. Rollup rebuilds esbuild's output so that everything activation loads is
 * in dist/extension.mjs itself (the chunks loaded on first use import what they share from it),
 * and the supervisor is one file.
 */
async function mergeActivationChunks() {
  rmSync('dist/chunks', { recursive: true, force: true });
  for (const entry of ['extension', 'supervisor']) {
    const bundle = await rollup({
      input: { [entry]: path.join(HOST_CHUNKS, `${entry}.mjs`) },
      // The entry may export more than `activate`/`deactivate`: what chunks loaded later share with it.
      preserveEntrySignatures: 'allow-extension',
      // esbuild's banner gives every chunk a `require`; where nothing uses it, leave no call behind.
      treeshake: { manualPureFunctions: ['__createRequire'] },
      external: (id) => id === 'vscode' || id.startsWith('node:') || builtinModules.includes(id),
      plugins: production ? [] : [esbuildSourceMaps],
      onwarn(warning, warn) {
        // web-tree-sitter's Emscripten runtime calls eval by design; nothing rollup can change.
        if (warning.code !== 'EVAL') warn(warning);
      },
    });
    await bundle.write({ dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', sourcemap: !production });
    await bundle.close();
  }
}

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    // The extension host loads an ES module (VS Code ≥ 1.100) so that what activation does not
    // need (parsers, the knowledge base, the guide, schemas) sits in chunks loaded on first use.
    ...common,
    // The extension host, and the supervisor the terminal of a monitored run runs (src/supervisor).
    entryPoints: { extension: 'src/extension.ts', supervisor: 'src/supervisor/main.ts' },
    outdir: HOST_CHUNKS,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['vscode'],
    // Bundled CommonJS dependencies may call require(): give the module one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [{ name: 'merge-activation-chunks', setup: (build) => build.onEnd(async (result) => result.errors.length === 0 && mergeActivationChunks()) }],
  },
  {
    // The `concurrency-lens` command line (package.json "bin") and the worker threads of `check`:
    // ES modules in chunks (bin/package.json says so), so each loads only what it runs. They load
    // dist/wasm/ at run time.
    ...common,
    entryPoints: { 'concurrency-lens': 'src/cli/main.ts', 'check-worker': 'src/cli/workerMain.ts' },
    outdir: 'bin',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    define: { CLI_VERSION: JSON.stringify(packageVersion) },
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    sourcemap: false,
  },
  {
    ...common,
    entryPoints: { guide: 'src/webview/guide/main.ts', timeline: 'src/webview/timeline/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];
if (!production) {
  builds.push({
    ...common,
    entryPoints: findTests('test/integration'),
    outbase: 'test/integration',
    outdir: 'out/test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    packages: 'external',
  });
}

/** Codicons ship as a font and a stylesheet; webviews load them from dist/. */
function copyStaticAssets() {
  const codicons = 'node_modules/@vscode/codicons/dist';
  mkdirSync('dist/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) cpSync(path.join(codicons, file), path.join('dist/codicons', file));
  // web-tree-sitter's runtime and the grammars load their .wasm at run time, from dist/wasm/.
  mkdirSync('dist/wasm', { recursive: true });
  for (const file of [
    'web-tree-sitter/tree-sitter.wasm',
    'tree-sitter-python/tree-sitter-python.wasm',
    'tree-sitter-javascript/tree-sitter-javascript.wasm',
    'tree-sitter-typescript/tree-sitter-typescript.wasm',
    'tree-sitter-typescript/tree-sitter-tsx.wasm',
  ]) cpSync(path.join('node_modules', file), path.join('dist/wasm', path.basename(file)));
}

rmSync('dist', { recursive: true, force: true });
rmSync('out', { recursive: true, force: true });
rmSync('bin', { recursive: true, force: true });
copyStaticAssets();
// The command line's files are ES modules.
mkdirSync('bin');
writeFileSync('bin/package.json', `${JSON.stringify({ type: 'module' })}\n`);
if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync('bin/concurrency-lens.js', 0o755);
}
