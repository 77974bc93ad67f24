'use strict';
/** What the process is made of (its threads, event loop and child processes), sent as snapshots and deltas of what changed. */

function createState({ transport, own, startedAt }) {
  const mainThread = { id: 'main', kind: 'main', name: 'main', state: 'running', startedAt };
  const mainLoop = { id: 'loop-main', threadId: 'main', lagMs: 0, utilization: 0, resources: {} };
  /** Entities by set, and the JSON last sent for each (to send only what changed). */
  const threads = new Map([[mainThread.id, mainThread]]);
  const children = new Map();
  const lastSent = new Map();

  function entityKey(set, entity) {
    return `${set}:${entity.id}`;
  }

  function snapshotFrame() {
    const body = { threads: [...threads.values()], loops: [mainLoop], children: [...children.values()] };
    for (const [set, list] of Object.entries(body)) for (const entity of list) lastSent.set(entityKey(set, entity), JSON.stringify(entity));
    return transport.frame('snapshot', body);
  }

  /** A delta of the entities whose JSON changed since last sent, or undefined when none did. */
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
      }
    }
    return changes > 0 ? transport.frame('delta', { upsert }) : undefined;
  }

  const publish = own.work(() => {
    if (transport.needSnapshot) {
      transport.needSnapshot = false;
      transport.enqueue(snapshotFrame());
      return;
    }
    const delta = deltaFrame();
    if (delta) transport.enqueue(delta);
  });

  return { mainThread, mainLoop, threads, children, publish };
}

module.exports = { createState };
