/**
 * The destination check of a remote vantage against DNS the test controls. A Lambda stand-in (the
 * bundled handler) runs in a network namespace whose /etc/resolv.conf (`ip netns exec` bind-mounts
 * /etc/netns/NAME/resolv.conf over it) names a DNS server this test runs on the root end of the veth.
 * The stand-in keeps the strict policy: every address here is private, so nothing may be probed, and
 * nftables in the namespace count every SYN to port 25 that would prove otherwise.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Answer, CONTRACT_VERSION, type ErrorAnswer } from '../../src/contract/index.js';
import { type DnsServer, startDnsServer, type ZoneEntry } from '../helpers/dns-server.js';
import { lambdaEntry, TSX_IMPORT } from '../helpers/entry-points.js';
import {
  createNetns,
  type NetnsHandle,
  type NetnsProcess,
  netnsPrerequisites,
  spawnInNetns,
} from '../helpers/netns.js';

const STANDIN_PORT = 9101;
/** Lambda's safety margin (lambda/handler.ts SAFETY_MARGIN_MS). */
const SAFETY_MARGIN_MS = 1_500;
/** HTTP to the stand-in and JSON both ways, measured at a few ms; kept generous for a loaded machine. */
const TRANSPORT_SLACK_MS = 400;

const prerequisites = netnsPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) console.warn(`remote DNS tests skipped: ${prerequisites.reason}`);

const PROFILE = {
  timeout: 3_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_000,
  commandTimeout: 1_000,
  retries: 0,
  tls: {},
};

type JobSpec = { host: string; port?: number; mx?: boolean };

function request(jobs: JobSpec[], extra: object = {}) {
  return {
    contract: CONTRACT_VERSION,
    profiles: [PROFILE],
    jobs: jobs.map(({ host, port = 25, mx }) => ({
      host,
      port,
      mode: 'starttls',
      profile: 0,
      ...(mx ? { mx: true } : {}),
    })),
    ...extra,
  };
}

