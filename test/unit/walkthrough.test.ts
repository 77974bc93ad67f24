import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CommandId } from '../../src/ids';

const root = path.resolve(__dirname, '..', '..');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown: string };
  completionEvents: string[];
}
const manifest = readJson<{ contributes: { walkthroughs: { id: string; steps: Step[] }[] } }>('package.json');
const nls = { en: readJson<Record<string, string>>('package.nls.json'), 'zh-cn': readJson<Record<string, string>>('package.nls.zh-cn.json') };
const resolve = (value: string, locale: keyof typeof nls): string => value.replace(/^%(.+)%$/, (_, key: string) => nls[locale][key] ?? value);

describe('Getting Started walkthrough', () => {
  const walkthrough = manifest.contributes.walkthroughs.find((candidate) => candidate.id === 'concurrencyLens.gettingStarted');

  it('has the four steps, each completed by running its command', () => {
    assert.ok(walkthrough);
    assert.deepEqual(walkthrough.steps.map((step) => step.completionEvents), [
      [`onCommand:${CommandId.OpenGuide}`],
      [`onCommand:${CommandId.RunExperiment}`],
      // Contributed by the snippets and monitor features: referenced here, registered there.
      ['onCommand:concurrencyLens.insertPattern'],
      ['onCommand:concurrencyLens.runWithMonitor'],
    ]);
    for (const step of walkthrough.steps) {
      const command = step.completionEvents[0]!.slice('onCommand:'.length);
      for (const locale of ['en', 'zh-cn'] as const) {
        assert.ok(resolve(step.description, locale).includes(`(command:${command})`), `${step.id} (${locale}) has a button for ${command}`);
      }
    }
  });

  it('has media markdown in English and Simplified Chinese for every step', () => {
    for (const step of walkthrough?.steps ?? []) {
      const english = resolve(step.media.markdown, 'en');
      const chinese = resolve(step.media.markdown, 'zh-cn');
      assert.notEqual(english, chinese, step.id);
      for (const file of [english, chinese]) assert.ok(existsSync(path.join(root, file)), file);
      assert.match(readFileSync(path.join(root, chinese), 'utf8'), /[\u4e00-\u9fff]/);
    }
  });
});
