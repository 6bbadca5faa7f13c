import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { defaultLookup } from '../probe/dns.js';
import { type Lookup, resolveTarget } from '../probe/index.js';
import { specialPurpose } from './special-purpose.js';

/**
 * What a remote vantage (the Lambda) may connect to. A function that connects wherever it is told is a
 * port scanner and an SSRF gadget: only SMTP ports, only global unicast addresses, checked after DNS,
 * and the connection made to the checked address with no second lookup.
 */
export interface DestinationPolicy {
  allowedPorts: ReadonlySet<number>;
  /** Distinct jobs per request, counted before any lookup. */
  maxTargets: number;
  /** `mx` jobs per request, counted before any lookup (each costs an MX query and up to a few names). */
  maxMxTargets: number;
  maxAddresses: number;
  /** Test-only: loopback and private addresses allowed. Never on by default; refused inside Lambda. */
  allowNonGlobal: boolean;
}

export const DEFAULT_ALLOWED_PORTS: readonly number[] = [25, 80, 465, 587, 588, 2525];

/**
 * Why an address may not be probed (the special-purpose block it is in, by the IANA registry's name
 * and RFC), or undefined when it is global unicast. IPv6 passes only inside 2000::/3, so the forms
 * that embed IPv4 (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) never reach a host the IPv4
 * check would refuse.
 */
export function forbiddenRange(address: string): string | undefined {
  if (isIP(address) === 0 || !ipaddr.isValid(address)) return 'not an IP address';
  return specialPurpose(address);
}

/** A host as the probe will dial it: an address literal, or a DNS name to resolve. */
export type DialledHost = { kind: 'literal'; address: string } | { kind: 'name'; name: string };

/**
 * Reads a host the way it will be dialled, so that what is checked is what is connected to. Brackets
 * hold an address literal (`[127.0.0.1]`, `[::1]`, and RFC 5321 §4.1.3's `[IPv6:::1]`), which is what
 * an MX exchange written that way becomes; the numeric IPv4 spellings getaddrinfo accepts (inet_aton:
 * `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) are that address, never a name to look up.
 * Undefined for anything that is neither an address nor a host name.
 */
export function dialledHost(written: string): DialledHost | undefined {
  if (written.startsWith('[') && written.endsWith(']')) {
    const inner = written.slice(1, -1);
    const address = /^ipv6:/i.test(inner) ? inner.slice(5) : inner;
    const family = isIP(address);
    if (family === 0 || (family === 4 && address !== inner)) return undefined;
    return { kind: 'literal', address };
  }
  if (isIP(written) !== 0) return { kind: 'literal', address: written };
  if (ipaddr.IPv4.isValid(written))
    return { kind: 'literal', address: ipaddr.IPv4.parse(written).toString() };
  try {
    return { kind: 'name', name: resolveTarget({ host: written, port: 25 }).host };
  } catch {
    return undefined;
  }
}

export interface VettedDestination {
  host: string;
  /** The addresses the probe may use, by family; nothing else will be looked up. */
  addresses: { 4: string[]; 6: string[] };
}

export class ForbiddenDestination extends Error {
  readonly host: string;
  readonly address: string | undefined;

  constructor(host: string, message: string, address?: string) {
    super(message);
    this.name = 'ForbiddenDestination';
    this.host = host;
    this.address = address;
  }
}

/** A name that resolved to nothing: never allowed, never connected; the probe reports it as dns_error. */
export class UnresolvedDestination extends Error {
  readonly host: string;
  readonly code: string;

  constructor(host: string, code: string) {
    super(`${host} did not resolve (${code})`);
    this.name = 'UnresolvedDestination';
    this.host = host;
    this.code = code;
  }
}

