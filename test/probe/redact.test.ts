import { describe, expect, it } from 'vitest';
import {
  credentialRedactor,
  MIN_EMBEDDED_SECRET,
  NOTHING_SECRET,
  REDACTED,
  redactDeep,
} from '../../src/probe/redact.js';
import { base64After, canaryCredentials, leaks } from '../helpers/canary.js';

const auth = canaryCredentials();
const redact = credentialRedactor(auth);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('the credentials redactor', () => {
  it('finds the user name and the password raw, whatever their case', () => {
    const text = `535 5.7.8 user=${auth.username} pass=${auth.password.toUpperCase()} end`;
    expect(redact(text)).toBe(`535 5.7.8 user=${REDACTED} pass=${REDACTED} end`);
  });

  it('finds them base64-encoded after any number of other bytes: every alignment', () => {
    for (const secret of [auth.username, auth.password]) {
      for (const before of ['', 'x', 'xy', 'xyz', 'some longer prefix\0']) {
        for (const after of ['', '!', 'tail bytes']) {
          const echoed = `501 cannot decode ${base64After(before, `${secret}${after}`)} (sorry)`;
          const out = redact(echoed);
          expect(out, JSON.stringify([before, after])).toContain(REDACTED);
          expect(leaks(out, auth)).toEqual([]);
          expect(out).toMatch(/^501 cannot decode .* \(sorry\)$/);
        }
      }
    }
  });

  it('finds the whole AUTH PLAIN payload and each LOGIN step', () => {
    const plain = b64(`\0${auth.username}\0${auth.password}`);
    expect(redact(`535 bad ${plain}`)).toBe(`535 bad ${REDACTED}`);
    expect(redact(`334 ${b64(auth.username)}`)).toBe(`334 ${REDACTED}`);
    expect(redact(`535 ${b64(auth.password)}.`)).toBe(`535 ${REDACTED}.`);
  });

  it('finds them base64url-encoded too', () => {
    const urlSafe = b64(`>>${auth.password}`).replace(/\+/g, '-').replace(/\//g, '_');
    expect(leaks(redact(urlSafe), auth)).toEqual([]);
  });

  it('finds them percent-encoded, with upper- or lower-case hex, and every byte encoded', () => {
    const component = encodeURIComponent(auth.password);
    const lower = component.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
    const every = [...Buffer.from(auth.password)].map((b) => `%${b.toString(16)}`).join('');
    for (const form of [component, lower, every, encodeURIComponent(auth.username)]) {
      expect(redact(`550 ?p=${form}&x=1`)).toBe(`550 ?p=${REDACTED}&x=1`);
    }
  });

  it('finds a password with control characters in the transcript form of it too', () => {
    const withTab = credentialRedactor({ username: 'someone-long', password: 'pass\u0001word-long' });
    expect(withTab('echo pass\uFFFDword-long')).toBe(`echo ${REDACTED}`);
  });

  it('leaves text without the credentials as it is', () => {
    const text = '250-mail.example.test at your service\n250 AUTH PLAIN LOGIN';
    expect(redact(text)).toBe(text);
    expect(NOTHING_SECRET(text)).toBe(text);
    expect(credentialRedactor(undefined)).toBe(NOTHING_SECRET);
  });
});

describe(`secrets shorter than ${MIN_EMBEDDED_SECRET} characters`, () => {
  // A public user name like Resend's: found wherever it stands alone, never inside the host name.
  const short = credentialRedactor({ username: 'resend', password: 're_abcdefghijklmnop' });

  it('are left inside names, words and base64 streams', () => {
    for (const text of [
      'smtp.resend.com ESMTP',
      'CN=*.resend.com',
      'resend-mx1 ready',
      'user resend@example.test',
      'unresended',
      `AUTH ${b64('xresendx')}`,
    ]) {
      expect(short(text), text).toBe(text);
    }
  });

  it('are redacted where they stand alone: raw, percent-encoded or as a whole base64 step', () => {
    expect(short('535 user=resend pass=nope')).toBe(`535 user=${REDACTED} pass=nope`);
    expect(short('535 unknown user resend.')).toBe(`535 unknown user ${REDACTED}.`);
    expect(short(`334 ${b64('resend')}`)).toBe(`334 ${REDACTED}`);
  });

  it('still let the AUTH PLAIN payload, which holds the long password too, be found whole', () => {
    const tiny = credentialRedactor({ username: 'ab', password: 'cd' });
    expect(tiny(`535 ${b64('\0ab\0cd')} no`)).toBe(`535 ${REDACTED} no`);
    expect(short(`535 ${b64('\0resend\0re_abcdefghijklmnop')}`)).toBe(`535 ${REDACTED}`);
  });
});

describe('redactDeep', () => {
  it('passes every string of a nested value through the redactor, keys too, and leaves the input alone', () => {
    const input = {
      status: 'auth_failed',
      code: 535,
      ok: false,
      lines: [`user=${auth.username}`, 'plain'],
      keywords: { [auth.password.toUpperCase()]: [] as string[], SIZE: ['1000'] },
      nested: { deeper: [{ text: b64(auth.password) }] },
    };
    const copy = structuredClone(input);
    const out = redactDeep(input, redact);
    expect(input).toEqual(copy);
    expect(out).toEqual({
      status: 'auth_failed',
      code: 535,
      ok: false,
      lines: [`user=${REDACTED}`, 'plain'],
      keywords: { [REDACTED]: [], SIZE: ['1000'] },
      nested: { deeper: [{ text: REDACTED }] },
    });
  });

  it('returns the very value when there is nothing secret', () => {
    const value = { a: ['b'] };
    expect(redactDeep(value, NOTHING_SECRET)).toBe(value);
  });
});
