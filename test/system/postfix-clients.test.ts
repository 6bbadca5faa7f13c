/**
 * The probe and two other SMTP clients, swaks and `openssl s_client`, on the same Postfix ports: they
 * must see the same STARTTLS offer, the same AUTH outcome, the same TLS version and the same
 * certificate. Skips without the Postfix of test/system/setup.sh, or fails when
 * SMTP_PROBE_SYSTEM_TESTS=required. Client output is redacted before any assertion sees it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probe } from '../../src/probe/index.js';
import { type PostfixEnv, postfixPrerequisites, sClient, swaks } from './postfix-env.js';

const WRONG_PASSWORD = 'canary-Wr0ng-Pa55-51e0';
const fast: ProbeOptions = {
  timeout: 10_000,
  connectTimeout: 2_000,
  greetingTimeout: 3_000,
  commandTimeout: 3_000,
  helo: 'probe.test',
};

const prerequisites = await postfixPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) console.warn(`Postfix client-agreement tests skipped: ${prerequisites.reason}`);
/** Postfix listens on ::1 where the machine has it (setup.sh); elsewhere the ::1 test skips, or fails when required. */
const ipv6 = !prerequisites.ok || prerequisites.env.ipv6;

describe.skipIf(!prerequisites.ok && !required)('the probe, swaks and openssl agree on Postfix', () => {
  let env: PostfixEnv;
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

  it('swaks and the probe on 587: STARTTLS offered, AUTH only inside TLS, the right password accepted', async () => {
    const other = await swaks(env, { port: 587, tls: 'starttls', password: env.password });
    const result = await probe(
      { host: '127.0.0.1', port: 587 },
      { ...options, auth: { username: env.username, password: env.password } },
    );
    const session = result.sessions[0];
    expect(other).toMatchObject({ code: 0, starttls: true, authPlain: [], authReply: { code: 235 } });
    expect({
      starttls: session?.smtp.ehlo?.starttls,
      authPlain: session?.smtp.ehlo?.auth,
      authTls: session?.smtp.ehloAfterTls?.auth,
      tlsProtocol: session?.tls?.protocol,
      fingerprint256: session?.tls?.certificate?.fingerprint256,
      authReply: { code: session?.auth?.reply?.code, enhanced: session?.auth?.reply?.enhanced },
    }).toEqual({
      starttls: other.starttls,
      authPlain: other.authPlain,
      authTls: other.authTls,
      tlsProtocol: other.tlsProtocol,
      fingerprint256: other.fingerprint256,
      authReply: other.authReply,
    });
    expect(other.output).not.toContain(env.password);
  });

  it('swaks and the probe on 587 both see a wrong password refused with 535 5.7.8', async () => {
    const other = await swaks(env, { port: 587, tls: 'starttls', password: WRONG_PASSWORD });
    const result = await probe(
      { host: '127.0.0.1', port: 587 },
      { ...options, auth: { username: env.username, password: WRONG_PASSWORD } },
    );
    expect(other.code).not.toBe(0);
    expect(other.authReply).toEqual({ code: 535, enhanced: '5.7.8' });
    expect(result).toMatchObject({ status: 'auth_failed', reply: other.authReply });
  });

  it('swaks and the probe on 465: implicit TLS, the same version and certificate, AUTH accepted', async () => {
    const other = await swaks(env, { port: 465, tls: 'implicit', password: env.password });
    const result = await probe(
      { host: '127.0.0.1', port: 465 },
      { ...options, auth: { username: env.username, password: env.password } },
    );
    const session = result.sessions[0];
    expect(other).toMatchObject({ code: 0, authReply: { code: 235 } });
    expect(result.status).toBe('ok');
    expect(session?.tls?.protocol).toBe(other.tlsProtocol);
    expect(session?.tls?.certificate?.fingerprint256).toBe(other.fingerprint256);
    // On 465 everything swaks reads is inside TLS (`<~`), EHLO included.
    expect(session?.smtp.ehlo?.auth).toEqual(other.authTls);
  });

  it('openssl s_client -starttls smtp on 587 verifies the chain and name, as the probe does, and sees the same certificate', async () => {
    const other = await sClient(env, { port: 587, starttls: true });
    const result = await probe({ host: '127.0.0.1', port: 587 }, options);
    const tls = result.sessions[0]?.tls;
    expect(other).toMatchObject({ code: 0, verified: true, verifiedPeername: 'localhost' });
    expect(tls).toMatchObject({ trusted: true, hostnameMatch: true });
    expect(tls?.protocol).toBe(other.protocol);
    expect(tls?.certificate?.fingerprint256).toBe(other.fingerprint256);
    expect(other.subject).toBe('CN = localhost');
    expect(tls?.certificate?.subject).toBe('CN=localhost');
  });

  it('openssl s_client on 465 (TLS from the first byte) and the probe see the same version and certificate', async () => {
    const other = await sClient(env, { port: 465, starttls: false });
    const result = await probe({ host: '127.0.0.1', port: 465 }, options);
    const tls = result.sessions[0]?.tls;
    expect(other).toMatchObject({ code: 0, verified: true, verifiedPeername: 'localhost' });
    expect(tls).toMatchObject({ mode: 'tls', trusted: true, hostnameMatch: true });
    expect(tls?.protocol).toBe(other.protocol);
    expect(tls?.certificate?.fingerprint256).toBe(other.fingerprint256);
  });

  it.skipIf(!ipv6 && !required)(
    'openssl s_client over ::1 on 587 agrees with the probe over ::1',
    async () => {
      if (!ipv6) throw new Error('SMTP_PROBE_SYSTEM_TESTS=required but this machine has no ::1');
      const other = await sClient(env, { host: '::1', port: 587, starttls: true });
      const result = await probe({ host: '::1', port: 587 }, options);
      expect(other).toMatchObject({ code: 0, verified: true });
      expect(result.sessions[0]).toMatchObject({ family: 6, status: 'ok' });
      expect(result.sessions[0]?.tls?.certificate?.fingerprint256).toBe(other.fingerprint256);
    },
  );

  it('on 2525 openssl s_client cannot start TLS either: no STARTTLS there', async () => {
    const other = await sClient(env, { port: 2525, starttls: true });
    const result = await probe({ host: '127.0.0.1', port: 2525 }, options);
    expect(other.code).not.toBe(0);
    expect(other.output).toMatch(/Didn't find STARTTLS/);
    expect(result.status).toBe('starttls_unavailable');
  });
});
