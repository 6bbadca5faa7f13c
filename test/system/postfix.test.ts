/**
 * The probe against Postfix from Debian, as test/system/setup.sh runs it on loopback: 25 (STARTTLS
 * offered, no AUTH), 587 (STARTTLS required, AUTH after TLS), 465 (implicit TLS, AUTH) and 2525
 * (plaintext). Without that Postfix these tests skip, or fail when SMTP_PROBE_SYSTEM_TESTS=required.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, type ProbeResult, probe } from '../../src/probe/index.js';
import { containsPassword, type PostfixEnv, postfixPrerequisites } from './postfix-env.js';

const WRONG_PASSWORD = 'canary-Wr0ng-Pa55-3c9e';
const fast: ProbeOptions = {
  timeout: 10_000,
  connectTimeout: 2_000,
  greetingTimeout: 3_000,
  commandTimeout: 3_000,
  helo: 'probe.test',
};

const prerequisites = await postfixPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) console.warn(`Postfix system tests skipped: ${prerequisites.reason}`);
/** Postfix listens on ::1 where the machine has it (setup.sh); elsewhere the ::1 tests skip, or fail when required. */
const ipv6 = !prerequisites.ok || prerequisites.env.ipv6;
if (!ipv6) console.warn('this machine has no ::1: the IPv6 tests against Postfix are skipped');

