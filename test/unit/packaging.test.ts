import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..');
/** What may ship in the .vsix: bundles, media, snippets, translations, probes, experiment scripts, docs and the manifest. */
const SHIPPABLE = /^(dist\/|media\/|snippets\/|l10n\/|probes\/|experiments\/|package\.json$|package\.nls(\.[\w-]+)?\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/;

describe('packaging (vsce ls)', () => {
  it('ships only bundles, media, translations and docs — no sources, tests, maps or caches', () => {
    const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
    const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    assert.ok(files.includes('package.json') && files.includes('README.md') && files.includes('LICENSE'));
    assert.ok(files.includes('experiments/python/experiment.py') && files.includes('experiments/node/experiment.mjs'), 'the live experiment ships');
    assert.ok(files.includes('probes/node/probe.cjs'), 'the Node probe ships unbundled');
    assert.ok(['transport', 'state', 'workers', 'children', 'keptAlive', 'loop', 'profiler', 'trace', 'ownTime', 'util'].every((name) => files.includes(`probes/node/lib/${name}.cjs`)), 'with its modules');
    assert.deepEqual(files.filter((file) => !SHIPPABLE.test(file) || file.endsWith('.map') || file.endsWith('.ts')), []);
  });
});
