/**
 * What every view says the same way: which findings belong to a row, how bad a row is, how a row is
 * named, and the verdict in one line. Kept here so the four formats cannot disagree.
 */
import type { Finding, Report, ResultRow, Severity, Verdict } from '../result/model.js';

const RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, notice: 1 };

/** A finding with address null judges every address of its port; otherwise exactly one session. */
export function belongsTo(finding: Finding, row: ResultRow): boolean {
  return (
    finding.vantage === row.vantage &&
    finding.target === row.target &&
    finding.port === row.port &&
    (finding.address === null || finding.address === row.address)
  );
}

export function findingsFor(report: Report, row: ResultRow): Finding[] {
  return report.findings.filter((finding) => belongsTo(finding, row));
}

/** Findings that match no row (a plan bug, or a hand-built report): views must still show them. */
export function unmatchedFindings(report: Report): Finding[] {
  return report.findings.filter((finding) => !report.results.some((row) => belongsTo(finding, row)));
}

/** The worst severity among findings, or null when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const { severity } of findings) {
    if (worst === null || RANK[severity] > RANK[worst]) worst = severity;
  }
  return worst;
}

/**
 * Whether findings of this severity make the run fail under the verdict's `failOn`: what CI systems
 * must show as a failure so that they agree with the exit code.
 */
export function failsRun(severity: Severity, failOn: Verdict['failOn']): boolean {
  if (failOn === 'never') return false;
  return RANK[severity] >= RANK[failOn];
}

/** `mail.example.com:587`, with an IPv6 literal bracketed so the port stays readable. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `mail.example.com:587 (192.0.2.1)`; `(no address)` when DNS gave none. */
export function rowLabel(row: Pick<ResultRow, 'host' | 'port' | 'address'>): string {
  return `${hostPort(row.host, row.port)} (${row.address ?? 'no address'})`;
}

/** Whether the run had several vantages: then every view names the vantage of each row and finding. */
export function manyVantages(report: Pick<Report, 'vantages'>): boolean {
  return report.vantages.length > 1;
}

/** Whether views open with the matrix: with several vantages, or with controls to tell apart. */
export function showsMatrix(report: Pick<Report, 'vantages' | 'results'>): boolean {
  return manyVantages(report) || report.results.some((row) => row.control);
}

/**
 * What a row or a finding is about, for people: `relay 192.0.2.1:587 (192.0.2.1)`, the target's name
 * first unless it is just the host, the address only when there is one, and the vantage when the run
 * had several.
 */
export function where(
  about: Pick<Finding, 'target' | 'host' | 'port' | 'address' | 'vantage'>,
  withVantage: boolean,
): string {
  const name = about.target === about.host ? '' : `${about.target} `;
  const from = withVantage ? ` from ${about.vantage}` : '';
  return `${name}${hostPort(about.host, about.port)}${about.address === null ? '' : ` (${about.address})`}${from}`;
}

/** The vantages that could not answer, one line each. */
export function vantageErrors(report: Report): string[] {
  return report.vantages.filter((v) => v.error).map((v) => `${v.label}: ${v.error}`);
}

/** The rule ids of a row's findings, worst first, each once: what a table shows beside the status. */
export function ruleIds(findings: readonly Finding[]): string[] {
  const sorted = [...findings].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  return [...new Set(sorted.map((f) => f.rule))];
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `PASS`, `PASS: 1 warning (fail-on: error)` or `FAIL: 2 errors, 1 warning (fail-on: error)`. */
export function verdictLine(verdict: Verdict): string {
  const counts = [
    verdict.errors > 0 ? plural(verdict.errors, 'error') : '',
    verdict.warnings > 0 ? plural(verdict.warnings, 'warning') : '',
    verdict.notices > 0 ? plural(verdict.notices, 'notice') : '',
  ].filter(Boolean);
  const word = verdict.pass ? 'PASS' : 'FAIL';
  if (counts.length === 0) return verdict.pass ? word : `${word} (fail-on: ${verdict.failOn})`;
  return `${word}: ${counts.join(', ')} (fail-on: ${verdict.failOn})`;
}

/** Rows grouped by target, in the order targets first appear. */
export function rowsByTarget(rows: readonly ResultRow[]): Map<string, ResultRow[]> {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const group = groups.get(row.target);
    if (group) group.push(row);
    else groups.set(row.target, [row]);
  }
  return groups;
}

// C0 and C1 controls would let a hostile server move the cursor, recolour or clear a terminal, and
// XML 1.0 forbids most of them outright; bidi controls can make text read differently from what it is
// (CVE-2021-42574). Lone surrogates are not characters at all.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|\p{Cs}/gu;

/** Text from a server or a remote report, made safe to show on one line anywhere. */
export function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ').replace(UNSAFE, '\uFFFD');
}
