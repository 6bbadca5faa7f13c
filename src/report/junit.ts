/**
 * The view for CI systems other than GitHub (GitLab, Jenkins, Azure Pipelines, CircleCI): JUnit XML,
 * one test suite per target and one test case per cell of the matrix (target × port × vantage, its
 * addresses together). A failure is a finding that fails the run; an error is a vantage that could not
 * answer for the cell.
 */
import type { Finding, Report, ResultRow } from '../result/model.js';
import { buildMatrix } from './matrix.js';
import { failsRun, hostPort, manyVantages, oneLine, where } from './row-view.js';

/**
 * XML 1.0 §2.2 allows tab, LF, CR and U+0020 up; not even a character reference may name the rest, so
 * they are replaced. C1 controls are allowed but not wanted: CI logs print `system-out` to terminals.
 */
const NOT_XML = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function xmlText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also escape quotes, and keep whitespace as references (attribute normalisation). */
function xmlAttr(text: string): string {
  return xmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function findingText(finding: Finding, many: boolean): string {
  const at = finding.location
    ? `\n  at ${oneLine(finding.location.file)}:${finding.location.line}:${finding.location.column}`
    : '';
  return `${finding.severity} ${finding.rule} ${oneLine(where(finding, many))}: ${oneLine(finding.message)}\n  ${oneLine(finding.hint)}${at}`;
}

/** What a test case says: its sessions (one per address, maybe none) and the findings on it. */
interface Case {
  classname: string;
  name: string;
  durationMs: number;
  findings: Finding[];
  rows: ResultRow[];
  /** The vantage could not answer for this cell: a JUnit error, not a failure of the target. */
  error?: string;
  /** The run had several vantages: findings name theirs. */
  many: boolean;
}

function systemOut(c: Case, passing: readonly Finding[]): string {
  const lines: string[] = [];
  for (const row of c.rows) {
    if (c.rows.length > 1) lines.push(`${row.address ?? 'no address'}:`);
    lines.push(`status: ${row.status} at ${row.stage}`, `explanation: ${oneLine(row.explanation)}`);
    if (row.hint) lines.push(`hint: ${oneLine(row.hint)}`);
  }
  if (passing.length > 0)
    lines.push('', 'findings that do not fail the run:', ...passing.map((f) => findingText(f, c.many)));
  for (const row of c.rows) {
    if (row.transcript.length === 0) continue;
    lines.push('', `transcript${c.rows.length > 1 ? ` (${row.address ?? 'no address'})` : ''}:`);
    for (const line of row.transcript) {
      lines.push(`${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`);
    }
  }
  return lines.join('\n');
}

/** The findings that fail this case: those reaching `failOn`, except the vantage's own failure when it is the case's error. */
function failingOf(c: Case, failOn: Report['verdict']['failOn']): Finding[] {
  return c.findings.filter(
    (f) => failsRun(f.severity, failOn) && !(c.error !== undefined && f.rule === 'vantage-failed'),
  );
}

function testcase(c: Case, failOn: Report['verdict']['failOn']): string {
  const failing = failingOf(c, failOn);
  const passing = c.findings.filter((f) => !failsRun(f.severity, failOn));
  const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${seconds(c.durationMs)}"`;
  const body: string[] = [];
  const [first] = failing;
  if (c.error !== undefined) {
    body.push(
      `      <error message="${xmlAttr(oneLine(c.error))}" type="vantage-failed">${xmlText(oneLine(c.error))}</error>`,
    );
  }
  if (first) {
    const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : '';
    body.push(
      `      <failure message="${xmlAttr(oneLine(first.message) + more)}" type="${xmlAttr(first.rule)}">` +
        `${xmlText(failing.map((f) => findingText(f, c.many)).join('\n'))}</failure>`,
    );
  }
  const out = systemOut(c, passing);
  if (out) body.push(`      <system-out>${xmlText(out)}</system-out>`);
  return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n');
}

/** A case per matrix cell that holds anything: sessions, findings, or the vantage's failure. */
function cases(report: Report): Map<string, Case[]> {
  const many = manyVantages(report);
  const suites = new Map<string, Case[]>();
  for (const row of buildMatrix(report).rows) {
    const suite = suites.get(row.target) ?? [];
    suites.set(row.target, suite);
    for (const cell of row.cells) {
      if (cell.rows.length === 0 && cell.findings.length === 0 && cell.error === undefined) continue;
      const addresses = cell.rows.map((r) => r.address ?? 'no address');
      const name =
        hostPort(cell.rows[0]?.host ?? row.host, row.port) +
        (addresses.length > 0 ? ` (${addresses.join(', ')})` : '') +
        (many ? ` from ${cell.vantage}` : '');
      suite.push({
        classname: row.target,
        name,
        durationMs: cell.latencyMs ?? 0,
        findings: cell.findings,
        rows: cell.rows,
        ...(cell.error !== undefined ? { error: cell.error } : {}),
        many,
      });
    }
  }
  return suites;
}

/**
 * The report as JUnit XML. A session fails when it has findings that fail the run under the verdict's
 * `failOn` (errors, by default), so the CI system agrees with the exit code; other findings and the
 * transcript go to `system-out`.
 */
export function renderJunit(report: Report): string {
  const failOn = report.verdict.failOn;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const [target, suiteCases] of cases(report)) {
    const failed = suiteCases.filter((c) => failingOf(c, failOn).length > 0).length;
    const errored = suiteCases.filter((c) => c.error !== undefined).length;
    const time = suiteCases.reduce((sum, c) => sum + c.durationMs, 0);
    tests += suiteCases.length;
    failures += failed;
    errors += errored;
    suites.push(
      [
        `  <testsuite name="${xmlAttr(target)}" tests="${suiteCases.length}" failures="${failed}" errors="${errored}" ` +
          `skipped="0" time="${seconds(time)}" timestamp="${xmlAttr(report.startedAt)}">`,
        ...suiteCases.map((c) => testcase(c, failOn)),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="smtp-port-probe" tests="${tests}" failures="${failures}" errors="${errors}" ` +
      `time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
