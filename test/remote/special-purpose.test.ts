import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forbiddenRange } from '../../src/remote/destination-policy.js';
import { IPV4_SPECIAL, IPV6_SPECIAL } from '../../src/remote/special-purpose.js';

/*
 * Addresses are built here from numbers, not with the library the policy uses, so a parsing mistake
 * there cannot hide behind the same mistake here.
 */
const v4Text = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');
const v6Text = (n: bigint) =>
  Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
/** The same IPv6 address with its last 32 bits written as IPv4 (`::a.b.c.d`, `64:ff9b::a.b.c.d`). */
const v6Dotted = (n: bigint) =>
  `${v6Text(n).split(':').slice(0, 6).join(':')}:${v4Text(Number(n & 0xffffffffn))}`;

function v4Block(cidr: string): { first: number; size: number } {
  const [address = '', bits = '0'] = cidr.split('/');
  const first = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  return { first, size: 2 ** (32 - Number(bits)) };
}

function v6Block(cidr: string): { first: bigint; size: bigint } {
  const [address = '', bits = '0'] = cidr.split('/');
  const [head = '', tail = ''] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const first = all.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
  return { first, size: 1n << BigInt(128 - Number(bits)) };
}

/**
 * The registries' blocks, written out again here (IANA, 2025) rather than read from the table under
 * test, plus multicast: a block missing from the table, or one with a wrong prefix length, fails.
 */
