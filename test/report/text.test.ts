import pc from 'picocolors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/text.js';
import type { Report, ResultRow } from '../../src/result/model.js';
import { type RealRun, startRealRun } from './real-run.js';

const colors = pc.createColors(true);
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;

function width(line: string): number {
  return Array.from(line.replace(ANSI, '')).length;
}

/** The text lines of the table: header, then one per row (explanation lines start with spaces). */
function tableLines(out: string): string[] {
  const lines = out.split('\n');
  const end = lines.indexOf('');
  return lines.slice(0, end).filter((line) => !line.startsWith(' '));
}

function row(report: Report, target: string): ResultRow {
  const found = report.results.find((r) => r.target === target);
  if (!found) throw new Error(`no row for ${target}`);
  return found;
}

let run: RealRun;
beforeAll(async () => {
  run = await startRealRun();
});
afterAll(async () => {
  await run?.close();
});

describe('the text report', () => {
  it('has an aligned table with one line per session', () => {
    const lines = tableLines(renderText(run.report, { color: false }));
    expect(lines).toHaveLength(1 + run.report.results.length);
    const [header = '', ok = '', auth = '', dns = ''] = lines;
    expect(header).toMatch(/^TARGET +PORT +MODE +ADDRESS +STATUS +TLS +CERT DAYS +LATENCY$/);
    expect(ok).toMatch(/^submission +\d+ +starttls +127\.0\.0\.1 +ok +TLSv1\.3 +(89|90) +\d+ ms$/);
    expect(dns).toMatch(/^no-such-host\.invalid +587 +starttls +- +dns_error +- +- +\d+ ms$/);
    // Every column starts where its header starts.
    for (const title of ['MODE', 'ADDRESS', 'STATUS', 'TLS']) {
      const column = header.indexOf(title);
      for (const line of [ok, auth, dns]) expect(line[column - 1]).toBe(' ');
      expect(ok.slice(column, column + 1)).not.toBe(' ');
    }
    expect(auth.indexOf('auth_failed')).toBe(header.indexOf('STATUS'));
  });

  it('says under a failed session why, in one line', () => {
    const out = renderText(run.report, { color: false });
    expect(out).toMatch(/^relay .*\n {2}↳ the server refused the credentials.*535 5\.7\.8/m);
    expect(out).toMatch(/^no-such-host\.invalid .*\n {2}↳ no-such-host\.invalid did not resolve/m);
  });

  it('with color false holds no escape code at all, not even from a hostile greeting', () => {
    const out = renderText(run.report, { color: false, verbose: true });
    expect(row(run.report, 'hostile').explanation).toContain('\u001b[31m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('colours ok green, failures red and temporary yellow', () => {
    const report = structuredClone(run.report);
    row(report, 'closed').status = 'temporary';
    const out = renderText(report, { color: true });
    expect(out).toContain(colors.green('ok'));
    expect(out).toContain(colors.red('auth_failed'));
    expect(out).toContain(colors.red('dns_error'));
    expect(out).toContain(colors.yellow('temporary'));
    expect(out).toContain(colors.red(colors.bold('Errors (4)')));
  });

  it('colours certificate days by the findings the plan thresholds made, not by a number of its own', () => {
    const report = structuredClone(run.report);
    const submission = row(report, 'submission');
    const relay = row(report, 'relay');
    const expired = submission.tls?.certificate;
    const expiring = relay.tls?.certificate;
    if (!expired || !expiring) throw new Error('the TLS rows have no certificate');
    Object.assign(expired, { daysUntilExpiry: -2, expired: true });
    // 40 days left is "expiring" only because this plan said cert.min_days: 60.
    Object.assign(expiring, { daysUntilExpiry: 40 });
    const at = (r: typeof relay, rule: 'cert-expired' | 'cert-expiring') => ({
      rule,
      vantage: r.vantage,
      severity: 'warning' as const,
      message: rule,
      hint: 'renew',
      target: r.target,
      host: r.host,
      port: r.port,
      address: r.address,
    });
    const plain = renderText(report, { color: true });
    expect(plain).not.toContain(colors.yellow('40'));
    report.findings.push(at(submission, 'cert-expired'), at(relay, 'cert-expiring'));
    const out = renderText(report, { color: true });
    expect(out).toContain(colors.red('-2'));
    expect(out).toContain(colors.yellow('40'));
  });

  it('on a terminal, keeps every line within its width, squeezing long names and wrapping long explanations', () => {
    const report = structuredClone(run.report);
    const long = row(report, 'submission');
    long.target = 'a-very-long-target-name-that-someone-configured-for-their-submission-server';
    long.address = '2001:db8:85a3:1234:5678:8a2e:370:7334';
    row(report, 'hostile').explanation = `the server said ${'blah '.repeat(40)}end`;
    for (const columns of [80, 100, 132]) {
      const out = renderText(report, { color: true, width: columns });
      for (const line of out.split('\n')) expect(width(line), line).toBeLessThanOrEqual(columns);
      const plain = out.replace(ANSI, '');
      expect(plain).toMatch(/^a-ver[\w-]*… /m);
      // Wrapped, not cut: every word of the explanation is still there.
      expect(plain.match(/blah/g)?.length).toBe(40);
      expect(plain).toMatch(/ end$/m);
    }
  });

  it('into a file or a pipe, cuts nothing: every character a server sent is kept', () => {
    const report = structuredClone(run.report);
    const long = row(report, 'submission');
    long.target = 'a-very-long-target-name-that-someone-configured-for-their-submission-server';
    long.address = '2001:db8:85a3:1234:5678:8a2e:370:7334';
    const explanation = `the server said ${'blah '.repeat(40)}end`;
    row(report, 'hostile').explanation = explanation;
    const out = renderText(report, { color: false, verbose: true });
    expect(out).not.toContain('…');
    expect(out).toContain(long.target);
    expect(out).toContain(long.address);
    expect(out).toContain(`  ↳ ${explanation}`);
  });

  it('groups findings by severity, errors first, each with its hint on the next line', () => {
    const out = renderText(run.report, { color: false });
    const errors = out.indexOf('\nErrors (4)\n');
    const warnings = out.indexOf('\nWarnings (1)\n');
    const notices = out.indexOf('\nNotices (1)\n');
    expect(errors).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(errors);
    expect(notices).toBeGreaterThan(warnings);
    expect(out).toMatch(/^ {2}✖ auth-failed · relay 127\.0\.0\.1:\d+ \(127\.0\.0\.1\): the server refused/m);
    expect(out).toMatch(/^ {2}✖ auth-failed .*\n {4}Check the username and password/m);
    expect(out).toMatch(
      /^ {2}▲ slow .*\n {4}Raise expect\.maxLatency.*\n {4}at \.github\/smtp-probe\.yml:7:9$/m,
    );
  });

  it('has one recommendation line per target and the verdict last', () => {
    const out = renderText(run.report, { color: false });
    const recommendations = out.slice(out.indexOf('Recommendations\n')).split('\n').slice(1, 6);
    expect(recommendations.map((line) => line.split(':')[0]?.trim())).toEqual(
      run.report.recommendations.map((r) => r.target),
    );
    expect(recommendations[0]).toMatch(/^ {2}submission: \d+ with STARTTLS, TLSv1\.3, works: use \d+$/);
    expect(recommendations[1]).toBe(
      '  relay: reachable, but no port meets the expectations: 41903 refused the credentials',
    );
    expect(out.endsWith('\nFAIL: 4 errors, 1 warning, 1 notice (fail-on: error)\n')).toBe(true);
  });

  it('says PASS when the verdict passes', () => {
    const report: Report = {
      ...run.report,
      results: [row(run.report, 'submission')],
      findings: [],
      verdict: { pass: true, failOn: 'error', errors: 0, warnings: 0, notices: 0 },
    };
    expect(renderText(report, { color: false }).endsWith('\nPASS\n')).toBe(true);
  });

  it('shows each transcript under the table only when verbose', () => {
    expect(renderText(run.report, { color: false })).not.toContain('AUTH PLAIN');
    const out = renderText(run.report, { color: false, verbose: true });
    expect(out).toMatch(/^Transcript of submission 127\.0\.0\.1:\d+ \(127\.0\.0\.1\)$/m);
    expect(out).toMatch(/^ +\d+ \* connected to 127\.0\.0\.1:\d+$/m);
    expect(out).toMatch(/^ +\d+ > AUTH PLAIN \*\*\*\*$/m);
    expect(out).toMatch(/^ +\d+ < 535 5\.7\.8 Authentication credentials invalid$/m);
    expect(out).toMatch(
      /^Transcript of no-such-host\.invalid:587\n {2}\(no session: nothing was sent or received\)$/m,
    );
    expect(out.indexOf('Transcript of')).toBeLessThan(out.indexOf('Errors (4)'));
  });

  it('says so when there are no results', () => {
    const report: Report = { ...run.report, results: [], findings: [], recommendations: [] };
    expect(renderText(report, { color: false })).toMatch(/^No results\.\n/);
  });
});
