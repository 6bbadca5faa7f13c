import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { defaultLookup } from '../probe/dns.js';
import type { Lookup } from '../probe/index.js';

/**
 * What a remote vantage (the Lambda) may connect to. A function that connects wherever it is told is a
 * port scanner and an SSRF gadget: only SMTP ports, only global unicast addresses, checked after DNS,
 * and the connection made to the checked address with no second lookup.
 */
export interface DestinationPolicy {
  allowedPorts: ReadonlySet<number>;
  /** Distinct jobs per request, counted before any lookup and again after MX expansion. */
  maxTargets: number;
  /** `mx` jobs per request, counted before any lookup (each costs an MX query and up to a few names). */
  maxMxTargets: number;
  maxAddresses: number;
  /** Test-only: loopback and private addresses allowed. Never on by default; refused inside Lambda. */
  allowNonGlobal: boolean;
}

export const DEFAULT_ALLOWED_PORTS: readonly number[] = [25, 80, 465, 587, 588, 2525];

/** Why an address may not be probed (its ipaddr.js range), or undefined when it is global unicast. */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  // Everything but plain global unicast: loopback, private, link-local (169.254.169.254, the metadata
  // endpoint), unique-local, multicast, reserved and documentation ranges, carrier-grade NAT, and the
  // IPv6 forms that embed IPv4 (IPv4-mapped, NAT64 64:ff9b::/96, 6to4, Teredo), which could reach an
  // IPv4 host the IPv4 check would refuse.
  return range === 'unicast' ? undefined : range;
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
 * Resolves a host once and checks every address. `host` must be normalised first (brackets removed,
 * as the probe will connect to it: `resolveTarget`), so that what is checked is what is dialled.
 * Throws ForbiddenDestination when any address is not global (one bad answer taints the name: a
 * rebinding attacker controls which answer comes first), UnresolvedDestination when nothing resolves:
 * a failed lookup is never "nothing to refuse".
 */
export async function vetDestination(
  host: string,
  policy: Pick<DestinationPolicy, 'allowNonGlobal' | 'maxAddresses'>,
  lookup: Lookup = defaultLookup,
): Promise<VettedDestination> {
  const literal = isIP(host);
  let v4: string[];
  let v6: string[];
  if (literal === 4) [v4, v6] = [[host], []];
  else if (literal === 6) [v4, v6] = [[], [host]];
  else {
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
  if (!policy.allowNonGlobal) {
    for (const address of all) {
      const range = forbiddenRange(address);
      if (range)
        throw new ForbiddenDestination(
          host,
          `${host} resolves to ${address} (${range}), which this vantage may not probe`,
          address,
        );
    }
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
