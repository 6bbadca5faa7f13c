import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/plan/config.js';
import { parseTargetSpec } from '../../src/plan/targets.js';
import { UsageError } from '../../src/plan/types.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/probe/options.js';
import { type ParsedItem, ReplyParser } from '../../src/probe/reply-parser.js';

/*
 * Properties of the three parsers that read what others write: the SMTP reply parser (a server's
 * bytes), the target parser and the config parser (a user's text). Runs per property come from
 * FAST_CHECK_RUNS (CI sets it so that the file runs at least 100,000 cases); the seed is fixed, so a
 * failure is reproducible, and fast-check prints the seed and path that reproduce it.
 */
const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 2_000);
const SEED = Number(process.env.FAST_CHECK_SEED ?? 20_261_128);
const params = { numRuns: RUNS, seed: SEED };
// Under CI's run count a property takes seconds, not milliseconds; on a machine whose cores are busy
// elsewhere, several times longer (measured: 40 s for 2,000 runs of the config property).
const PROPERTY_TIMEOUT = Math.max(60_000, RUNS * 60);

type ParserLimits = Pick<Limits, 'maxLineLength' | 'maxReplyLines' | 'maxReplyBytes'>;

/** Feeds the chunks in order and collects every item, as Wire does. */
function parseChunks(chunks: readonly Uint8Array[], limits: ParserLimits): ParsedItem[] {
  const parser = new ReplyParser(limits);
  const items: ParsedItem[] = [];
  for (const chunk of chunks) {
    parser.push(Buffer.from(chunk));
    for (let item = parser.shift(); item; item = parser.shift()) items.push(item);
  }
  return items;
}

/** Cuts `bytes` at the given points (any numbers; clamped, sorted, de-duplicated). */
function split(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/**
 * Items compared across splits. An error's `head` is "the first bytes of the offending line" as far as
 * they had arrived, so a split stream may hold fewer of them: it must be a prefix of the whole one's.
 */
function expectSameItems(splitItems: ParsedItem[], wholeItems: ParsedItem[]): void {
  const comparable = (item: ParsedItem) =>
    'reply' in item ? item : { error: item.error, detail: item.detail };
  expect(splitItems.map(comparable)).toEqual(wholeItems.map(comparable));
  splitItems.forEach((item, i) => {
    const whole = wholeItems[i];
    if ('head' in item && whole && 'head' in whole) {
      expect(whole.head.subarray(0, item.head.length).equals(item.head)).toBe(true);
    }
  });
}

/** Every reply holds a 3-digit code from 200 to 599 and stays inside every limit. */
function expectWithinLimits(items: ParsedItem[], limits: ParserLimits): void {
  for (const item of items) {
    if (!('reply' in item)) continue;
    const { reply, lines } = item;
    expect(Number.isInteger(reply.code) && reply.code >= 200 && reply.code <= 599).toBe(true);
    expect(lines.every((line) => line.startsWith(String(reply.code)))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(limits.maxReplyLines);
    expect(reply.lines).toHaveLength(lines.length);
    // Decoding never makes a line longer in UTF-16 units than it was in bytes, so these are lower
    // bounds of the byte counts the limits apply to: a line ends in LF, the reply counts every LF.
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(limits.maxLineLength);
    const bytes = lines.reduce((sum, line) => sum + line.length + 1, 0);
    expect(bytes).toBeLessThanOrEqual(limits.maxReplyBytes);
  }
}

/** Bytes that make SMTP-shaped input likely: digits, separators, line ends, and bytes UTF-8 forbids. */
const smtpishByte = fc.constantFrom(
  ...Buffer.from('2345 0-19\r\n\r\nxA.'),
  0x00,
  0x1b,
  0x80,
  0xc3,
  0xe9,
  0xff,
);
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.array(smtpishByte, { maxLength: 400 }).map((bytes) => Uint8Array.from(bytes)),
);
const smallLimits: fc.Arbitrary<ParserLimits> = fc.oneof(
  fc.constant(DEFAULT_LIMITS),
  fc.record({
    maxLineLength: fc.integer({ min: 1, max: 40 }),
    maxReplyLines: fc.integer({ min: 1, max: 6 }),
    maxReplyBytes: fc.integer({ min: 1, max: 200 }),
  }),
);
const splitPoints = fc.array(fc.nat(), { maxLength: 30 });

/** A well-formed reply: one code, 1–8 lines, text without CR or LF, and the line end it was sent with. */
const replyText = fc
  .oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }))
  .map((text) => text.replace(/[\r\n]/g, ' '));
