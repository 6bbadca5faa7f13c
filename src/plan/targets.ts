import { isIP } from 'node:net';
import { defaultMode, type Mode, REDACTED } from '../probe/index.js';
import { resolveTarget } from '../probe/options.js';
import { quoteInput } from '../result/settings.js';
import {
  DEFAULT_PORTS,
  type Expectations,
  type SourceLocation,
  type TargetPlan,
  UsageError,
} from './types.js';

/** One target as written on the command line, in the Action's `targets` input or a Lambda event. */
export interface TargetSpec {
  /** Bare host: IPv6 without brackets. */
  host: string;
  /** `mx:example.com`: probe port 25 on each MX host (resolution happens later, not here). */
  mx: boolean;
  /** `explicit`: the mode was chosen (a mode setting, `smtps://`), not the port's default. */
  ports: Array<{ port: number; mode: Mode; explicit: boolean }>;
  /** From a URL's `user:pass@`, percent-decoded. */
  auth?: { username: string; password: string };
  /** The spec as the user wrote it, with the user name and password replaced by `****`. */
  display: string;
}

export interface TargetDefaults {
  /** Ports for a bare host; default DEFAULT_PORTS. */
  ports?: readonly number[];
  /** Mode for every port; default `defaultMode(port)`. `smtps://` still forces `tls`. */
  mode?: Mode;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCHEME_PORTS = { smtp: 587, smtps: 465 } as const;

/**
 * Hides the user info of anything that looks like `user:password@`, even in a spec too broken to
 * parse or in a line of a config file: the user name (some providers, Postmark among them, use the API
 * token as the user name) and everything from the first `:` to the last `@` (an unencoded `@`, `:` or
 * space may sit inside the password): `smtp://****:****@host`.
 */
export function redactCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  if (at === -1) return text;
  // Anchored: a "://" inside a password is not a scheme.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text);
  const start = scheme ? scheme.index + scheme[0].length : 0;
  if (at < start) return text;
  const userinfo = text.slice(start, at);
  const colon = userinfo.indexOf(':');
  // Only emptiness shows through, so that "empty password in smtp://****:@host" still says what is wrong.
  const mask = (part: string) => (part === '' ? '' : REDACTED);
  const shown =
    colon === -1 ? REDACTED : `${mask(userinfo.slice(0, colon))}:${mask(userinfo.slice(colon + 1))}`;
  return `${text.slice(0, start)}${shown}${text.slice(at)}`;
}

const quote = (text: string): string => quoteInput(text);

/** What every message needs: the spec with its password hidden, and where it came from. */
interface Context {
  display: string;
  source: string;
}

function fail(ctx: Context, message: string): never {
  throw new UsageError(message, ctx.source);
}