function codeOf(reason: unknown): string {
  const code = (reason as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EDNS';
}

/**
 * Resolves a host once and checks every address. The host is read as it will be dialled first
 * (`dialledHost`): a literal needs no lookup, a numeric spelling is its address. Throws
 * ForbiddenDestination when any address is not global (one bad answer taints the name: a rebinding
 * attacker controls which answer comes first), UnresolvedDestination when nothing resolves: a failed
 * lookup is never "nothing to refuse".
 */
export async function vetDestination(
  written: string,
  policy: Pick<DestinationPolicy, 'allowNonGlobal' | 'maxAddresses'>,
  lookup: Lookup = defaultLookup,
): Promise<VettedDestination> {
  const dialled = dialledHost(written);
  if (!dialled) {
    throw new ForbiddenDestination(
      written,
      `${JSON.stringify(written.slice(0, 80))} is not a host name or IP address`,
    );
  }
  const host = dialled.kind === 'literal' ? dialled.address : dialled.name;
  let v4: string[];
  let v6: string[];
  if (dialled.kind === 'literal') {
    [v4, v6] = isIP(host) === 4 ? [[host], []] : [[], [host]];
  } else {
    const [a, aaaa] = await Promise.allSettled([lookup(host, 4), lookup(host, 6)]);
    v4 = a.status === 'fulfilled' ? a.value : [];
    v6 = aaaa.status === 'fulfilled' ? aaaa.value : [];
    if (v4.length === 0 && v6.length === 0) {
      const reasons = [a, aaaa].map((o) => (o.status === 'rejected' ? codeOf(o.reason) : 'ENODATA'));
      throw new UnresolvedDestination(host, reasons.find((r) => r !== 'ENODATA') ?? 'ENODATA');
    }
  }
  const addresses = { 4: [...new Set(v4)], 6: [...new Set(v6)] };
  const all = [...addresses[4], ...addresses[6]];
  if (all.length > policy.maxAddresses) {
    throw new ForbiddenDestination(
      host,
      `${host} resolves to ${all.length} addresses, more than the ${policy.maxAddresses} allowed`,
    );
  }
  for (const address of all) {
    // Even with the test switch, an answer must be an address: the probe would dial whatever it got.
    const range = forbiddenRange(address);
    if (range && (!policy.allowNonGlobal || range === 'not an IP address'))
      throw new ForbiddenDestination(
        host,
        `${written === address ? address : `${written} resolves to ${address}`} (${range}), which this vantage may not probe`,
        address,
      );
  }
  return { host, addresses };
}

/** The probe's `lookup` for a vetted destination: the checked addresses and nothing else. */
export function pinnedLookup(vetted: VettedDestination): Lookup {
  return async (host, family) => {
    if (host !== vetted.host) throw new ForbiddenDestination(host, `${host} was not vetted`);
    return vetted.addresses[family];
  };
}

/** The port check, before anything is resolved. */
export function checkPort(port: number, policy: Pick<DestinationPolicy, 'allowedPorts'>): void {
  if (!policy.allowedPorts.has(port)) {
    throw new ForbiddenDestination(
      '',
      `port ${port} is not allowed here (allowed: ${[...policy.allowedPorts].join(', ')})`,
    );
  }
}

/** The environment variable that widens the policy for local tests. */
export const TEST_SWITCH = 'SMTP_PROBE_TEST_ALLOW_NON_GLOBAL';

/**
 * The policy from the function's environment: `SMTP_PROBE_ALLOWED_PORTS` (comma-separated),
 * `SMTP_PROBE_MAX_TARGETS`, `SMTP_PROBE_MAX_ADDRESSES`. The test switch is refused where Lambda or
 * Cloud Run runs (AWS_LAMBDA_FUNCTION_NAME or K_SERVICE is set), so a deployed function can never be widened.
 */
export function policyFromEnv(env: Readonly<Record<string, string | undefined>>): DestinationPolicy {
  const number = (name: string, fallback: number, max: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
    return n;
  };
  const portsText = env.SMTP_PROBE_ALLOWED_PORTS;
  const ports = portsText
    ? portsText.split(',').map((p) => {
        const n = Number(p.trim());
        if (!Number.isInteger(n) || n < 1 || n > 65_535)
          throw new Error(`SMTP_PROBE_ALLOWED_PORTS has a bad port ${JSON.stringify(p)}`);
        return n;
      })
    : DEFAULT_ALLOWED_PORTS;
  const allowNonGlobal = env[TEST_SWITCH] === '1';
  if (allowNonGlobal && env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new Error(`${TEST_SWITCH} is for local tests and is refused inside AWS Lambda`);
  }
  // Cloud Run sets K_SERVICE in every function and service it runs.
  if (allowNonGlobal && env.K_SERVICE) {
    throw new Error(`${TEST_SWITCH} is for local tests and is refused inside Cloud Run`);
  }
  return {
    allowedPorts: new Set(ports),
    maxTargets: number('SMTP_PROBE_MAX_TARGETS', 50, 1_000),
    maxMxTargets: number('SMTP_PROBE_MAX_MX_TARGETS', 10, 100),
    maxAddresses: number('SMTP_PROBE_MAX_ADDRESSES', 8, 64),
    allowNonGlobal,
  };
}
