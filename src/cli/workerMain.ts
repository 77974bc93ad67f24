/** The entry point of `check`'s worker threads (bundled to bin/check-worker.js): the analyses only. */
import * as nodeModule from 'node:module';

// As in main.ts: on Node.js ≥ 22.1 the analyses, loaded after this, come from the compile cache.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runWorker } = await import('./worker');
runWorker();
