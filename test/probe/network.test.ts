import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probe } from '../../src/probe/index.js';
import { eventLoopLag } from '../helpers/lag.js';
import { createNetns, type NetnsHandle, netnsPrerequisites } from '../helpers/netns.js';
import { type HeldPort, refusingPort, unansweredPort } from '../helpers/ports.js';

const fast: ProbeOptions = { timeout: 3_000, connectTimeout: 500, greetingTimeout: 500, commandTimeout: 500 };

describe('TCP outcomes on loopback, on ports this test holds', () => {
  const held: HeldPort[] = [];
  const hold = async (port: Promise<HeldPort>) => {
    const handle = await port;
    held.push(handle);
    return handle.port;
  };
  afterAll(async () => {
    await Promise.all(held.map((port) => port.close()));
  });

  it('a closed port gives refused, at once', async () => {
    const port = await hold(refusingPort('127.0.0.1'));
    const lag = eventLoopLag();
    const started = performance.now();
    const result = await probe({ host: '127.0.0.1', port }, fast);
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ status: 'refused', stage: 'connect', errorCode: 'ECONNREFUSED' });
    expect(result.hint).toMatch(/Nothing accepts connections on port/);
    // Far below the connect timeout: a refusal is an answer, not a wait.
    expect(elapsed).toBeLessThan(100 + lag.stop());
  });

  it('a closed port on ::1 gives refused too', async () => {
    const port = await hold(refusingPort('::1'));
    const result = await probe({ host: '::1', port }, fast);
    expect(result).toMatchObject({ status: 'refused', stage: 'connect' });
  });

  for (const host of ['127.0.0.1', '::1']) {
    it(`a connect that gets no answer on ${host} is timeout at the connect timeout, with the firewall hint`, async () => {
      // A SYN the listener drops, as a firewall would: no root, no nftables.
      const port = await hold(unansweredPort(host));
      const lag = eventLoopLag();
      const started = performance.now();
      const result = await probe({ host, port }, fast);
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ status: 'timeout', stage: 'connect', errorCode: 'ECONNECTTIMEOUT' });
      expect(result.explanation).toBe(`no answer to the TCP connection to ${host} port ${port}`);
      expect(result.hint).toMatch(/silently dropped/);
      expect(result.sessions[0]?.smtp.greeting).toBeUndefined();
      expect(elapsed).toBeGreaterThanOrEqual(490);
      expect(elapsed).toBeLessThan(500 + 100 + lag.stop());
    });
  }
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
        const lag = eventLoopLag();
        const started = performance.now();
        const result = await probe({ host: address(), port: 2501 }, fast);
        const elapsed = performance.now() - started;
        expect(result).toMatchObject({ status: 'timeout', stage: 'connect', errorCode: 'ECONNECTTIMEOUT' });
        expect(elapsed).toBeGreaterThanOrEqual(490);
        expect(elapsed).toBeLessThan(500 + 100 + lag.stop());
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
