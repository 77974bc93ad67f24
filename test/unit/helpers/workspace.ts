import * as path from 'node:path';
import { DocumentAnalysis, type WorkspaceContext } from '../../../src/core/analysis/analyzer';
import type { RuleConfiguration } from '../../../src/core/analysis/configuration';
import { importedFacts } from '../../../src/core/analysis/crossFile';
import type { WorkspaceFiles } from '../../../src/core/analysis/workspaceFiles';
import type { Finding } from '../../../src/core/analysis/types';
import { familyOf, languageForFileName } from '../../../src/core/syntax/languages';
import { type ModuleSummary, moduleSummary } from '../../../src/core/analysis/moduleSummary';
import { loader } from './syntax';

/** A workspace of files held in memory (absolute paths under `/ws`), every summary known up front. */
export class MemoryWorkspace implements WorkspaceFiles {
  readonly pythonRoots: readonly string[];
  private constructor(
    readonly texts: ReadonlyMap<string, string>,
    private readonly summaries: ReadonlyMap<string, ModuleSummary>,
    root: string,
  ) {
    this.pythonRoots = [root];
  }

  static async of(files: Readonly<Record<string, string>>, root = '/ws'): Promise<MemoryWorkspace> {
    const texts = new Map(Object.entries(files).map(([name, text]) => [path.join(root, name), text]));
    const summaries = new Map<string, ModuleSummary>();
    for (const [file, text] of texts) {
      const language = languageForFileName(file);
      if (!language) continue;
      const tree = (await loader.createParser(language)).parse(text);
      if (!tree) throw new Error(`no tree for ${file}`);
      summaries.set(file, moduleSummary(tree, familyOf(language)));
      tree.delete();
    }
    return new MemoryWorkspace(texts, summaries, root);
  }

  isFile(file: string): boolean {
    return this.texts.has(file);
  }

  summaryOf(file: string): ModuleSummary | undefined {
    return this.summaries.get(file);
  }

  context(file: string): WorkspaceContext {
    return { file, importedFacts: (at, summary) => importedFacts(at, summary, this) };
  }

  /** The findings of one file, analysed with what the workspace knows, as `line:rule` (1-based lines). */
  async findings(name: string, configuration: RuleConfiguration = {}): Promise<string[]> {
    const file = path.join(this.pythonRoots[0] ?? '/', name);
    const text = this.texts.get(file);
    const language = languageForFileName(file);
    if (text === undefined || !language) throw new Error(`no source file ${name}`);
    const analysis = DocumentAnalysis.ofText(await loader.createParser(language), language, text, configuration, this.context(file));
    const lines = analysis.findings.map((finding: Finding) => `${text.slice(0, finding.start).split('\n').length}:${finding.rule}`);
    analysis.dispose();
    return lines;
  }
}
