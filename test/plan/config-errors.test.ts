import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/plan/config.js';
import { UsageError } from '../../src/plan/types.js';
import { usageError } from '../helpers/usage-error.js';

const FILE = 'smtp-probe.yml';

/** Lines joined with newlines, so that each case reads like the file it stands for. */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('a mistake in the YAML, a key or a default is one UsageError at file:line:column', () => {
  it.each([
    // YAML itself: the parser's first error, with the line it choked on
    [
      'bad indentation',
      yaml('targets:', '  - host: a.example.com', '   ports: [25]'),
      '3:1',
      '(at "ports: [25]")',
    ],
    ['a duplicate key', yaml('fail_on: error', 'fail_on: never'), '2:1', 'unique (at "fail_on: never")'],
    ['two documents', yaml('fail_on: error', '---', 'fail_on: never'), '2:1', 'holds one document'],
    ['an empty file', '', '1:1', 'the config file is empty'],
    ['a list at the top', yaml('- smtp.example.com'), '1:1', 'expected a mapping with targets and defaults'],
    // Unknown keys, with the nearest known one
    [
      'a top-level typo',
      yaml('target:', '  - a.example.com'),
      '1:1',
      'unknown key "target" (did you mean "targets"?)',
    ],
    [
      'a typo in defaults',
      yaml('defaults:', '  tiemout: 10s'),
      '2:3',
      'defaults: unknown key "tiemout" (did you mean "timeout"?)',
    ],
    [
      'a typo in cert',
      yaml('defaults:', '  expect:', '    cert: { min_day: 3 }'),
      '3:13',
      'defaults.expect.cert: unknown key "min_day" (did you mean "min_days"?)',
    ],
    [
      'a key far from any',
      yaml('colour: red'),
      '1:1',
      'unknown key "colour" (known keys: fail_on, defaults, targets, controls)',
    ],
    // The top level and defaults
    [
      'fail_on',
      yaml('fail_on: sometimes'),
      '1:10',
      'fail_on: expected one of error, warning, never, got "sometimes"',
    ],
    [
      'a word for a duration',
      yaml('defaults:', '  timeout: ten'),
      '2:12',
      'defaults.timeout: invalid duration "ten"',
    ],
    [
      'a negative duration',
      yaml('defaults:', '  connect_timeout: -5s'),
      '2:20',
      'defaults.connect_timeout: invalid duration "-5s"',
    ],
    [
      'a zero duration',
      yaml('defaults:', '  overall_timeout: 0'),
      '2:20',
      'defaults.overall_timeout: invalid duration 0',
    ],
    [
      'a duration as a list',
      yaml('defaults:', '  command_timeout: [10s]'),
      '2:20',
      'defaults.command_timeout: expected a duration such as 10s, 500ms, 2m, got a list',
    ],
    [
      'concurrency 0',
      yaml('defaults:', '  concurrency: 0'),
      '2:16',
      'defaults.concurrency: expected a whole number from 1 to 256, got 0',
    ],
    [
      'concurrency 1.5',
      yaml('defaults:', '  concurrency: 1.5'),
      '2:16',
      'defaults.concurrency: expected a whole number from 1 to 256, got 1.5',
    ],
    [
      'retries 6',
      yaml('defaults:', '  retries: 6'),
      '2:12',
      'defaults.retries: expected a whole number from 0 to 5, got 6',
    ],
    [
      'a helo with a space',
      yaml('defaults:', '  helo: "ci runner"'),
      '2:9',
      'defaults.helo: invalid helo "ci runner"',
    ],
    [
      'TLSv1.4',
      yaml('defaults:', '  tls:', '    min_version: TLSv1.4'),
      '3:18',
      'defaults.tls.min_version: expected one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, got "TLSv1.4"',
    ],
    ['defaults as a string', yaml('defaults: fast'), '1:11', 'got "fast"'],
    [
      'cert.min_days',
      yaml('defaults:', '  expect:', '    cert: { min_days: -1 }'),
      '3:23',
      'defaults.expect.cert.min_days: expected a whole number of days, 0 or more, got -1',
    ],
    [
      'targets as a string',
      yaml('targets: smtp.example.com'),
      '1:10',
      'targets: expected a list of targets, got "smtp.example.com"',
    ],
  ])('%s', (_story, text, where, says) => {
    const error = usageError(() => parseConfig(text, FILE, {}));
    expect(error.source).toBe(`${FILE}:${where}`);
    expect(error.message.startsWith(`${FILE}:${where}: `)).toBe(true);
    expect(error.message).toContain(says);
    // One line for the terminal: no stack, no zod dump.
    expect(error.message).not.toMatch(/\n|\bat \w+ \(|"code":|invalid_type|ZodError/);
  });

  it('reports the first mistake in the file when there are several', () => {
    const text = yaml(
      'defaults:',
      '  retries: 9',
      'targets:',
      '  - host: smtp.example.com',
      '    ports: [0]',
    );
    expect(usageError(() => parseConfig(text, FILE, {})).source).toBe(`${FILE}:2:12`);
  });
});

describe('CA files are read while the config is parsed, relative to it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smtp-probe-ca-'));
    await writeFile(join(dir, 'not-a-cert.txt'), 'hello\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [
      'a missing CA file',
      yaml('defaults:', '  tls:', '    ca_file: certs/ca.pem'),
      '3:14',
      'defaults.tls.ca_file: cannot read CA file "certs/ca.pem"',
    ],
    [
      'a CA file that is no PEM',
      yaml('defaults:', '  tls:', '    ca_file: not-a-cert.txt'),
      '3:14',
      'CA file "not-a-cert.txt" holds no PEM certificate',
    ],
    [
      'a bad file in a list',
      yaml('defaults:', '  tls:', '    ca_file:', '      - not-a-cert.txt'),
      '4:9',
      'defaults.tls.ca_file[0]: CA file "not-a-cert.txt" holds no PEM',
    ],
    [
      'a CA file as a number',
      yaml('defaults:', '  tls:', '    ca_file: 42'),
      '3:14',
      'defaults.tls.ca_file: expected a file name or a list of file names, got 42',
    ],
  ])('%s', async (story, text, where, says) => {
    const file = join(dir, `${story.replaceAll(' ', '-')}.yml`);
    await writeFile(file, text);
    const error = await loadConfig(file, {}).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).source).toBe(`${file}:${where}`);
    expect((error as UsageError).message).toContain(says);
  });

  it('a missing CA file names the path it looked for, next to the config file', async () => {
    const file = join(dir, 'probe.yml');
    await writeFile(file, yaml('defaults:', '  tls:', '    ca_file: certs/ca.pem'));
    const error = await loadConfig(file, {}).catch((reason: unknown) => reason);
    expect((error as UsageError).message).toContain(`(${join(dir, 'certs', 'ca.pem')}): ENOENT`);
  });
});
