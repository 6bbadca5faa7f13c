import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probe } from '../../src/probe/index.js';
import { createNetns, type NetnsHandle, netnsPrerequisites } from '../helpers/netns.js';

const fast: ProbeOptions = { timeout: 3_000, connectTimeout: 500, greetingTimeout: 500, commandTimeout: 500 };

/** A port on 127.0.0.1 that was just free: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('TCP outcomes on loopback', () => {
  it('a closed port gives refused, at once', async () => {
    const port = await closedPort();
    const started = performance.now();
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'refused', stage: 'connect', errorCode: 'ECONNREFUSED' });
    expect(result.hint).toMatch(/Nothing accepts connections on port/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('a closed port on ::1 gives refused too', async () => {
    const result = await probe({ host: '::1', port: await closedPort() }, fast);
    expect(result).toMatchObject({ status: 'refused', stage: 'connect' });
  });
});

const prerequisites = netnsPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) {
  console.warn(`network-namespace tests skipped: ${prerequisites.reason}`);
}

describe.skipIf(!prerequisites.ok && !required)(
  'TCP outcomes through a firewall in a network namespace',
  () => {
    let ns: NetnsHandle;
    // Each rule acts on its own port inside the namespace; nothing listens on any of them.
    const ruleset = `
    flush ruleset
    table inet probe_test {
      chain input {
        type filter hook input priority 0; policy accept;
        tcp dport { 25, 2501 } drop
        tcp dport 2502 reject with tcp reset
        meta nfproto ipv4 tcp dport 2503 reject with icmp type host-unreachable
        meta nfproto ipv4 tcp dport 2504 reject with icmp type admin-prohibited
        meta nfproto ipv6 tcp dport 2503 reject with icmpv6 type addr-unreachable
        meta nfproto ipv6 tcp dport 2504 reject with icmpv6 type admin-prohibited
      }
    }`;

    beforeAll(async () => {
      if (!prerequisites.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${prerequisites.reason}`);
      ns = await createNetns({ name: 'tcp-outcomes' });
      await ns.nft(ruleset);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    for (const family of [4, 6] as const) {
      const address = () => (family === 4 ? ns.nsAddress4 : ns.nsAddress6);

      it(`IPv${family}: a silently dropped SYN gives timeout at the connect timeout`, async () => {
        const started = performance.now();
        const result = await probe({ host: address(), port: 2501 }, fast);
        const elapsed = performance.now() - started;
        expect(result).toMatchObject({ status: 'timeout', stage: 'connect', errorCode: 'ECONNECTTIMEOUT' });
        expect(elapsed).toBeGreaterThanOrEqual(490);
        expect(elapsed).toBeLessThan(500 + 100);
      });

      it(`IPv${family}: a dropped port 25 carries the cloud egress hint, another port the firewall hint`, async () => {
        const r25 = await probe({ host: address(), port: 25 }, { ...fast, connectTimeout: 200 });
        expect(r25).toMatchObject({ status: 'timeout', stage: 'connect' });
        expect(r25.hint).toMatch(/Outbound port 25 is blocked on most cloud networks/);
        const other = await probe({ host: address(), port: 2501 }, { ...fast, connectTimeout: 200 });
        expect(other.hint).toMatch(/silently dropped/);
      });

      it(`IPv${family}: a TCP reset from the firewall gives refused`, async () => {
        const result = await probe({ host: address(), port: 2502 }, fast);
        expect(result).toMatchObject({ status: 'refused', errorCode: 'ECONNREFUSED' });
      });

      it(`IPv${family}: an ICMP unreachable reject gives unreachable`, async () => {
        const result = await probe({ host: address(), port: 2503 }, { ...fast, connectTimeout: 2_500 });
        expect(result).toMatchObject({ status: 'unreachable', stage: 'connect' });
        expect(result.errorCode).toMatch(/^E(HOST|NET)UNREACH$/);
      });

      it(`IPv${family}: an ICMP administratively-prohibited reject gives unreachable`, async () => {
        const result = await probe({ host: address(), port: 2504 }, { ...fast, connectTimeout: 2_500 });
        expect(result).toMatchObject({ status: 'unreachable', stage: 'connect' });
      });
    }
  },
);
