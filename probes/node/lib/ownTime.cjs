'use strict';
/** The probe's own time: what it spends in its callbacks is never the program's lag or load. */
// Node's own clock, never the global `performance`, which a program may replace (fake timers in its tests).
const { performance: perf } = require('node:perf_hooks');

function createOwnTime() {
  let depth = 0;
  const own = {
    /** Time spent in the probe's own callbacks since the last heartbeat: never the program's lag. */
    sinceBeatMs: 0,
    /** The same since the last sample: the loop's busy time minus this is the program's. */
    sinceSampleMs: 0,
    /** Set while the probe creates its own timers and sockets: they are not the program's. */
    creating: false,
    /** True while one of the probe's own callbacks runs. */
    get busy() {
      return depth > 0;
    },
    /** `callback`, its running time counted as the probe's own work (once, when calls nest). */
    work(callback) {
      return (...args) => {
        const started = depth++ === 0 ? perf.now() : undefined;
        try {
          return callback(...args);
        } finally {
          depth -= 1;
          if (started !== undefined) {
            const spent = perf.now() - started;
            own.sinceBeatMs += spent;
            own.sinceSampleMs += spent;
          }
        }
      };
    },
  };
  return own;
}

module.exports = { createOwnTime };
