import type { EhloFacts, Reply } from './types.js';

/**
 * Reads the extensions out of an EHLO reply (RFC 5321 §4.1.1.1: first line is the domain and an
 * optional greeting, every further line is a keyword with parameters).
 */
export function parseEhlo(reply: Reply): EhloFacts {
  const [first = '', ...rest] = reply.lines;
  const keywords: Record<string, string[]> = {};
  for (const line of rest) {
    const [keyword, ...params] = line.trim().split(/\s+/);
    if (!keyword) continue;
    // Some old servers advertise `AUTH=LOGIN` (pre-RFC 4954 syntax); fold it into AUTH.
    const legacyAuth = /^AUTH=(.*)$/i.exec(keyword);
    const name = legacyAuth ? 'AUTH' : keyword.toUpperCase();
    const values = legacyAuth ? [legacyAuth[1] ?? '', ...params].filter(Boolean) : params;
    keywords[name] = [...(keywords[name] ?? []), ...values];
  }
  const has = (name: string) => Object.hasOwn(keywords, name);
  const sizeParam = keywords.SIZE?.[0];
  const size =
    sizeParam !== undefined && /^\d+$/.test(sizeParam) ? Number(sizeParam) : has('SIZE') ? 0 : undefined;
  const auth = [...new Set((keywords.AUTH ?? []).map((m) => m.toUpperCase()))];
  return {
    domain: first.trim().split(/\s+/)[0] ?? '',
    keywords,
    ...(size !== undefined ? { size } : {}),
    pipelining: has('PIPELINING'),
    eightBitMime: has('8BITMIME'),
    smtpUtf8: has('SMTPUTF8'),
    chunking: has('CHUNKING'),
    starttls: has('STARTTLS'),
    enhancedStatusCodes: has('ENHANCEDSTATUSCODES'),
    dsn: has('DSN'),
    auth,
  };
}