/** Reads `25` or `25,465,587`: whole numbers from 1 to 65535; a port given twice is probed once. */
export function parsePortList(text: string, source: string): number[] {
  const ctx = { display: text, source };
  if (text === '') fail(ctx, 'missing port: give a port such as 587 or a list such as 25,465,587');
  const ports: number[] = [];
  for (const part of text.split(',')) {
    if (part === '') fail(ctx, `empty entry in port list ${quote(text)}: separate ports with single commas`);
    const port = /^\d{1,5}$/.test(part) ? Number(part) : Number.NaN;
    if (!(port >= 1 && port <= 65_535)) {
      fail(ctx, `invalid port ${quote(part)}: use a whole number from 1 to 65535`);
    }
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

function withPort(ctx: Context, host: string, portText: string) {
  if (portText === '') {
    fail(ctx, `missing port after ":" in ${quote(ctx.display)}: give one, or leave out the ":"`);
  }
  return { host, portText };
}

/** Splits `host`, `host:ports`, `[v6]`, `[v6]:ports` or a bare IPv6 literal (which cannot take a port). */
function splitHostPorts(ctx: Context, text: string): { host: string; portText?: string } {
  const ipv6Hint = 'write an IPv6 address as [2001:db8::1]:587';
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) fail(ctx, `unbalanced "[" in ${quote(ctx.display)}: ${ipv6Hint}`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (isIP(host) !== 6) fail(ctx, `${quote(`[${host}]`)} is not an IPv6 address`);
    if (rest === '') return { host };
    if (!rest.startsWith(':')) fail(ctx, `unexpected ${quote(rest)} after "]" in ${quote(ctx.display)}`);
    return withPort(ctx, host, rest.slice(1));
  }
  if (text.includes(']')) fail(ctx, `unbalanced "]" in ${quote(ctx.display)}: ${ipv6Hint}`);
  const colon = text.indexOf(':');
  if (colon === -1) return { host: text };
  if (text.indexOf(':', colon + 1) !== -1) {
    // Two colons or more: only an IPv6 literal, and then every colon belongs to the address.
    if (isIP(text) === 6) return { host: text };
    fail(ctx, `${quote(ctx.display)} is neither host:port nor an IPv6 address; ${ipv6Hint}`);
  }
  return withPort(ctx, text.slice(0, colon), text.slice(colon + 1));
}

/** The probe core's own rule (`resolveTarget`), so that nothing accepted here is refused later. */
function checkHost(ctx: Context, host: string): void {
  if (host === '') fail(ctx, `missing host in ${quote(ctx.display)}`);
  try {
    resolveTarget({ host, port: 25 });
  } catch {
    fail(ctx, `host ${quote(redactCredentials(host))} is neither a host name nor an IP address`);
  }
}

/** Checks a lone host (a config file's `host:`): a DNS name or an IP literal, IPv6 with or without brackets. */
export function parseHost(text: string, source: string): string {
  const ctx = { display: redactCredentials(text), source };
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare === '') fail(ctx, 'missing host: give a host such as smtp.example.com');
  if (bare !== text && isIP(bare) !== 6) fail(ctx, `${quote(ctx.display)} is not an IPv6 address`);
  if (/^[^:@]+:[^:@]*$/.test(bare)) {
    fail(ctx, `host ${quote(ctx.display)} includes a port: give the host alone and the ports under ports`);
  }
  checkHost(ctx, bare);
  return bare;
}

function decodeCredential(ctx: Context, text: string, what: string): string {
  let value = '';
  try {
    value = decodeURIComponent(text);
  } catch {
    fail(ctx, `malformed percent-encoding in the ${what} of ${quote(ctx.display)}`);
  }
  if (value === '') fail(ctx, `empty ${what} in ${quote(ctx.display)}`);
  // A line break would let the value smuggle SMTP commands; the probe refuses it later anyway.
  if (/[\r\n\0]/.test(value)) fail(ctx, `the ${what} in ${quote(ctx.display)} contains a line break or NUL`);
  return value;
}

function parseUrl(ctx: Context, spec: string, scheme: RegExpExecArray, mode?: Mode): TargetSpec {
  const name = (scheme[1] ?? '').toLowerCase();
  if (name !== 'smtp' && name !== 'smtps') {
    fail(
      ctx,
      `unknown scheme ${quote(`${scheme[1]}://`)}: use smtp:// (STARTTLS) or smtps:// (implicit TLS)`,
    );
  }
  const rest = spec.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  // The user info ends at / ? #: an unencoded one inside a password would show part of it as the path.
  if (tail.includes('@')) {
    fail(ctx, `the credentials in ${quote(ctx.display)} contain "/", "?" or "#": percent-encode them`);
  }
  if (tail !== '' && tail !== '/') {
    fail(ctx, `a target URL takes no path or query, got ${quote(tail)} in ${quote(ctx.display)}`);
  }
  const at = authority.lastIndexOf('@');
  let auth: TargetSpec['auth'];
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon === -1) {
      fail(ctx, `user name without a password in ${quote(ctx.display)}: write smtp://user:password@host`);
    }
    auth = {
      username: decodeCredential(ctx, userinfo.slice(0, colon), 'user name'),
      password: decodeCredential(ctx, userinfo.slice(colon + 1), 'password'),
    };
  }
  const { host, portText } = splitHostPorts(ctx, authority.slice(at + 1));
  checkHost(ctx, host);
  if (portText?.includes(',')) {
    fail(ctx, `a target URL takes one port, got ${quote(portText)}: list several as host:25,465,587`);
  }
  const port = portText === undefined ? SCHEME_PORTS[name] : (parsePortList(portText, ctx.source)[0] ?? 0);
  // RFC 8314 §3.3: smtps means TLS from the first byte, whatever the port.
  const portMode = name === 'smtps' ? 'tls' : (mode ?? defaultMode(port));
  return {
    host,
    mx: false,
    ports: [{ port, mode: portMode, explicit: name === 'smtps' || mode !== undefined }],
    ...(auth ? { auth } : {}),
    display: ctx.display,
  };
}

