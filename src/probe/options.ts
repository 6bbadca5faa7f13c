import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { defaultMode, MODES } from './catalogue.js';
import type { ProbeTarget } from './types.js';

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Looks up one family's addresses for a name; injectable so a caller can vet or pin addresses. */
export type Lookup = (host: string, family: 4 | 6) => Promise<string[]>;

export interface ProbeOptions {
  /** Absolute deadline for the whole target (DNS, every address, retries), ms. Default 30 000. */
  timeout?: number;
  /** TCP connect, per address, ms. Default 10 000. */
  connectTimeout?: number;
  /** Waiting for the 220 greeting, ms. Default 10 000 (RFC 5321 §4.5.3.2 allows 5 min; a probe cannot). */
  greetingTimeout?: number;
  /** Each command's reply and each TLS handshake, ms. Default 10 000. */
  commandTimeout?: number;
  /** Name sent with EHLO/HELO. Default: this machine's host name. */
  helo?: string;
  /** Probe every address DNS returns (default), or the first of each family. */
  addresses?: 'all' | 'one-per-family';
  auth?: { username: string; password: string };
  /** After AUTH: MAIL FROM:<from>, RCPT TO:<to> if given, then RSET. Proves the relay takes this sender. */
  envelope?: { from: string; to?: string };
  /**
   * Send credentials over a connection that is not encrypted (mode plain). Default false: the session
   * stops before AUTH with status `auth_withheld`.
   */
  allowPlaintextAuth?: boolean;
  /**
   * Send credentials over TLS whose certificate chain did not verify or does not name the host. Default
   * false: the session stops before AUTH with status `auth_withheld`, because anyone on the path could
   * have presented that certificate.
   */
  allowUnverifiedAuth?: boolean;
  tls?: {
    /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
    ca?: string | Buffer | Array<string | Buffer>;
    minVersion?: TlsVersion;
    /** SNI and certificate name to use instead of the target host. */
    servername?: string;
  };
  /** Retries after a `temporary` (4xx) outcome, with exponential backoff. Default 0. */
  retries?: number;
  /** First backoff delay, ms, doubled for each further retry. Default 1 000. */
  retryDelay?: number;
  signal?: AbortSignal;
  lookup?: Lookup;
  limits?: Partial<Limits>;
}

/** The core's timeouts when none is given; the plan's defaults are these too, so they live here once. */
export const DEFAULT_TIMEOUTS = {
  timeout: 30_000,
  connectTimeout: 10_000,
  greetingTimeout: 10_000,
  commandTimeout: 10_000,
} as const;

export interface Limits {
  /** Longest reply line accepted, bytes. RFC 5321 §4.5.3.1.5 says 512; real servers exceed it a little. */
  maxLineLength: number;
  maxReplyLines: number;
  maxReplyBytes: number;
  maxTranscriptBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxLineLength: 4096,
  maxReplyLines: 100,
  maxReplyBytes: 64 * 1024,
  maxTranscriptBytes: 32 * 1024,
};

/** Options with every default filled in and every value checked. */
export interface ResolvedOptions {
  timeout: number;
  connectTimeout: number;
  greetingTimeout: number;
  commandTimeout: number;
  helo: string;
  addresses: 'all' | 'one-per-family';
  auth?: { username: string; password: string };
  envelope?: { from: string; to?: string };
  allowPlaintextAuth: boolean;
  allowUnverifiedAuth: boolean;
  tls: { ca?: Array<string | Buffer>; minVersion?: TlsVersion; servername?: string };
  retries: number;
  retryDelay: number;
  signal?: AbortSignal;
  lookup?: Lookup;
  limits: Limits;
}

function positiveMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`options.${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function wholeNumber(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`options.${name} must be a whole number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** RFC 5321 §4.1.1.1: the EHLO argument is a domain or an address literal; keep it to safe characters. */
const HELO_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/;

/** A name EHLO/HELO may carry: a domain or an address literal. */
export function isHeloName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && HELO_PATTERN.test(value);
}

function defaultHelo(): string {
  const name = hostname();
  return HELO_PATTERN.test(name) && name.length <= 253 ? name : 'localhost';
}

/** CR and LF end a command line (RFC 5321 §2.3.8) and NUL ends a C string: none may reach a command. */
const LINE_BREAKING = /[\r\n\0]/;

/** Refuses a value that would break the command line it goes into; never echoes the value. */
function oneLine(name: string, value: unknown): void {
  if (typeof value === 'string' && LINE_BREAKING.test(value)) {
    throw new RangeError(`options.${name} must not contain CR, LF or NUL`);
  }
}

