/** What stands in for credentials in every transcript line and every string of a result. */
export const REDACTED = '****';

/** Replaces every form of the credentials found in a text with `REDACTED`. */
export type Redactor = (text: string) => string;

/** The redactor of a probe without credentials. */
export const NOTHING_SECRET: Redactor = (text) => text;

/**
 * Secrets shorter than this are redacted only where they stand alone, not inside a longer word, a
 * dotted name or a base64 stream. Found anywhere, a short secret would shred the result: a user name
 * like `resend` or `apikey` is also part of the provider's host name, EHLO domain and certificate, and
 * the base64 of a 3-letter password is 2 to 4 characters that turn up in any base64 text. A secret this
 * short is weak anyway; the AUTH payloads themselves are never written anywhere (auth.ts), and the
 * whole AUTH PLAIN payload, which holds both secrets, is a secret of its own.
 */
export const MIN_EMBEDDED_SECRET = 8;

const B64_CHAR = '[A-Za-z0-9+/]';
/** Not inside a word, nor inside a dotted or hyphenated name (`smtp.resend.com`, `resend-1`). */
const WORD_BEFORE = '(?<![\\p{L}\\p{N}_@-]|[\\p{L}\\p{N}]\\.)';
const WORD_AFTER = '(?![\\p{L}\\p{N}_@-]|\\.[\\p{L}\\p{N}])';

/**
 * The redactor for one set of credentials: it finds the user name and the password raw, in the
 * transcript's form (control characters as U+FFFD), as their UTF-8 bytes read as Latin-1,
 * percent-encoded (any case of hex), and base64-encoded (standard and URL-safe) at each of the three
 * byte alignments, so a secret is found inside any base64 stream whatever precedes it: the AUTH PLAIN
 * payload `\0user\0pass`, a LOGIN step, or an echo of either. Matching ignores case: a server may
 * upper-case what it repeats (EHLO keywords are upper-cased by the parser).
 */
export function credentialRedactor(
  credentials: { username: string; password: string } | undefined,
): Redactor {
  if (!credentials) return NOTHING_SECRET;
  const { username, password } = credentials;
  const patterns = new Set<string>();
  for (const secret of [username, password]) {
    if (secret === '') continue;
    const short = [...secret].length < MIN_EMBEDDED_SECRET;
    for (const form of textForms(secret)) {
      patterns.add(short ? `${WORD_BEFORE}${literal(form)}${WORD_AFTER}` : literal(form));
    }
    for (const pattern of base64Patterns(Buffer.from(secret, 'utf8'), short)) patterns.add(pattern);
  }
  const plain = Buffer.from(`\0${username}\0${password}`, 'utf8');
  for (const pattern of base64Patterns(plain, plain.length < MIN_EMBEDDED_SECRET)) patterns.add(pattern);
  // Longer alternatives first: at one position the longest form of a secret is the one replaced.
  const sorted = [...patterns].sort((a, b) => b.length - a.length);
  const finder = new RegExp(sorted.map((p) => `(?:${p})`).join('|'), 'giu');
  return (text) => text.replace(finder, REDACTED);
}

/** Every string in a JSON-like value, object keys too, passed through the redactor. Pure. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (redact === NOTHING_SECRET) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redact(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') {
      // fromEntries defines properties: a key redacted into `__proto__` could not change a prototype.
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [redact(key), walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}

/** The forms of a secret as text. */
function textForms(secret: string): string[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const percentAll = [...utf8].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  const component = encodeURIComponent(secret);
  return [
    secret,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the transcript's replacement of them
    secret.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD'),
    utf8.toString('latin1'),
    component,
    component.replace(/%20/g, '+'),
    percentAll,
  ];
}

/**
 * Base64 of the bytes at each alignment: with k = 0, 1 or 2 bytes before them in the stream, the
 * characters that depend on those bytes alone, the ones that mix in what follows, and the padding are
 * dropped. A long secret matches anywhere, together with one neighbouring character on each side (each
 * holds a few of its bits); a short one only as a whole encoding standing alone, as a LOGIN step is.
 */
function base64Patterns(bytes: Buffer, short: boolean): string[] {
  if (bytes.length === 0) return [];
  if (short) {
    const whole = bytes.toString('base64');
    return [...new Set([whole, urlSafe(whole)])].map(
      (form) => `(?<!${B64_CHAR}|[-_])${literal(form)}(?!${B64_CHAR}|[-_=])`,
    );
  }
  const patterns: string[] = [];
  for (const k of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    for (const form of new Set([core, urlSafe(core)])) {
      patterns.push(`(?:${B64_CHAR}|[-_])?${literal(form)}(?:(?:${B64_CHAR}|[-_])={0,2})?`);
    }
  }
  return patterns;
}

function urlSafe(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_');
}

/** The text as a regular-expression literal for the `u` flag: every character but ASCII letters and digits escaped. */
function literal(text: string): string {
  let out = '';
  for (const char of text) {
    out += /^[A-Za-z0-9]$/.test(char) ? char : `\\u{${(char.codePointAt(0) as number).toString(16)}}`;
  }
  return out;
}