function parseMx(ctx: Context, spec: string, mode?: Mode): TargetSpec {
  const domain = spec.slice(3);
  if (domain === '') fail(ctx, `${quote(ctx.display)} needs a domain, such as mx:example.com`);
  if (domain.includes('@')) fail(ctx, `${quote(ctx.display)}: an mx target takes no credentials`);
  const colon = domain.indexOf(':');
  if (colon !== -1 && !domain.startsWith('[')) {
    const port = quote(domain.slice(colon + 1));
    fail(ctx, `port ${port} after an mx domain: mx:${domain.slice(0, colon)} probes port 25 on each MX host`);
  }
  // RFC 3696 §2: a top-level domain is never all digits, so this also refuses IPv4 literals.
  const lastLabel = domain.replace(/\.$/, '').split('.').pop() ?? '';
  if (isIP(domain.replace(/^\[|\]$/g, '')) !== 0 || /^\d+$/.test(lastLabel)) {
    fail(ctx, `an mx target needs a domain name, got the address ${quote(domain)}`);
  }
  checkHost(ctx, domain);
  return {
    host: domain,
    mx: true,
    ports: [{ port: 25, mode: mode ?? defaultMode(25), explicit: mode !== undefined }],
    display: ctx.display,
  };
}

/**
 * Reads one target: `host`, `host:587`, `host:25,465,587`, `[2001:db8::1]:587`, `2001:db8::1`,
 * `smtp://host[:port]`, `smtps://host[:port]`, `smtp://user:pass@host`, `mx:example.com`.
 * Throws a UsageError naming the bad part; a password never appears in it.
 */
export function parseTargetSpec(spec: string, source: string, defaults: TargetDefaults = {}): TargetSpec {
  const ctx = { display: redactCredentials(spec), source };
  if (spec === '') fail(ctx, 'empty target: give a host such as smtp.example.com or smtp.example.com:587');
  if (/\s/.test(spec)) fail(ctx, `target ${quote(ctx.display)} contains whitespace`);
  const scheme = SCHEME.exec(spec);
  if (scheme) return parseUrl(ctx, spec, scheme, defaults.mode);
  if (/^mx:/i.test(spec)) return parseMx(ctx, spec, defaults.mode);
  if (spec.includes('@')) {
    fail(ctx, `credentials in ${quote(ctx.display)} need a URL: write smtp://user:password@host:587`);
  }
  const { host, portText } = splitHostPorts(ctx, spec);
  checkHost(ctx, host);
  const ports =
    portText === undefined ? [...(defaults.ports ?? DEFAULT_PORTS)] : parsePortList(portText, source);
  return {
    host,
    mx: false,
    ports: ports.map((port) => ({
      port,
      mode: defaults.mode ?? defaultMode(port),
      explicit: defaults.mode !== undefined,
    })),
    display: ctx.display,
  };
}

/** Copies expectations so that no two ports share (and could mutate) one `cert` object. */
export function copyExpectations(expect: Expectations): Expectations {
  return { ...expect, ...(expect.cert ? { cert: { ...expect.cert } } : {}) };
}

/** Turns a parsed spec into a plan entry: every port gets `expect`, and `location` when known. */
export function toTargetPlan(
  spec: TargetSpec,
  extras: { expect?: Expectations; location?: SourceLocation } = {},
): TargetPlan {
  const { expect = {}, location } = extras;
  return {
    name: spec.mx ? `mx:${spec.host}` : spec.host,
    host: spec.host,
    mx: spec.mx,
    ports: spec.ports.map(({ port, mode, explicit }) => ({
      port,
      mode,
      modeExplicit: explicit,
      expect: copyExpectations(expect),
      ...(location ? { location } : {}),
    })),
    require: 'all',
    ...(spec.auth ? { auth: spec.auth } : {}),
    ...(location ? { location } : {}),
  };
}
