'use strict';
/** Child processes, through diagnostics_channel `child_process` plus their `spawn`/`exit` events. */
const { MAX_TEXT, truncate } = require('./util.cjs');

function describeCommand(child) {
  const args = Array.isArray(child.spawnargs) ? child.spawnargs : [];
  return args.length > 0 ? args.join(' ') : String(child.spawnfile ?? '');
}

function createChildWatch({ state }) {
  let childCount = 0;
  function watch(child) {
    childCount += 1;
    // The channel publishes from the constructor: command and pid are known from 'spawn' on.
    const entity = { id: `child-${childCount}`, command: '', startedAt: Date.now() };
    state.children.set(entity.id, entity);
    const describe = () => {
      entity.command ||= truncate(describeCommand(child), MAX_TEXT);
      if (child.pid) entity.pid = child.pid;
    };
    const finish = (exitCode, signal) => {
      if (entity.endedAt !== undefined) return;
      describe();
      entity.endedAt = Date.now();
      if (typeof exitCode === 'number') entity.exitCode = exitCode;
      if (signal) entity.signal = signal;
      state.publish();
    };
    // Only events whose listeners change nothing: an 'error' listener would swallow spawn errors.
    child.on('spawn', () => {
      describe();
      state.publish();
    });
    child.on('exit', finish);
    child.on('close', finish);
  }
  return { watch };
}

module.exports = { createChildWatch, describeCommand };
