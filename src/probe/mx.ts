import { resolveMx } from 'node:dns/promises';

/** An MX lookup: the records of a domain, as node:dns returns them. */
export type MxLookup = (domain: string) => Promise<Array<{ exchange: string; priority: number }>>;

/**
 * The hosts that take mail for a domain, most preferred first (RFC 5321 §5.1). A domain without MX
 * records has the implicit MX of its own name; a failed lookup (SERVFAIL, timeout) and a null MX
 * (RFC 7505: exchange "." or empty) also leave just the domain, whose own probe then shows what answers
 * there, so a target never silently disappears from a report. Names are returned exactly as DNS wrote
 * them: a caller that connects must check each one as it checks any other name.
 */
export async function mxHosts(domain: string, lookup: MxLookup = resolveMx): Promise<string[]> {
  let records: Array<{ exchange: string; priority: number }>;
  try {
    records = await lookup(domain);
  } catch {
    return [domain];
  }
  const hosts = records
    .filter((r) => r.exchange !== '' && r.exchange !== '.')
    .sort((a, b) => a.priority - b.priority)
    .map((r) => r.exchange);
  return hosts.length > 0 ? hosts : [domain];
}
