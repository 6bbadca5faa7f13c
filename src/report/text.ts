/**
 * The terminal view: an aligned table of sessions, findings by severity, one recommendation per
 * target, and the verdict. Colour is the caller's decision, so this stays a pure function.
 */
import pc from 'picocolors';
import type { Finding, Report, ResultRow, Severity } from '../result/model.js';
import {
  findingsFor,
  manyVantages,
  oneLine,
  showsMatrix,
  vantageErrors,
  verdictLine,
  where,
} from './row-view.js';
import { matrixLines } from './text-matrix.js';
import {
  type Cell,
  type Colors,
  type Column,
  columnWidths,
  formatRow,
  type Paint,
  wrap,
} from './text-table.js';

export interface TextOptions {
  /** ANSI colours; false guarantees no escape code at all in the output. */
  color: boolean;
  /** Each session's transcript under the table. */
  verbose?: boolean;
  /**
   * The terminal's width: the table is squeezed and long lines wrapped to fit it. Absent (a file, a
   * pipe): nothing is cut or wrapped, every character a server sent is kept.
   */
  width?: number;
}

const TARGET: Column = { title: 'TARGET', align: 'left', min: 6 };
const VANTAGE: Column = { title: 'VANTAGE', align: 'left', min: 7 };
const REST: readonly Column[] = [
  { title: 'PORT', align: 'right' },
  { title: 'MODE', align: 'left' },
  { title: 'ADDRESS', align: 'left', min: 7 },
  { title: 'STATUS', align: 'left' },
  { title: 'TLS', align: 'left' },
  { title: 'CERT DAYS', align: 'right' },
  { title: 'LATENCY', align: 'right' },
];
function statusPaint(c: Colors, status: ResultRow['status']): Paint {
  if (status === 'ok') return c.green;
  if (status === 'temporary') return c.yellow;
  return c.red;
}

/** Days left, coloured by the findings the plan's own thresholds produced (`expect.cert.min_days`). */
function certCell(c: Colors, row: ResultRow, findings: readonly Finding[]): Cell {
  const cert = row.tls?.certificate;
  if (!cert) return { text: '-' };
  const text = String(cert.daysUntilExpiry);
  if (findings.some((f) => f.rule === 'cert-expired')) return { text, paint: c.red };
  if (findings.some((f) => f.rule === 'cert-expiring')) return { text, paint: c.yellow };
  return { text };
}

function cells(c: Colors, row: ResultRow, findings: readonly Finding[], many: boolean): Cell[] {
  return [
    { text: oneLine(row.target) },
    ...(many ? [{ text: oneLine(row.vantage) }] : []),
    { text: String(row.port) },
    { text: row.mode },
    { text: oneLine(row.address ?? '-') },
    { text: row.status, paint: statusPaint(c, row.status) },
    { text: oneLine(row.tls?.protocol ?? '-') },
    certCell(c, row, findings),
    { text: `${Math.round(row.durationMs)} ms` },
  ];
}

function table(c: Colors, report: Report, max: number | undefined): string[] {
  const many = manyVantages(report);
  const columns = [TARGET, ...(many ? [VANTAGE] : []), ...REST];
  const rows = report.results;
  const body = rows.map((row) => cells(c, row, findingsFor(report, row), many));
  const widths = columnWidths(columns, body, max);
  const header = formatRow(
    columns,
    columns.map((col) => ({ text: col.title, paint: c.bold })),
    widths,
  );
  const lines = [header];
  for (const [i, row] of rows.entries()) {
    lines.push(formatRow(columns, body[i] ?? [], widths));
    // The status alone rarely says enough; the core's one-line explanation says why.
    if (row.status !== 'ok') {
      lines.push(...wrap(oneLine(row.explanation), max, '  ↳ ', '    ').map((line) => c.dim(line)));
    }
  }
  return lines;
}

