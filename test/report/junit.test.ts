import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import type { Report } from '../../src/result/model.js';
import { HOSTILE_GREETING, type RealRun, startRealRun } from './real-run.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// XML 1.0 §2.2 Char: what a document may contain at all.
const XML_CHAR = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

function decode(raw: string, where: string): string {
  if (/<|]]>/.test(raw)) throw new Error(`unescaped markup in ${where}: ${raw}`);
  return raw.replace(/&([^;]*);?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new Error(`bare & in ${where}`);
    if (/^#x[0-9a-f]+$/i.test(name)) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    const entity = ENTITIES[name];
    if (entity === undefined) throw new Error(`unknown entity &${name}; in ${where}`);
    return entity;
  });
}

/**
 * A strict little XML reader, enough for JUnit: a declaration, elements, attributes, text. It throws on
 * anything not well-formed: unbalanced or crossed tags, unquoted or duplicate attributes, raw `<`, bare
 * `&`, `]]>` in text, characters XML 1.0 forbids.
 */
function parseXml(xml: string): XmlElement {
  if (!XML_CHAR.test(xml)) throw new Error('a character XML 1.0 forbids');
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (!declaration) throw new Error('no XML declaration');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const token = /<(\/?)([A-Za-z][\w-]*)((?:\s+[A-Za-z][\w-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  token.lastIndex = declaration[0].length;
  while (token.lastIndex < xml.length) {
    const start = token.lastIndex;
    const m = token.exec(xml);
    if (!m) throw new Error(`not well-formed at ${start}: ${xml.slice(start, start + 40)}`);
    const [, close, name = '', attrText = '', selfClose, text] = m;
    const top = stack.at(-1) as XmlElement;
    if (text !== undefined) {
      if (stack.length === 1 && text.trim() !== '') throw new Error('text outside the root element');
      top.text += decode(text, top.name);
    } else if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const [, key = '', value = ''] of attrText.matchAll(/([A-Za-z][\w-]*)="([^"]*)"/g)) {
        if (key in attrs) throw new Error(`duplicate attribute ${key}`);
        attrs[key] = decode(value, `${name}@${key}`);
      }
      const element: XmlElement = { name, attrs, children: [], text: '' };
      if (stack.length === 1 && root.children.length > 0) throw new Error('a second root element');
      top.children.push(element);
      if (!selfClose) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)?.name}> never closed`);
  const [document] = root.children;
  if (!document) throw new Error('no root element');
  return document;
}

function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element?.children ?? []).filter((c) => c.name === name);
}

function testcases(xml: string): XmlElement[] {
  return children(parseXml(xml), 'testsuite').flatMap((suite) => children(suite, 'testcase'));
}

function testcaseOf(xml: string, classname: string): XmlElement {
  const found = testcases(xml).find((c) => c.attrs.classname === classname);
  if (!found) throw new Error(`no testcase for ${classname}`);
  return found;
}

let run: RealRun;
beforeAll(async () => {
  run = await startRealRun();
});
afterAll(async () => {
  await run?.close();
});

describe('the XML reader these tests use', () => {
  it.each([
    ['crossed tags', '<a><b></a></b>'],
    ['a bare ampersand', '<a>x & y</a>'],
    ['a CDATA end in text', '<a>]]></a>'],
    ['an unquoted attribute', '<a b=c/>'],
    ['a NUL byte', '<a>\u0000</a>'],
    ['an unclosed element', '<a><b/>'],
  ])('rejects %s', (_what, body) => {
    expect(() => parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`)).toThrow();
  });
});

