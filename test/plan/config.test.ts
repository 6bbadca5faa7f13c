import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/plan/config.js';
import { DEFAULT_PORTS, UsageError } from '../../src/plan/types.js';

// Only the PEM markers matter here: the config layer reads the text, TLS parses it later.
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBdGVzdA==\n-----END CERTIFICATE-----\n';
const ENV = { MJ_USER: 'mailjet-user', MJ_PASS: 'mailjet-pass' };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smtp-probe-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => new Error('expected a UsageError, got a result'),
    (reason: unknown) => reason,
  );
  if (error instanceof UsageError) return error;
  throw error;
}

describe('the documented example config', () => {
  it('reads into target plans with a location for every target and port', async () => {
    const file = join(dir, 'example', 'smtp-probe.yml');
    await mkdir(join(dir, 'example', 'certs'), { recursive: true });
    await copyFile(new URL('fixtures/smtp-probe.yml', import.meta.url), file);
    await writeFile(join(dir, 'example', 'certs', 'ca.pem'), PEM);
    const at = (line: number, column: number) => ({ file, line, column });
    const defaultExpect = { minTls: 'TLSv1.2', cert: { minDays: 14, trusted: true } };
    const mailjetExpect = {
      minTls: 'TLSv1.2',
      cert: { minDays: 30, trusted: true, hostname: true },
      auth: 'ok',
      maxLatency: 2_000,
      banner: 'ESMTP',
    };

    const config = await loadConfig(file, ENV);

    expect(config.file).toBe(file);
    expect(config.failOn).toBe('warning');
    expect(config.options).toEqual({
      timeout: 30_000,
      connectTimeout: 5_000,
      greetingTimeout: 10_000,
      commandTimeout: 1_500,
      overallTimeout: 120_000,
      helo: 'ci.example.com',
      concurrency: 8,
      retries: 1,
      tls: { ca: [PEM], minVersion: 'TLSv1.2' },
    });
    expect(config.targets).toEqual([
      {
        name: 'smtp.example.com',
        host: 'smtp.example.com',
        mx: false,
        ports: [
          { port: 587, mode: 'starttls', modeExplicit: false, expect: defaultExpect, location: at(19, 5) },
        ],
        require: 'all',
        location: at(19, 5),
      },
      {
        name: 'mailjet',
        host: 'in-v3.mailjet.com',
        mx: false,
        ports: [
          { port: 587, mode: 'starttls', modeExplicit: true, expect: mailjetExpect, location: at(22, 13) },
          { port: 2525, mode: 'starttls', modeExplicit: true, expect: mailjetExpect, location: at(22, 18) },
        ],
        require: 'any',
        auth: { username: 'mailjet-user', password: 'mailjet-pass' },
        credentialRefs: { usernameEnv: 'MJ_USER', passwordEnv: 'MJ_PASS' },
        envelope: { from: 'app@example.com', to: 'ops@example.com' },
        location: at(20, 5),
      },
      {
        name: 'relay.example.org',
        host: 'relay.example.org',
        mx: false,
        ports: [
          { port: 25, mode: 'starttls', modeExplicit: false, expect: defaultExpect, location: at(35, 9) },
          {
            port: 465,
            mode: 'tls',
            modeExplicit: true,
            expect: { minTls: 'TLSv1.2', tls: 'required', cert: { minDays: 14, trusted: false } },
            location: at(36, 9),
          },
        ],
        require: 'all',
        location: at(33, 5),
      },
      {
        name: 'mx:example.com',
        host: 'example.com',
        mx: true,
        ports: [
          {
            port: 25,
            mode: 'starttls',
            modeExplicit: false,
            expect: { ...defaultExpect, reachable: true, tls: 'optional' },
            location: at(39, 5),
          },
        ],
        require: 'all',
        location: at(39, 5),
      },
      {
        name: '2001:db8::1',
        host: '2001:db8::1',
        mx: false,
        ports: [{ port: 2465, mode: 'tls', modeExplicit: true, expect: defaultExpect, location: at(41, 5) }],
        require: 'all',
        location: at(41, 5),
      },
    ]);
  });
});

