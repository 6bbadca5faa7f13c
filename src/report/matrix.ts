/**
 * The run as a matrix: one row per target (or control) and port, one column per vantage, each cell what
 * that vantage saw: status, latency, and the verdict that judges it. Built once from the Report, so the
 * text, markdown and JUnit views cannot disagree about a cell.
 */
import type { Mode } from '../probe/index.js';
import type { Finding, Report, ResultRow, Severity } from '../result/model.js';
import type { RuleId } from '../result/rules.js';
import { vantageTitle } from '../result/vantage-words.js';
import { worstSeverity } from './row-view.js';

/** The rules that attribute a failure to a network or a target: the cell's verdict when present. */
const ATTRIBUTION: readonly RuleId[] = [
  'egress-blocked',
  'target-filtered',
  'target-down',
  'inconclusive',
  'egress-blocked-likely',
];
const RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, notice: 1 };

export interface MatrixCell {
  vantage: string;
  /** The sessions (one per address), in order; empty when the vantage gave none for this port. */
  rows: ResultRow[];
  /** `ok`, `timeout`, `ok/timeout` (addresses disagree), `no answer` (the vantage failed), `-` (not probed). */
  status: string;
  /** The longest session, in ms; null without a session. */
  latencyMs: number | null;
  findings: Finding[];
  /** The attribution verdict, else the most severe finding's rule. */
  verdict: RuleId | null;
  severity: Severity | null;
  /** The vantage could not answer for this cell: an error of the run, not a finding about the target. */
  error?: string;
}

export interface MatrixRow {
  target: string;
  host: string;
  port: number;
  mode: Mode | null;
  control: boolean;
  cells: MatrixCell[];
}

export interface Matrix {
  /** Every vantage, in the report's order: its label and its header (`runner (GitHub-hosted)`). */
  vantages: Array<{ label: string; title: string }>;
  rows: MatrixRow[];
}

const rowKey = (target: string, port: number) => `${target}\u0000${port}`;

function verdictOf(findings: readonly Finding[]): RuleId | null {
  const attribution = findings.find((f) => ATTRIBUTION.includes(f.rule));
  if (attribution) return attribution.rule;
  const worst = [...findings].sort((a, b) => RANK[b.severity] - RANK[a.severity])[0];
  return worst?.rule ?? null;
}

function cellOf(report: Report, row: MatrixRow, vantage: string, rows: ResultRow[]): MatrixCell {
  const findings = report.findings.filter(
    (f) => f.vantage === vantage && f.target === row.target && f.port === row.port,
  );
  const statuses = [...new Set(rows.map((r) => r.status))];
  const failed = report.vantages.find((v) => v.label === vantage)?.error;
  const unanswered = rows.length === 0 && (failed ?? findings.find((f) => f.rule === 'vantage-failed'));
  return {
    vantage,
    rows,
    status: unanswered ? 'no answer' : rows.length === 0 ? '-' : statuses.join('/'),
    latencyMs: rows.length === 0 ? null : Math.max(...rows.map((r) => r.durationMs)),
    findings,
    verdict: verdictOf(findings),
    severity: worstSeverity(findings),
    ...(unanswered ? { error: typeof unanswered === 'string' ? unanswered : unanswered.message } : {}),
  };
}

/** The matrix of a report: rows in the order targets first appear (results, then findings). */
export function buildMatrix(report: Report): Matrix {
  const rows = new Map<string, MatrixRow>();
  const sessions = new Map<string, ResultRow[]>();
  for (const r of report.results) {
    const key = rowKey(r.target, r.port);
    if (!rows.has(key)) {
      rows.set(key, {
        target: r.target,
        host: r.host,
        port: r.port,
        mode: r.mode,
        control: r.control === true,
        cells: [],
      });
    }
    const cell = `${key}\u0000${r.vantage}`;
    sessions.set(cell, [...(sessions.get(cell) ?? []), r]);
  }
  for (const f of report.findings) {
    const key = rowKey(f.target, f.port);
    if (!rows.has(key)) {
      rows.set(key, {
        target: f.target,
        host: f.host,
        port: f.port,
        mode: null,
        control: f.control === true,
        cells: [],
      });
    }
  }
  const labels = report.vantages.map((v) => v.label);
  // A finding may name a vantage the report does not list (a hand-built report): it gets a column too.
  for (const f of report.findings) if (!labels.includes(f.vantage)) labels.push(f.vantage);
  const matrixRows = [...rows.values()].map((row) => ({
    ...row,
    cells: labels.map((label) =>
      cellOf(report, row, label, sessions.get(`${rowKey(row.target, row.port)}\u0000${label}`) ?? []),
    ),
  }));
  return {
    vantages: labels.map((label) => {
      const v = report.vantages.find((x) => x.label === label);
      return { label, title: v ? vantageTitle(v) : label };
    }),
    rows: matrixRows,
  };
}

/** `12 ms`, `1.2 s`: short enough for a matrix cell. */
export function latencyText(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
