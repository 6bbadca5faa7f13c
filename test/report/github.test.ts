import { describe, expect, it } from 'vitest';
import {
  annotationsFor,
  CHECK_ANNOTATION_BATCH,
  COMMENT_MARKER,
  checkRunOutput,
  compactOutputs,
  prComment,
  stepAnnotations,
} from '../../src/report/github.js';
import type { Finding, Report } from '../../src/result/model.js';

function finding(i: number, severity: Finding['severity'], located = true): Finding {
  return {
    rule: severity === 'error' ? 'unreachable' : severity === 'warning' ? 'cert-expiring' : 'no-tls-offered',
    vantage: 'runner',
    severity,
    message: `message ${i}`,
    hint: `hint ${i}`,
    target: `t${i}`,
    host: '2001:db8::1',
    port: 587,
    address: '2001:db8::1',
    ...(located ? { location: { file: '.github/smtp-probe.yml', line: i + 1, column: 5 } } : {}),
  };
}

function report(findings: Finding[]): Report {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    schemaVersion: 2,
    tool: { name: 'smtp-port-probe', version: '0.0.0' },
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    vantages: [{ label: 'runner', kind: 'runner' }],
    results: [],
    findings,
    recommendations: [
      {
        target: 't0',
        vantage: 'runner',
        port: 465,
        mode: 'tls',
        outcome: 'works',
        reason: '465 with implicit TLS, works: use 465',
      },
    ],
    verdict: { pass: errors === 0, failOn: 'error', errors, warnings: findings.length - errors, notices: 0 },
  };
}

describe('GitHub views of a report', () => {
  it('annotations come most severe first, titled with rule and place, on the judged config line', () => {
    const [first, second] = annotationsFor([finding(1, 'warning'), finding(2, 'error')], false);
    expect(first).toEqual({
      severity: 'error',
      title: 'unreachable: t2 [2001:db8::1]:587 (2001:db8::1)',
      message: 'message 2\nhint 2',
      file: '.github/smtp-probe.yml',
      line: 3,
      column: 5,
    });
    expect(second?.severity).toBe('warning');
  });

  it('a step shows 10 annotations per severity and counts the rest', () => {
    const findings = [
      ...Array.from({ length: 12 }, (_, i) => finding(i, 'warning')),
      ...Array.from({ length: 13 }, (_, i) => finding(i, 'error')),
      finding(99, 'notice'),
    ];
    const { shown, omitted } = stepAnnotations(report(findings));
    expect(shown.map((a) => a.severity)).toEqual([
      ...Array(10).fill('error'),
      ...Array(10).fill('warning'),
      'notice',
    ]);
    expect(omitted).toBe(5);
  });

  it('check-run annotations go in batches of 50, only for findings with a file location', () => {
    const findings = [
      ...Array.from({ length: 120 }, (_, i) => finding(i, 'error')),
      finding(500, 'error', false),
    ];
    const output = checkRunOutput(report(findings));
    expect(output.annotationBatches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(CHECK_ANNOTATION_BATCH).toBe(50);
    expect(output.annotationBatches[0]?.[0]).toMatchObject({
      path: '.github/smtp-probe.yml',
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure',
    });
    expect(output).toMatchObject({ conclusion: 'failure', title: 'Failed: 0 ports probed, 121 errors' });
    expect(output.summary.length).toBeLessThanOrEqual(65_535);
  });

  it('titles and messages are cut to GitHub limits', () => {
    const long = { ...finding(1, 'error'), target: 'x'.repeat(400), message: 'y'.repeat(70_000) };
    const [a] = annotationsFor([long], false);
    expect(a?.title.length).toBe(255);
    expect(a?.title.endsWith('…')).toBe(true);
    expect(a?.message.length).toBe(65_535);
  });

  it('the PR comment starts with its hidden marker; outputs are compact JSON', () => {
    const r = report([]);
    expect(prComment(r).startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(JSON.parse(compactOutputs(r).recommendedPorts)).toEqual({
      t0: { runner: { port: 465, mode: 'tls', outcome: 'works' } },
    });
    expect(JSON.parse(compactOutputs(r).results)).toEqual([]);
  });
});
