/**
 * The address blocks a remote vantage never probes: every entry of IANA's IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890), with the registry's own names, plus multicast and, for IPv6, all that
 * lies outside 2000::/3, the only space IANA allocates as global unicast (RFC 4291 §2.4). Entries the
 * registry marks "globally reachable" (AS112, AMT, the anycast services) are refused too: none is a
 * mail server, and a vantage that probes them is a scanner.
 *
 * Registries as of 2025-06:
 * https://www.iana.org/assignments/iana-ipv4-special-registry/
 * https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
import ipaddr from 'ipaddr.js';

export interface SpecialBlock {
  cidr: string;
  /** The registry's name for the block. */
  name: string;
  rfc: string;
}

export const IPV4_SPECIAL: readonly SpecialBlock[] = [
  { cidr: '0.0.0.0/8', name: '"This network"', rfc: 'RFC 791 §3.2' },
  { cidr: '0.0.0.0/32', name: '"This host on this network"', rfc: 'RFC 1122 §3.2.1.3' },
  { cidr: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space', rfc: 'RFC 6598' },
  { cidr: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122 §3.2.1.3' },
  { cidr: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890 §2.1' },
  { cidr: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335' },
  { cidr: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600' },
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 §2.2' },
  { cidr: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 §2.2' },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  { cidr: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535' },
  { cidr: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  { cidr: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112 §4' },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 8190, RFC 919 §7' },
  // Not in the special-purpose registry but never a unicast destination.
  { cidr: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771' },
];

export const IPV6_SPECIAL: readonly SpecialBlock[] = [
  { cidr: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291' },
  { cidr: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address', rfc: 'RFC 4291' },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 6052' },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 8215' },
  { cidr: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780' },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928' },
  { cidr: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380, RFC 8190' },
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665' },
  { cidr: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180' },
  { cidr: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535' },
  { cidr: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343' },
  { cidr: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', rfc: 'RFC 9374' },
  { cidr: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849' },
  { cidr: '2002::/16', name: '6to4', rfc: 'RFC 3056' },
  { cidr: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534' },
  { cidr: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602' },
  { cidr: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193, RFC 8190' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291' },
  // Not in the special-purpose registry but never a unicast destination; also outside 2000::/3.
  { cidr: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291 §2.7' },
  { cidr: '::/96', name: 'IPv4-compatible (deprecated)', rfc: 'RFC 4291 §2.5.5.1' },
];

/** The global unicast space of IPv6: nothing outside it passes (RFC 4291 §2.4, IANA IPv6 address space). */
export const IPV6_GLOBAL_UNICAST = '2000::/3';

type Parsed4 = [ipaddr.IPv4, number];
type Parsed6 = [ipaddr.IPv6, number];

const V4 = IPV4_SPECIAL.map((b) => ({ ...b, range: ipaddr.IPv4.parseCIDR(b.cidr) as Parsed4 }));
const V6 = IPV6_SPECIAL.map((b) => ({ ...b, range: ipaddr.IPv6.parseCIDR(b.cidr) as Parsed6 }));
const GLOBAL6 = ipaddr.IPv6.parseCIDR(IPV6_GLOBAL_UNICAST) as Parsed6;

/**
 * Why `address` is not global unicast, as "Name, RFC" of the most specific block it is in, or
 * undefined when it is global unicast. `address` must be an IP address (`net.isIP`); a zone index
 * (`fe80::1%eth0`) is ignored for the check.
 */
export function specialPurpose(address: string): string | undefined {
  const parsed = ipaddr.parse(address.includes(':') ? canonicalIpv6(address) : address);
  if (parsed.kind() === 'ipv4') {
    const v4 = parsed as ipaddr.IPv4;
    const hit = mostSpecific(V4.filter((b) => v4.match(b.range)));
    return hit && `${hit.name}, ${hit.rfc}`;
  }
  const v6 = parsed as ipaddr.IPv6;
  const hit = mostSpecific(V6.filter((b) => v6.match(b.range)));
  if (hit) return `${hit.name}, ${hit.rfc}`;
  if (!v6.match(GLOBAL6)) return `outside ${IPV6_GLOBAL_UNICAST}, the global unicast space, RFC 4291 §2.4`;
  return undefined;
}

/**
 * The IPv6 address in its RFC 5952 text, its zone index dropped. ipaddr.js reads `::a.b.c.d` as the
 * IPv4-mapped `::ffff:a.b.c.d` (so `::0.0.0.1`, which is `::1`, would be named IPv4-mapped); the WHATWG
 * URL parser, which Node's own checks agree with, reads the dotted tail as the last 32 bits.
 */
function canonicalIpv6(address: string): string {
  const bare = address.replace(/%.*$/, '');
  return new URL(`http://[${bare}]`).hostname.slice(1, -1);
}

function mostSpecific<T extends { range: [unknown, number] }>(hits: T[]): T | undefined {
  return hits.reduce<T | undefined>((best, b) => (!best || b.range[1] > best.range[1] ? b : best), undefined);
}
