// Writes snippets/*.json from the pattern data in src/core/patterns (the single source of truth).
// A unit test fails when the committed files and the data disagree: run `npm run generate:snippets`.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { patternsFor } from '../src/core/patterns';
import { SNIPPET_FILES, snippetFile } from '../src/core/patterns/snippets';

const root = path.resolve(__dirname, '..');
mkdirSync(path.join(root, 'snippets'), { recursive: true });
for (const [language, file] of Object.entries(SNIPPET_FILES)) {
  const json = `${JSON.stringify(snippetFile(patternsFor(language as keyof typeof SNIPPET_FILES)), null, 2)}\n`;
  writeFileSync(path.join(root, file), json);
  console.log(`wrote ${file}`);
}
