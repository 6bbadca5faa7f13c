import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequest, CONTRACT_VERSION, type ProbeRequest } from '../../src/contract/index.js';
import type { DestinationPolicy } from '../../src/remote/destination-policy.js';
import { MAX_MX_HOSTS, serve } from '../../src/remote/serve.js';
import { eventLoopLag } from '../helpers/lag.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';

const PROFILE = {
  timeout: 3_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_000,
  commandTimeout: 1_000,
  retries: 0,
  tls: {},
};
const VANTAGE = { provider: 'local', runtime: `node ${process.version}` };

let server: ServerHandle;
beforeAll(async () => {
  server = await startRawServer(
    smtpScript({
      greeting: '220 relay.test',
      replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
      closeAfter: ['QUIT'],
    }),
  );
});
afterAll(async () => {
  await server.close();
});

function policy(extra: Partial<DestinationPolicy> = {}): DestinationPolicy {
  return {
    allowedPorts: new Set([25, 587, server.port]),
    maxTargets: 50,
    maxMxTargets: 10,
    maxAddresses: 8,
    allowNonGlobal: false,
    ...extra,
  };
}

function request(jobs: Array<{ host: string; port?: number; mx?: boolean }>): ProbeRequest {
  return {
    contract: CONTRACT_VERSION,
    profiles: [PROFILE],
    jobs: jobs.map(({ host, port = 25, mx }) => ({
      host,
      port,
      mode: 'plain',
      profile: 0,
      ...(mx ? { mx: true } : {}),
    })),
  };
}

/** DNS from a table (`lookup`, `resolveMx`); every question is recorded, a `hang` name never answers. */
function tableDns(table: Record<string, string[] | 'hang'>, mx: Record<string, string[]> = {}) {
  const asked: string[] = [];
  const lookup = (name: string, family: 4 | 6) => {
    asked.push(`${family === 4 ? 'A' : 'AAAA'} ${name}`);
    const answer = table[name];
    if (answer === 'hang') return new Promise<string[]>(() => {});
    const addresses = (answer ?? []).filter((a) => a.includes(':') === (family === 6));
    return answer
      ? Promise.resolve(addresses)
      : Promise.reject(Object.assign(new Error('nxdomain'), { code: 'ENOTFOUND' }));
  };
  const resolveMx = async (domain: string) => {
    asked.push(`MX ${domain}`);
    return (mx[domain] ?? []).map((exchange, priority) => ({ exchange, priority }));
  };
  return { asked, lookup, resolveMx };
}

