import type { Mode, TlsVersion } from '../probe/index.js';
import type { Expectations } from '../result/model.js';

/** Expectations with every default filled in. */
export interface EffectiveExpectations {
  reachable: boolean;
  tls: 'required' | 'optional' | 'none';
  minTls: TlsVersion;
  cert: { minDays: number; trusted: boolean; hostname: boolean };
  auth: 'ok' | undefined;
  maxLatency: number | undefined;
  banner: RegExp | undefined;
}

export const DEFAULT_MIN_TLS: TlsVersion = 'TLSv1.2';
export const DEFAULT_CERT_MIN_DAYS = 14;

/**
 * Port 25 relays may run without TLS (RFC 3207 makes STARTTLS optional there); submission ports
 * carry credentials and must have it (RFC 8314 §3). Mode plain is always the user's choice, and
 * choosing it says TLS is not expected. Credentials imply that AUTH must work.
 */
export function effectiveExpectations(
  expect: Expectations,
  port: number,
  mode: Mode,
  hasCredentials: boolean,
): EffectiveExpectations {
  return {
    reachable: expect.reachable ?? true,
    tls: expect.tls ?? (mode === 'plain' ? 'none' : port === 25 ? 'optional' : 'required'),
    minTls: expect.minTls ?? DEFAULT_MIN_TLS,
    cert: {
      minDays: expect.cert?.minDays ?? DEFAULT_CERT_MIN_DAYS,
      trusted: expect.cert?.trusted ?? true,
      hostname: expect.cert?.hostname ?? true,
    },
    auth: expect.auth ?? (hasCredentials ? 'ok' : undefined),
    maxLatency: expect.maxLatency,
    banner: expect.banner === undefined ? undefined : new RegExp(expect.banner),
  };
}

const VERSION_ORDER: readonly string[] = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** True when `actual` (as Node names it) is older than `minimum`. */
export function tlsBelow(actual: string, minimum: TlsVersion): boolean {
  const a = VERSION_ORDER.indexOf(actual);
  return a !== -1 && a < VERSION_ORDER.indexOf(minimum);
}