describe('config targets', () => {
  it('a mapping target without ports is probed on the default ports, each located at the target', () => {
    const config = parseConfig('targets:\n  - host: smtp.example.com\n', 'smtp-probe.yml', {});
    const location = { file: 'smtp-probe.yml', line: 2, column: 5 };
    expect(config.targets[0]?.ports).toEqual(
      DEFAULT_PORTS.map((port) => ({
        port,
        mode: port === 465 ? 'tls' : 'starttls',
        modeExplicit: false,
        expect: {},
        location,
      })),
    );
  });

  it('a port listed twice with the same settings is probed once, located at its first mention', () => {
    const config = parseConfig(
      'targets:\n  - host: smtp.example.com\n    ports: [587, 25, 587]\n',
      'smtp-probe.yml',
      {},
    );
    expect(config.targets[0]?.ports.map((p) => [p.port, p.location?.column])).toEqual([
      [587, 13],
      [25, 18],
    ]);
  });

  it('a target mode applies to its ports, and a port’s own mode wins over it', () => {
    const text =
      'targets:\n  - host: smtp.example.com\n    mode: plain\n    ports: [25, { port: 587, mode: starttls }]\n';
    const ports = parseConfig(text, 'smtp-probe.yml', {}).targets[0]?.ports;
    expect(ports?.map(({ port, mode }) => ({ port, mode }))).toEqual([
      { port: 25, mode: 'plain' },
      { port: 587, mode: 'starttls' },
    ]);
  });

  it('expectations layer defaults, then target, then port; cert merges key by key', () => {
    const text = [
      'defaults:',
      '  expect: { tls: required, max_latency: 500ms, cert: { min_days: 14, trusted: true } }',
      'targets:',
      '  - host: smtp.example.com',
      '    expect: { max_latency: 2s, cert: { min_days: 30 } }',
      '    ports:',
      '      - port: 25',
      '        expect: { tls: optional, cert: { hostname: false } }',
      '',
    ].join('\n');
    expect(parseConfig(text, 'smtp-probe.yml', {}).targets[0]?.ports[0]?.expect).toEqual({
      tls: 'optional',
      maxLatency: 2_000,
      cert: { minDays: 30, trusted: true, hostname: false },
    });
  });

  it('credentials in a target URL land in auth, with no credential references', () => {
    const text = 'targets:\n  - "smtp://apikey:s%23cret@smtp.example.com:2525"\n';
    const [target] = parseConfig(text, 'smtp-probe.yml', {}).targets;
    expect(target?.auth).toEqual({ username: 'apikey', password: 's#cret' });
    expect(target?.credentialRefs).toBeUndefined();
  });

  it('an mx target may set its mode and expectations, and is named mx:domain', () => {
    const text = 'targets:\n  - mx: example.com\n    mode: plain\n';
    const [target] = parseConfig(text, 'smtp-probe.yml', {}).targets;
    expect(target).toMatchObject({ name: 'mx:example.com', host: 'example.com', mx: true });
    expect(target?.ports).toEqual([
      {
        port: 25,
        mode: 'plain',
        modeExplicit: true,
        expect: {},
        location: { file: 'smtp-probe.yml', line: 2, column: 5 },
      },
    ]);
  });

  it('IPv6 targets: quoted with brackets as text, bare as a host', () => {
    const text = 'targets:\n  - "[2001:db8::1]:587"\n  - host: 2001:db8::2\n    ports: [25]\n';
    const targets = parseConfig(text, 'smtp-probe.yml', {}).targets;
    expect(targets.map((t) => [t.host, t.ports.map((p) => p.port)])).toEqual([
      ['2001:db8::1', [587]],
      ['2001:db8::2', [25]],
    ]);
  });

  it('a file that sets only targets leaves options empty and fail_on unset', () => {
    const config = parseConfig('targets: [smtp.example.com:587]\n', 'smtp-probe.yml', {});
    expect(config.options).toEqual({});
    expect(config.failOn).toBeUndefined();
    expect(config).not.toHaveProperty('failOn');
  });

  it('a file with only defaults has no targets: the caller adds its own', () => {
    const config = parseConfig('defaults:\n  timeout: 10s\n', 'smtp-probe.yml', {});
    expect(config).toEqual({
      targets: [],
      controls: [],
      options: { timeout: 10_000 },
      file: 'smtp-probe.yml',
    });
  });
});

describe('config files on disk', () => {
  it('ca_file may list several files, each read relative to the config file', async () => {
    const sub = join(dir, 'several');
    await mkdir(join(sub, 'certs'), { recursive: true });
    await writeFile(join(sub, 'certs', 'a.pem'), PEM);
    await writeFile(join(sub, 'b.pem'), PEM.replace('dGVzdA', 'b3RoZXI'));
    await writeFile(join(sub, 'probe.yml'), 'defaults:\n  tls:\n    ca_file: [certs/a.pem, b.pem]\n');
    const { options } = await loadConfig(join(sub, 'probe.yml'), {});
    expect(options.tls?.ca).toEqual([PEM, PEM.replace('dGVzdA', 'b3RoZXI')]);
  });

  it('a config file that does not exist is a UsageError naming the path', async () => {
    const missing = join(dir, 'nope.yml');
    const error = await rejection(loadConfig(missing, {}));
    expect(error.source).toBe(missing);
    expect(error.message).toBe(
      `${missing}: cannot read config file ${JSON.stringify(missing)}: no such file`,
    );
  });

  it('a directory given as the config file is a UsageError naming the path', async () => {
    const error = await rejection(loadConfig(dir, {}));
    expect(error.source).toBe(dir);
    expect(error.message).toContain('is a directory, not a file');
  });
});
