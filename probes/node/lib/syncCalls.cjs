'use strict';
/**
 * Synchronous child processes (`execSync`, `execFileSync`, `spawnSync`) hold the main thread in
 * C++ until the child ends, where neither this probe (on that thread) nor the inspector (whose
 * evaluations wait for JavaScript to run) can say where it is: a child that waits for input, an
 * editor, a prompt, and the program is stuck. So the probe says it before the call — the main
 * thread waits for a child process at this line, and the child is listed — in a frame written at
 * once, and takes it back after. The host's silence check (src/core/runs/heldThreads.ts) then has
 * the line. Loading `child_process` costs a start-up a few milliseconds, so it is wrapped only once
 * the program has loaded it: at once for `require` (Module._load), at the next sample for an ES
 * module's `import` (whose bindings `syncBuiltinESMExports` then updates) — a call an ES module
 * makes before its first sample is not seen.
 */
const { MAX_TEXT, callerLine, truncate, wrapFunction } = require('./util.cjs');

const SYNC_CALLS = ['execSync', 'execFileSync', 'spawnSync'];

/** The command a sync call runs, as its arguments say: `execSync(command)`, `execFileSync(file, args)`, `spawnSync(file, args)`. */
function commandOf(name, args) {
  const [file, rest] = args;
  const words = name !== 'execSync' && Array.isArray(rest) ? [file, ...rest] : [file];
  return truncate(words.map(String).join(' '), MAX_TEXT);
}

/** Wraps the sync calls once the program has loaded `child_process`; `check()` at each sample. */
function watchSyncCalls({ state }) {
  const Module = require('node:module');
  let wrapped = false;
  const load = Module._load;
  const wrapOnce = () => {
    if (wrapped) return;
    wrapped = true;
    if (Module._load === loadWatching) Module._load = load;
    wrapSyncCalls(state);
    // An ES module's `import { execSync } from 'node:child_process'` reads the wrapped ones too.
    Module.syncBuiltinESMExports();
  };
  function loadWatching(request) {
    const exports = Reflect.apply(load, this, arguments);
    if (request === 'child_process' || request === 'node:child_process') wrapOnce();
    return exports;
  }
  Module._load = loadWatching;
  return {
    check() {
      if (!wrapped && process.moduleLoadList.includes('NativeModule child_process')) wrapOnce();
    },
  };
}

function wrapSyncCalls(state) {
  const childProcess = require('node:child_process');
  let calls = 0;
  for (const name of SYNC_CALLS) {
    wrapFunction(childProcess, name, (original) => function syncCall() {
      const { mainThread, children } = state;
      const before = { state: mainThread.state, wait: mainThread.wait };
      const at = callerLine(syncCall);
      calls += 1;
      const child = { id: `sync-child-${calls}`, command: commandOf(name, arguments), startedAt: Date.now() };
      children.set(child.id, child);
      Object.assign(mainThread, { state: 'waiting', wait: { kind: 'subprocess', call: name, since: child.startedAt, ...(at ? { at } : {}) } });
      state.publish();
      // spawnSync's result and the error the exec ones throw carry the child's status; an exec one that returns exited with 0.
      let outcome = name === 'spawnSync' ? undefined : { status: 0 };
      try {
        const result = Reflect.apply(original, this, arguments);
        if (name === 'spawnSync') outcome = result;
        return result;
      } catch (error) {
        outcome = error;
        throw error;
      } finally {
        Object.assign(mainThread, before);
        if (before.wait === undefined) delete mainThread.wait;
        child.endedAt = Date.now();
        if (typeof outcome?.status === 'number') child.exitCode = outcome.status;
        if (typeof outcome?.pid === 'number' && outcome.pid > 0) child.pid = outcome.pid;
        if (typeof outcome?.signal === 'string') child.signal = outcome.signal;
        // At once, too: a thread held right after (a blocking read) must not look held by this call.
        state.publish();
      }
    });
  }
}

module.exports = { watchSyncCalls };
