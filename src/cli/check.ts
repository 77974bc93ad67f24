/** `check`: find the files under the given paths and analyse each with the editor's engine. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DocumentAnalysis } from '../core/analysis/analyzer';
import { type RuleConfiguration, onlyRules } from '../core/analysis/configuration';
import { ruleMeta } from '../core/analysis/rules';
import type { GrammarLoader } from '../core/syntax/grammars';
import { type SourceLanguage, languageForFileName } from '../core/syntax/languages';
import { LineIndex } from '../core/syntax/text';
import type { CheckOptions } from './arguments';
import type { FileFinding } from './reports';

/** Folders never worth walking into (dependencies, VCS data, caches, virtual environments). */
const SKIPPED_FOLDERS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache']);

export class MissingPathError extends Error {}

/** Files to check under `paths`, in a stable order; a path that does not exist is a usage error. */
export function collectFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (entry: string, explicit: boolean): void => {
    const stats = statSync(entry, { throwIfNoEntry: false });
    if (!stats) {
      if (explicit) throw new MissingPathError(`No such file or folder: ${entry}`);
      return;
    }
    if (stats.isDirectory()) {
      if (!explicit && SKIPPED_FOLDERS.has(path.basename(entry))) return;
      for (const child of readdirSync(entry).sort()) visit(path.join(entry, child), false);
    } else if (stats.isFile() && (explicit || languageForFileName(entry))) {
      files.push(entry);
    }
  };
  for (const entry of paths) visit(entry, true);
  return [...new Set(files)];
}

export async function checkFiles(files: readonly string[], options: CheckOptions, grammars: GrammarLoader): Promise<FileFinding[]> {
  const configuration: RuleConfiguration = options.rules ? onlyRules(options.rules) : {};
  const findings: FileFinding[] = [];
  const parsers = new Map<SourceLanguage, Awaited<ReturnType<GrammarLoader['createParser']>>>();
  for (const file of files) {
    const language = languageForFileName(file);
    if (!language) continue;
    let parser = parsers.get(language);
    if (!parser) {
      parser = await grammars.createParser(language);
      parsers.set(language, parser);
    }
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const analysis = DocumentAnalysis.ofText(parser, language, text, configuration);
    const lines = new LineIndex(text);
    const shown = path.relative(process.cwd(), file) || file;
    for (const finding of analysis.findings) {
      const start = lines.positionAt(finding.start);
      const end = lines.positionAt(finding.end);
      findings.push({
        file: shown.split(path.sep).join('/'),
        line: start.line + 1,
        column: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message.en,
        related: ruleMeta(finding.rule).related,
      });
    }
    analysis.dispose();
  }
  return findings;
}
