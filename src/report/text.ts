/**
 * The terminal view: an aligned table of sessions, findings by severity, one recommendation per
 * target, and the verdict. Colour is the caller's decision, so this stays a pure function.
 */
import pc from 'picocolors';
import type { Severity } from '../plan/types.js';
import type { Finding, Report, ResultRow } from './model.js';
import { oneLine, targetLabel, vantageErrors, verdictLine, where } from './row-view.js';

export interface TextOptions {
  /** ANSI colours; false guarantees no escape code at all in the output. */
  color: boolean;
  /** Each session's transcript under the table. */
  verbose?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;
type Paint = (text: string) => string;

/** What a line may hold to stay readable in a 100-column terminal. */
const WIDTH = 100;
/** Certificates closer to expiry than this are shown in yellow (the plan's default `cert.minDays`). */
const EXPIRY_WARN_DAYS = 14;

interface Column {
  title: string;
  align: 'left' | 'right';
  /** Narrowest the column may be squeezed to when the table is too wide; absent: never squeezed. */
  min?: number;
}

const COLUMNS: readonly Column[] = [
  { title: 'TARGET', align: 'left', min: 12 },
  { title: 'PORT', align: 'right' },
  { title: 'MODE', align: 'left' },
  { title: 'ADDRESS', align: 'left', min: 15 },
  { title: 'STATUS', align: 'left' },
  { title: 'TLS', align: 'left' },
  { title: 'CERT DAYS', align: 'right' },
  { title: 'LATENCY', align: 'right' },
];
const GAP = '  ';

/** A cell: the plain text (for width) and how to colour it. */
interface Cell {
  text: string;
  paint?: Paint;
}

/** Length in code points: what a terminal shows for the text this renderer emits. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function truncate(text: string, max: number): string {
  if (width(text) <= max) return text;
  return `${Array.from(text)
    .slice(0, Math.max(0, max - 1))
    .join('')}…`;
}

/** Word-wraps to `max` columns: the first line starts with `first`, the others with `rest`. */
function wrap(text: string, max: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = '';
  const prefix = () => (lines.length === 0 ? first : rest);
  for (const word of text.split(' ').filter(Boolean)) {
    if (line !== '' && width(`${prefix()}${line} ${word}`) > max) {
      lines.push(prefix() + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(prefix() + line);
  // A word longer than a line (a URL) is left to overflow: cut, it would be useless.
  return lines;
}

function statusPaint(c: Colors, status: ResultRow['status']): Paint {
  if (status === 'ok') return c.green;
  if (status === 'temporary') return c.yellow;
  return c.red;
}

function certCell(c: Colors, row: ResultRow): Cell {
  const cert = row.tls?.certificate;
  if (!cert) return { text: '-' };
  const days = cert.daysUntilExpiry;
  if (cert.expired || days < 0) return { text: String(days), paint: c.red };
  return { text: String(days), ...(days < EXPIRY_WARN_DAYS ? { paint: c.yellow } : {}) };
}

function cells(c: Colors, row: ResultRow): Cell[] {
  return [
    { text: oneLine(targetLabel(row)) },
    { text: String(row.port) },
    { text: row.mode },
    { text: oneLine(row.address ?? '-') },
    { text: row.status, paint: statusPaint(c, row.status) },
    { text: oneLine(row.tls?.protocol ?? '-') },
    certCell(c, row),
    { text: `${Math.round(row.durationMs)} ms` },
  ];
}

/** Natural widths, then the squeezable columns narrowed (target first) until the table fits. */
function columnWidths(table: Cell[][]): number[] {
  const widths = COLUMNS.map((col, i) =>
    Math.max(width(col.title), ...table.map((r) => width(r[i]?.text ?? ''))),
  );
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  for (const [i, col] of COLUMNS.entries()) {
    const current = widths[i] ?? 0;
    if (col.min === undefined || total() <= WIDTH) continue;
    widths[i] = Math.max(col.min, current - (total() - WIDTH));
  }
  return widths;
}

function formatRow(row: Cell[], widths: number[]): string {
  return row
    .map((cell, i) => {
      const w = widths[i] ?? 0;
      const text = truncate(cell.text, w);
      const pad = ' '.repeat(w - width(text));
      const padded =
        COLUMNS[i]?.align === 'right'
          ? pad + (cell.paint?.(text) ?? text)
          : (cell.paint?.(text) ?? text) + pad;
      return padded;
    })
    .join(GAP)
    .trimEnd();
}

function table(c: Colors, rows: readonly ResultRow[]): string[] {
  const body = rows.map((row) => cells(c, row));
  const widths = columnWidths(body);
  const header = formatRow(
    COLUMNS.map((col) => ({ text: col.title, paint: c.bold })),
    widths,
  );
  const lines = [header];
  for (const [i, row] of rows.entries()) {
    lines.push(formatRow(body[i] ?? [], widths));
    // The status alone rarely says enough; the core's one-line explanation says why.
    if (row.status !== 'ok') lines.push(c.dim(truncate(`  ↳ ${oneLine(row.explanation)}`, WIDTH)));
  }
  return lines;
}

function transcripts(c: Colors, rows: readonly ResultRow[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push('', c.bold(`Transcript of ${oneLine(where(row))}`));
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

function findingLines(c: Colors, finding: Finding): string[] {
  const mark = severityPaint(c, finding.severity)(SEVERITY_MARKS[finding.severity]);
  const head = truncate(
    `${finding.rule} · ${oneLine(where(finding))}: ${oneLine(finding.message)}`,
    WIDTH - 4,
  );
  // Hints are the actionable part: wrapped, never cut.
  const lines = [`  ${mark} ${head}`, ...wrap(oneLine(finding.hint), WIDTH, '    ', '    ')];
  const at = finding.location;
  if (at) lines.push(c.dim(truncate(`    at ${oneLine(at.file)}:${at.line}:${at.column}`, WIDTH)));
  return lines;
}

function findings(c: Colors, all: readonly Finding[]): string[] {
  const lines: string[] = [];
  for (const severity of ['error', 'warning', 'notice'] as const) {
    const group = all.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push('', severityPaint(c, severity)(c.bold(`${SEVERITY_HEADINGS[severity]} (${group.length})`)));
    for (const finding of group) lines.push(...findingLines(c, finding));
  }
  return lines;
}

function recommendations(c: Colors, report: Report): string[] {
  if (report.recommendations.length === 0) return [];
  const lines = ['', c.bold('Recommendations')];
  // The reason already ends in "use N" (or says nothing works): it is the recommendation.
  for (const rec of report.recommendations) {
    lines.push(...wrap(`${oneLine(targetLabel(rec))}: ${oneLine(rec.reason)}`, WIDTH, '  ', '    '));
  }
  return lines;
}

/** The report for a terminal. */
export function renderText(report: Report, options: TextOptions): string {
  const c = pc.createColors(options.color);
  const lines = report.results.length === 0 ? [c.dim('No results.')] : table(c, report.results);
  if (options.verbose) lines.push(...transcripts(c, report.results));
  lines.push(...findings(c, report.findings));
  const failed = vantageErrors(report);
  if (failed.length > 0)
    lines.push(
      '',
      c.bold(c.red('Vantages that could not answer')),
      ...failed.map((line) => `  ${oneLine(line)}`),
    );
  lines.push(...recommendations(c, report));
  const verdict = verdictLine(report.verdict);
  lines.push('', c.bold(report.verdict.pass ? c.green(verdict) : c.red(verdict)));
  return `${lines.join('\n')}\n`;
}
