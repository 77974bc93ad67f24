'use strict';
/** What the process is made of (its threads, event loop and child processes), sent as snapshots and deltas of what changed. */

// Node's own clock, never the global `performance`, which a program may replace (fake timers in its tests).
const { performance: perf } = require('node:perf_hooks');

/** The longest the probe stays silent while the main thread gets back to its loop (announced in its hello). */
const KEEPALIVE_MS = 1000;

function createState({ transport, own, startedAt }) {
  const mainThread = { id: 'main', kind: 'main', name: 'main', state: 'running', startedAt };
  const mainLoop = { id: 'loop-main', threadId: 'main', lagMs: 0, utilization: 0, resources: {} };
  /** Entities by set, and the JSON last sent for each (to send only what changed). */
  const threads = new Map([[mainThread.id, mainThread]]);
  const children = new Map();
  const lastSent = new Map();
  /** When this probe last sent a sample (ms, Node's clock). */
  let lastSampleSentAt = 0;

  function entityKey(set, entity) {
    return `${set}:${entity.id}`;
  }

  /** An ended child process, once sent: the host keeps it. */
  function forget(set, entity) {
    children.delete(entity.id);
    lastSent.delete(entityKey(set, entity));
  }

  function snapshotFrame() {
    const body = { threads: [...threads.values()], loops: [mainLoop], children: [...children.values()] };
    for (const [set, list] of Object.entries(body)) for (const entity of list) lastSent.set(entityKey(set, entity), JSON.stringify(entity));
    for (const child of body.children) if (child.endedAt !== undefined) forget('children', child);
    return transport.frame('snapshot', body);
  }

  /**
   * A delta of the entities whose JSON changed since last sent, or undefined when none did. A child
   * process that ended is sent once more and forgotten (see forget): a program that runs thousands
   * of commands does not make every sample longer.
   */
  function deltaFrame() {
    const upsert = {};
    let changes = 0;
    for (const [set, list] of [['threads', threads.values()], ['loops', [mainLoop]], ['children', children.values()]]) {
      for (const entity of list) {
        const json = JSON.stringify(entity);
        const key = entityKey(set, entity);
        if (lastSent.get(key) === json) continue;
        lastSent.set(key, json);
        (upsert[set] ??= []).push(entity);
        changes += 1;
        if (set === 'children' && entity.endedAt !== undefined) forget(set, entity);
      }
    }
    return changes > 0 ? transport.frame('delta', { upsert }) : undefined;
  }

  /**
   * Sends what changed; when nothing did for a second, an empty delta all the same: the host hears
   * from the main thread at least that often while it gets back to its loop, and takes a longer
   * silence for a held thread (src/core/runs/heldThreads.ts).
   */
  const publish = own.work(() => {
    const now = perf.now();
    if (transport.needSnapshot) {
      transport.needSnapshot = false;
      transport.enqueue(snapshotFrame());
      lastSampleSentAt = now;
      return;
    }
    const delta = deltaFrame() ?? (now - lastSampleSentAt >= KEEPALIVE_MS ? transport.frame('delta', {}) : undefined);
    if (!delta) return;
    transport.enqueue(delta);
    lastSampleSentAt = now;
  });

  return { mainThread, mainLoop, threads, children, publish };
}

module.exports = { createState, KEEPALIVE_MS };
