import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { nodeLaunchSpec } from '../../src/core/runs/launchSpec';

describe('node launch spec', () => {
  const base = {
    node: 'node', script: '/w/app.mjs', args: ['--n', '3'], cwd: '/w', probePath: '/ext/probes/node/probe.cjs',
    probeEnv: { CONCURRENCY_LENS_ADDRESS: 'unix:/tmp/x/probe.sock', CONCURRENCY_LENS_TOKEN: 'f'.repeat(64) }, blockedThresholdMs: 250,
  };

  it('preloads the probe through NODE_OPTIONS, endpoint in the environment only, the user’s options kept', () => {
    const spec = nodeLaunchSpec({ ...base, baseEnv: { HOME: '/root', NODE_OPTIONS: '--max-old-space-size=512', UNSET: undefined } });
    assert.deepEqual([spec?.command, ...(spec?.args ?? [])], ['node', '/w/app.mjs', '--n', '3']);
    assert.equal(spec?.env.NODE_OPTIONS, '--require "/ext/probes/node/probe.cjs" --max-old-space-size=512');
    assert.equal(spec?.env.CONCURRENCY_LENS_TOKEN, 'f'.repeat(64));
    assert.equal(spec?.env.CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS, '250');
    assert.equal(spec?.args.some((arg) => arg.includes('f'.repeat(64))), false);
    assert.equal('UNSET' in (spec?.env ?? {}), false);
  });

  it('runs TypeScript through tsx or ts-node, and not at all without a runner', () => {
    const ts = { ...base, script: '/w/app.ts', baseEnv: {} };
    assert.deepEqual(nodeLaunchSpec({ ...ts, typeScriptRunner: 'tsx' })?.args, ['--import', 'tsx', '/w/app.ts', '--n', '3']);
    assert.deepEqual(nodeLaunchSpec({ ...ts, typeScriptRunner: 'ts-node' })?.args, ['--require', 'ts-node/register', '/w/app.ts', '--n', '3']);
    assert.equal(nodeLaunchSpec(ts), undefined);
  });

  it('quotes a probe path with spaces so that Node really preloads it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl launch spec '));
    const probe = path.join(dir, 'pre load.cjs');
    writeFileSync(probe, 'globalThis.preloaded = true;');
    const spec = nodeLaunchSpec({ ...base, node: process.execPath, script: '-p', args: ['String(globalThis.preloaded)'], probePath: probe, baseEnv: {} });
    assert.ok(spec);
    assert.equal(execFileSync(spec.command, [...spec.args], { env: { ...spec.env }, encoding: 'utf8' }).trim(), 'true');
  });
});
