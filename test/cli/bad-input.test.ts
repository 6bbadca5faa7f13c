/**
 * A user's mistake is one line on stderr and exit 2, naming where it is (the flag, file:line:column, the
 * environment variable), never the secret it held, never a whole 5 MB value, never a stack trace. The
 * last two tests throw fast-check's argv and config files at the CLI. Every run here has its probes
 * cancelled before they start (an aborted signal): nothing is looked up or dialled.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXIT, main } from '../../src/cli/main.js';
import type { Report } from '../../src/result/model.js';
import { tempDir } from '../adapters/adapters.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('bad-input-');
});

const HUGE = 'x'.repeat(5_000_000);

/** The CLI in-process with its probes cancelled before they start. Throws if `main` does. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const cancelled = new AbortController();
  cancelled.abort(new Error('cancelled by the test before any probe'));
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
    cwd: dir,
    signal: cancelled.signal,
  });
  return { code, stdout, stderr };
}

/** Exit 2 and one readable line, or a report (0/1) with at most warnings; never a stack trace. */
function expectHandled({ code, stderr }: { code: number; stderr: string }): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  const lines = stderr.split('\n').filter(Boolean);
  for (const line of lines) expect(line.startsWith('smtp-probe: ')).toBe(true);
  if (code === EXIT.usage) {
    expect(lines).toHaveLength(1);
    expect(stderr.length).toBeLessThan(1_100);
  } else {
    expect([EXIT.pass, EXIT.fail]).toContain(code);
  }
}

