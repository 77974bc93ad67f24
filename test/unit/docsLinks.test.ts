import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GUIDE_CONTENT } from '../../src/core/guide/content';
import { decide } from '../../src/core/guide/decide';
import { KNOWLEDGE_BASE } from '../../src/core/knowledge';
import { GUIDE_LANGUAGES, PYTHON_BUILDS, UNIT_COUNTS, WORKLOADS, type DecisionAnswers } from '../../src/shared/guideProtocol';
import { VERIFIED_DOCS_ANCHORS } from './verifiedDocsAnchors';

const CHECKED_HOSTS = new Set(['docs.python.org', 'nodejs.org']);

function docsLinks(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => docsLinks(item, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'docs' && typeof item === 'string') found.push(item);
      else docsLinks(item, found);
    }
  }
  return found;
}

const everyAnswer: DecisionAnswers[] = WORKLOADS.flatMap((workload) => UNIT_COUNTS.flatMap((units) => PYTHON_BUILDS.flatMap((python) =>
  [false, true].flatMap((blockingLibrary) => [false, true].flatMap((isolation) => [false, true].map((sharedState) =>
    ({ workload, units, python, blockingLibrary, isolation, sharedState })))))));

/** Every docs link a user can reach: hovers, guide pages and every decision. */
const LINKS = [...new Set([
  ...KNOWLEDGE_BASE.map((entry) => entry.docsUrl),
  ...docsLinks(GUIDE_CONTENT),
  ...GUIDE_LANGUAGES.flatMap((language) => everyAnswer.flatMap((answers) => docsLinks(decide(language, answers)))),
])];

describe('docs links', () => {
  it('point only to anchors checked against the current docs (test/unit/verifiedDocsAnchors.ts)', () => {
    const checked = LINKS.filter((link) => CHECKED_HOSTS.has(new URL(link).hostname));
    assert.ok(checked.length > 250, `only ${checked.length} links`);
    const unverified = checked.filter((link) => {
      const url = new URL(link);
      const anchors = VERIFIED_DOCS_ANCHORS[`${url.origin}${url.pathname}`];
      return anchors === undefined || !anchors.includes(url.hash.slice(1));
    });
    assert.deepEqual(unverified, [], 'check these anchors against the docs\' source and record them');
  });

  it('lists no anchor that nothing links to any more', () => {
    const linked = new Set(LINKS);
    const stale = Object.entries(VERIFIED_DOCS_ANCHORS).flatMap(([page, anchors]) =>
      anchors.filter((anchor) => !linked.has(`${page}#${anchor}`)).map((anchor) => `${page}#${anchor}`));
    assert.deepEqual(stale, []);
  });

  it('uses the worker_threads.* headings of current Node docs, not the removed worker.* anchors', () => {
    const workerThreads = LINKS.filter((link) => link.startsWith('https://nodejs.org/api/worker_threads.html#'));
    assert.ok(workerThreads.length > 10);
    for (const removed of ['workerismainthread', 'workerparentport', 'workerworkerdata', 'workerreceivemessageonportport']) {
      assert.ok(!workerThreads.some((link) => link.endsWith(`#${removed}`)), removed);
    }
  });
});
