/**
 * The GitHub view: a job summary or a PR comment. Everything a server controls is escaped so that a
 * hostile banner can neither break the table nor inject HTML, and the whole stays under a length
 * limit because GitHub refuses a comment over 65 536 characters.
 */
import type { Finding, Report, ResultRow, Severity } from '../result/model.js';
import { buildMatrix, latencyText, type MatrixCell } from './matrix.js';
import {
  findingsFor,
  manyVantages,
  oneLine,
  plural,
  ruleIds,
  showsMatrix,
  vantageErrors,
  verdictLine,
  where,
  worstSeverity,
} from './row-view.js';

export interface MarkdownOptions {
  /** Longest output, in UTF-16 code units (what `string.length` counts). Default 60 000. */
  maxLength?: number;
}

export const DEFAULT_MAX_LENGTH = 60_000;

const SEVERITY_MARKS: Readonly<Record<Severity, string>> = { error: '❌', warning: '⚠️', notice: 'ℹ️' };

/**
 * GitHub turns `@name` into a mention that notifies people: a server must not be able to page anyone.
 * A zero-width space after the `@` keeps the text and breaks the mention.
 */
const MENTION = /(^|\W)@(?=\w)/g;

/**
 * Inline text made inert: HTML entities for what GitHub would read as HTML or a table edge, a backslash
 * for what it would read as emphasis or a link. One line, controls neutralised.
 */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/([\\*_[\]~])/g, '\\$1')
    .replace(MENTION, '$1@\u200b');
}

/** Text inside an HTML element (`<summary>`), where only HTML's own characters matter. */
function escapeHtml(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MENTION, '$1@\u200b');
}

