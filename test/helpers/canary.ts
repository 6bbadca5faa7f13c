/**
 * Canary credentials and the search for them: every form in which a secret could leave the probe
 * (raw, percent-encoded, base64 at any byte alignment). Written apart from src/probe/redact.ts, and
 * computed another way, so that a test of the redactor does not share the redactor's mistakes.
 */
import { randomBytes } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Long random credentials. The password holds characters that percent-encoding changes (space, `/`,
 * `+`, `=`, `!`, `%`, `ä`) and no `"` or `\`, which JSON would escape and a search of the JSON miss.
 */
export function canaryCredentials(): Credentials {
  const tag = () => randomBytes(12).toString('hex');
  return {
    username: `canary.user-${tag()}@example.test`,
    password: `Pw!${tag()} /+=%ä${tag()}`,
  };
}

/**
 * The base64 characters that depend on the secret's bytes alone, for each of the three alignments:
 * the secret is encoded between bytes that differ in every bit (all zeros, then all ones), and the
 * characters both encodings share, position by position, are the ones no neighbour touches.
 */
function base64Cores(secret: Buffer): string[] {
  const cores: string[] = [];
  for (const before of [0, 1, 2]) {
    const encode = (fill: number) =>
      Buffer.concat([Buffer.alloc(before, fill), secret, Buffer.alloc(3, fill)]).toString('base64');
    const zeros = encode(0x00);
    const ones = encode(0xff);
    let best = '';
    let run = '';
    for (let i = 0; i < zeros.length; i++) {
      run = zeros[i] === ones[i] ? run + zeros[i] : '';
      if (run.length > best.length) best = run;
    }
    cores.push(best, best.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/** Every form of a secret worth searching for. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const component = encodeURIComponent(secret);
  return [
    secret,
    component,
    component.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
    bytes.toString('base64'),
    ...base64Cores(bytes),
  ];
}

/** The forms of the credentials (and of the AUTH PLAIN payload) found in `text`, ignoring case. */
export function leaks(text: string, credentials: Credentials): string[] {
  const haystack = text.toLowerCase();
  const plain = `\0${credentials.username}\0${credentials.password}`;
  const forms = [
    ...secretForms(credentials.username),
    ...secretForms(credentials.password),
    ...base64Cores(Buffer.from(plain, 'utf8')),
  ];
  return [...new Set(forms)].filter((form) => form.length >= 8 && haystack.includes(form.toLowerCase()));
}

/** base64 of `secret` preceded by `before` other bytes: how a server might echo part of a stream. */
export function base64After(before: string, secret: string): string {
  return Buffer.from(`${before}${secret}`, 'utf8').toString('base64');
}