const REGISTRY_V4 = [
  ...['0.0.0.0/8', '0.0.0.0/32', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16'],
  ...['172.16.0.0/12', '192.0.0.0/24', '192.0.0.0/29', '192.0.0.8/32', '192.0.0.9/32'],
  ...['192.0.0.10/32', '192.0.0.170/32', '192.0.0.171/32', '192.0.2.0/24', '192.31.196.0/24'],
  ...['192.52.193.0/24', '192.88.99.0/24', '192.168.0.0/16', '192.175.48.0/24', '198.18.0.0/15'],
  ...['198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '255.255.255.255/32', '224.0.0.0/4'],
];
const REGISTRY_V6 = [
  ...['::1/128', '::/128', '::ffff:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64'],
  ...['100:0:0:1::/64', '2001::/23', '2001::/32', '2001:1::1/128', '2001:1::2/128', '2001:1::3/128'],
  ...['2001:2::/48', '2001:3::/32', '2001:4:112::/48', '2001:10::/28', '2001:20::/28', '2001:30::/28'],
  ...['2001:db8::/32', '2002::/16', '2620:4f:8000::/48', '3fff::/20', '5f00::/16', 'fc00::/7'],
  ...['fe80::/10', 'ff00::/8', '::/96'],
];

describe('the destination policy follows the IANA special-purpose registries', () => {
  it("the policy's table holds every block of the registries, and names each with its RFC", () => {
    expect(IPV4_SPECIAL.map((b) => b.cidr).sort()).toEqual([...REGISTRY_V4].sort());
    expect(IPV6_SPECIAL.map((b) => b.cidr).sort()).toEqual([...REGISTRY_V6].sort());
    for (const block of [...IPV4_SPECIAL, ...IPV6_SPECIAL]) expect(block.rfc).toMatch(/^RFC \d+/);
  });

  it.each(REGISTRY_V4)('every IPv4 address in %s, its edges included, is refused', (cidr) => {
    const { first, size } = v4Block(cidr);
    const inside = fc.oneof(fc.constant(0), fc.constant(size - 1), fc.integer({ min: 0, max: size - 1 }));
    fc.assert(
      fc.property(inside, (offset) => {
        expect(forbiddenRange(v4Text(first + offset))).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it.each(REGISTRY_V6)(
    'every IPv6 address in %s, its edges included, in either spelling, is refused',
    (cidr) => {
      const { first, size } = v6Block(cidr);
      const inside = fc.oneof(
        fc.constant(0n),
        fc.constant(size - 1n),
        fc.bigInt({ min: 0n, max: size - 1n }),
      );
      fc.assert(
        fc.property(inside, fc.boolean(), (offset, dotted) => {
          const n = first + offset;
          expect(forbiddenRange(dotted ? v6Dotted(n) : v6Text(n))).toBeDefined();
        }),
        { numRuns: 200 },
      );
    },
  );

  it('every IPv6 address outside 2000::/3 is refused, IPv4-compatible ones included', () => {
    const outside = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).filter((n) => n >> 125n !== 1n);
    fc.assert(
      fc.property(outside, (n) => {
        expect(forbiddenRange(v6Text(n))).toBeDefined();
      }),
      { numRuns: 2_000 },
    );
    expect(forbiddenRange('::7f00:1')).toMatch(/IPv4-compatible/);
    expect(forbiddenRange('::a9fe:a9fe')).toMatch(/IPv4-compatible/);
    expect(forbiddenRange('::127.0.0.1')).toMatch(/IPv4-compatible/);
    expect(forbiddenRange('::0.0.0.1')).toMatch(/Loopback Address/);
    expect(forbiddenRange('1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toMatch(/outside 2000::\/3/);
    expect(forbiddenRange('4000::')).toMatch(/outside 2000::\/3/);
  });

  /** /8s allocated to registries and networks that hold no special-purpose block. */
  const GLOBAL_V4_SLASH8 = [
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9],
    ...Array.from({ length: 89 }, (_, i) => 11 + i),
    ...Array.from({ length: 26 }, (_, i) => 101 + i),
    ...Array.from({ length: 41 }, (_, i) => 128 + i),
    170,
    171,
    ...Array.from({ length: 19 }, (_, i) => 173 + i),
    ...[193, 194, 195, 196, 197, 199, 200, 201, 202],
    ...Array.from({ length: 20 }, (_, i) => 204 + i),
  ];
  /** RIR allocations (IANA's IPv6 unicast address assignments): AFRINIC, APNIC, ARIN, LACNIC, RIPE NCC. */
  const GLOBAL_V6_SLASH12 = [0x2c00n, 0x2400n, 0x2600n, 0x2800n, 0x2a00n];

  it('global unicast addresses pass: drawn from allocated IPv4 /8s and the RIRs’ IPv6 /12s', () => {
    const v4 = fc
      .tuple(fc.constantFrom(...GLOBAL_V4_SLASH8), fc.integer({ min: 0, max: 2 ** 24 - 1 }))
      .map(([slash8, rest]) => v4Text(slash8 * 2 ** 24 + rest));
    const v6 = fc
      .tuple(fc.constantFrom(...GLOBAL_V6_SLASH12), fc.bigInt({ min: 0n, max: (1n << 116n) - 1n }))
      .map(([slash12, rest]) => v6Text((slash12 << 112n) | rest));
    fc.assert(
      fc.property(fc.oneof(v4, v6), (address) => {
        expect(forbiddenRange(address)).toBeUndefined();
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    // IPv4: the first address past each end of a block
    ...['1.0.0.0', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255'],
    ...['128.0.0.0', '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.0'],
    ...['192.0.3.0', '192.31.195.255', '192.31.197.0', '192.52.192.255', '192.52.194.0'],
    ...['192.88.98.255', '192.88.100.0', '192.167.255.255', '192.169.0.0', '192.175.47.255'],
    ...['192.175.49.0', '198.17.255.255', '198.20.0.0', '198.51.99.255', '198.51.101.0'],
    ...['203.0.112.255', '203.0.114.0', '223.255.255.255'],
    // IPv6: the edges of 2000::/3 and of the blocks inside it
    ...['2000::', '3fff:1000::', '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:200::'],
    ...['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db9::', '2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ...['2003::', '2620:4f:7fff:ffff:ffff:ffff:ffff:ffff', '2620:4f:8001::'],
  ])('%s, just outside a refused block, passes', (address) => {
    expect(forbiddenRange(address)).toBeUndefined();
  });
});
