import type { Finding, Report, Severity } from '../result/model.js';
import { renderMarkdown } from './markdown.js';
import { manyVantages, where } from './row-view.js';

/** GitHub shows at most 10 error and 10 warning annotations per step (and 10 notices). */
export const STEP_ANNOTATION_LIMIT = 10;
/** The Checks API takes at most 50 annotations per request. */
export const CHECK_ANNOTATION_BATCH = 50;
const TITLE_MAX = 255;
const MESSAGE_MAX = 65_535;
const SUMMARY_MAX = 65_535;

export interface Annotation {
  severity: Severity;
  title: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Findings as annotations, most severe first, on the config line they judge when there is one. */
export function annotationsFor(findings: readonly Finding[], many: boolean): Annotation[] {
  return [...findings]
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity])
    .map((f) => ({
      severity: f.severity,
      title: cut(`${f.rule}: ${where(f, many)}`, TITLE_MAX),
      message: cut(`${f.message}\n${f.hint}`, MESSAGE_MAX),
      ...(f.location ? { file: f.location.file, line: f.location.line, column: f.location.column } : {}),
    }));
}

/**
 * The annotations a step can show: at most 10 of each severity, most severe first, and how many were
 * left out so that a final notice can say so.
 */
export function stepAnnotations(report: Pick<Report, 'findings' | 'vantages'>): {
  shown: Annotation[];
  omitted: number;
} {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const shown: Annotation[] = [];
  let omitted = 0;
  for (const annotation of annotationsFor(report.findings, manyVantages(report))) {
    if (counts[annotation.severity] >= STEP_ANNOTATION_LIMIT) {
      omitted += 1;
      continue;
    }
    counts[annotation.severity] += 1;
    shown.push(annotation);
  }
  return { shown, omitted };
}

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
}

export interface CheckRunOutput {
  conclusion: 'success' | 'failure';
  title: string;
  summary: string;
  /** Sent 50 per request: the first batch with the completion, the rest as further updates. */
  annotationBatches: CheckRunAnnotation[][];
}

const LEVEL: Record<Severity, CheckRunAnnotation['annotation_level']> = {
  error: 'failure',
  warning: 'warning',
  notice: 'notice',
};

/** The check run's conclusion and output. Only findings with a file location become check annotations. */
export function checkRunOutput(report: Report): CheckRunOutput {
  const { verdict } = report;
  const counts = [
    verdict.errors ? `${verdict.errors} error${verdict.errors === 1 ? '' : 's'}` : '',
    verdict.warnings ? `${verdict.warnings} warning${verdict.warnings === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const ports = new Set(report.results.map((r) => `${r.target}:${r.port}`)).size;
  const title = cut(
    `${verdict.pass ? 'Passed' : 'Failed'}: ${ports} port${ports === 1 ? '' : 's'} probed${counts.length ? `, ${counts.join(', ')}` : ''}`,
    TITLE_MAX,
  );
  const annotations: CheckRunAnnotation[] = annotationsFor(report.findings, manyVantages(report))
    .filter((a) => a.file !== undefined && a.line !== undefined)
    .map((a) => ({
      path: a.file as string,
      start_line: a.line as number,
      end_line: a.line as number,
      annotation_level: LEVEL[a.severity],
      title: a.title,
      message: a.message,
    }));
  const batches: CheckRunAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += CHECK_ANNOTATION_BATCH) {
    batches.push(annotations.slice(i, i + CHECK_ANNOTATION_BATCH));
  }
  return {
    conclusion: verdict.pass ? 'success' : 'failure',
    title,
    summary: renderMarkdown(report, { maxLength: SUMMARY_MAX - 100 }),
    annotationBatches: batches,
  };
}

/** The hidden marker by which the sticky PR comment is found again. */
export const COMMENT_MARKER = '<!-- smtp-port-probe:sticky-comment -->';

/** The PR comment: the marker, then the markdown report within GitHub's comment limit. */
export function prComment(report: Report): string {
  return `${COMMENT_MARKER}\n${renderMarkdown(report, { maxLength: 60_000 })}`;
}

/**
 * Outputs are size-limited: the recommendation per target and vantage, and a compact row list that
 * names each row's vantage. Documented in action.yml and the README.
 */
export function compactOutputs(report: Report): { recommendedPorts: string; results: string } {
  // Maps, then fromEntries: a target named `__proto__` stays a key like any other.
  const byTarget = new Map<
    string,
    Array<[string, { port: number | null; mode: string | null; outcome: string }]>
  >();
  for (const r of report.recommendations) {
    const entries = byTarget.get(r.target) ?? [];
    entries.push([r.vantage, { port: r.port, mode: r.mode, outcome: r.outcome }]);
    byTarget.set(r.target, entries);
  }
  const recommended = Object.fromEntries(
    [...byTarget].map(([target, entries]) => [target, Object.fromEntries(entries)]),
  );
  const rows = report.results.map(({ target, vantage, control, host, port, address, status, stage }) => ({
    target,
    vantage,
    ...(control ? { control } : {}),
    host,
    port,
    address,
    status,
    stage,
  }));
  return { recommendedPorts: JSON.stringify(recommended), results: JSON.stringify(rows) };
}