describe('the JUnit report', () => {
  it('has one testsuite per target and one testcase per session, named host:port (address)', () => {
    const root = parseXml(renderJunit(run.report));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '5', failures: '4', errors: '0' });
    const suites = children(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual([
      'submission',
      'relay',
      'no-such-host.invalid',
      'closed',
      'hostile',
    ]);
    const [ok, , dns] = run.report.results;
    expect(children(suites[0], 'testcase')[0]?.attrs).toEqual({
      classname: 'submission',
      name: `127.0.0.1:${ok?.port} (127.0.0.1)`,
      time: ((ok?.durationMs ?? 0) / 1000).toFixed(3),
    });
    expect(children(suites[2], 'testcase')[0]?.attrs.name).toBe(
      `no-such-host.invalid:${dns?.port} (no address)`,
    );
  });

  it('a session with an error finding fails, typed by the rule id, listing its findings', () => {
    const relay = testcaseOf(renderJunit(run.report), 'relay');
    const [failure] = children(relay, 'failure');
    expect(failure?.attrs.type).toBe('auth-failed');
    expect(failure?.attrs.message).toMatch(/^the server refused the credentials .*535 5\.7\.8/);
    expect(failure?.text).toMatch(/^error auth-failed relay 127\.0\.0\.1:\d+ \(127\.0\.0\.1\): /);
    expect(failure?.text).toContain('Check the username and password');
  });

  it('a session with only a warning and a notice passes, with them and its transcript in system-out', () => {
    const submission = testcaseOf(renderJunit(run.report), 'submission');
    expect(children(submission, 'failure')).toEqual([]);
    const out = children(submission, 'system-out')[0]?.text ?? '';
    expect(out).toContain('warning slow submission 127.0.0.1:');
    expect(out).toContain('at .github/smtp-probe.yml:7:9');
    expect(out).toContain('notice no-tls-offered');
    expect(out).toMatch(/^ +\d+ > AUTH PLAIN \*\*\*\*$/m);
    expect(out).toMatch(/^ +\d+ < 235 /m);
  });

  it('with fail-on warning, a warning fails the session too, so CI agrees with the exit code', () => {
    const report: Report = { ...run.report, verdict: { ...run.report.verdict, failOn: 'warning' } };
    const [failure] = children(testcaseOf(renderJunit(report), 'submission'), 'failure');
    expect(failure?.attrs.type).toBe('slow');
  });

  it('a reply with <, &, ", ]]> and a NUL byte is escaped into well-formed XML and reads back', () => {
    const hostile = run.report.results.find((row) => row.target === 'hostile');
    // The raw data really carries the bytes, so the escaping is what is tested.
    expect(hostile?.explanation).toContain('\u0000');
    expect(hostile?.explanation).toContain(']]> & "quoted"');
    const xml = renderJunit(run.report);
    expect(xml).not.toContain('\u0000');
    expect(xml).not.toContain('\u001b');
    expect(xml).not.toContain(']]>');
    const [failure] = children(testcaseOf(xml, 'hostile'), 'failure');
    const expected = HOSTILE_GREETING.replaceAll('\u0000', '\uFFFD').replaceAll('\u001b', '\uFFFD');
    expect(failure?.attrs.message).toContain(expected);
    expect(failure?.text).toContain(expected);
  });

  it('every character XML 1.0 forbids is replaced, in attributes and text alike', () => {
    const report = structuredClone(run.report);
    const forbidden = 'a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg\uffffh\ud800i\u0085j';
    const [finding] = report.findings;
    if (finding) finding.message = forbidden;
    const [row] = report.results;
    if (row) row.target = `name ${forbidden}`;
    const xml = renderJunit(report);
    const root = parseXml(xml);
    expect(children(root, 'testsuite')[0]?.attrs.name).toBe('name a�b�c�d�e�f�g�h�i�j');
  });

  it('a finding that matches no session still fails, in a testcase of its own', () => {
    const report = structuredClone(run.report);
    report.findings.push({
      rule: 'unexpectedly-open',
      vantage: 'runner',
      severity: 'error',
      message: 'port 25 accepts connections but must be closed',
      hint: 'Close it.',
      target: 'submission',
      host: '127.0.0.1',
      port: 25,
      address: null,
    });
    const cases = children(parseXml(renderJunit(report)), 'testsuite')[0];
    expect(children(cases, 'testcase').map((c) => c.attrs.name)).toContain('127.0.0.1:25');
    expect(cases?.attrs.failures).toBe('1');
  });
});
