/**
 * The analysis of one document, full or incremental.
 *
 * A full analysis parses (or reuses) the whole tree, derives module facts (imports, async
 * function names, the program facts of programFacts.ts, and what the workspace index knows about
 * the names it imports from other files) and runs every check. After a one-place edit inside a
 * top-level definition, `refresh` / `update` re-parse that definition ALONE and re-run the checks on
 * it with the module facts kept from before; findings elsewhere only shift. Anything that could
 * change module facts (imports, module-level code, a definition's name, async-ness or facts key,
 * edits in several definitions, syntax errors) falls back to a full analysis, so incremental results
 * always equal full ones.
 *
 * The analysis either shares a `ParsedDocument` someone else keeps in step with the editor (the
 * extension: one tree per open document) or owns one built from text (CLI, tests, benchmarks).
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { isAsyncFunction } from '../syntax/context';
import { type ImportTable, importsOf } from '../syntax/imports';
import { type LanguageFamily, type SourceLanguage } from '../syntax/languages';
import { type ModuleSummary, moduleSummary } from './moduleSummary';
import { ParsedDocument } from '../syntax/parsedDocument';
import { type TextChange, singleChange } from '../syntax/text';
import type { CheckContext, ModuleFacts, RawFinding } from './checkContext';
import { type ImportedFacts, NO_IMPORTED_FACTS, factsDigest } from './crossFile';
import { type RuleConfiguration, isRuleEnabled, severityFor } from './configuration';
import { checkNode } from './nodeChecks';
import { checkPython, isCpuBoundFunction } from './pythonChecks';
import { NO_PROGRAM_FACTS, factsKey, programFacts } from './programFacts';
import { ruleMessage, ruleMeta } from './rules';
import type { Finding, RuleId } from './types';

/** One top-level statement and the findings inside it. */
interface Chunk {
  start: number;
  end: number;
  /** Set for a top-level function/class definition: its name, whether it is async, and what it contributes to the module facts. */
  readonly definition: { readonly name: string; readonly isAsync: boolean; readonly factsKey: string } | undefined;
  findings: Finding[];
}

/** Where a document stands in the workspace: its path, and the workspace index that knows the other files. */
export interface WorkspaceContext {
  /** The document's absolute path. */
  readonly file: string;
  /** What the names this module imports are in other workspace files (`importedFacts` over the summaries the index holds). */
  readonly importedFacts: (file: string, summary: ModuleSummary) => ImportedFacts;
}

export class DocumentAnalysis {
  private configuration: RuleConfiguration;
  private chunks: Chunk[] = [];
  private imports: ImportTable | undefined;
  private facts: ModuleFacts = { asyncFunctions: new Set(), importedAsyncFunctions: new Set(), importedSelfCatchingAsyncFunctions: new Set(), importedLoopRunners: new Set(), ...NO_PROGRAM_FACTS };
  private imported: ImportedFacts = NO_IMPORTED_FACTS;
  private readonly cpuBound = new Map<string, boolean>();
  /** The text the findings belong to: the document's text may have moved on since. */
  private analysedText = '';
  /** How the last refresh was done: re-parsing one definition, or the whole document (observable for tests and benchmarks). */
  lastUpdate: 'definition' | 'document' = 'document';

  private constructor(
    readonly document: ParsedDocument,
    private readonly ownsDocument: boolean,
    configuration: RuleConfiguration,
    private readonly workspace: WorkspaceContext | undefined,
  ) {
    this.configuration = configuration;
    this.analyzeAll();
  }

  /** Analyses a document kept up to date by its owner, who also disposes it; call `refresh` after it changes. */
  static ofDocument(document: ParsedDocument, configuration: RuleConfiguration = {}, workspace?: WorkspaceContext): DocumentAnalysis {
    return new DocumentAnalysis(document, false, configuration, workspace);
  }

  /** Parses `text` into a document of its own (`parser` set to `language`'s grammar) and analyses it; edit it through `update`. */
  static ofText(parser: Parser, language: SourceLanguage, text: string, configuration: RuleConfiguration = {}, workspace?: WorkspaceContext): DocumentAnalysis {
    return new DocumentAnalysis(ParsedDocument.parse(parser, language, text), true, configuration, workspace);
  }

  get findings(): Finding[] {
    return this.chunks.flatMap((chunk) => chunk.findings);
  }