function transcripts(c: Colors, rows: readonly ResultRow[], many: boolean): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push('', c.bold(`Transcript of ${oneLine(where(row, many))}`));
    if (row.transcript.length === 0) lines.push(c.dim('  (no session: nothing was sent or received)'));
    for (const line of row.transcript) {
      const paint = line.dir === '*' ? c.dim : line.dir === '>' ? c.cyan : (text: string) => text;
      // Left whole: a transcript is read when debugging, where a cut line hides the answer.
      lines.push(paint(`${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`));
    }
  }
  return lines;
}

const SEVERITY_HEADINGS: Readonly<Record<Severity, string>> = {
  error: 'Errors',
  warning: 'Warnings',
  notice: 'Notices',
};

function severityPaint(c: Colors, severity: Severity): Paint {
  if (severity === 'error') return c.red;
  if (severity === 'warning') return c.yellow;
  return c.blue;
}

const SEVERITY_MARKS: Readonly<Record<Severity, string>> = { error: '✖', warning: '▲', notice: 'ℹ' };

function findingLines(c: Colors, finding: Finding, many: boolean, max: number | undefined): string[] {
  const mark = SEVERITY_MARKS[finding.severity];
  const head = `${finding.rule} · ${oneLine(where(finding, many))}: ${oneLine(finding.message)}`;
  // Wrapped on a terminal, never cut: the message is what went wrong, the hint what to do.
  const [first = '', ...rest] = wrap(head, max, `  ${mark} `, '    ');
  const painted = `  ${severityPaint(c, finding.severity)(mark)}${first.slice(3)}`;
  const lines = [painted, ...rest, ...wrap(oneLine(finding.hint), max, '    ', '    ')];
  const at = finding.location;
  if (at) lines.push(c.dim(`    at ${oneLine(at.file)}:${at.line}:${at.column}`));
  return lines;
}

function findings(c: Colors, all: readonly Finding[], many: boolean, max: number | undefined): string[] {
  const lines: string[] = [];
  for (const severity of ['error', 'warning', 'notice'] as const) {
    const group = all.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push('', severityPaint(c, severity)(c.bold(`${SEVERITY_HEADINGS[severity]} (${group.length})`)));
    for (const finding of group) lines.push(...findingLines(c, finding, many, max));
  }
  return lines;
}

function recommendations(c: Colors, report: Report, max: number | undefined): string[] {
  if (report.recommendations.length === 0) return [];
  const many = manyVantages(report);
  const lines = ['', c.bold('Recommendations')];
  // The reason already ends in "use N" (or says nothing works): it is the recommendation.
  for (const rec of report.recommendations) {
    const label = many ? `${rec.target} from ${rec.vantage}` : rec.target;
    lines.push(...wrap(`${oneLine(label)}: ${oneLine(rec.reason)}`, max, '  ', '    '));
  }
  return lines;
}

/** The report for a terminal, or for a file when no width is given. */
export function renderText(report: Report, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const max = options.width;
  const many = manyVantages(report);
  const lines = report.results.length === 0 ? [c.dim('No results.')] : table(c, report, max);
  // With several vantages (or controls), the matrix first: which network reaches what, at a glance.
  if (showsMatrix(report) && report.results.length > 0)
    lines.unshift(c.bold('Reachability by vantage'), ...matrixLines(c, report, max), '');
  if (options.verbose) lines.push(...transcripts(c, report.results, many));
  lines.push(...findings(c, report.findings, many, max));
  const failed = vantageErrors(report);
  if (failed.length > 0)
    lines.push(
      '',
      c.bold(c.red('Vantages that could not answer')),
      ...failed.map((line) => `  ${oneLine(line)}`),
    );
  lines.push(...recommendations(c, report, max));
  const verdict = verdictLine(report.verdict);
  lines.push('', c.bold(report.verdict.pass ? c.green(verdict) : c.red(verdict)));
  return `${lines.join('\n')}\n`;
}
