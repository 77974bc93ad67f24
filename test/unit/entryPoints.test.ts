/** The pure parts of the ways to start a monitored run: command lines, debug configurations, the run broker. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ENV_ADDRESS, ENV_BROKER, ENV_BROKER_TOKEN, ENV_TOKEN } from '../../src/core/probe/endpoint';
import { type DebugConfigurationLike, launchesMonitoredProgram, withProbeEnvironment } from '../../src/core/runs/debugConfiguration';
import { commandLaunchSpec, posixShell, probeEnvironment, probeInstall, withNodeProbe } from '../../src/core/runs/launchSpec';
import { RunBroker } from '../../src/core/runs/runBroker';
import { requestRun } from '../../src/core/runs/supervision';

const install = probeInstall('/ext/probes');
const endpoint = { [ENV_ADDRESS]: 'unix:/tmp/x/probe.sock', [ENV_TOKEN]: 'secret' };
const preload = '--require "/ext/probes/node/probe.cjs"';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('command lines run with the monitor', () => {
  it('run through the user\'s POSIX shell, with both probes loaded for every process below', () => {
    const spec = commandLaunchSpec({
      commandLine: 'npm run test -- --watch=false', shell: '/bin/bash', cwd: '/work', install,
      baseEnv: { NODE_OPTIONS: '--max-old-space-size=512', PYTHONPATH: '/mine' }, probeEnv: endpoint, blockedThresholdMs: 150,
    });
    assert.equal(spec.command, '/bin/bash');
    assert.deepEqual(spec.args, ['-c', 'npm run test -- --watch=false']);
    assert.equal(spec.cwd, '/work');
    assert.deepEqual(spec.env, {
      ...endpoint,
      NODE_OPTIONS: `${preload} --max-old-space-size=512`,
      PYTHONPATH: `/ext/probes/python${path.delimiter}/mine`,
      CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS: '150',
    });
  });

  it('fall back to /bin/sh when the login shell reads another syntax (fish, nushell) or is not a path', () => {
    assert.equal(posixShell('/usr/bin/zsh'), '/usr/bin/zsh');
    assert.equal(posixShell('/bin/dash'), '/bin/dash');
    assert.equal(posixShell('/usr/bin/fish'), '/bin/sh');
    assert.equal(posixShell('bash'), '/bin/sh');
    assert.equal(posixShell(undefined), '/bin/sh');
  });

  it('keep the user\'s NODE_OPTIONS, ours first or last', () => {
    assert.equal(withNodeProbe(undefined, '/p.cjs'), '--require "/p.cjs"');
    assert.equal(withNodeProbe('  ', '/p.cjs'), '--require "/p.cjs"');
    assert.equal(withNodeProbe('--inspect', '/p.cjs', 'last'), '--inspect --require "/p.cjs"');
    assert.equal(withNodeProbe('--inspect', '/a b/p.cjs'), '--require "/a b/p.cjs" --inspect');
  });
});

describe('debug configurations', () => {
  const launch = (type: string, extra: Partial<DebugConfigurationLike> = {}): DebugConfigurationLike => ({ type, request: 'launch', name: 'App', ...extra });

  it('are monitored when they launch Node.js or Python; attach configurations and js-debug\'s child sessions are not', () => {
    for (const type of ['node', 'pwa-node', 'node-terminal', 'debugpy', 'python']) assert.equal(launchesMonitoredProgram(launch(type)), true, type);
    assert.equal(launchesMonitoredProgram({ type: 'node', request: 'attach', name: 'Attach' }), false);
    assert.equal(launchesMonitoredProgram(launch('pwa-node', { __pendingTargetId: 'abc', __parentId: 'x' })), false);
    assert.equal(launchesMonitoredProgram(launch('go')), false);
  });

  it('get the probes in `env`, our preload appended to NODE_OPTIONS and our folder first on PYTHONPATH, nothing of theirs dropped', () => {
    const config = launch('pwa-node', { program: '/w/app.js', env: { NODE_OPTIONS: '--enable-source-maps', DEBUG: 'app:*' }, envFile: '/w/.env' });
    const resolved = withProbeEnvironment(config, { install, probeEnv: endpoint, blockedThresholdMs: 100, inheritedEnv: { PYTHONPATH: '/inherited' }, envFileValues: { PYTHONPATH: '/from-env-file' } });
    assert.equal(resolved.program, '/w/app.js');
    assert.equal(resolved.envFile, '/w/.env');
    assert.deepEqual(resolved.env, {
      NODE_OPTIONS: `--enable-source-maps ${preload}`,
      DEBUG: 'app:*',
      ...endpoint,
      PYTHONPATH: `/ext/probes/python${path.delimiter}/from-env-file`,
      CONCURRENCY_LENS_BLOCKED_THRESHOLD_MS: '100',
    });
    assert.deepEqual(config.env, { NODE_OPTIONS: '--enable-source-maps', DEBUG: 'app:*' }, 'the given configuration is not changed');
  });

  it('take the inherited value when the configuration sets none, and none when it unsets it (null)', () => {
    const inherited = withProbeEnvironment(launch('debugpy'), { install, probeEnv: endpoint, blockedThresholdMs: 100, inheritedEnv: { NODE_OPTIONS: '--trace-warnings' } });
    assert.equal(inherited.env?.NODE_OPTIONS, `--trace-warnings ${preload}`);
    assert.equal(inherited.env?.PYTHONPATH, '/ext/probes/python');
    const unset = withProbeEnvironment(launch('node', { env: { NODE_OPTIONS: null } }), { install, probeEnv: endpoint, blockedThresholdMs: 100, inheritedEnv: { NODE_OPTIONS: '--trace-warnings' } });
    assert.equal(unset.env?.NODE_OPTIONS, preload);
  });
});

describe('the run broker', () => {
  it('opens a run for each supervisor that asks with its token, and refuses one without', async () => {
    const asked: string[] = [];
    let runs = 0;
    const broker = await RunBroker.start((request) => {
      asked.push(`${request.title}: ${request.argv.join(' ')} in ${request.cwd}`);
      runs += 1;
      return Promise.resolve(probeEnvironment({ install, baseEnv: {}, probeEnv: { [ENV_ADDRESS]: `unix:/run/${runs}`, [ENV_TOKEN]: `t${runs}` }, blockedThresholdMs: 100 }));
    }, quiet);
    try {
      const first = await requestRun(broker.environment, { title: 'tests', argv: ['/bin/sh', '-c', 'pytest -x'], cwd: '/w' });
      const second = await requestRun(broker.environment, { title: 'tests', argv: ['/bin/sh', '-c', 'pytest -x'], cwd: '/w' });
      assert.equal(first.kind === 'run-granted' && first.env[ENV_ADDRESS], 'unix:/run/1');
      assert.equal(second.kind === 'run-granted' && second.env[ENV_TOKEN], 't2', 'each run of a task gets its own endpoint');
      assert.deepEqual(asked, ['tests: /bin/sh -c pytest -x in /w', 'tests: /bin/sh -c pytest -x in /w']);
      const forged = await requestRun({ ...broker.environment, [ENV_BROKER_TOKEN]: 'guess' }, { title: 'x', argv: [], cwd: '/' });
      assert.deepEqual(forged, { kind: 'run-refused', reason: 'wrong token' });
      assert.equal(runs, 2);
    } finally {
      await broker.dispose();
    }
    const gone = await requestRun(broker.environment, { title: 'x', argv: [], cwd: '/' });
    assert.equal(gone.kind, 'run-refused', 'no broker: the program runs unmonitored');
    assert.equal((await requestRun({}, { title: 'x', argv: [], cwd: '/' })).kind, 'run-refused');
    assert.ok(broker.environment[ENV_BROKER]);
  });

  it('passes on why it could not open a run', async () => {
    const broker = await RunBroker.start(() => Promise.reject(new Error('the workspace is not trusted')), quiet);
    try {
      assert.deepEqual(await requestRun(broker.environment, { title: 'x', argv: [], cwd: '/' }), { kind: 'run-refused', reason: 'the workspace is not trusted' });
    } finally {
      await broker.dispose();
    }
  });
});
