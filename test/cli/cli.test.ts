import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const CANARY = 'canary-cli-5e1d9';
let pki: TestPki;
let dir: string;
let caFile: string;
let good: SmtpFixture;
let authed: SmtpFixture;
/** A port held closed on 127.0.0.1: probing it is refused. */
let closed: HeldPort;

beforeAll(async () => {
  pki = await testPki();
  dir = await mkdtemp(join(tmpdir(), 'smtp-probe-cli-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, pki.ca.cert);
  await writeFile(join(dir, 'not-pem.txt'), 'hello');
  good = await startSmtpServer({});
  authed = await startSmtpServer({ auth: { username: 'deploy', password: CANARY } });
  closed = await refusingPort('127.0.0.1');
});
afterAll(async () => {
  await Promise.all([good.close(), authed.close(), closed.close()]);
});

/** Runs the CLI in-process with captured output. */
async function cli(
  argv: string[],
  env: Record<string, string> = {},
  options: { tty?: boolean; cwd?: string } = {},
) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty === true },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
    cwd: options.cwd ?? dir,
  });
  return { code, stdout, stderr };
}

const fast = [
  '--timeout',
  '3s',
  '--connect-timeout',
  '500ms',
  '--greeting-timeout',
  '500ms',
  '--command-timeout',
  '1s',
];

describe('smtp-probe', () => {
  it('--help prints the usage and exits 0; --version prints the version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(EXIT.pass);
    expect(help.stdout).toMatch(/^Usage: smtp-probe/);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    expect((await cli(['--version'])).stdout).toBe(`smtp-probe ${pkg.version}\n`);
  });

  it('a healthy port passes with exit 0 and a text report', async () => {
    const { code, stdout, stderr } = await cli([`127.0.0.1:${good.port}`, '--ca', caFile, ...fast]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.pass);
    expect(stdout).toMatch(new RegExp(`127\\.0\\.0\\.1.*${good.port}.*ok`));
    expect(stdout).not.toContain(String.fromCharCode(27));
  });

  it('a closed port fails with exit 1', async () => {
    const { code, stdout } = await cli([`127.0.0.1:${closed.port}`, ...fast]);
    expect(code).toBe(EXIT.fail);
    expect(stdout).toMatch(/refused/);
  });

  it('--format json --output writes the JSON report to a file', async () => {
    const out = join(dir, 'report.json');
    const { code, stdout } = await cli([
      `127.0.0.1:${good.port}`,
      '--ca',
      caFile,
      '-f',
      'json',
      '-o',
      out,
      ...fast,
    ]);
    expect(code).toBe(EXIT.pass);
    expect(stdout).toBe('');
    const report = JSON.parse(await readFile(out, 'utf8')) as {
      schemaVersion: number;
      verdict: { pass: boolean };
    };
    expect(report).toMatchObject({ schemaVersion: 2, verdict: { pass: true } });
  });

  it('credentials from the environment are used, and the password appears in no output of any format', async () => {
    const env = { SMTP_USER: 'deploy', SMTP_PASS: CANARY };
    for (const format of ['text', 'json', 'markdown', 'junit']) {
      const { code, stdout, stderr } = await cli(
        [
          `127.0.0.1:${authed.port}`,
          '--ca',
          caFile,
          '--auth-user-env',
          'SMTP_USER',
          '--auth-pass-env',
          'SMTP_PASS',
          '-f',
          format,
          '-v',
          ...fast,
        ],
        env,
      );
      expect(code, format).toBe(EXIT.pass);
      expect(stdout + stderr, format).not.toContain(CANARY);
      expect(stdout + stderr, format).not.toContain(Buffer.from(CANARY).toString('base64'));
    }
  });

  it('a password in a target URL works, draws a warning, and is never printed', async () => {
    const { code, stdout, stderr } = await cli([
      `smtp://deploy:${CANARY}@127.0.0.1:${authed.port}`,
      '--ca',
      caFile,
      ...fast,
    ]);
    expect(code).toBe(EXIT.pass);
    expect(stderr).toMatch(
      /credentials in a target end up in shell history and logs; use --auth-user-env and --auth-pass-env/,
    );
    expect(stdout + stderr).not.toContain(CANARY);
  });

  it('colours only on a terminal, and not when NO_COLOR is set', async () => {
    const args = [`127.0.0.1:${closed.port}`, ...fast];
    expect((await cli(args, {}, { tty: true })).stdout).toContain(String.fromCharCode(27));
    expect((await cli(args, { NO_COLOR: '1' }, { tty: true })).stdout).not.toContain(String.fromCharCode(27));
  });

  it('.github/smtp-probe.yml is read when present and no config is named', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'smtp-probe-repo-'));
    await mkdir(join(repo, '.github'));
    await writeFile(
      join(repo, '.github', 'smtp-probe.yml'),
      `defaults:\n  connect_timeout: 500ms\ntargets:\n  - name: from-default-config\n    host: 127.0.0.1\n    ports: [${closed.port}]\n`,
    );
    const { code, stdout } = await cli([], {}, { cwd: repo });
    expect(code).toBe(EXIT.fail);
    expect(stdout).toMatch(/from-default-config/);
    expect(stdout).toMatch(/\.github\/smtp-probe\.yml:6:13/);
  });

  it('a config file is read and its targets probed', async () => {
    const config = join(dir, 'probe.yml');
    await writeFile(config, `targets:\n  - name: relay\n    host: 127.0.0.1\n    ports: [${good.port}]\n`);
    const { code, stdout } = await cli(['--config', config, '--ca', caFile, ...fast]);
    expect(code).toBe(EXIT.pass);
    expect(stdout).toMatch(/relay/);
  });
});

