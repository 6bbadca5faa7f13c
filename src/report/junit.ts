/**
 * The view for CI systems other than GitHub (GitLab, Jenkins, Azure Pipelines, CircleCI): JUnit XML,
 * one test suite per target and one test case per session.
 */
import type { Finding, Report, ResultRow } from '../result/model.js';
import {
  failsRun,
  findingsFor,
  hostPort,
  manyVantages,
  oneLine,
  rowLabel,
  rowsByTarget,
  unmatchedFindings,
  where,
} from './row-view.js';

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

/** What a test case says: its session (if any) and the findings on it. */
interface Case {
  classname: string;
  name: string;
  durationMs: number;
  findings: Finding[];
  row?: ResultRow;
  /** The run had several vantages: findings name theirs. */
  many: boolean;
}

function systemOut(c: Case, passing: readonly Finding[]): string {
  const lines: string[] = [];
  if (c.row) {
    lines.push(`status: ${c.row.status} at ${c.row.stage}`, `explanation: ${oneLine(c.row.explanation)}`);
    if (c.row.hint) lines.push(`hint: ${oneLine(c.row.hint)}`);
  }
  if (passing.length > 0)
    lines.push('', 'findings that do not fail the run:', ...passing.map((f) => findingText(f, c.many)));
  if (c.row && c.row.transcript.length > 0) {
    lines.push('', 'transcript:');
    for (const line of c.row.transcript) {
      lines.push(`${String(line.at).padStart(6)} ${line.dir} ${oneLine(line.text)}`);
    }
  }
  return lines.join('\n');
}

function testcase(c: Case, failOn: Report['verdict']['failOn']): string {
  const failing = c.findings.filter((f) => failsRun(f.severity, failOn));
  const passing = c.findings.filter((f) => !failsRun(f.severity, failOn));
  const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${seconds(c.durationMs)}"`;
  const body: string[] = [];
  const [first] = failing;
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

function cases(report: Report): Map<string, Case[]> {
  const many = manyVantages(report);
  const suites = new Map<string, Case[]>();
  for (const [target, rows] of rowsByTarget(report.results)) {
    suites.set(
      target,
      rows.map((row) => ({
        classname: target,
        name: many ? `${rowLabel(row)} from ${row.vantage}` : rowLabel(row),
        durationMs: row.durationMs,
        findings: findingsFor(report, row),
        row,
        many,
      })),
    );
  }
  // A finding that matches no session must still fail the build; it gets a case of its own.
  for (const finding of unmatchedFindings(report)) {
    const suite = suites.get(finding.target) ?? [];
    const name =
      hostPort(finding.host, finding.port) +
      (finding.address === null ? '' : ` (${finding.address})`) +
      (many ? ` from ${finding.vantage}` : '');
    const existing = suite.find((c) => c.row === undefined && c.name === name);
    if (existing) existing.findings.push(finding);
    else suite.push({ classname: finding.target, name, durationMs: 0, findings: [finding], many });
    suites.set(finding.target, suite);
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
  for (const [target, suiteCases] of cases(report)) {
    const failed = suiteCases.filter((c) => c.findings.some((f) => failsRun(f.severity, failOn))).length;
    const time = suiteCases.reduce((sum, c) => sum + c.durationMs, 0);
    tests += suiteCases.length;
    failures += failed;
    suites.push(
      [
        `  <testsuite name="${xmlAttr(target)}" tests="${suiteCases.length}" failures="${failed}" errors="0" ` +
          `skipped="0" time="${seconds(time)}" timestamp="${xmlAttr(report.startedAt)}">`,
        ...suiteCases.map((c) => testcase(c, failOn)),
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="smtp-port-probe" tests="${tests}" failures="${failures}" errors="0" ` +
      `time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
