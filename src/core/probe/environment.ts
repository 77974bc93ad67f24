/**
 * The environment variables through which the host hands the probe endpoint to the probes (no
 * schema here: code that only launches programs need not load the frame validation).
 */
export const ENV_ADDRESS = 'CONCURRENCY_LENS_ADDRESS';
export const ENV_TOKEN = 'CONCURRENCY_LENS_TOKEN';
/** Optional: the event-loop block (ms) a probe reports; the `concurrencyLens.monitor.blockedThresholdMs` setting. */
export const ENV_BLOCKED_THRESHOLD_MS = 'CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS';
