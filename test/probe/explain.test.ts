import { describe, expect, it } from 'vitest';
import { MODES, STAGES, STATUSES } from '../../src/probe/catalogue.js';
import { explain } from '../../src/probe/explain.js';

const base = {
  stage: 'connect' as const,
  port: 587,
  mode: 'starttls' as const,
  smtp: { heloFallback: false },
};

describe('explanations and hints', () => {
  it('every failing status has a one-line explanation, and a hint where one is known', () => {
    for (const status of STATUSES) {
      const { explanation, hint } = explain({ ...base, status, message: `message for ${status}` });
      expect(explanation).not.toContain('\n');
      if (status !== 'ok') expect(explanation).toBe(`message for ${status}`);
      if (status !== 'ok' && status !== 'aborted') expect(hint, status).toBeTruthy();
    }
  });

  it('a timeout connecting to 25 points at cloud egress blocks; on 587 at a firewall', () => {
    expect(explain({ ...base, status: 'timeout', port: 25 }).hint).toMatch(/AWS, Google Cloud, Azure/);
    expect(explain({ ...base, status: 'timeout', port: 587 }).hint).toMatch(/silently dropped/);
  });

  it("'wrong version number' on an implicit-TLS port means the server speaks plaintext", () => {
    const { hint } = explain({
      ...base,
      stage: 'tls',
      port: 465,
      mode: 'tls',
      status: 'tls_failed',
      errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
    });
    expect(hint).toMatch(/speaks plaintext.*set `mode` to starttls/);
  });

  it('the server reply is part of the explanation', () => {
    const { explanation } = explain({
      ...base,
      stage: 'greeting',
      status: 'rejected',
      message: 'the server refused the session',
      reply: { code: 554, lines: ['5.7.1 go away', 'second line'] },
    });
    expect(explanation).toBe('the server refused the session: 554 5.7.1 go away');
  });

  it('an ok session is summarised with its TLS and AUTH facts', () => {
    const { explanation } = explain({
      ...base,
      stage: 'quit',
      status: 'ok',
      tls: { mode: 'starttls', protocol: 'TLSv1.3', trusted: true, hostnameMatch: true, chain: [] },
      auth: { mechanism: 'PLAIN', outcome: 'accepted' },
    });
    expect(explanation).toBe('EHLO accepted, STARTTLS TLSv1.3, AUTH PLAIN accepted');
  });
});

describe('a refusal that demands TLS first', () => {
  it('530 5.7.0 says to use STARTTLS, whatever the stage', () => {
    const { hint } = explain({
      ...base,
      stage: 'envelope',
      status: 'rejected',
      reply: { code: 530, enhanced: '5.7.0', lines: ['5.7.0 Must issue a STARTTLS command first'] },
    });
    expect(hint).toMatch(/requires STARTTLS before this command/);
  });
});

describe('hints speak no adapter', () => {
  /** The settings a hint may name, in backticks; each adapter replaces them with its own spelling. */
  const SETTING_IDS = new Set([
    'mode',
    'helo',
    'ca',
    'retries',
    'timeout',
    'connect_timeout',
    'greeting_timeout',
    'command_timeout',
    'allow_unverified_auth',
    'allow_plaintext_auth',
    'expect.tls',
  ]);

  /** Every hint: each status, stage, mode and port, with each other input varied one at a time. */
  function everyHint(): string[] {
    const hints = new Set<string>();
    const variants: Array<Partial<Parameters<typeof explain>[0]>> = [
      {},
      ...[
        'ERR_SSL_WRONG_VERSION_NUMBER',
        'ERR_SSL_UNSUPPORTED_PROTOCOL',
        'EBADGREETING',
        'EGREETINGINCOMPLETE',
      ].map((errorCode) => ({ errorCode })),
      { reply: { code: 530, enhanced: '5.7.0', lines: ['5.7.0 STARTTLS first'] } },
      ...(['untrusted', 'hostname', 'plaintext'] as const).map((withheld) => ({
        auth: { outcome: 'withheld' as const, withheld },
      })),
      { tls: { mode: 'starttls', trusted: true, hostnameMatch: true, chain: [] } },
      ...(['tls', 'http', 'ssh', 'other'] as const).map((peerProtocol) => ({ peerProtocol })),
    ];
    for (const status of STATUSES)
      for (const stage of STAGES)
        for (const mode of MODES)
          for (const port of [25, 465, 587])
            for (const variant of variants) {
              const { hint } = explain({ ...base, status, stage, mode, port, ...variant });
              if (hint) hints.add(hint);
            }
    return [...hints];
  }

  it('no hint uses a command-line flag or an Action input; every setting named is a known id', () => {
    const hints = everyHint();
    expect(hints.length).toBeGreaterThan(20);
    for (const hint of hints) {
      expect(hint, hint).not.toMatch(/--[a-z]|verbose|allowPlaintextAuth|allowUnverifiedAuth|auth-username/);
      for (const [, id] of hint.matchAll(/`([^`]+)`/g))
        expect(SETTING_IDS, `${id} in: ${hint}`).toContain(id);
    }
  });

  it('a withheld AUTH names the check that failed and its opt-out setting', () => {
    const hintOf = (withheld: 'untrusted' | 'hostname' | 'plaintext') =>
      explain({ ...base, stage: 'auth', status: 'auth_withheld', auth: { outcome: 'withheld', withheld } })
        .hint;
    expect(hintOf('untrusted')).toMatch(/certificate verifies.*`ca`.*`allow_unverified_auth`/);
    expect(hintOf('hostname')).toMatch(/another name.*`allow_unverified_auth`/);
    expect(hintOf('plaintext')).toMatch(/only over TLS.*`mode`.*`allow_plaintext_auth`/);
  });
});
