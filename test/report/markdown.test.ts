import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LENGTH, renderMarkdown } from '../../src/report/markdown.js';
import type { Finding, Report, ResultRow } from '../../src/result/model.js';
import { type RealRun, startRealRun } from './real-run.js';

function tableRows(md: string): string[] {
  return md.split('\n').filter((line) => line.startsWith('| '));
}

function rowFor(md: string, target: string): string {
  const found = tableRows(md).find((line) => line.split(' | ')[1] === target);
  if (!found) throw new Error(`no table row for ${target}`);
  return found;
}

/** The Markdown outside fenced code blocks: where GitHub would read HTML. */
function outsideFences(md: string): string {
  return md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
}

/** A report with `count` failing sessions, each with a long transcript and an error finding. */
function bigReport(base: Report, count: number): Report {
  const [template] = base.results.filter((row) => row.status === 'auth_failed');
  if (!template) throw new Error('no auth_failed row');
  const results: ResultRow[] = [];
  const findings: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const row: ResultRow = {
      ...structuredClone(template),
      target: `relay-${i}`,
      transcript: Array.from({ length: 40 }, (_, n) => ({
        at: n,
        dir: '<' as const,
        text: `250-LINE ${n} ${'x'.repeat(60)}`,
      })),
    };
    results.push(row);
    findings.push({
      rule: 'auth-failed',
      vantage: 'runner',
      severity: 'error',
      message: `finding number ${i}`,
      hint: 'Check the credentials.',
      target: row.target,
      host: row.host,
      port: row.port,
      address: row.address,
    });
  }
  return { ...base, results, findings, recommendations: [], verdict: { ...base.verdict, errors: count } };
}

let run: RealRun;
beforeAll(async () => {
  run = await startRealRun();
});
afterAll(async () => {
  await run?.close();
});

