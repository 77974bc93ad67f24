/**
 * Deterministic 10,000-line source files for the analysis benchmark: realistic mixes of imports,
 * classes, sync helpers with loops, async functions with awaits, and a few concurrency mistakes.
 */

/** A Python module of about `lines` lines. */
export function pythonSource(lines: number): string {
  const out = [
    '"""Generated service module for benchmarking."""',
    'import asyncio',
    'import json',
    'import os',
    'import time',
    'from concurrent.futures import ThreadPoolExecutor',
    '',
    'import requests',
    '',
  ];
  for (let index = 0; out.length < lines - 30; index += 1) {
    out.push(
      '',
      `class Repository${index}:`,
      `    """Stores records of kind ${index}."""`,
      '',
      '    def __init__(self, path):',
      '        self.path = path',
      '        self.cache = {}',
      '',
      '    def total(self, values):',
      '        result = 0',
      '        for value in values:',
      '            if value % 3 == 0:',
      '                result += value * 2',
      '            else:',
      '                result -= value // 2',
      '        return result',
      '',
      `    async def load(self, key):`,
      '        if key in self.cache:',
      '            return self.cache[key]',
      `        data = await fetch_record(self.path, key, retries=${index % 5})`,
      '        self.cache[key] = json.loads(data)',
      index % 10 === 0 ? '        time.sleep(0.01)' : '        await asyncio.sleep(0)',
      '        return self.cache[key]',
      '',
      '',
      `async def handle_${index}(repo, keys):`,
      '    results = []',
      '    for key in keys:',
      '        results.append(await repo.load(key))',
      index % 7 === 0 ? '    requests.get("https://example.com")' : '    await asyncio.gather(*(repo.load(k) for k in keys))',
      '    with ThreadPoolExecutor() as pool:',
      `        pool.submit(os.path.join, "a", "${index}")`,
      '    return [r for r in results if r]',
    );
  }
  out.push('', '', 'async def fetch_record(path, key, retries=0):', '    await asyncio.sleep(0)', '    return "{}"', '');
  while (out.length < lines) out.push('# padding');
  return `${out.join('\n')}\n`;
}

/** A TypeScript module of about `lines` lines. */
export function typescriptSource(lines: number): string {
  const out = [
    "import * as fs from 'node:fs';",
    "import { readFile } from 'node:fs/promises';",
    "import { spawn } from 'node:child_process';",
    '',
    'interface Item { id: string; size: number }',
    '',
  ];
  for (let index = 0; out.length < lines - 30; index += 1) {
    out.push(
      '',
      `export class Store${index}<T extends Item> {`,
      '  private readonly items = new Map<string, T>();',
      '',
      '  total(values: number[]): number {',
      '    let result = 0;',
      '    for (const value of values) {',
      '      result += value % 3 === 0 ? value * 2 : -Math.floor(value / 2);',
      '    }',
      '    return result;',
      '  }',
      '',
      '  async load(id: string): Promise<T | undefined> {',
      '    const cached = this.items.get(id);',
      '    if (cached) return cached;',
      `    const text = await readFile(\`data/\${id}-${index}.json\`, 'utf8');`,
      index % 10 === 0 ? "    fs.readFileSync('lock');" : '    await Promise.resolve();',
      '    const item = JSON.parse(text) as T;',
      '    this.items.set(id, item);',
      '    return item;',
      '  }',
      '}',
      '',
      `export async function handle${index}(store: Store${index}<Item>, ids: string[]): Promise<Item[]> {`,
      '  const found: Item[] = [];',
      '  for (const id of ids) {',
      '    const item = await store.load(id);',
      '    if (item) found.push(item);',
      '  }',
      index % 7 === 0 ? "  spawn('ls');" : '  await Promise.all(ids.map((id) => store.load(id)));',
      '  return found;',
      '}',
    );
  }
  while (out.length < lines) out.push('// padding');
  return `${out.join('\n')}\n`;
}