describe('serve: one destination check for every name', () => {
  it('MX exchanges written as literals are read as the literal, never looked up, and refused with the reason', async () => {
    const { asked, ...dns } = tableDns(
      { 'private.example.test': ['10.9.8.7'] },
      {
        'hostile.example.test': [
          '[127.0.0.1]',
          '[IPv6:::1]',
          '2130706433',
          '0xa9.0xfe.0xa9.0xfe',
          'private.example.test',
          'not a name',
        ],
      },
    );
    const answer = await serve(request([{ host: 'hostile.example.test', mx: true }]), {
      policy: policy(),
      budgetMs: 5_000,
      vantage: VANTAGE,
      ...dns,
    });
    expect(answer.results).toEqual([]);
    expect(answer.refused.map((r) => [r.host, r.address, r.reason])).toEqual([
      [
        '[127.0.0.1]',
        '127.0.0.1',
        expect.stringMatching(/^\[127\.0\.0\.1\] resolves to 127\.0\.0\.1 \(Loopback/),
      ],
      ['[IPv6:::1]', '::1', expect.stringMatching(/::1 \(Loopback Address, RFC 4291\)/)],
      ['2130706433', '127.0.0.1', expect.stringMatching(/127\.0\.0\.1 \(Loopback/)],
      ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254', expect.stringMatching(/\(Link Local, RFC 3927\)/)],
      ['private.example.test', '10.9.8.7', expect.stringMatching(/\(Private-Use, RFC 1918\)/)],
      ['not a name', undefined, '"not a name" is not a host name or IP address'],
    ]);
    expect(asked.sort()).toEqual(
      ['MX hostile.example.test', 'A private.example.test', 'AAAA private.example.test'].sort(),
    );
  });

  it(`an mx job probes its ${MAX_MX_HOSTS} most preferred exchanges and refuses the rest, saying why`, async () => {
    const exchanges = Array.from({ length: 12 }, (_, i) => `mx${i}.example.test`);
    const { asked: _asked, ...dns } = tableDns(Object.fromEntries(exchanges.map((e) => [e, ['10.0.0.1']])), {
      'many.example.test': exchanges,
    });
    const answer = await serve(request([{ host: 'many.example.test', mx: true }]), {
      policy: policy(),
      budgetMs: 5_000,
      vantage: VANTAGE,
      ...dns,
    });
    expect(answer.refused.map((r) => r.host)).toEqual(exchanges);
    expect(answer.refused.slice(MAX_MX_HOSTS).map((r) => r.reason)).toEqual([
      `many.example.test has more than ${MAX_MX_HOSTS} MX hosts; only the ${MAX_MX_HOSTS} most preferred are probed`,
      `many.example.test has more than ${MAX_MX_HOSTS} MX hosts; only the ${MAX_MX_HOSTS} most preferred are probed`,
    ]);
  });

  it('a name whose DNS never answers delays nothing else: the literal job is probed at once, the answer leaves at the deadline', async () => {
    const { asked: _asked, ...dns } = tableDns({ 'hang.example.test': 'hang' });
    const lag = eventLoopLag();
    const started = performance.now();
    const answer = await serve(
      request([
        { host: 'hang.example.test', port: server.port },
        { host: '127.0.0.1', port: server.port },
      ]),
      { policy: policy({ allowNonGlobal: true }), budgetMs: 800, vantage: VANTAGE, ...dns },
    );
    const elapsed = performance.now() - started;
    const late = lag.stop();
    expect(elapsed).toBeGreaterThanOrEqual(790);
    expect(elapsed).toBeLessThan(1_000 + late);
    expect(answer.results.map((r) => [r.jobs, r.result.status, r.result.errorCode])).toEqual([
      [[0], 'dns_error', 'ETIMEOUT'],
      [[1], 'ok', undefined],
    ]);
    // The literal was not held back behind the hanging name: it finished long before the deadline
    // (however late this machine ran its timers meanwhile).
    expect(answer.results[1]?.result.durationMs).toBeLessThan(300 + late);
  });

  it('a name that does not resolve is a dns_error from the core and is never connected', async () => {
    const { asked: _asked, ...dns } = tableDns({});
    const answer = await serve(request([{ host: 'nowhere.example.test', port: server.port }]), {
      policy: policy({ allowNonGlobal: true }),
      budgetMs: 2_000,
      vantage: VANTAGE,
      ...dns,
    });
    expect(answer.results[0]?.result).toMatchObject({
      status: 'dns_error',
      errorCode: 'ENOTFOUND',
      sessions: [],
    });
  });

  it.each([
    ['51 distinct jobs', Array.from({ length: 51 }, (_, i) => ({ host: `h${i}.example.test` }))],
    ['11 mx jobs', Array.from({ length: 11 }, (_, i) => ({ host: `d${i}.example.test`, mx: true }))],
  ])('%s are refused before any lookup', async (_what, jobs) => {
    const { asked, ...dns } = tableDns({});
    const attempt = serve(request(jobs), { policy: policy(), budgetMs: 5_000, vantage: VANTAGE, ...dns });
    await expect(attempt).rejects.toBeInstanceOf(BadRequest);
    await expect(attempt).rejects.toThrow(/are more than the (50|10) allowed/);
    expect(asked).toEqual([]);
  });
});
