/** The entry point of `check`'s worker threads (bundled to bin/check-worker.js): the analyses only. */
import { runWorker } from './worker';

runWorker();
