import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { getL10nJson } from '@vscode/l10n-dev';
import { CommandId, ViewId } from '../../src/ids';

const root = path.resolve(__dirname, '..', '..');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;

interface Manifest {
  name: string;
  engines: { vscode: string };
  extensionKind: string[];
  capabilities: Record<string, { supported: string; description: string }>;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
  };
}

const manifest = readJson<Manifest>('package.json');
const nls = readJson<Record<string, string>>('package.nls.json');
const nlsZh = readJson<Record<string, string>>('package.nls.zh-cn.json');

/** Han characters, CJK punctuation and full-width forms. */
const CHINESE = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(root, dir, file));
}

describe('package.json', () => {
  it('targets a VS Code we can run here (≤ 1.100) as a workspace extension', () => {
    assert.match(manifest.engines.vscode, /^\^1\.(\d|[1-9]\d|100)\.\d+$/);
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    for (const kind of ['untrustedWorkspaces', 'virtualWorkspaces']) {
      assert.equal(manifest.capabilities[kind]?.supported, 'limited');
      assert.ok(manifest.capabilities[kind]?.description);
    }
  });

  it('contributes exactly the commands declared in src/ids.ts, all in our category', () => {
    const contributed = manifest.contributes.commands.map((command) => command.command).sort();
    assert.deepEqual(contributed, Object.values(CommandId).sort());
    for (const command of manifest.contributes.commands) assert.equal(command.category, '%category%');
  });

  it('declares the views of src/ids.ts with a welcome message', () => {
    assert.ok(manifest.contributes.viewsContainers.activitybar.some((container) => container.id === ViewId.Container));
    assert.deepEqual(manifest.contributes.views[ViewId.Container]?.map((view) => view.id), [ViewId.LiveTasks]);
    assert.ok(manifest.contributes.viewsWelcome.some((welcome) => welcome.view === ViewId.LiveTasks));
  });

  it('localizes every %key% in English and Simplified Chinese', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((match) => match[1]!);
    assert.ok(keys.length >= 5);
    for (const key of keys) {
      assert.ok(nls[key], `package.nls.json lacks ${key}`);
      assert.ok(nlsZh[key], `package.nls.zh-cn.json lacks ${key}`);
    }
    assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nls).sort(), 'both locales have the same keys');
  });

  it('translates every user-facing manifest string into Chinese', () => {
    const sameInBothLocales = new Set(['category', 'viewsContainer.title']); // the product name
    for (const [key, value] of Object.entries(nlsZh)) {
      if (sameInBothLocales.has(key) || key.endsWith('.media')) continue; // file paths, e.g. walkthrough media
      assert.match(value, CHINESE, `package.nls.zh-cn.json "${key}" is not translated`);
    }
  });
});

describe('runtime strings (vscode.l10n)', () => {
  it('every vscode.l10n.t string in src has a Simplified Chinese translation, and none is stale', async () => {
    const files = sourceFiles('src').map((file) => ({ extension: '.ts', contents: readFileSync(file, 'utf8') }));
    const english = await getL10nJson(files);
    const chinese = readJson<Record<string, string>>('l10n/bundle.l10n.zh-cn.json');
    const englishKeys = Object.keys(english).sort();
    assert.ok(englishKeys.length > 0);
    assert.deepEqual(englishKeys.filter((key) => !(key in chinese)), [], 'untranslated strings');
    assert.deepEqual(Object.keys(chinese).filter((key) => !(key in english)), [], 'translations no source uses');
    for (const key of englishKeys) assert.match(chinese[key]!, CHINESE, `"${key}" is not translated`);
  });
});
