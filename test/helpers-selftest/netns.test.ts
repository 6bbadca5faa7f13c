import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventLoopLag, type LagMeter } from '../helpers/lag.js';
import {
  createNetns,
  type NetnsHandle,
  type NetnsProcess,
  netnsPrerequisites,
  spawnInNetns,
} from '../helpers/netns.js';

const prereq = netnsPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prereq.ok) console.warn(`[netns self-test] skipped: ${prereq.reason}`);

/** How late this process's timers ran since the test began: added to each upper bound on a time. */
let lag: LagMeter;
beforeEach(() => {
  lag = eventLoopLag();
});
afterEach(() => {
  lag.stop();
});
const late = () => lag.worst();

const PORT = 2525;
const CONNECT_TIMEOUT = 1500;

interface Attempt {
  outcome: string;
  ms: number;
}

/** One TCP connect with a 1.5 s timeout; 'connected' (after a 1-byte echo), 'timeout' or the error code. */
function attempt(host: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host, port: PORT });
    const done = (outcome: string) => {
      socket.destroy();
      resolve({ outcome, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done('timeout'), CONNECT_TIMEOUT);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.write('x');
      socket.once('data', (d: Buffer) => done(d.toString() === 'x' ? 'connected' : 'bad-echo'));
      setTimeout(() => done('no-echo'), 500);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(err.code ?? err.message);
    });
  });
}

const inputChain = (rules: string) => `flush ruleset
table inet spp {
  chain input {
    type filter hook input priority 0; policy accept;
${rules}
  }
}
`;

describe.skipIf(!prereq.ok && !required)('netns', () => {
  let ns: NetnsHandle | undefined;
  let echo: NetnsProcess | undefined;
  const observed: Record<string, Attempt> = {};

  const both = async (label: string, rules: string): Promise<[Attempt, Attempt]> => {
    if (!ns) throw new Error('namespace missing');
    await ns.nft(inputChain(rules));
    const result = await Promise.all([attempt(ns.nsAddress4), attempt(ns.nsAddress6)]);
    observed[`${label} v4`] = result[0];
    observed[`${label} v6`] = result[1];
    return result;
  };

  beforeAll(async () => {
    if (!prereq.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${prereq.reason}`);
    ns = await createNetns({ name: 'selftest' });
    const script = `const net = require('node:net');
for (const host of process.argv.slice(1)) {
  net.createServer((s) => s.on('error', () => {}).pipe(s)).listen(${PORT}, host, () => console.log('listening ' + host));
}`;
    echo = spawnInNetns(ns, process.execPath, ['-e', script, ns.nsAddress4, ns.nsAddress6]);
    await echo.waitForLine(new RegExp(`listening ${ns.nsAddress4.replace(/\./g, '\\.')}$`));
    await echo.waitForLine(new RegExp(`listening ${ns.nsAddress6}$`));
  }, 10_000);

  afterAll(async () => {
    console.log('[netns self-test] observed:', JSON.stringify(observed));
    await echo?.kill();
    await ns?.destroy();
    await ns?.destroy(); // idempotent
  });

  it('creates a namespace with the promised addressing', async () => {
    if (!ns) throw new Error('namespace missing');
    expect(ns.name).toMatch(new RegExp(`^spp-selftest-[0-9a-f]{6}-pid${process.pid}-ns\\d+$`));
    expect(ns.hostAddress4).toMatch(/^10\.213\.\d+\.\d+$/);
    expect(ns.nsAddress6).toMatch(/^fd7e:5a17:[0-9a-f]+::2$/);
    const { stdout } = await ns.exec(['ip', '-o', 'addr', 'show']);
    expect(stdout).toContain(`${ns.nsAddress4}/30`);
    expect(stdout).toContain(`${ns.nsAddress6}/64`);
    const sysctl = await ns.exec(['sysctl', '-n', 'net.ipv4.icmp_ratelimit', 'net.ipv6.icmp.ratelimit']);
    expect(sysctl.stdout.split('\n').filter(Boolean)).toEqual(['0', '0']);
  });

  it('reaches the echo server over IPv4 and IPv6 with no ruleset', async () => {
    const [v4, v6] = await both('accept', '');
    expect(v4.outcome).toBe('connected');
    expect(v6.outcome).toBe('connected');
  });

  it('drop: connect times out', async () => {
    const [v4, v6] = await both('drop', `    tcp dport ${PORT} drop`);
    expect(v4.outcome).toBe('timeout');
    expect(v6.outcome).toBe('timeout');
    expect(v4.ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT - 50);
  });

  it('reject with tcp reset: ECONNREFUSED', async () => {
    const [v4, v6] = await both('reset', `    tcp dport ${PORT} reject with tcp reset`);
    expect(v4.outcome).toBe('ECONNREFUSED');
    expect(v6.outcome).toBe('ECONNREFUSED');
    expect(Math.max(v4.ms, v6.ms)).toBeLessThan(500 + late());
  });

  it('ICMP host-unreachable / ICMPv6 addr-unreachable', async () => {
    const [v4, v6] = await both(
      'unreachable',
      `    meta nfproto ipv4 tcp dport ${PORT} reject with icmp type host-unreachable
    meta nfproto ipv6 tcp dport ${PORT} reject with icmpv6 type addr-unreachable`,
    );
    expect(v4.outcome).toBe('EHOSTUNREACH');
    expect(v6.outcome).toBe('EHOSTUNREACH');
    expect(v4.ms).toBeLessThan(500 + late());
    // See ICMPV6_NOTE in netns.ts: the first ICMPv6 error is dropped, the retransmitted SYN's is not.
    expect(v6.ms).toBeLessThan(CONNECT_TIMEOUT);
  });

  it('ICMP / ICMPv6 admin-prohibited', async () => {
    const [v4, v6] = await both(
      'admin-prohibited',
      `    meta nfproto ipv4 tcp dport ${PORT} reject with icmp type admin-prohibited
    meta nfproto ipv6 tcp dport ${PORT} reject with icmpv6 type admin-prohibited`,
    );
    expect(v4.outcome).toBe('EHOSTUNREACH');
    expect(v6.outcome).toBe('EACCES');
    expect(v4.ms).toBeLessThan(500 + late());
    expect(v6.ms).toBeLessThan(CONNECT_TIMEOUT);
  });

  it('an empty ruleset restores connectivity', async () => {
    const [v4, v6] = await both('restored', '');
    expect([v4.outcome, v6.outcome]).toEqual(['connected', 'connected']);
  });
});