const hanging = (prefix: string, n: number): Record<string, ZoneEntry> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}.test`, { hang: true }]));

const ZONE: Record<string, ZoneEntry> = {
  // An MX set an attacker controls: every exchange points somewhere a vantage must never connect.
  'hostile.test': {
    MX: [
      { exchange: '[127.0.0.1]', preference: 1 },
      { exchange: '[::1]', preference: 2 },
      { exchange: '[IPv6:::1]', preference: 3 },
      { exchange: '[::ffff:169.254.169.254]', preference: 4 },
      { exchange: '2130706433', preference: 5 },
      { exchange: '0x7f000001', preference: 6 },
      { exchange: '0251.0376.0251.0376', preference: 7 },
      { exchange: 'private.hostile.test', preference: 8 },
      { exchange: 'chain.hostile.test', preference: 9 },
      { exchange: 'v4compat.hostile.test', preference: 10 },
    ],
  },
  'private.hostile.test': { A: ['10.20.30.40'] },
  'chain.hostile.test': { CNAME: 'hop.hostile.test' },
  'hop.hostile.test': { CNAME: 'metadata.hostile.test' },
  'metadata.hostile.test': { A: ['169.254.169.254'] },
  'v4compat.hostile.test': { AAAA: ['::7f00:1'] },
  'prompt.test': { A: ['192.168.7.7'] },
  ...hanging('never', 20),
};

describe.skipIf(!prerequisites.ok && !required)('a remote vantage and the DNS it is given', () => {
  let ns: NetnsHandle;
  let dns: DnsServer;
  let standin: NetnsProcess;
  let etc: string;

  /** POSTs a direct invoke to the stand-in; resolves with the answer and the wall time it took. */
  async function invoke(
    body: unknown,
    functionMs = 30_000,
  ): Promise<{ answer: Answer & ErrorAnswer; ms: number }> {
    const started = performance.now();
    const response = await fetch(
      `http://${ns.nsAddress4}:${STANDIN_PORT}/2015-03-31/functions/probe/invocations`,
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'x-test-remaining-ms': String(functionMs) },
        signal: AbortSignal.timeout(40_000),
      },
    );
    const answer = (await response.json()) as Answer & ErrorAnswer;
    return { answer, ms: performance.now() - started };
  }

  /** SYNs to port 25 that left the namespace, by the nftables counter. */
  async function synsTo25(): Promise<number> {
    const { stdout } = await ns.exec(['nft', 'list', 'counter', 'inet', 'watch', 'smtp']);
    return Number(/packets (\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  }

  beforeAll(async () => {
    if (!prerequisites.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${prerequisites.reason}`);
    ns = await createNetns({ name: 'dns' });
    dns = await startDnsServer(ns.hostAddress4, ZONE);
    etc = `/etc/netns/${ns.name}`;
    await mkdir(etc, { recursive: true });
    // glibc's defaults (timeout 5 s, 2 attempts) spelt out: what a function's resolver does.
    await writeFile(`${etc}/resolv.conf`, `nameserver ${ns.hostAddress4}\noptions timeout:5 attempts:2\n`);
    await ns.nft(`table inet watch {
      counter smtp {}
      chain output {
        type filter hook output priority 0; policy accept;
        tcp dport 25 tcp flags syn counter name smtp
      }
    }`);
    const env = { ...process.env };
    delete env.SMTP_PROBE_TEST_ALLOW_NON_GLOBAL;
    standin = spawnInNetns(
      ns,
      process.execPath,
      [
        ...TSX_IMPORT,
        new URL('./netns-lambda-standin.mjs', import.meta.url).pathname,
        ns.nsAddress4,
        String(STANDIN_PORT),
        lambdaEntry('source'),
      ],
      { ...env, AWS_REGION: 'eu-west-1' },
    );
    await standin.waitForLine(/standin listening/, 20_000);
  });
  afterAll(async () => {
    await standin?.kill();
    await dns?.close();
    await ns?.destroy();
    if (etc) await rm(etc, { recursive: true, force: true });
  });
  beforeEach(() => {
    dns.queries.length = 0;
  });

  it('MX exchanges that are address literals, numeric spellings, private names or CNAME chains to the metadata endpoint are all refused, with the reason, and none is connected', async () => {
    const { answer } = await invoke(request([{ host: 'hostile.test', mx: true }], { deadlineMs: 5_000 }));
    expect(answer.results).toEqual([]);
    const reasons = Object.fromEntries(answer.refused.map((r) => [r.host, r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [
        '[127.0.0.1]',
        '[::1]',
        '[IPv6:::1]',
        '[::ffff:169.254.169.254]',
        '2130706433',
        '0x7f000001',
        '0251.0376.0251.0376',
        'private.hostile.test',
        'chain.hostile.test',
        'v4compat.hostile.test',
      ].sort(),
    );
    expect(reasons['[127.0.0.1]']).toMatch(/127\.0\.0\.1 \(Loopback, RFC 1122/);
    expect(reasons['[::1]']).toMatch(/::1 \(Loopback Address, RFC 4291\)/);
    expect(reasons['[IPv6:::1]']).toMatch(/::1 \(Loopback Address, RFC 4291\)/);
    expect(reasons['[::ffff:169.254.169.254]']).toMatch(/IPv4-mapped Address/);
    expect(reasons['2130706433']).toMatch(/127\.0\.0\.1 \(Loopback/);
    expect(reasons['0x7f000001']).toMatch(/127\.0\.0\.1 \(Loopback/);
    expect(reasons['0251.0376.0251.0376']).toMatch(/169\.254\.169\.254 \(Link Local, RFC 3927\)/);
    expect(reasons['private.hostile.test']).toMatch(/10\.20\.30\.40 \(Private-Use, RFC 1918\)/);
    // The resolver followed both CNAMEs; the address at the end of the chain is the one checked.
    expect(reasons['chain.hostile.test']).toMatch(/169\.254\.169\.254 \(Link Local/);
    expect(reasons['v4compat.hostile.test']).toMatch(/::(7f00:1|127\.0\.0\.1) \(IPv4-compatible/);
    // Literal-looking exchanges are read as the literal: no DNS question is asked about them.
    expect(dns.queries.filter((q) => /\[|2130706433|0x7f|0251/.test(q))).toEqual([]);
    expect(await synsTo25()).toBe(0);
  });

  it('20 names whose DNS never answers: the answer still leaves within the deadline, each a dns_error, and a name that does answer is not starved', async () => {
    const deadlineMs = 3_000;
    const jobs = [
      ...Array.from({ length: 20 }, (_, i) => ({ host: `never${i}.test` })),
      { host: 'prompt.test' },
    ];
    const { answer, ms } = await invoke(request(jobs, { deadlineMs }));
    console.info(
      `20 never-answering names + 1 prompt one, deadline ${deadlineMs} ms: answered in ${Math.round(ms)} ms`,
    );
    expect(ms).toBeLessThan(deadlineMs + TRANSPORT_SLACK_MS);
    expect(answer.results.map((r) => r.result.status)).toEqual(Array(20).fill('dns_error'));
    // Vetted while 20 lookups hang: refused for its private address, not timed out behind them.
    expect(answer.refused.map((r) => [r.host, r.reason])).toEqual([
      ['prompt.test', expect.stringMatching(/192\.168\.7\.7 \(Private-Use/)],
    ]);
    expect(await synsTo25()).toBe(0);
  });

  it("the function's own time left bounds the answer when the request asks for longer", async () => {
    // Each mx job: an MX lookup that never answers, then the domain's own name, which never answers either.
    const functionMs = 4_000;
    const { answer, ms } = await invoke(
      request(
        Array.from({ length: 5 }, (_, i) => ({ host: `never${i}.test`, mx: true })),
        { deadlineMs: 60_000 },
      ),
      functionMs,
    );
    console.info(
      `5 never-answering mx domains, function time ${functionMs} ms: answered in ${Math.round(ms)} ms`,
    );
    expect(ms).toBeLessThan(functionMs - SAFETY_MARGIN_MS + TRANSPORT_SLACK_MS);
    expect(answer.results.map((r) => r.result.status)).toEqual(Array(5).fill('dns_error'));
  });

  it('names are checked in parallel: ten never-answering names take as long as one', async () => {
    const one = await invoke(request([{ host: 'never0.test' }], { deadlineMs: 20_000 }));
    const ten = await invoke(
      request(
        Array.from({ length: 10 }, (_, i) => ({ host: `never${i}.test` })),
        { deadlineMs: 20_000 },
      ),
    );
    console.info(`one never-answering name: ${Math.round(one.ms)} ms; ten: ${Math.round(ten.ms)} ms`);
    expect(one.answer.results.map((r) => r.result.status)).toEqual(['dns_error']);
    expect(ten.answer.results.map((r) => r.result.status)).toEqual(Array(10).fill('dns_error'));
    // A lookup that never answers gives up on its own (c-ares: 1.5 s, then 3 s), well before the deadline.
    expect(one.ms).toBeLessThan(6_000);
    expect(ten.ms).toBeLessThan(one.ms * 1.5 + TRANSPORT_SLACK_MS);
  });

  it.each([
    ['20,000 mx jobs (a 1 MB body)', 20_000, 413, 'PayloadTooLarge'],
    ['11 mx jobs, one over the cap', 11, 400, 'BadRequest'],
  ])('%s are refused at once, before a single DNS question', async (_what, count, _status, type) => {
    const { answer, ms } = await invoke(
      request(Array.from({ length: count }, (_, i) => ({ host: `d${i}.example.test`, mx: true }))),
    );
    expect(answer.error).toMatchObject({ type });
    // Measured at 10-410 ms (the 1.4 MB body is the cost); generous for a loaded machine.
    expect(ms).toBeLessThan(3_000);
    expect(dns.queries).toEqual([]);
  });

  it('51 distinct jobs are refused before a single DNS question', async () => {
    const { answer } = await invoke(
      request(Array.from({ length: 51 }, (_, i) => ({ host: `h${i}.example.test` }))),
    );
    expect(answer.error).toMatchObject({ type: 'BadRequest', field: 'jobs' });
    expect(answer.error.message).toMatch(/51 distinct jobs are more than the 50 allowed/);
    expect(dns.queries).toEqual([]);
  });
});