/** A fence longer than any run of backticks in the block, so nothing inside can close it (CommonMark §4.5). */
function fenceFor(body: string): string {
  let longest = 0;
  for (const run of body.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function rowMark(findings: readonly Finding[]): string {
  const worst = worstSeverity(findings);
  return worst === 'error' || worst === 'warning' ? SEVERITY_MARKS[worst] : '✅';
}

function certCell(row: ResultRow): string {
  const cert = row.tls?.certificate;
  if (!cert) return '-';
  return cert.expired || cert.daysUntilExpiry < 0
    ? `${cert.daysUntilExpiry} (expired)`
    : String(cert.daysUntilExpiry);
}

/**
 * One row per session: the icon is the worst of the session's findings (so a certificate that fails
 * the port shows ❌ beside status `ok`), and the findings column says which rules made it so. With
 * several vantages, each has a column of its own.
 */
function table(report: Report): string {
  const many = manyVantages(report);
  const lines = [
    `|   | Target |${many ? ' Vantage |' : ''} Port | Mode | Address | Status | Findings | TLS | Cert days | Latency |`,
    `| - | ------ |${many ? ' ------- |' : ''} ---: | ---- | ------- | ------ | -------- | --- | --------: | ------: |`,
  ];
  for (const row of report.results) {
    const findings = findingsFor(report, row);
    const rules = ruleIds(findings);
    const cells = [
      rowMark(findings),
      escapeMarkdown(row.target),
      ...(many ? [escapeMarkdown(row.vantage)] : []),
      String(row.port),
      row.mode,
      escapeMarkdown(row.address ?? '-'),
      `\`${row.status}\``,
      rules.length === 0 ? '-' : rules.map((rule) => `\`${rule}\``).join(' '),
      escapeMarkdown(row.tls?.protocol ?? '-'),
      certCell(row),
      `${Math.round(row.durationMs)} ms`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function matrixCell(cell: MatrixCell): string {
  const worst = cell.error ? 'error' : cell.severity;
  const mark =
    cell.status === '-' ? '' : worst === 'error' || worst === 'warning' ? SEVERITY_MARKS[worst] : '✅';
  const parts = [
    mark,
    cell.status === '-' ? '-' : `\`${cell.status}\``,
    cell.verdict ? `\`${cell.verdict}\`` : '',
    latencyText(cell.latencyMs),
  ];
  return parts.filter(Boolean).join(' ');
}

/**
 * The run as a matrix: a row per target (or control) and port, a column per vantage, each cell the
 * status that vantage saw, the verdict judging it, and the latency.
 */
function matrixTable(report: Report): string {
  const matrix = buildMatrix(report);
  const lines = [
    `| Target | Port | ${matrix.vantages.map((v) => escapeMarkdown(v.title)).join(' | ')} |`,
    `| ------ | ---: | ${matrix.vantages.map(() => '---').join(' | ')} |`,
  ];
  for (const row of matrix.rows) {
    const name = `${escapeMarkdown(row.target)}${row.control ? ' _(control)_' : ''}`;
    lines.push(`| ${name} | ${row.port} | ${row.cells.map(matrixCell).join(' | ')} |`);
  }
  return `### Reachability by vantage\n\n${lines.join('\n')}`;
}

function findingItem(finding: Finding, many: boolean): string {
  const at = finding.location
    ? ` (${finding.location.file}:${finding.location.line}:${finding.location.column})`
    : '';
  return (
    `- ${SEVERITY_MARKS[finding.severity]} \`${finding.rule}\` **${escapeMarkdown(where(finding, many))}**: ` +
    // One physical line: a hint on a line of its own could start a heading or a list.
    `${escapeMarkdown(finding.message)}${escapeMarkdown(at)}<br>↳ ${escapeMarkdown(finding.hint)}`
  );
}

/** The reason already ends in "use N" or starts with "nothing works from here". */
function recommendationItem(rec: Report['recommendations'][number], many: boolean): string {
  const mark = rec.port === null ? '❌' : '👉';
  const label = many ? `${rec.target} from ${rec.vantage}` : rec.target;
  return `- ${mark} **${escapeMarkdown(label)}**: ${escapeMarkdown(rec.reason)}`;
}

function transcriptBlock(row: ResultRow, many: boolean): string {
  const body = row.transcript
    .map((line) => `${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`)
    .join('\n');
  const fence = fenceFor(body);
  const summary = escapeHtml(`${where(row, many)} — ${row.status}: ${row.explanation}`);
  // The blank line after <summary> lets GitHub read the fenced block as Markdown, not HTML.
  return `<details><summary>${summary}</summary>\n\n${fence}text\n${body || '(no session)'}\n${fence}\n\n</details>`;
}

/** The parts of the summary, assembled by `renderMarkdown` within its length limit. */
interface Parts {
  head: string;
  findings: string[];
  recommendations: string;
  /** Vantages that could not answer, when any. */
  vantageErrors: string;
  transcripts: string[];
}

function parts(report: Report): Parts {
  const pass = report.verdict.pass;
  const many = manyVantages(report);
  const head = [
    `## ${pass ? '✅' : '❌'} smtp-port-probe — ${verdictLine(report.verdict)}`,
    ...(showsMatrix(report) && report.results.length > 0 ? [matrixTable(report), '### Sessions'] : []),
    report.results.length === 0 ? '_No results._' : table(report),
  ].join('\n\n');
  const failing = report.results.filter((row) => {
    const worst = worstSeverity(findingsFor(report, row));
    return worst === 'error' || worst === 'warning';
  });
  return {
    head,
    findings: report.findings.map((f) => findingItem(f, many)),
    recommendations:
      report.recommendations.length === 0
        ? ''
        : `### Recommendations\n\n${report.recommendations.map((r) => recommendationItem(r, many)).join('\n')}`,
    vantageErrors:
      vantageErrors(report).length === 0
        ? ''
        : `### Vantages that could not answer\n\n${vantageErrors(report)
            .map((line) => `- ❌ ${escapeMarkdown(line)}`)
            .join('\n')}`,
    transcripts: failing.map((row) => transcriptBlock(row, many)),
  };
}

function assemble(p: Parts, findings: number, transcripts: number, note: string): string {
  const sections = [p.head];
  if (p.vantageErrors) sections.push(p.vantageErrors);
  if (findings > 0) sections.push(`### Findings\n\n${p.findings.slice(0, findings).join('\n')}`);
  if (p.recommendations) sections.push(p.recommendations);
  if (transcripts > 0)
    sections.push(`### Transcripts\n\n${p.transcripts.slice(0, transcripts).join('\n\n')}`);
  if (note) sections.push(note);
  return `${sections.join('\n\n')}\n`;
}

function omissionNote(findings: number, transcripts: number, maxLength: number): string {
  const left = [
    transcripts > 0 ? plural(transcripts, 'transcript') : '',
    findings > 0 ? plural(findings, 'finding') : '',
  ].filter(Boolean);
  if (left.length === 0) return '';
  return `_${left.join(' and ')} left out to stay under ${maxLength} characters; the JSON report has everything._`;
}

/**
 * The last resort, when even the table does not fit: whole lines only, so no table row, entity or tag
 * is left half-written, and a note that says so.
 */
function hardCut(text: string, maxLength: number): string {
  const note = '\n\n_Cut here to stay under the length limit; the JSON report has everything._\n';
  const cut = text.slice(0, Math.max(0, maxLength - note.length));
  const lineEnd = cut.lastIndexOf('\n');
  return `${lineEnd > 0 ? cut.slice(0, lineEnd) : ''}${note}`.slice(0, maxLength);
}

/**
 * The report as GitHub-flavoured Markdown. Over `maxLength`, transcripts go first (from the last),
 * then findings from the tail, and a note says what was left out.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const p = parts(report);
  const render = (findings: number, transcripts: number) =>
    assemble(
      p,
      findings,
      transcripts,
      omissionNote(p.findings.length - findings, p.transcripts.length - transcripts, maxLength),
    );
  const fits = (findings: number, transcripts: number) => render(findings, transcripts).length <= maxLength;
  const allFindings = p.findings.length;
  const transcripts = mostThatFit(p.transcripts.length, (t) => fits(allFindings, t));
  const findings = transcripts > 0 ? allFindings : mostThatFit(allFindings, (f) => fits(f, 0));
  const out = render(findings, transcripts);
  return out.length > maxLength ? hardCut(out, maxLength) : out;
}

/**
 * The largest k in 0..n with fits(k), by bisection, since the length grows with k (a few render calls
 * instead of one per dropped part); 0 when none fits.
 */
function mostThatFit(n: number, fits: (k: number) => boolean): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