  /** What the analysed text offers other files (module-level names, async-ness, re-exports). */
  get summary(): ModuleSummary {
    return moduleSummary(this.document.tree, this.document.family);
  }

  /** What the findings assumed about other files: which of its imports are async functions or outside APIs, read from which files. */
  get importedFacts(): ImportedFacts {
    return this.imported;
  }

  /**
   * Asks the workspace index again (other files changed, or their summaries arrived); a full
   * re-analysis when the answer differs. True when the findings may have changed.
   */
  refreshImportedFacts(): boolean {
    if (!this.workspace) return false;
    const facts = this.workspace.importedFacts(this.workspace.file, moduleSummary(this.document.tree, this.document.family));
    if (factsDigest(facts) === factsDigest(this.imported)) {
      this.imported = facts;
      return false;
    }
    this.analyzeAll();
    return true;
  }

  /** Whether the findings belong to the document's current text (else `refresh`). */
  get isUpToDate(): boolean {
    return this.analysedText === this.document.text;
  }

  /** Applies a new rule configuration (a full re-analysis). */
  configure(configuration: RuleConfiguration): Finding[] {
    this.configuration = configuration;
    this.analyzeAll();
    return this.findings;
  }

  /** Brings the findings up to the document's current text: incrementally when the text differs in one definition only. */
  refresh(): Finding[] {
    const change = singleChange(this.analysedText, this.document.text);
    if (change) this.reanalyse(change);
    return this.findings;
  }

  /** Applies editor changes to the document this analysis owns and returns the findings of the new text. */
  update(changes: readonly TextChange[]): Finding[] {
    if (!this.ownsDocument) throw new Error('DocumentAnalysis.update on a shared document: its owner applies the edits, then call refresh()');
    this.document.applyChanges(changes);
    // One known change needs no diffing; several are merged into one by `refresh`.
    const [change] = changes;
    if (changes.length === 1 && change) this.reanalyse(change);
    else this.refresh();
    return this.findings;
  }

  /** Frees the document if this analysis owns it. */
  dispose(): void {
    if (this.ownsDocument) this.document.dispose();
  }

  /** Re-analyses after `change` turned the analysed text into the document's current text. */
  private reanalyse(change: TextChange): void {
    this.lastUpdate = this.updateOneDefinition(change) ? 'definition' : 'document';
    if (this.lastUpdate === 'document') this.analyzeAll();
    else this.analysedText = this.document.text;
  }

  private analyzeAll(): void {
    this.analysedText = this.document.text;
    const tree = this.document.tree;
    const root = tree.rootNode;
    const family = this.document.family;
    this.imported = this.workspace ? this.workspace.importedFacts(this.workspace.file, moduleSummary(tree, family)) : NO_IMPORTED_FACTS;
    this.imports = withAliases(importsOf(tree, family), this.imported.aliases);
    const { facts, keys } = moduleFactsAndKeys(root, family, this.imports, this.imported);
    this.facts = facts;
    this.cpuBound.clear();
    const topLevel = new Map<string, Node>();
    for (const statement of root.namedChildren) {
      const definition = statement && definitionOf(statement);
      const name = definition?.childForFieldName('name')?.text;
      if (definition && name !== undefined) topLevel.set(name, definition);
    }
    const findings = this.check(tree, 0, (name) => {
      let result = this.cpuBound.get(name);
      if (result === undefined) {
        const definition = topLevel.get(name);
        result = definition !== undefined && isCpuBoundFunction(definition);
        this.cpuBound.set(name, result);
      }
      return result;
    });
    this.chunks = chunksOf(root, findings, keys);
  }

