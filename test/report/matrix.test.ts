/**
 * The matrix in every format, with three vantages: the runner (GitHub-hosted), a region that reaches
 * everything and one whose network drops 25, plus a fourth vantage that could not answer at all.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildMatrix } from '../../src/report/matrix.js';
import { renderText } from '../../src/report/text.js';
import { job, reportOf } from '../helpers/judge-kit.js';

const relay = job('relay', '192.0.2.10', 25);
const submission = job('relay', '192.0.2.10', 587);
const control = job('ctl.test', '192.0.2.20', 25, true);
const report = reportOf(
  [relay, submission, control],
  {
    runner: ['ok', 'ok', 'ok'],
    'aws-lambda:eu-west-1': ['ok', 'ok', 'ok'],
    'aws-lambda:us-east-1': ['timeout', 'ok', 'timeout'],
  },
  { runner: 'github-hosted', failed: { 'aws-lambda:ap-south-1': 'access denied (403)' } },
);
const TITLES = [
  'runner (GitHub-hosted)',
  'aws-lambda:eu-west-1',
  'aws-lambda:us-east-1',
  'aws-lambda:ap-south-1',
];

/** Code points, as a terminal counts them. */
const width = (line: string) => [...line].length;

describe('the matrix: target:port rows × vantage columns', () => {
  it('has a row per target and port, controls marked, and a cell per vantage with status, verdict and latency', () => {
    const matrix = buildMatrix(report);
    expect(matrix.vantages.map((v) => v.title)).toEqual(TITLES);
    expect(matrix.rows.map((r) => [r.target, r.port, r.control])).toEqual([
      ['relay', 25, false],
      ['relay', 587, false],
      ['ctl.test', 25, true],
    ]);
    expect(matrix.rows[0]?.cells.map((c) => [c.status, c.verdict, c.latencyMs])).toEqual([
      ['ok', null, 12],
      ['ok', null, 12],
      ['timeout', 'egress-blocked', 1000],
      ['no answer', 'vantage-failed', null],
    ]);
  });

  it('text: the matrix heads the report, one column per vantage, within any terminal width', () => {
    const wide = renderText(report, { color: false });
    const header = wide.split('\n')[1] ?? '';
    expect(header.split(/\s{2,}/)).toEqual(['TARGET:PORT', ...TITLES]);
    expect(wide).toMatch(
      /^ctl\.test:25 \(control\)\s+ok 12 ms\s+ok 12 ms\s+timeout egress-blocked 1\.0 s\s+no answer/m,
    );
    for (const columns of [80, 100, 120]) {
      const out = renderText(report, { color: false, width: columns });
      for (const line of out.split('\n')) expect(width(line), line).toBeLessThanOrEqual(columns);
    }
  });

  it('markdown: a real table that a markdown parser reads with one column per vantage', () => {
    const md = renderMarkdown(report);
    const tables = marked.lexer(md).filter((t): t is Tokens.Table => t.type === 'table');
    const matrix = tables.find((t) => t.header.some((h) => h.text === 'runner (GitHub-hosted)'));
    expect(matrix?.header.map((h) => h.text)).toEqual(['Target', 'Port', ...TITLES]);
    expect(matrix?.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      [
        'relay',
        '25',
        '✅ `ok` 12 ms',
        '✅ `ok` 12 ms',
        '❌ `timeout` `egress-blocked` 1.0 s',
        '❌ `no answer` `vantage-failed`',
      ],
      ['relay', '587', '✅ `ok` 12 ms', '✅ `ok` 12 ms', '✅ `ok` 12 ms', '❌ `no answer` `vantage-failed`'],
      [
        'ctl.test _(control)_',
        '25',
        '✅ `ok` 12 ms',
        '✅ `ok` 12 ms',
        '⚠️ `timeout` `egress-blocked` 1.0 s',
        '❌ `no answer`',
      ],
    ]);
  });

  it('json: the report itself, one result row per target × port × vantage × address, valid against the schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../src/report/report.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const json = JSON.parse(renderJson(report)) as typeof report;
    expect(ajv.validate(schema, json), JSON.stringify(ajv.errors)).toBe(true);
    expect(json.results.map((r) => [r.target, r.port, r.vantage, r.control ?? false])).toEqual([
      ['relay', 25, 'runner', false],
      ['relay', 587, 'runner', false],
      ['ctl.test', 25, 'runner', true],
      ['relay', 25, 'aws-lambda:eu-west-1', false],
      ['relay', 587, 'aws-lambda:eu-west-1', false],
      ['ctl.test', 25, 'aws-lambda:eu-west-1', true],
      ['relay', 25, 'aws-lambda:us-east-1', false],
      ['relay', 587, 'aws-lambda:us-east-1', false],
      ['ctl.test', 25, 'aws-lambda:us-east-1', true],
    ]);
    expect(json.vantages[0]?.facts?.provider).toBe('github-hosted');
  });

  it('junit: a test case per cell; a finding that fails the run is a failure, a vantage that could not answer an error', () => {
    const xml = renderJunit(report);
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"[^>]*?(\/>|>)/g)].map(
      (m) => `${m[1]} | ${m[2]}`,
    );
    expect(cases).toEqual([
      'relay | 192.0.2.10:25 (192.0.2.10) from runner',
      'relay | 192.0.2.10:25 (192.0.2.10) from aws-lambda:eu-west-1',
      'relay | 192.0.2.10:25 (192.0.2.10) from aws-lambda:us-east-1',
      'relay | 192.0.2.10:25 from aws-lambda:ap-south-1',
      'relay | 192.0.2.10:587 (192.0.2.10) from runner',
      'relay | 192.0.2.10:587 (192.0.2.10) from aws-lambda:eu-west-1',
      'relay | 192.0.2.10:587 (192.0.2.10) from aws-lambda:us-east-1',
      'relay | 192.0.2.10:587 from aws-lambda:ap-south-1',
      'ctl.test | 192.0.2.20:25 (192.0.2.20) from runner',
      'ctl.test | 192.0.2.20:25 (192.0.2.20) from aws-lambda:eu-west-1',
      'ctl.test | 192.0.2.20:25 (192.0.2.20) from aws-lambda:us-east-1',
      'ctl.test | 192.0.2.20:25 from aws-lambda:ap-south-1',
    ]);
    expect(xml).toMatch(/<testsuites name="smtp-port-probe" tests="12" failures="1" errors="3"/);
    expect(xml).toMatch(
      /<failure message="port 25 is blocked from aws-lambda:us-east-1: [^"]*" type="egress-blocked">/,
    );
    expect(xml.match(/<error message="access denied \(403\)" type="vantage-failed">/g)).toHaveLength(3);
    // A control's own finding is a warning: it does not fail the case at fail-on error.
    expect(xml).toMatch(
      /name="192\.0\.2\.20:25 \(192\.0\.2\.20\) from aws-lambda:us-east-1" time="1\.000">\n\s+<system-out>/,
    );
  });
});