export function resolveOptions(options: ProbeOptions = {}): ResolvedOptions {
  const timeout = positiveMs('timeout', options.timeout, DEFAULT_TIMEOUTS.timeout);
  const helo = options.helo ?? defaultHelo();
  oneLine('helo', helo);
  if (!isHeloName(helo)) {
    throw new RangeError(
      `options.helo must be a domain name or address literal, got ${JSON.stringify(helo)}`,
    );
  }
  if (
    options.addresses !== undefined &&
    options.addresses !== 'all' &&
    options.addresses !== 'one-per-family'
  ) {
    throw new RangeError(
      `options.addresses must be 'all' or 'one-per-family', got ${String(options.addresses)}`,
    );
  }
  const auth = options.auth;
  if (auth !== undefined) {
    // Neither value is echoed in an error message: a user name may be a token.
    oneLine('auth.username', auth.username);
    oneLine('auth.password', auth.password);
    if (typeof auth.username !== 'string' || auth.username === '') {
      throw new RangeError('options.auth.username must be a non-empty string');
    }
    if (typeof auth.password !== 'string') throw new RangeError('options.auth.password must be a string');
  }
  const envelope = options.envelope;
  if (envelope !== undefined) {
    for (const key of ['from', 'to'] as const) {
      const value = envelope[key];
      oneLine(`envelope.${key}`, value);
      if ((key === 'from' || value !== undefined) && !isMailbox(value)) {
        throw new RangeError(
          `options.envelope.${key} must be a mail address like app@example.com, got ${JSON.stringify(value)}`,
        );
      }
    }
  }
  const minVersion = options.tls?.minVersion;
  if (minVersion !== undefined && !TLS_VERSIONS.includes(minVersion)) {
    throw new RangeError(
      `options.tls.minVersion must be one of ${TLS_VERSIONS.join(', ')}, got ${String(minVersion)}`,
    );
  }
  const servername = options.tls?.servername;
  if (
    servername !== undefined &&
    (typeof servername !== 'string' ||
      servername === '' ||
      isIP(servername) !== 0 ||
      !HOSTNAME_PATTERN.test(servername))
  ) {
    throw new RangeError(`options.tls.servername must be a host name, got ${JSON.stringify(servername)}`);
  }
  const ca = options.tls?.ca;
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(options.limits ?? {}) as Array<keyof Limits>) {
    if (!(key in DEFAULT_LIMITS)) throw new RangeError(`options.limits.${key} is not a known limit`);
    limits[key] = wholeNumber(`limits.${key}`, options.limits?.[key], DEFAULT_LIMITS[key], 1);
  }
  return {
    timeout,
    connectTimeout: positiveMs('connectTimeout', options.connectTimeout, DEFAULT_TIMEOUTS.connectTimeout),
    greetingTimeout: positiveMs('greetingTimeout', options.greetingTimeout, DEFAULT_TIMEOUTS.greetingTimeout),
    commandTimeout: positiveMs('commandTimeout', options.commandTimeout, DEFAULT_TIMEOUTS.commandTimeout),
    helo,
    addresses: options.addresses ?? 'all',
    ...(auth ? { auth } : {}),
    ...(envelope ? { envelope } : {}),
    allowPlaintextAuth: options.allowPlaintextAuth === true,
    allowUnverifiedAuth: options.allowUnverifiedAuth === true,
    tls: {
      ...(ca !== undefined ? { ca: Array.isArray(ca) ? ca : [ca] } : {}),
      ...(minVersion ? { minVersion } : {}),
      ...(servername ? { servername } : {}),
    },
    retries: wholeNumber('retries', options.retries, 0, 0),
    retryDelay: positiveMs('retryDelay', options.retryDelay, 1_000),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
    limits,
  };
}

/**
 * A mailbox for MAIL FROM/RCPT TO: local@domain without spaces, angle brackets or control characters
 * (RFC 5321 §4.1.2 allows none of them unquoted, and a NUL or CR/LF would end or split the command).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const MAILBOX_PATTERN = /^[^\s<>@\u0000-\u001f\u007f]+@[^\s<>@\u0000-\u001f\u007f]+$/;

export function isMailbox(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && MAILBOX_PATTERN.test(value);
}

/** A DNS name per RFC 1123 §2.1 (labels of letters, digits, hyphens; an optional final dot). */
const HOSTNAME_PATTERN =
  /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Checks a target and fills in its mode; throws naming the bad value. */
export function resolveTarget(target: ProbeTarget, where = 'target'): Required<ProbeTarget> {
  if (target === null || typeof target !== 'object') {
    throw new TypeError(`${where} must be an object with host and port, got ${String(target)}`);
  }
  const { host, port, mode } = target;
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`${where}.host must be a non-empty string, got ${JSON.stringify(host)}`);
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) === 0 && !HOSTNAME_PATTERN.test(bare)) {
    throw new RangeError(`${where}.host ${JSON.stringify(host)} is neither a host name nor an IP address`);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`${where}.port must be a whole number from 1 to 65535, got ${String(port)}`);
  }
  if (mode !== undefined && !MODES.includes(mode)) {
    throw new RangeError(`${where}.mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return { host: bare, port, mode: mode ?? defaultMode(port) };
}