  /** Re-analyses the one definition `change` falls strictly inside; false when a full analysis is needed. */
  private updateOneDefinition(change: TextChange): boolean {
    const index = this.chunks.findIndex((chunk) => chunk.start < change.offset && change.offset + change.deleteLength < chunk.end);
    const chunk = this.chunks[index];
    if (!chunk?.definition || !this.imports) return false;
    const delta = change.insertText.length - change.deleteLength;
    const text = this.document.text;
    const slice = text.slice(chunk.start, chunk.end + delta);
    const tree = this.document.parseFragment(slice);
    if (!tree) return false;
    try {
      const statements = tree.rootNode.namedChildren.filter((node) => node?.type !== 'comment');
      const definition = statements.length === 1 && statements[0] ? definitionOf(statements[0]) : undefined;
      if (tree.rootNode.hasError || !definition || definition.childForFieldName('name')?.text !== chunk.definition.name) return false;
      if (isAsync(definition) !== chunk.definition.isAsync) return false;
      if (factsKey(statements[0] as Node, this.document.family, this.imports, this.facts) !== chunk.definition.factsKey) return false;
      // Thread targets elsewhere may depend on whether this function is CPU-bound.
      const wasCpuBound = this.cpuBound.get(chunk.definition.name);
      if (wasCpuBound !== undefined && wasCpuBound !== isCpuBoundFunction(definition)) return false;
      let undecided = false;
      const findings = this.check(tree, chunk.start, (name) => {
        if (name === chunk.definition?.name) return isCpuBoundFunction(definition);
        const known = this.cpuBound.get(name);
        if (known === undefined) undecided = true;
        return known;
      });
      if (undecided) return false;
      chunk.end += delta;
      chunk.findings = findings;
      for (const later of this.chunks.slice(index + 1)) {
        later.start += delta;
        later.end += delta;
        later.findings = later.findings.map((finding) => ({ ...finding, start: finding.start + delta, end: finding.end + delta }));
      }
      return true;
    } finally {
      tree.delete();
    }
  }

  /** Runs the checks on `tree` (whose text starts at `base` in the document), applying configuration and suppressions. */
  private check(tree: Tree, base: number, isCpuBound: (name: string) => boolean | undefined): Finding[] {
    const family = this.document.family;
    const raw: RawFinding[] = [];
    const context: CheckContext = {
      family,
      root: tree.rootNode,
      imports: this.imports ?? importsOf(tree, family),
      facts: this.facts,
      isCpuBoundFunction: isCpuBound,
      isEnabled: (rule) => isRuleEnabled(this.configuration, rule),
      report: (rule, node, values = {}) => raw.push({ rule, start: node.startIndex, end: node.endIndex, values }),
    };
    if (family === 'python') checkPython(context);
    else checkNode(context);
    const text = this.document.text;
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const finding of raw) {
      const key = `${finding.rule}:${finding.start}`;
      if (!isRuleEnabled(this.configuration, finding.rule) || seen.has(key) || isSuppressed(text, base + finding.start, finding.rule, tree, base)) continue;
      seen.add(key);
      findings.push({
        rule: finding.rule,
        severity: severityFor(this.configuration, finding.rule, ruleMeta(finding.rule).defaultSeverity),
        start: base + finding.start,
        end: base + finding.end,
        message: ruleMessage(finding.rule, finding.values),
      });
    }
    return findings.sort((a, b) => a.start - b.start);
  }
}

/**
 * The import table with the workspace's aliases applied: bindings stand for the outside API they
 * reach (rules that list bindings by qualified name see them), and a name a Python `from m import *`
 * brings gets a binding of its own.
 */
function withAliases(imports: ImportTable, aliases: ImportedFacts['aliases']): ImportTable {
  if (aliases.length === 0) return imports;
  const map = new Map(aliases);
  const bindings = new Map([...imports.bindings].map(([local, binding]) => [local, { ...binding, qualifiedName: map.get(binding.qualifiedName) ?? binding.qualifiedName }]));
  const starImport = imports.statements.find((statement) => statement.namedChildren.some((child) => child?.type === 'wildcard_import'));
  for (const [spelled, name] of aliases) {
    if (starImport && !spelled.includes('.') && !bindings.has(spelled) && !imports.moduleDefinitions.has(spelled)) bindings.set(spelled, { qualifiedName: name, statement: starImport, source: { module: '*', path: [spelled] } });
  }
  return { ...imports, bindings, aliases: map };
}

/**
 * The module facts — top-level async functions (Python `async def`, JS `async function` /
 * `const f = async () => …`), the async functions and (Python) loop runners and objects of known
 * classes `imported` from other workspace files, the program facts of `programFacts.ts` — and each
 * top-level statement's facts key (in `root.namedChildren` order).
 */
