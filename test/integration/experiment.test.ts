import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPECTED_VARIANTS } from '../../src/core/experiment/experimentOutput';
import type { GuideLanguage } from '../../src/shared/guideProtocol';
import { activateExtension } from './extensionHost';

suite('Live experiment', () => {
  for (const language of ['python', 'node'] as const satisfies readonly GuideLanguage[]) {
    test(`runs end to end with the real ${language === 'python' ? 'python3' : 'node'} and reports every variant`, async function () {
      this.timeout(180_000);
      const { api } = await activateExtension();
      const seen: string[] = [];
      const subscription = api.experiments.onDidChange((snapshot) => seen.push(snapshot.status));
      const snapshot = await api.experiments.run(language, { scale: 0.05 });
      subscription.dispose();
      assert.equal(snapshot.status, 'done', snapshot.message);
      assert.equal(seen[0], 'running', 'the panel hears about the run as it starts');
      assert.ok(seen.filter((status) => status === 'running').length > 8, 'results stream in one by one');
      assert.deepEqual(snapshot.results.map((result) => `${result.workload}.${result.model}`).sort(),
        EXPECTED_VARIANTS.map((variant) => `${variant.workload}.${variant.model}`).sort());
      assert.deepEqual(Object.keys(snapshot.startupMs).sort(), ['coroutines', 'processes', 'threads']);
      assert.equal(snapshot.runtime?.cpus !== undefined && snapshot.runtime.cpus > 0, true);
      assert.equal(api.experiments.all[language], snapshot);
    });
  }

  test('reports a missing interpreter clearly', async () => {
    const { api } = await activateExtension();
    const config = vscode.workspace.getConfiguration('concurrencyLens');
    await config.update('python.interpreter', '/nonexistent/bin/python3', vscode.ConfigurationTarget.Global);
    try {
      const snapshot = await api.experiments.run('python');
      assert.equal(snapshot.status, 'failed');
      assert.match(snapshot.message ?? '', /\/nonexistent\/bin\/python3/);
      assert.match(snapshot.message ?? '', /concurrencyLens\.python\.interpreter/);
    } finally {
      await config.update('python.interpreter', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('can be cancelled', async () => {
    const { api } = await activateExtension();
    const subscription = api.experiments.onDidChange((snapshot) => {
      if (snapshot.language === 'node' && snapshot.results.length === 1) api.experiments.cancel('node');
    });
    const snapshot = await api.experiments.run('node', { scale: 0.3 });
    subscription.dispose();
    assert.equal(snapshot.status, 'cancelled');
    assert.ok(snapshot.results.length < EXPECTED_VARIANTS.length);
  });
});
