/** What marks a saved run (no schema here: the run model writes recordings without loading their validation). */
export const RECORDING_FORMAT = 'concurrency-lens-run';
export const RECORDING_VERSION = 1;
