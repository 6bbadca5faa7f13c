import { describe, expect, it } from 'vitest';
import { STATUSES } from '../../src/probe/catalogue.js';
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
    expect(hint).toMatch(/speaks plaintext.*use mode starttls/);
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