const wellFormedReply = fc.record({
  code: fc.integer({ min: 200, max: 599 }),
  texts: fc.array(replyText, { minLength: 1, maxLength: 8 }),
  eol: fc.constantFrom('\r\n', '\n'),
});
type WellFormed = { code: number; texts: string[]; eol: string };
const wire = ({ code, texts, eol }: WellFormed) =>
  texts
    .map((text, i) => {
      const last = i === texts.length - 1;
      // A last line with no text may end right after the code (RFC 5321 §4.2 allows `250`).
      return last && text === '' ? `${code}${eol}` : `${code}${last ? ' ' : '-'}${text}${eol}`;
    })
    .join('');

describe('the SMTP reply parser', () => {
  it(
    'never throws on arbitrary bytes, and gives the same items however the bytes are split',
    () => {
      fc.assert(
        fc.property(anyBytes, splitPoints, smallLimits, (bytes, points, limits) => {
          const whole = parseChunks([bytes], limits);
          expectSameItems(parseChunks(split(bytes, points), limits), whole);
          expectWithinLimits(whole, limits);
        }),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'reads generated well-formed multi-line replies back exactly, however they are split',
    () => {
      fc.assert(
        fc.property(
          fc.array(wellFormedReply, { minLength: 1, maxLength: 5 }),
          splitPoints,
          (replies, points) => {
            const bytes = Buffer.from(replies.map(wire).join(''), 'utf8');
            const whole = parseChunks([bytes], DEFAULT_LIMITS);
            expect(
              whole.map((item) => ('reply' in item ? [item.reply.code, item.reply.lines] : item)),
            ).toEqual(replies.map(({ code, texts }) => [code, texts]));
            expectSameItems(parseChunks(split(bytes, points), DEFAULT_LIMITS), whole);
            expectWithinLimits(whole, DEFAULT_LIMITS);
          },
        ),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'accepts a reply exactly when it fits every limit, its line ends counted',
    () => {
      const slack = fc.integer({ min: -2, max: 2 });
      fc.assert(
        fc.property(wellFormedReply, slack, slack, slack, (reply, dLength, dLines, dBytes) => {
          const text = wire(reply);
          const bytes = Buffer.from(text, 'utf8');
          const lines = text.split(reply.eol).slice(0, -1);
          const longest = Math.max(...lines.map((line) => Buffer.byteLength(line)));
          const limits = {
            maxLineLength: Math.max(1, longest + dLength),
            maxReplyLines: Math.max(1, lines.length + dLines),
            maxReplyBytes: Math.max(1, bytes.length + dBytes),
          };
          const fits =
            longest <= limits.maxLineLength &&
            lines.length <= limits.maxReplyLines &&
            bytes.length <= limits.maxReplyBytes;
          const items = parseChunks([bytes], limits);
          expect(items).toHaveLength(1);
          expect(items[0] !== undefined && 'reply' in items[0]).toBe(fits);
        }),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );
});

/** Runs a parser: a result, or a UsageError; anything else thrown fails the property. */
function resultOrUsageError(run: () => unknown): { error?: UsageError; value?: unknown } {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof UsageError) return { error };
    throw error;
  }
}

// A password no message has any reason to contain, planted with characters that make URLs hard to read.
const CANARY = 'Kanari7f3e9cQ';
const passwordAround = fc.constantFrom(
  '',
  '@',
  ':',
  '/',
  '?',
  '#',
  '%',
  '%zz',
  ' ',
  '[',
  ']',
  ',',
  '@x:',
  '://',
);
/** The canary as written in a URL: some characters percent-encoded, with hostile characters around it. */
const plantedPassword = fc
  .tuple(
    passwordAround,
    fc.array(fc.boolean(), { minLength: CANARY.length, maxLength: CANARY.length }),
    passwordAround,
  )
  .map(([before, encode, after]) => {
    const body = [...CANARY]
      .map((ch, i) => (encode[i] ? `%${ch.charCodeAt(0).toString(16).toUpperCase()}` : ch))
      .join('');
    return `${before}${body}${after}`;
  });

function expectNoCanary(text: string, planted: string): void {
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain(planted);
  expect(text).not.toContain('7f3e9cQ');
}

const hostPart = fc.oneof(
  fc.constantFrom(
    'smtp.example.com',
    'a',
    '127.0.0.1',
    '[::1]',
    '::1',
    '[2001:db8::1',
    'x..y',
    '',
    '-bad-',
    'mx',
  ),
  fc.string({ maxLength: 12 }),
);
const portPart = fc.oneof(
  fc.constantFrom('', ':587', ':25,465', ':', ':0', ':99999', ':a', ':25,,465', ':25,25'),
  fc.string({ maxLength: 6 }).map((s) => `:${s}`),
);
const tailPart = fc.constantFrom('', '/', '/path', '?q=1', '#frag', ' ', '\n');
const schemePart = fc.constantFrom(
  'smtp://',
  'smtps://',
  'SMTP://',
  'ftp://',
  'smtp:/',
  'mx:',
  '',
  'mx:smtp://',
);
const userPart = fc.constantFrom('user', 'apikey', '', 'a@b', 'us%zzer', 'u:v');

/** Text shaped like a target: a scheme, credentials, a host, ports, a tail, each maybe broken. */
const targetish = fc
  .tuple(schemePart, fc.option(fc.tuple(userPart, fc.string({ maxLength: 8 }))), hostPart, portPart, tailPart)
  .map(
    ([scheme, cred, host, port, tail]) =>
      `${scheme}${cred ? `${cred[0]}:${cred[1]}@` : ''}${host}${port}${tail}`,
  );
const targetDefaults = fc.record(
  {
    ports: fc.constantFrom([25], [587, 2525]),
    mode: fc.constantFrom('starttls', 'tls', 'plain') as fc.Arbitrary<'tls'>,
  },
  { requiredKeys: [] },
);

describe('leaks of a password found by these properties, fixed', () => {
  it('a target that is not a URL, whose password holds "://", does not show the password', () => {
    const password = `${CANARY}://x`;
    const { error } = resultOrUsageError(() =>
      parseTargetSpec(`user:${password}@smtp.example.com:587`, 'target'),
    );
    expect(error).toBeInstanceOf(UsageError);
    expectNoCanary(error?.message ?? '', password);
  });

  it('a URL target with a space after its port colon does not show the password as an unknown key', () => {
    // YAML reads `- smtp://user:pw@host: 587` as a mapping whose key is the URL.
    const text = `targets:\n  - smtp://apikey:${CANARY}@smtp.example.com: 587\n`;
    const { error } = resultOrUsageError(() => parseConfig(text, configFile, ENV, emptyDir));
    expect(error).toBeInstanceOf(UsageError);
    expectNoCanary(error?.message ?? '', CANARY);
  });
});

describe('the target parser', () => {
  it(
    'returns a target or throws a UsageError for any text, never anything else',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.string({ unit: 'binary' }), targetish),
          targetDefaults,
          (spec, defaults) => {
            resultOrUsageError(() => parseTargetSpec(spec, 'target', defaults));
          },
        ),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'never shows a planted password, in a UsageError or in the display of a target it accepts',
    () => {
      fc.assert(
        fc.property(
          schemePart,
          userPart,
          plantedPassword,
          hostPart,
          portPart,
          tailPart,
          (scheme, user, password, host, port, tail) => {
            const spec = `${scheme}${user}:${password}@${host}${port}${tail}`;
            const { error, value } = resultOrUsageError(() => parseTargetSpec(spec, 'target'));
            if (error) {
              expectNoCanary(error.message, password);
              expectNoCanary(String(error), password);
            } else {
              expectNoCanary((value as { display: string }).display, password);
            }
          },
        ),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );
});

/** A directory with nothing in it, for the ca_file paths random configs name. */
const emptyDir = mkdtempSync(join(tmpdir(), 'smtp-probe-properties-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));
const configFile = join(emptyDir, 'smtp-probe.yml');
const ENV = { SMTP_USER: 'apikey', SMTP_PASS: CANARY, EMPTY: '' };

/** Values a config key might hold, right or wrong. */
const configValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      '10s',
      '500ms',
      'TLSv1.2',
      'starttls',
      'error',
      'SMTP_PASS',
      'EMPTY',
      'smtp.example.com:587',
      '1y',
      '',
    ),
    targetish,
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(tie('key') as fc.Arbitrary<string>, tie('value'), { maxKeys: 4 }),
  ),
  key: fc.oneof(
    fc.constantFrom(
      'fail_on',
      'defaults',
      'targets',
      'timeout',
      'connect_timeout',
      'helo',
      'concurrency',
      'retries',
      'tls',
      'ca_file',
      'min_version',
      'expect',
      'cert',
      'min_days',
      'host',
      'mx',
      'ports',
      'port',
      'mode',
      'name',
      'require',
      'username_env',
      'password_env',
      'envelope',
      'from',
      'to',
      'banner',
      'max_latency',
      '__proto__',
      'constructor',
      'tiemout',
    ),
    fc.string({ maxLength: 8 }),
  ),
})).value;

/** A config-shaped document: the real top-level keys with values of any shape. */
const configDocument = fc
  .record(
    {
      fail_on: configValue,
      defaults: fc.dictionary(fc.string({ maxLength: 4 }), configValue),
      targets: fc.array(configValue, { maxLength: 4 }),
    },
    { requiredKeys: [] },
  )
  .map((doc) => stringify(doc));
/** YAML-ish text: a document cut, spliced and salted with characters YAML treats specially. */
const yamlish = fc.oneof(
  configDocument,
  fc
    .tuple(
      configDocument,
      fc.nat(),
      fc.constantFrom(
        '',
        ':',
        '- ',
        '[',
        '{',
        '*a',
        '&a ',
        '!!binary ',
        '---\n',
        '"',
        "'",
        '\t',
        '|',
        '? ',
        '%YAML 1.2\n',
        '<<: ',
      ),
    )
    .map(
      ([text, at, insert]) =>
        `${text.slice(0, at % (text.length + 1))}${insert}${text.slice(at % (text.length + 1))}`,
    ),
  fc.string({
    unit: fc.constantFrom(...'targets:- host\n ports[]{},:"\'&*!|>#%@`?-0123456789abc.'),
    maxLength: 120,
  }),
  fc.string({ maxLength: 60 }),
);

describe('the config parser', () => {
  it(
    'returns a config or throws a UsageError for any YAML-ish text, never anything else',
    () => {
      fc.assert(
        fc.property(yamlish, (text) => {
          resultOrUsageError(() => parseConfig(text, configFile, ENV, emptyDir));
        }),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'never shows a planted password in a UsageError, from a target URL or from the environment',
    () => {
      const brokenTarget = fc
        .tuple(schemePart, userPart, plantedPassword, hostPart, portPart, tailPart)
        .map(([scheme, user, password, host, port, tail]) => ({
          password,
          spec: `${scheme}${user}:${password}@${host}${port}${tail}`,
        }));
      fc.assert(
        fc.property(brokenTarget, configValue, fc.boolean(), ({ password, spec }, other, quoted) => {
          // The URL as a list item (quoted, or bare so that YAML may choke on it), next to a target that
          // reads its password from the environment and has a mistake of its own.
          const item = quoted ? JSON.stringify(spec) : spec;
          const expectation = stringify({ expect: other }).trim().replace(/\n/g, '\n    ');
          const text = [
            'targets:',
            `  - ${item}`,
            '  - host: smtp.example.com',
            '    username_env: SMTP_USER',
            '    password_env: SMTP_PASS',
            `    ${expectation}`,
            '',
          ].join('\n');
          const { error } = resultOrUsageError(() => parseConfig(text, configFile, ENV, emptyDir));
          if (error) {
            expectNoCanary(error.message, password);
            expectNoCanary(String(error), password);
          }
        }),
        params,
      );
    },
    PROPERTY_TIMEOUT,
  );
});
