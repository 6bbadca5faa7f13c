import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/probe/index.js';
import {
  checkPort,
  DEFAULT_ALLOWED_PORTS,
  ForbiddenDestination,
  forbiddenRange,
  pinnedLookup,
  policyFromEnv,
  TEST_SWITCH,
  vetDestination,
} from '../../src/remote/destination-policy.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';

const strict = { allowNonGlobal: false, maxAddresses: 8 };

describe('a remote vantage refuses every destination that is not global unicast', () => {
  // Each is given as the target host exactly as a caller could write it (or an MX record could hold
  // it); a numeric spelling is read as the address getaddrinfo would make of it, without a lookup.
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback elsewhere in 127/8', '127.53.0.1'],
    ['decimal IPv4 spelling', '2130706433'],
    ['octal IPv4 spelling', '0177.0.0.1'],
    ['hex IPv4 spelling', '0x7f000001'],
    ['hex dotted spelling', '0x7f.0x0.0x0.0x1'],
    ['short IPv4 spelling', '127.1'],
    ['the unspecified address', '0.0.0.0'],
    ['this-network', '0.1.2.3'],
    ['RFC 1918 10/8', '10.0.0.1'],
    ['RFC 1918 172.16/12', '172.16.5.4'],
    ['RFC 1918 192.168/16', '192.168.1.1'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['the cloud metadata endpoint', '169.254.169.254'],
    ['link-local', '169.254.1.1'],
    ['multicast', '224.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['reserved 240/4', '240.0.0.1'],
    ['benchmarking 198.18/15', '198.18.0.1'],
    ['documentation TEST-NET-1', '192.0.2.1'],
    ['IETF protocol assignments', '192.0.0.8'],
    ['IPv6 loopback', '::1'],
    ['IPv6 loopback, bracketed', '[::1]'],
    ['IPv6 loopback, as an RFC 5321 address literal', '[IPv6:::1]'],
    ['IPv4 loopback, bracketed', '[127.0.0.1]'],
    ['IPv4-compatible loopback', '::7f00:1'],
    ['IPv4-compatible metadata endpoint', '::a9fe:a9fe'],
    ['IPv4-compatible, dotted', '::127.0.0.1'],
    ['IPv6 unspecified', '::'],
    ['IPv4-mapped loopback', '[::ffff:127.0.0.1]'],
    ['IPv4-mapped, hex form', '::ffff:7f00:1'],
    ['IPv4-mapped metadata endpoint', '::ffff:169.254.169.254'],
    ['NAT64 well-known prefix', '64:ff9b::7f00:1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['unique-local', 'fd00::1'],
    ['the IPv6 metadata endpoint (fd00:ec2::254)', 'fd00:ec2::254'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv6 documentation', '2001:db8::25'],
  ])('%s: %s', async (_what, host) => {
    const attempt = vetDestination(host, strict);
    await expect(attempt).rejects.toBeInstanceOf(ForbiddenDestination);
    await expect(attempt).rejects.toThrow(/which this vantage may not probe/);
  });

  it('a name that resolves to loopback is refused, whichever family answers', async () => {
    // A lookup the test controls: the system resolver's answer for a name depends on the machine.
    for (const answer of [
      { 4: ['127.0.0.1'], 6: [] },
      { 4: [], 6: ['::1'] },
    ]) {
      const lookup = async (_host: string, family: 4 | 6) => answer[family];
      await expect(vetDestination('localhost', strict, lookup)).rejects.toThrow(
        /^localhost resolves to (127\.0\.0\.1|::1) \(.+\), which this vantage may not probe$/,
      );
    }
  });

  it('a name whose DNS answers mix a public and a private address is refused as a whole', async () => {
    const lookup = async (_host: string, family: 4 | 6) =>
      family === 4 ? ['93.184.215.14', '10.1.2.3'] : [];
    await expect(vetDestination('mixed.example.test', strict, lookup)).rejects.toThrow(
      /10\.1\.2\.3 \(Private-Use, RFC 1918\)/,
    );
  });

  it('global unicast addresses pass, IPv4 and IPv6', () => {
    expect(forbiddenRange('93.184.215.14')).toBeUndefined();
    expect(forbiddenRange('2606:2800:21f:cb07:6820:80da:af6b:8b2c')).toBeUndefined();
    expect(forbiddenRange('8.8.8.8')).toBeUndefined();
  });

  it('too many addresses for one name is refused', async () => {
    const lookup = async (_host: string, family: 4 | 6) =>
      family === 4 ? ['1.1.1.1', '1.0.0.1', '8.8.8.8'] : [];
    await expect(
      vetDestination('many.example.test', { allowNonGlobal: false, maxAddresses: 2 }, lookup),
    ).rejects.toThrow(/resolves to 3 addresses, more than the 2 allowed/);
  });

  it('only SMTP ports are allowed by default', () => {
    const policy = policyFromEnv({});
    expect([...policy.allowedPorts]).toEqual(DEFAULT_ALLOWED_PORTS);
    expect(() => checkPort(587, policy)).not.toThrow();
    expect(() => checkPort(22, policy)).toThrow(
      'port 22 is not allowed here (allowed: 25, 80, 465, 587, 588, 2525)',
    );
    expect([...policyFromEnv({ SMTP_PROBE_ALLOWED_PORTS: '587, 2525' }).allowedPorts]).toEqual([587, 2525]);
  });

  it('the test-only switch is off by default and refused inside Lambda', () => {
    expect(policyFromEnv({}).allowNonGlobal).toBe(false);
    expect(policyFromEnv({ [TEST_SWITCH]: '1' }).allowNonGlobal).toBe(true);
    expect(() => policyFromEnv({ [TEST_SWITCH]: '1', AWS_LAMBDA_FUNCTION_NAME: 'smtp-probe' })).toThrow(
      /refused inside AWS Lambda/,
    );
  });
});

describe('the checked address is the one connected to', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startRawServer(
      smtpScript({
        greeting: '220 pinned.test',
        replies: { EHLO: '250 pinned.test', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it('a name whose second lookup would answer differently cannot be rebound: there is no second lookup', async () => {
    let calls = 0;
    // First answer: the (test-allowed) loopback server; any later answer: somewhere else entirely.
    const rebinding = async (_host: string, family: 4 | 6) => {
      calls += 1;
      if (family === 6) return [];
      return calls <= 2 ? ['127.0.0.1'] : ['127.0.0.2'];
    };
    const vetted = await vetDestination(
      'rebind.example.test',
      { allowNonGlobal: true, maxAddresses: 8 },
      rebinding,
    );
    const result = await probe(
      { host: 'rebind.example.test', port: server.port, mode: 'plain' },
      { lookup: pinnedLookup(vetted), timeout: 2_000 },
    );
    expect(calls).toBe(2);
    expect(result.sessions.map((s) => s.address)).toEqual(['127.0.0.1']);
    expect(result.status).toBe('ok');
    // The EHLO dialog still uses the name, not the address.
    expect(result.target.host).toBe('rebind.example.test');
  });

  it('a pinned lookup refuses a name that was not vetted', async () => {
    const vetted = { host: 'a.example.test', addresses: { 4: ['127.0.0.1'], 6: [] } };
    await expect(pinnedLookup(vetted)('b.example.test', 4)).rejects.toBeInstanceOf(ForbiddenDestination);
  });
});