describe('the Markdown report', () => {
  it('starts with a heading that carries the verdict', () => {
    const md = renderMarkdown(run.report);
    expect(md.split('\n')[0]).toBe(
      '## ❌ smtp-port-probe — FAIL: 4 errors, 1 warning, 1 notice (fail-on: error)',
    );
    const passing: Report = { ...run.report, verdict: { ...run.report.verdict, pass: true, errors: 0 } };
    expect(renderMarkdown(passing).split('\n')[0]).toBe(
      '## ✅ smtp-port-probe — PASS: 1 warning, 1 notice (fail-on: error)',
    );
  });

  it('has a table row per session, marked by the worst severity of its findings', () => {
    const md = renderMarkdown(run.report);
    expect(tableRows(md)).toHaveLength(2 + run.report.results.length);
    expect(rowFor(md, 'submission')).toMatch(
      /^\| ⚠️ \| submission \| \d+ \| starttls \| 127\.0\.0\.1 \| `ok` \| `slow` `no-tls-offered` \| TLSv1\.3 \| (89|90) \| \d+ ms \|$/,
    );
    expect(rowFor(md, 'relay')).toMatch(/^\| ❌ \| relay \| .* \| `auth_failed` \|/);
    expect(rowFor(md, 'no-such-host.invalid')).toMatch(
      /^\| ❌ \| .* \| - \| `dns_error` \| `smtp-error` \| - \| - \| \d+ ms \|$/,
    );
  });

  it('marks a session without findings ✅, and a failure softened to a warning (require: any) ⚠️', () => {
    const report = structuredClone(run.report);
    report.findings = report.findings
      .filter((f) => f.target !== 'submission')
      .map((f) => (f.target === 'closed' ? { ...f, severity: 'warning' as const } : f));
    const md = renderMarkdown(report);
    expect(rowFor(md, 'submission')).toMatch(/^\| ✅ \|/);
    expect(rowFor(md, 'closed')).toMatch(/^\| ⚠️ \| closed \| .* \| `refused` \|/);
  });

  it('lists findings with a severity mark, the rule id in code, the message and the hint', () => {
    const md = renderMarkdown(run.report);
    expect(md).toMatch(
      /^- ❌ `auth-failed` \*\*relay 127\.0\.0\.1:\d+ \(127\.0\.0\.1\)\*\*: the server refused the credentials .*<br>↳ Check the username and password/m,
    );
    expect(md).toMatch(
      /^- ⚠️ `slow` \*\*submission .*\(\.github\/smtp-probe\.yml:7:9\)<br>↳ Raise expect\.maxLatency/m,
    );
    expect(md).toMatch(/^- ℹ️ `no-tls-offered` /m);
    expect(md).toMatch(
      /^### Recommendations\n\n- 👉 \*\*submission\*\*: \d+ with STARTTLS, TLSv1\.3, works: use \d+$/m,
    );
    expect(md).toMatch(
      /^- ❌ \*\*relay\*\*: reachable, but no port meets the expectations: 41903 refused the credentials$/m,
    );
  });

  it('a hostile greeting can neither break the table nor inject HTML, code, links or mentions', () => {
    const md = renderMarkdown(run.report);
    for (const line of tableRows(md)) expect(line.split('|')).toHaveLength(12);
    const outside = outsideFences(md);
    const tags = new Set(Array.from(outside.matchAll(/<\/?([a-z]+)/gi), (m) => m[1]));
    expect([...tags].sort()).toEqual(['br', 'details', 'summary']);
    expect(outside).toContain('&lt;img src=x onerror=alert(1)&gt; &#124; &#96;rm -rf&#96; \\]\\]&gt; &amp;');
    expect(outside).toContain('\\[click\\](https://evil.example)');
    expect(outside).not.toMatch(/(^|\W)@octo-org/);
    expect(outside).toContain('@\u200bocto-org/team');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('gives each failing session its transcript, collapsed, in a fenced block', () => {
    const md = renderMarkdown(run.report);
    const summaries = Array.from(md.matchAll(/<details><summary>(.*)<\/summary>\n\n```text\n/g), (m) => m[1]);
    expect(summaries).toHaveLength(5);
    expect(summaries[1]).toMatch(
      /^relay 127\.0\.0\.1:\d+ \(127\.0\.0\.1\) — auth_failed: the server refused/,
    );
    expect(summaries[4]).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toMatch(/^ +\d+ > AUTH PLAIN \*\*\*\*$/m);
    const clean = structuredClone(run.report);
    clean.findings = clean.findings.filter((f) => f.target !== 'submission');
    expect(renderMarkdown(clean)).not.toContain('<summary>submission ');
  });

  it('fences a transcript that contains backticks with a longer fence', () => {
    const report = structuredClone(run.report);
    const relay = report.results.find((row) => row.target === 'relay');
    relay?.transcript.push({ at: 1, dir: '<', text: '250 ```` and ``` try to close the block' });
    const md = renderMarkdown(report);
    expect(md).toContain('`````text\n');
    expect(md).toMatch(/try to close the block\n`````\n/);
  });

  it('stays under 60 000 characters by default, leaving transcripts out and saying so', () => {
    const md = renderMarkdown(bigReport(run.report, 60));
    expect(md.length).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH);
    expect(DEFAULT_MAX_LENGTH).toBe(60_000);
    expect(tableRows(md)).toHaveLength(62);
    expect(md).toContain('finding number 59');
    expect(md).toMatch(
      /\n_\d+ transcripts left out to stay under 60000 characters; the JSON report has everything\._\n$/,
    );
  });

  it('drops transcripts from the last first, then findings from the tail', () => {
    const report = bigReport(run.report, 30);
    const full = renderMarkdown(report, { maxLength: 1_000_000 });
    expect(full).toContain('<summary>relay-29 ');
    const fewer = renderMarkdown(report, { maxLength: full.length - 10 });
    expect(fewer).toMatch(/_1 transcript left out/);
    expect(fewer).toContain('<summary>relay-28 ');
    expect(fewer).not.toContain('<summary>relay-29 ');

    const tight = renderMarkdown(report, { maxLength: 5_000 });
    expect(tight.length).toBeLessThanOrEqual(5_000);
    expect(tight).not.toContain('<details>');
    expect(tight).toContain('finding number 0');
    expect(tight).not.toContain('finding number 29');
    expect(tight).toMatch(/_30 transcripts and \d+ findings left out to stay under 5000 characters/);
  });

  it('cuts even the table when nothing else is left, and still says so', () => {
    const md = renderMarkdown(bigReport(run.report, 30), { maxLength: 800 });
    expect(md.length).toBeLessThanOrEqual(800);
    expect(md).toMatch(/_Cut here to stay under the length limit; the JSON report has everything\._\n$/);
  });
});
