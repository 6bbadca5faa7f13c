import { lookup as systemLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { untilDeadline } from './deadline.js';
import { ProbeFailure } from './failure.js';
import type { Lookup, ResolvedOptions } from './options.js';
import type { DnsFacts } from './types.js';

/** getaddrinfo, one family at a time: the same answers (and /etc/hosts) an application gets. */
export const defaultLookup: Lookup = async (host, family) =>
  (await systemLookup(host, { family, all: true })).map((entry) => entry.address);

/**
 * A and AAAA in parallel (both are reported: a broken IPv6 address is a real deploy problem). An IP
 * literal needs no lookup. Throws a `dns_error` (or `aborted`) failure when nothing resolves.
 */
export async function resolveAddresses(
  host: string,
  options: ResolvedOptions,
  deadline: number,
): Promise<DnsFacts> {
  const started = performance.now();
  const literal = isIP(host);
  if (literal !== 0) return { addresses: [{ address: host, family: literal as 4 | 6 }], durationMs: 0 };
  const lookup = options.lookup ?? defaultLookup;
  const [v4, v6] = await untilDeadline<PromiseSettledResult<string[]>[]>(
    deadline,
    () => new ProbeFailure('dns_error', `looking up ${host} took too long`, { errorCode: 'ETIMEOUT' }),
    options.signal,
    ({ resolve }) => {
      void Promise.allSettled([lookup(host, 4), lookup(host, 6)]).then(resolve);
      return () => {};
    },
  );
  const addresses: DnsFacts['addresses'] = [];
  const seen = new Set<string>();
  for (const [family, outcome] of [
    [4, v4],
    [6, v6],
  ] as const) {
    if (outcome?.status !== 'fulfilled') continue;
    for (const address of outcome.value) {
      // An IPv4-mapped answer (::ffff:a.b.c.d) is the IPv4 host again, not an IPv6 path to probe.
      if (seen.has(address) || isIP(address) !== family || /^::ffff:/i.test(address)) continue;
      seen.add(address);
      addresses.push({ address, family });
    }
  }
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  if (addresses.length === 0) {
    const reasons = [v4, v6].map((o) => (o?.status === 'rejected' ? errorCode(o.reason) : 'ENODATA'));
    const code = reasons.find((r) => r !== 'ENODATA' && r !== 'ENOTFOUND') ?? reasons[0] ?? 'ENODATA';
    throw new ProbeFailure('dns_error', `${host} did not resolve to any address (${code})`, {
      errorCode: code,
    });
  }
  return { addresses, durationMs };
}

function errorCode(reason: unknown): string {
  const code = (reason as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EDNS';
}
