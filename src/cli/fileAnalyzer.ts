/**
 * Analyses one file for `check`, in a worker thread or in the main one: parses it, learns what its
 * imports are in the workspace (parsing the files they reach when their summaries are not known
 * yet), runs the rules and locates the findings.
 */
import type { Parser } from 'web-tree-sitter';
import { DocumentAnalysis } from '../core/analysis/analyzer';
import { factsDigest } from '../core/analysis/crossFile';
import { ruleMeta } from '../core/analysis/rules';
import type { GrammarLoader } from '../core/syntax/grammars';
import { familyOf, languageForFileName, type SourceLanguage } from '../core/syntax/languages';
import { moduleSummary } from '../core/analysis/moduleSummary';
import { ParsedDocument } from '../core/syntax/parsedDocument';
import { LineIndex } from '../core/syntax/text';
import { contentHash } from './cache';
import type { FileJob, FileResult, LocatedFinding, ParsedSummary } from './workerProtocol';
import { readSource } from './sources';
import type { CliWorkspace, SummarySource } from './workspace';

export class FileAnalyzer {
  private readonly parsers = new Map<SourceLanguage, Promise<Parser>>();
  /** Summaries this analyzer parsed since the last analysis ended. */
  private parsed: ParsedSummary[] = [];

  constructor(
    private readonly grammars: GrammarLoader,
    readonly workspace: CliWorkspace,
  ) {
    this.summarySource = this.parseSummary;
  }

  /** Where summaries of imported files come from (by default, parsing them). */
  summarySource: SummarySource;
  /** Told each analysed file's own summary as soon as it is parsed (before its analysis may wait for others). */
  onParsed: ((parsed: ParsedSummary) => void) | undefined;

  /** The summary of a file other files import, parsed on its own. */
  readonly parseSummary: SummarySource = async (file) => {
    const language = languageForFileName(file);
    if (!language) return undefined;
    const text = readSource(file);
    const tree = (await this.parser(language)).parse(text);
    if (!tree) return undefined;
    const summary = moduleSummary(tree, familyOf(language));
    tree.delete();
    this.parsed.push({ file, language, hash: contentHash(text), summary });
    return summary;
  };

  async analyse(job: FileJob): Promise<FileResult> {
    const document = ParsedDocument.parse(await this.parser(job.language), job.language, job.text);
    try {
      const summary = moduleSummary(document.tree, document.family);
      this.workspace.add(job.file, summary);
      this.onParsed?.({ file: job.file, language: job.language, hash: job.hash, summary });
      const facts = await this.workspace.factsOf(job.file, summary, this.summarySource);
      const importsFacts = facts.asyncFunctions.length > 0 || facts.aliases.length > 0 || facts.loopRunners.length > 0;
      const analysis = DocumentAnalysis.ofDocument(document, importsFacts ? job.unfiltered : job.configuration, { file: job.file, importedFacts: () => facts });
      const lines = new LineIndex(job.text);
      const findings = analysis.findings.map((finding): LocatedFinding => {
        const start = lines.positionAt(finding.start);
        const end = lines.positionAt(finding.end);
        return {
          line: start.line + 1,
          column: start.character + 1,
          endLine: end.line + 1,
          endColumn: end.character + 1,
          rule: finding.rule,
          severity: finding.severity,
          message: finding.message.en,
          related: ruleMeta(finding.rule).related,
        };
      });
      const parsed = this.parsed;
      this.parsed = [];
      return { id: job.id, findings, summary, factsDigest: factsDigest(facts), summaries: parsed, probes: this.workspace.takeProbes() };
    } finally {
      document.dispose();
    }
  }

  private parser(language: SourceLanguage): Promise<Parser> {
    let parser = this.parsers.get(language);
    if (!parser) {
      parser = this.grammars.createParser(language);
      this.parsers.set(language, parser);
    }
    return parser;
  }
}
