/** Output formats of `check`: human text, the documented JSON (version 1), and SARIF 2.1.0. */
import type * as Sarif from 'sarif';
import { RULES } from '../core/analysis/rules';
import type { RuleId, Severity } from '../core/analysis/types';

/** One finding located in a file, with 1-based lines and columns (UTF-16 code units). */
export interface FileFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly related: readonly string[];
}

export function textReport(findings: readonly FileFinding[], filesChecked: number): string {
  const lines = findings.map((finding) => `${finding.file}:${finding.line}:${finding.column}: ${finding.severity} [${finding.rule}] ${finding.message}`);
  const files = new Set(findings.map((finding) => finding.file)).size;
  lines.push(findings.length === 0 ? `No concurrency findings in ${filesChecked} file(s).` : `${findings.length} finding(s) in ${files} of ${filesChecked} file(s).`);
  return `${lines.join('\n')}\n`;
}

export function jsonReport(findings: readonly FileFinding[]): string {
  return `${JSON.stringify({ version: 1, findings: findings.map(({ file, line, column, endLine, endColumn, rule, severity, message, related }) => ({ file, line, column, endLine, endColumn, rule, severity, message, related })) }, null, 2)}\n`;
}

const SARIF_LEVEL: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function sarifReport(findings: readonly FileFinding[], toolVersion: string): string {
  const ruleIndex = new Map<RuleId, number>(RULES.map((rule, index) => [rule.id, index]));
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Concurrency Lens',
          version: toolVersion,
          rules: RULES.map((rule) => ({
            id: rule.id,
            shortDescription: { text: rule.title.en },
            fullDescription: { text: rule.explanation.en },
            helpUri: rule.docs,
            defaultConfiguration: { level: SARIF_LEVEL[rule.defaultSeverity] },
            properties: { related: [...rule.related], tags: ['concurrency', rule.family] },
          })),
        },
      },
      columnKind: 'utf16CodeUnits',
      results: findings.map((finding) => ({
        ruleId: finding.rule,
        ruleIndex: ruleIndex.get(finding.rule) ?? -1,
        level: SARIF_LEVEL[finding.severity],
        message: { text: finding.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: finding.file.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/') },
            region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
          },
        }],
      })),
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