describe('expectations do what they say, and hints speak the CLI', () => {
  it("the config file's defaults apply to a target given on the command line", async () => {
    const config = join(dir, 'defaults-only.yml');
    // No targets in the file: only defaults, which must reach the command-line target.
    await writeFile(config, 'defaults:\n  expect:\n    cert: { min_days: 365 }\n');
    const { code, stdout } = await cli([
      `127.0.0.1:${good.port}`,
      '--ca',
      caFile,
      '--config',
      config,
      '--format',
      'json',
      ...fast,
    ]);
    const report = JSON.parse(stdout) as { findings: Array<{ rule: string; hint: string }> };
    expect(report.findings.map((f) => f.rule)).toEqual(['cert-expiring']);
    expect(code).toBe(EXIT.pass);
  });

  it('--expect-tls none accepts a port without STARTTLS; the default requires it on 587-like ports', async () => {
    const noTls = await startSmtpServer({ starttls: false });
    try {
      const strict = await cli([`127.0.0.1:${noTls.port}`, ...fast, '--format', 'json']);
      expect(strict.code).toBe(EXIT.fail);
      const relaxed = await cli([
        `127.0.0.1:${noTls.port}`,
        ...fast,
        '--format',
        'json',
        '--expect-tls',
        'none',
      ]);
      expect(relaxed.code).toBe(EXIT.pass);
      expect((JSON.parse(relaxed.stdout) as { findings: unknown[] }).findings).toEqual([]);
    } finally {
      await noTls.close();
    }
  });

  it('expect.auth: ok without credentials is a usage error before any probe', async () => {
    const config = join(dir, 'auth-ok.yml');
    await writeFile(
      config,
      `targets:\n  - host: 127.0.0.1\n    ports: [${good.port}]\n    expect: { auth: ok }\n`,
    );
    const { code, stderr } = await cli(['--config', config]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(
      /auth-ok\.yml:3:13: target "127\.0\.0\.1" expects AUTH to succeed .* give them with --auth-user-env and --auth-pass-env\n$/,
    );
  });

  it("a hint names the flag to change, never a setting id or another adapter's words", async () => {
    const { stdout } = await cli([`127.0.0.1:${good.port}`, ...fast, '--format', 'json']);
    const report = JSON.parse(stdout) as { findings: Array<{ rule: string; hint: string }> };
    const untrusted = report.findings.find((f) => f.rule === 'cert-untrusted');
    expect(untrusted?.hint).toContain('with --ca.');
    expect(stdout).not.toMatch(/`ca`|input `/);
  });
});

describe('bad input: exit 2, one line naming the value, never a stack trace', () => {
  it.each([
    [['--format', 'xml', 'h'], '--format: "xml" is not one of text, json, markdown, junit'],
    [['--fail-on', 'sometimes', 'h'], '--fail-on: "sometimes" is not one of error, warning, never'],
    [['--timeout', 'ten', 'h'], '--timeout: '],
    [['--timeout', '-5s', 'h'], '--timeout: '],
    [['--connect-timeout', '0', 'h'], '--connect-timeout: '],
    [['--concurrency', '0', 'h'], '--concurrency: "0" must be a whole number from 1 to 256'],
    [['--concurrency', 'lots', 'h'], '--concurrency: "lots"'],
    [['--retries', '9', 'h'], '--retries: "9" must be a whole number from 0 to 5'],
    [['--mode', 'ssl', 'h'], '--mode: "ssl" is not one of starttls, tls, plain'],
    [['--ports', '0', 'h'], '--ports: "0"'],
    [['--ports', '65536', 'h'], '--ports: "65536"'],
    [['--ports', 'abc', 'h'], '--ports: "abc"'],
    [['--ca', '/nonexistent/ca.pem', 'h'], '--ca: cannot read CA file /nonexistent/ca.pem (ENOENT)'],
    [['--ca', 'not-pem.txt', 'h'], '--ca: not-pem.txt holds no PEM certificate'],
    [['--auth-user-env', 'U', 'h'], '--auth-pass-env: give both --auth-user-env and --auth-pass-env'],
    [
      ['--auth-user-env', '1BAD', '--auth-pass-env', 'P', 'h'],
      '--auth-user-env: "1BAD" is not an environment variable name',
    ],
    [
      ['--auth-user-env', 'NOPE_U', '--auth-pass-env', 'NOPE_P', 'h'],
      '--auth-user-env and --auth-pass-env: environment variable NOPE_U is not set',
    ],
    [['--tiemout', '5s', 'h'], '--tiemout: unknown option (did you mean --timeout?)'],
    [['--config'], '--config: needs a value'],
    [['--config', 'missing.yml'], 'missing.yml'],
    [['--helo', 'bad name!', 'h'], '--helo: '],
    [[], 'no targets'],
    [['demo', 'extra'], 'demo: demo takes no targets, got "extra"'],
    [['host:0'], '"host:0"'],
    [['host:65536'], '"host:65536"'],
    [['host:abc'], '"host:abc"'],
    [['ftp://host'], '"ftp://host"'],
    [['mx:'], '"mx:"'],
    [['[::1'], '"[::1"'],
    [['a b'], '"a b"'],
  ])('%j', async (argv, expected) => {
    const { code, stdout, stderr } = await cli(argv as string[]);
    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(stderr.startsWith('smtp-probe: ')).toBe(true);
    expect(stderr).toContain(expected);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    ['bad YAML', 'targets: [\n', /bad\.yml:\d+:\d+/],
    [
      'an unknown key',
      'targets:\n  - host: a.test\n    prots: [25]\n',
      /bad\.yml:3:5: .*"prots".*did you mean "ports"/,
    ],
    ['a wrong type', 'targets:\n  - host: a.test\n    ports: twenty\n', /bad\.yml:3:12/],
    [
      'a missing credential variable',
      'targets:\n  - host: a.test\n    username_env: NO_USER\n    password_env: NO_PASS\n',
      /bad\.yml:\d+:\d+: .*NO_USER/,
    ],
  ])('a config file with %s is exit 2 with file:line:column', async (_what, text, pattern) => {
    await writeFile(join(dir, 'bad.yml'), text);
    const { code, stderr } = await cli(['--config', 'bad.yml']);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(pattern);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