function moduleFactsAndKeys(root: Node, family: LanguageFamily, imports: ImportTable, imported: ImportedFacts): { facts: ModuleFacts; keys: readonly string[] } {
  const asyncFunctions = new Set<string>();
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    const definition = definitionOf(statement);
    const name = definition?.childForFieldName('name')?.text;
    if (definition && name !== undefined && isAsync(definition)) asyncFunctions.add(name);
    if (family === 'node') {
      const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
      if (declaration?.type === 'lexical_declaration' || declaration?.type === 'variable_declaration') {
        for (const declarator of declaration.namedChildren) {
          const value = declarator?.childForFieldName('value');
          const id = declarator?.childForFieldName('name');
          if (id?.type === 'identifier' && value && (value.type === 'arrow_function' || value.type === 'function_expression') && isAsync(value)) asyncFunctions.add(id.text);
        }
      }
    }
  }
  const program = programFacts(root.namedChildren.filter((statement): statement is Node => statement !== null), family, imports, imported.classes);
  return { facts: { asyncFunctions, importedAsyncFunctions: new Set(imported.asyncFunctions), importedSelfCatchingAsyncFunctions: new Set(imported.selfCatchingAsyncFunctions), importedLoopRunners: new Set(imported.loopRunners), ...program.facts }, keys: program.keys };
}

const DEFINITION_TYPES = new Set(['function_definition', 'class_definition', 'function_declaration', 'generator_function_declaration', 'class_declaration']);

/** The function/class a top-level statement defines (through decorators and `export`), if any. */
function definitionOf(statement: Node): Node | undefined {
  let node: Node | null = statement;
  if (node.type === 'decorated_definition') node = node.childForFieldName('definition');
  else if (node.type === 'export_statement') node = node.childForFieldName('declaration');
  return node && DEFINITION_TYPES.has(node.type) ? node : undefined;
}

function isAsync(definition: Node): boolean {
  return isAsyncFunction(definition);
}

function chunksOf(root: Node, findings: readonly Finding[], factsKeys: readonly string[]): Chunk[] {
  const chunks: Chunk[] = [];
  let next = 0;
  for (const [index, statement] of root.namedChildren.filter((child): child is Node => child !== null).entries()) {
    const definition = definitionOf(statement);
    const name = definition?.childForFieldName('name')?.text;
    const chunk: Chunk = {
      start: statement.startIndex,
      end: statement.endIndex,
      definition: definition && name !== undefined ? { name, isAsync: isAsync(definition), factsKey: factsKeys[index] ?? '' } : undefined,
      findings: [],
    };
    while (next < findings.length && (findings[next]?.start ?? Infinity) < chunk.end) chunk.findings.push(findings[next++] as Finding);
    chunks.push(chunk);
  }
  // Findings outside every statement (none expected) stay visible in a last chunk without definition.
  if (next < findings.length) chunks.push({ start: root.endIndex, end: root.endIndex, definition: undefined, findings: findings.slice(next) });
  return chunks;
}

const SUPPRESSION = /(?:#|\/\/)\s*concurrency-lens:\s*ignore(?:\[([^\]]*)\])?/;

/**
 * `# concurrency-lens: ignore[rule-id, …]` (or `//`) at the end of the finding's line, or alone on
 * the line above; without brackets it silences every rule. Confirmed to be a real comment node.
 */
function isSuppressed(text: string, offset: number, rule: RuleId, tree: Tree, base: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = indexOrEnd(text, '\n', offset);
  if (commentSuppresses(text, lineStart, lineEnd, rule, tree, base)) return true;
  if (lineStart === 0) return false;
  const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  const previous = text.slice(previousStart, lineStart - 1).trimStart();
  return (previous.startsWith('#') || previous.startsWith('//')) && commentSuppresses(text, previousStart, lineStart - 1, rule, tree, base);
}

function commentSuppresses(text: string, start: number, end: number, rule: RuleId, tree: Tree, base: number): boolean {
  const match = SUPPRESSION.exec(text.slice(start, end));
  if (!match) return false;
  const at = start + match.index - base;
  // The comment may lie outside a re-parsed definition (the line above it): trust the text there.
  const node = at >= 0 && at < tree.rootNode.endIndex ? tree.rootNode.descendantForIndex(at, at) : undefined;
  if (node && node.type !== 'comment') return false;
  const ids = match[1];
  return ids === undefined || ids.split(',').some((id) => id.trim() === rule);
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index < 0 ? text.length : index;
}