describe('CR, LF or NUL where a command would be built: exit 2, naming the place', () => {
  it.each([
    ['--helo', ['127.0.0.1:1', '--helo', 'ci.example.com\r\nRSET'], '--helo: "ci.example.com\\r\\nRSET"'],
    [
      '--helo with a NUL',
      ['127.0.0.1:1', '--helo', 'ci\u0000.example.com'],
      '--helo: "ci\\u0000.example.com"',
    ],
  ])('%s', async (_what, argv, named) => {
    const r = await cli(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(`smtp-probe: ${named} is not a domain name or address literal\n`);
  });

  it.each([
    [
      'the sender',
      'from: "app\\r\\nRCPT TO:<x@example.com>@example.com"',
      /smtp-probe\.yml:5:13: targets\[0\]\.envelope\.from: /,
    ],
    [
      'the recipient',
      'from: app@example.com\n      to: "a\\u0000b@example.com"',
      /smtp-probe\.yml:6:11: targets\[0\]\.envelope\.to: /,
    ],
  ])('the envelope in the config file: %s', async (_what, envelope, named) => {
    await writeFile(
      join(dir, 'smtp-probe.yml'),
      `targets:\n  - host: 127.0.0.1\n    ports: [1]\n    envelope:\n      ${envelope}\n`,
    );
    const r = await cli(['--config', 'smtp-probe.yml']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(named);
    expectHandled(r);
  });

  it.each([
    ['the user name', { SMTP_USER: 'deploy\r\nMAIL FROM:<x>', SMTP_PASS: 'secret-4711' }, 'SMTP_USER'],
    ['the password', { SMTP_USER: 'deploy', SMTP_PASS: 'secret\n4711' }, 'SMTP_PASS'],
    ['the password, with a NUL', { SMTP_USER: 'deploy', SMTP_PASS: 'secret\u00004711' }, 'SMTP_PASS'],
  ])('credentials from the environment: %s names the variable, never the value', async (_what, env, name) => {
    const r = await cli(['127.0.0.1:1', '--auth-user-env', 'SMTP_USER', '--auth-pass-env', 'SMTP_PASS'], env);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(
      `smtp-probe: --auth-user-env and --auth-pass-env: environment variable ${name} contains a line break or NUL; the value is not shown\n`,
    );
    expect(r.stderr).not.toMatch(/deploy|secret|4711/);
  });

  it('credentials from variables a config file names: the variable is named, never the value', async () => {
    await writeFile(
      join(dir, 'smtp-probe.yml'),
      'targets:\n  - host: 127.0.0.1\n    ports: [1]\n    username_env: U\n    password_env: P\n',
    );
    const r = await cli(['--config', 'smtp-probe.yml'], { U: 'deploy', P: 'secret\r\n4711' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(
      'smtp-probe: smtp-probe.yml:5:19: targets[0].password_env: environment variable P contains a line break or NUL\n',
    );
  });
});

describe('a 5 MB value is never echoed whole', () => {
  it.each([
    ['a target', [HUGE]],
    ['a target URL', [`smtp://user:pw@${HUGE}`]],
    ['--helo', ['127.0.0.1:1', '--helo', HUGE]],
    ['--format', ['127.0.0.1:1', '--format', HUGE]],
    ['--concurrency', ['127.0.0.1:1', '--concurrency', HUGE]],
    ['--timeout', ['127.0.0.1:1', '--timeout', HUGE]],
    ['--ca', ['127.0.0.1:1', '--ca', HUGE]],
    ['--config', ['--config', HUGE]],
    ['an unknown flag', [`--${HUGE}`]],
    ['--auth-user-env', ['127.0.0.1:1', '--auth-user-env', HUGE, '--auth-pass-env', 'P']],
    ['demo', ['demo', HUGE]],
  ])('%s', async (_what, argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(EXIT.usage);
    expectHandled(r);
    expect(r.stderr.length).toBeLessThan(400);
  });

  it('a value in a config file', async () => {
    await writeFile(join(dir, 'huge.yml'), `targets:\n  - host: "${HUGE}"\n`);
    const r = await cli(['--config', 'huge.yml']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(
      /^smtp-probe: huge\.yml:2:11: targets\[0\]\.host: host "x{60}…" \(5000000 characters\)/,
    );
    expect(r.stderr.length).toBeLessThan(400);
  });
});

describe('a port given twice is probed once, on the command line and in a config file', () => {
  it.each([
    ['host:25,25', ['127.0.0.1:1,1,2']],
    ['--ports 1,1,2', ['127.0.0.1', '--ports', '1,1,2']],
  ])('%s', async (_what, argv) => {
    const r = await cli([...argv, '--format', 'json']);
    expect(r.code).toBe(EXIT.fail);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.results.map((row) => row.port)).toEqual([1, 2]);
  });
});

/** Flags the fuzzer may use: all but --vantage (it would call AWS) and --output (it writes files). */
const FLAGS = [
  ...['--config', '--format', '--fail-on', '--timeout', '--connect-timeout', '--greeting-timeout'],
  ...['--command-timeout', '--overall-timeout', '--concurrency', '--retries', '--helo', '--mode'],
  ...['--ports', '--ca', '--min-tls', '--expect-tls', '--auth-user-env', '--auth-pass-env'],
  ...['--allow-unverified-auth', '--allow-plaintext-auth', '--verbose', '-c', '-f', '-t', '-p', '-v'],
];
const VALUES = [
  ...['text', 'json', 'junit', 'markdown', 'error', 'never', '10s', '0', '-1', '1ms', '99999999999'],
  ...['plain', 'tls', 'starttls', 'TLSv1.3', 'required', 'U', 'P', 'ci.example.com', '[127.0.0.1]'],
  ...['127.0.0.1', '127.0.0.1:1', '[::1]:1,2', 'smtp://u:p@127.0.0.1:1', 'smtps://127.0.0.1', '25,25'],
];
/** Anything that could make the CLI look up a name (mx:) or leave the machine is not generated. */
const safe = (token: string) => !/^(?:-o|--output|--vantage)|mx:/i.test(token);
const token = fc.oneof(
  fc.constantFrom(...FLAGS),
  fc.constantFrom(...VALUES),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 400 }).map((s) => `--${s}`),
);
/** A flag with a value, a lone token, or the credential flags together (so that the env is read). */
const piece = fc.oneof(
  fc.tuple(fc.constantFrom(...FLAGS), fc.oneof(fc.constantFrom(...VALUES), token)),
  token.map((t) => [t]),
  fc.constant(['--auth-user-env', 'U', '--auth-pass-env', 'P']),
);
const argvs = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.flat().filter(safe));
/** Credential values: sometimes plain, often holding the characters that would break a command. */
const credential = fc.oneof(
  fc.constantFrom('deploy', 'secret'),
  fc.string({ unit: fc.constantFrom('a', '%', ' ', 'ä', '\r', '\n', '\u0000'), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const ENVS = fc.record({ U: credential, P: credential });

describe('fuzzed input never ends in a stack trace', () => {
  it('argv: exit 2 with one line, or a report', async () => {
    await fc.assert(
      fc.asyncProperty(argvs, ENVS, async (argv, env) => {
        expectHandled(await cli(argv, env));
      }),
      { numRuns: 400 },
    );
  }, 60_000);

  const scalar = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...VALUES),
  );
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string(), scalar));
  const target = fc.oneof(
    fc.constantFrom(...VALUES),
    fc.record(
      {
        name: value,
        host: fc.oneof(fc.constantFrom('127.0.0.1', '::1', '[::1]'), value),
        ports: fc.oneof(
          fc.array(fc.oneof(fc.integer({ min: 0, max: 70_000 }), value), { maxLength: 4 }),
          value,
        ),
        mode: value,
        require: value,
        username_env: fc.oneof(fc.constantFrom('U', 'P'), value),
        password_env: fc.oneof(fc.constantFrom('U', 'P'), value),
        envelope: fc.oneof(fc.record({ from: value, to: value }, { requiredKeys: [] }), value),
        expect: fc.oneof(
          fc.dictionary(fc.constantFrom('tls', 'cert', 'auth', 'banner', 'max_latency'), value),
          value,
        ),
      },
      { requiredKeys: [] },
    ),
  );
  const config = fc.oneof(
    fc
      .record(
        {
          fail_on: value,
          defaults: fc.oneof(
            fc.dictionary(
              fc.constantFrom(
                'timeout',
                'helo',
                'concurrency',
                'retries',
                'tls',
                'expect',
                'overall_timeout',
              ),
              value,
            ),
            value,
          ),
          targets: fc.oneof(fc.array(target, { maxLength: 3 }), value),
        },
        { requiredKeys: [] },
      )
      .map((data) => stringify(data)),
    fc.string({ unit: 'binary', maxLength: 300 }),
  );

  it('config files: exit 2 with one line at file:line:column, or a report', async () => {
    await fc.assert(
      fc.asyncProperty(
        config.filter((text) => !/mx/i.test(text)),
        ENVS,
        async (text, env) => {
          await writeFile(join(dir, 'fuzz.yml'), text);
          const r = await cli(['--config', 'fuzz.yml'], env);
          expectHandled(r);
          if (r.code === EXIT.usage) expect(r.stderr).toMatch(/^smtp-probe: fuzz\.yml[: ]/);
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);
});