describe.skipIf(!prerequisites.ok && !required)('the probe against Postfix on loopback', () => {
  let env: PostfixEnv;
  /** TLS trusted with the test CA, and the name localhost checked (SNI localhost). */
  let options: ProbeOptions;

  beforeAll(() => {
    if (!prerequisites.ok) {
      throw new Error(
        `SMTP_PROBE_SYSTEM_TESTS=required but ${prerequisites.reason}: run 'bash test/system/setup.sh' first`,
      );
    }
    env = prerequisites.env;
    options = { ...fast, tls: { ca: env.ca, servername: 'localhost' } };
  });

  const session = (result: ProbeResult) => result.sessions[0];
  const daysLeft = (now: Date) =>
    Math.floor((new Date(env.serverCert.validTo).getTime() - now.getTime()) / 86_400_000);
  const rightCredentials = () => ({ username: env.username, password: env.password });

  it('25 offers STARTTLS and no AUTH, with a certificate trusted through the test CA for localhost', async () => {
    const started = new Date();
    const result = await probe({ host: '127.0.0.1', port: 25 }, options);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(session(result)?.smtp.greeting?.text).toMatch(/^localhost ESMTP Postfix/);
    expect(session(result)?.smtp.ehlo).toMatchObject({ starttls: true, auth: [] });
    expect(session(result)?.smtp.ehloAfterTls).toMatchObject({ starttls: false, auth: [] });
    expect(session(result)?.tls).toMatchObject({
      mode: 'starttls',
      protocol: 'TLSv1.3',
      servername: 'localhost',
      trusted: true,
      hostnameMatch: true,
      certificate: {
        subject: 'CN=localhost',
        issuer: 'CN=smtp-port-probe system test CA',
        subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1'],
        fingerprint256: env.serverCert.fingerprint256,
        selfSigned: false,
        expired: false,
      },
    });
    expect(session(result)?.tls?.certificate?.daysUntilExpiry).toBe(daysLeft(started));
  });

  it('25 refuses to relay to another domain without AUTH: rejected at the envelope with 554 5.7.1', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: 25 },
      { ...options, envelope: { from: 'probe@example.com', to: 'nobody@example.net' } },
    );
    expect(result).toMatchObject({ status: 'rejected', stage: 'envelope' });
    expect(result.reply).toMatchObject({ code: 554, enhanced: '5.7.1' });
    expect(result.reply?.lines.join(' ')).toMatch(/Relay access denied/);
    expect(session(result)?.envelope?.mailFrom?.code).toBe(250);
  });

  it('credentials on 25, which offers no AUTH, give auth_unavailable', async () => {
    const result = await probe({ host: '127.0.0.1', port: 25 }, { ...options, auth: rightCredentials() });
    expect(result).toMatchObject({ status: 'auth_unavailable', stage: 'auth' });
    expect(containsPassword(JSON.stringify(result), env)).toBe(false);
  });

  it('587 advertises AUTH only after STARTTLS and accepts the right password', async () => {
    const result = await probe({ host: '127.0.0.1', port: 587 }, { ...options, auth: rightCredentials() });
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(session(result)?.smtp.ehlo).toMatchObject({ starttls: true, auth: [] });
    expect(session(result)?.smtp.ehloAfterTls).toMatchObject({ starttls: false, auth: ['PLAIN', 'LOGIN'] });
    expect(session(result)?.tls).toMatchObject({ protocol: 'TLSv1.3', trusted: true, hostnameMatch: true });
    expect(session(result)?.auth).toMatchObject({
      mechanism: 'PLAIN',
      outcome: 'accepted',
      reply: { code: 235, enhanced: '2.7.0' },
    });
    expect(Object.keys(session(result)?.timings ?? {})).toEqual([
      'connect',
      'greeting',
      'ehlo',
      'starttls',
      'tls',
      'ehlo_tls',
      'auth',
      'quit',
    ]);
    // The canary: Postfix's real password appears nowhere in what the probe returns.
    expect(session(result)?.transcript.map((line) => line.text)).toContain('AUTH PLAIN ****');
    expect(containsPassword(JSON.stringify(result), env)).toBe(false);
  });

  it('587 refuses a wrong password: auth_failed with 535 5.7.8', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: 587 },
      { ...options, auth: { username: env.username, password: WRONG_PASSWORD } },
    );
    expect(result).toMatchObject({ status: 'auth_failed', stage: 'auth' });
    expect(result.reply).toMatchObject({ code: 535, enhanced: '5.7.8' });
    const serialized = JSON.stringify(result);
    expect(serialized).not.toContain(WRONG_PASSWORD);
    expect(serialized).not.toContain(Buffer.from(`\0${env.username}\0${WRONG_PASSWORD}`).toString('base64'));
  });

  it('587 takes an envelope to another domain after AUTH: the relay serves authenticated clients', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: 587 },
      {
        ...options,
        auth: rightCredentials(),
        envelope: { from: env.username, to: 'nobody@example.net' },
      },
    );
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(session(result)?.envelope).toMatchObject({ mailFrom: { code: 250 }, rcptTo: { code: 250 } });
    expect(session(result)?.transcript.map((line) => line.text)).toContain('RSET');
  });

  it('587 without STARTTLS (mode plain) is refused at MAIL FROM with 530: TLS is required there', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: 587, mode: 'plain' },
      { ...options, envelope: { from: 'probe@example.com' } },
    );
    expect(result).toMatchObject({ status: 'rejected', stage: 'envelope' });
    expect(result.reply).toMatchObject({ code: 530, enhanced: '5.7.0' });
  });

  it('465 speaks TLS from the first byte and accepts the right password', async () => {
    const result = await probe({ host: '127.0.0.1', port: 465 }, { ...options, auth: rightCredentials() });
    expect(result).toMatchObject({ status: 'ok', stage: 'quit', target: { mode: 'tls' } });
    expect(session(result)?.tls).toMatchObject({
      mode: 'tls',
      protocol: 'TLSv1.3',
      trusted: true,
      hostnameMatch: true,
      certificate: { fingerprint256: env.serverCert.fingerprint256 },
    });
    expect(session(result)?.smtp.ehlo).toMatchObject({ starttls: false, auth: ['PLAIN', 'LOGIN'] });
    expect(session(result)?.auth).toMatchObject({ mechanism: 'PLAIN', outcome: 'accepted' });
    expect(Object.keys(session(result)?.timings ?? {})).toEqual([
      'connect',
      'tls',
      'greeting',
      'ehlo',
      'auth',
      'quit',
    ]);
    expect(containsPassword(JSON.stringify(result), env)).toBe(false);
  });

  it('465 refuses a wrong password: auth_failed with 535 5.7.8', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: 465 },
      { ...options, auth: { username: env.username, password: WRONG_PASSWORD } },
    );
    expect(result).toMatchObject({ status: 'auth_failed', stage: 'auth' });
    expect(result.reply).toMatchObject({ code: 535, enhanced: '5.7.8' });
    expect(JSON.stringify(result)).not.toContain(WRONG_PASSWORD);
  });

  it('465 probed with STARTTLS is found to speak implicit TLS: not_smtp, with the hint to use mode tls', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: 465, mode: 'starttls' },
      { ...options, greetingTimeout: 500 },
    );
    expect(result).toMatchObject({ status: 'not_smtp', stage: 'greeting' });
    expect(result.hint).toMatch(/set `mode` to tls/);
  });

  it('2525 offers no STARTTLS: starttls_unavailable, and a QUIT still ends the session', async () => {
    const result = await probe({ host: '127.0.0.1', port: 2525 }, options);
    expect(result).toMatchObject({ status: 'starttls_unavailable', stage: 'starttls' });
    expect(session(result)?.smtp.ehlo).toMatchObject({ starttls: false, auth: [] });
    expect(session(result)?.transcript.at(-2)?.text).toMatch(/^221 /);
  });

  it('2525 in mode plain is ok, with no TLS facts at all', async () => {
    const result = await probe({ host: '127.0.0.1', port: 2525, mode: 'plain' }, options);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(session(result)).not.toHaveProperty('tls');
  });

  for (const host of ['127.0.0.1', '::1']) {
    it.skipIf(host === '::1' && !ipv6 && !required)(
      `probed by address ${host}, the certificate matches through its IP SAN`,
      async () => {
        if (host === '::1' && !ipv6)
          throw new Error('SMTP_PROBE_SYSTEM_TESTS=required but this machine has no ::1');
        const result = await probe({ host, port: 587 }, { ...fast, tls: { ca: env.ca } });
        expect(result.status).toBe('ok');
        expect(session(result)).toMatchObject({ address: host, family: host === '::1' ? 6 : 4 });
        // No SNI for an IP literal (RFC 6066 §3); the name checked is the address itself.
        expect(session(result)?.tls).toMatchObject({ trusted: true, hostnameMatch: true });
        expect(session(result)?.tls).not.toHaveProperty('servername');
      },
    );
  }
});
