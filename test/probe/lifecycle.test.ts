import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OverallDeadline, type ProbeOptions, probe, probeAll } from '../../src/probe/index.js';
import { eventLoopLag } from '../helpers/lag.js';
import { nxdomainLookup, unreachableResolverLookup } from '../helpers/lookup.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';
import {
  type ConnectionScript,
  lineReader,
  type ServerHandle,
  smtpScript,
  startRawServer,
} from '../helpers/raw-server.js';

const fast: ProbeOptions = { timeout: 3_000, connectTimeout: 500, greetingTimeout: 500, commandTimeout: 500 };
const plainSmtp = smtpScript({
  greeting: '220 raw.test ESMTP',
  replies: { EHLO: '250-raw.test\n250 8BITMIME', QUIT: '221 bye' },
  closeAfter: ['QUIT'],
});

describe('DNS', () => {
  let closed: HeldPort;
  let closed6: HeldPort;
  beforeAll(async () => {
    closed = await refusingPort('127.0.0.1');
    closed6 = await refusingPort('::1');
  });
  afterAll(async () => {
    await Promise.all([closed.close(), closed6.close()]);
  });

  // Through the `lookup` hook: what the system resolver says about a missing name depends on the
  // machine (ENOTFOUND online, EAI_AGAIN offline), and asking it would send a query off loopback.
  it('a name that does not exist gives dns_error at the dns stage, with no session', async () => {
    const result = await probe(
      { host: 'no-such-host.invalid', port: 587 },
      { ...fast, lookup: nxdomainLookup },
    );
    expect(result).toMatchObject({ status: 'dns_error', stage: 'dns', errorCode: 'ENOTFOUND', sessions: [] });
    expect(result.dns.addresses).toEqual([]);
    expect(result.explanation).toBe('no-such-host.invalid did not resolve to any address (ENOTFOUND)');
  });

  it('a resolver that does not answer is dns_error too, naming its code', async () => {
    const result = await probe(
      { host: 'relay.test', port: 587 },
      { ...fast, lookup: unreachableResolverLookup },
    );
    expect(result).toMatchObject({ status: 'dns_error', stage: 'dns', errorCode: 'EAI_AGAIN', sessions: [] });
    expect(result.explanation).toBe('relay.test did not resolve to any address (EAI_AGAIN)');
  });

  it('an IP literal is probed without any lookup', async () => {
    const result = await probe({ host: '127.0.0.1', port: closed.port }, { ...fast, lookup: nxdomainLookup });
    expect(result.dns).toEqual({ addresses: [{ address: '127.0.0.1', family: 4 }], durationMs: 0 });
    expect(result.status).toBe('refused');
  });

  it('a bracketed IPv6 literal is accepted as the address', async () => {
    const result = await probe({ host: '[::1]', port: closed6.port }, { ...fast, lookup: nxdomainLookup });
    expect(result.target.host).toBe('::1');
    expect(result.dns.addresses).toEqual([{ address: '::1', family: 6 }]);
    expect(result.status).toBe('refused');
  });
});

describe('cancellation and deadlines', () => {
  let silent: ServerHandle;
  let smtp: ServerHandle;
  beforeAll(async () => {
    silent = await startRawServer(() => {});
    smtp = await startRawServer(plainSmtp);
  });
  afterAll(async () => {
    await Promise.all([silent.close(), smtp.close()]);
  });

  it('an AbortSignal ends a probe in the middle of a stage as aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const lag = eventLoopLag();
    const started = performance.now();
    const result = await probe(
      { host: '127.0.0.1', port: silent.port },
      { ...fast, greetingTimeout: 5_000, signal: controller.signal },
    );
    expect(result).toMatchObject({ status: 'aborted', stage: 'greeting' });
    expect(result.explanation).toMatch(/cancelled by its caller/);
    expect(performance.now() - started).toBeLessThan(100 + 100 + lag.stop());
  });

  it('an already aborted signal gives aborted without connecting', async () => {
    const result = await probe({ host: '127.0.0.1', port: smtp.port }, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'aborted', stage: 'dns', sessions: [] });
  });

  it('probeAll keeps input order and never runs more than its concurrency at once', async () => {
    let open = 0;
    let peak = 0;
    const counted: ConnectionScript = (socket, ctx) => {
      open += 1;
      peak = Math.max(peak, open);
      // Counted down when QUIT arrives, before the 221 the probe waits for: a count taken at 'close'
      // would lag behind the next connection.
      lineReader(socket, (line) => {
        if (line === 'QUIT') open -= 1;
      });
      // Hold each session a little so overlaps would show.
      ctx.setTimeout(() => plainSmtp(socket, ctx), 20);
    };
    const counting = [await startRawServer(counted), await startRawServer(counted)];
    try {
      const ports = counting.map((server) => server.port);
      const targets = Array.from({ length: 12 }, (_, i) => ({
        host: '127.0.0.1',
        port: ports[i % 2] as number,
        mode: 'plain' as const,
      }));
      const results = await probeAll(targets, { ...fast, concurrency: 3 });
      expect(results.map((r) => r.target.port)).toEqual(targets.map((t) => t.port));
      expect(results.every((r) => r.status === 'ok')).toBe(true);
      expect(peak).toBe(3);
    } finally {
      await Promise.all(counting.map((server) => server.close()));
    }
  });

  it('probeAll ends every unfinished probe as aborted at its overall deadline', async () => {
    const targets = [
      { host: '127.0.0.1', port: smtp.port, mode: 'plain' as const },
      ...Array.from({ length: 5 }, () => ({ host: '127.0.0.1', port: silent.port })),
    ];
    const lag = eventLoopLag();
    const started = performance.now();
    const results = await probeAll(targets, {
      ...fast,
      greetingTimeout: 5_000,
      concurrency: 2,
      overallTimeout: 300,
    });
    expect(performance.now() - started).toBeLessThan(300 + 100 + lag.stop());
    expect(results[0]?.status).toBe('ok');
    expect(results.slice(1).map((r) => r.status)).toEqual(Array(5).fill('aborted'));
    expect(results[1]?.explanation).toBe(new OverallDeadline(300).message);
  });

  it('probeAll rejects a bad target before probing anything, naming it', async () => {
    await expect(
      probeAll([
        { host: 'ok.test', port: 25 },
        { host: 'x', port: 0 },
      ]),
    ).rejects.toThrow('targets[1].port must be a whole number from 1 to 65535, got 0');
  });
});

describe('resources', () => {
  it('after hundreds of probes no socket or timer is left behind', async () => {
    const tally = () =>
      process.getActiveResourcesInfo().reduce<Record<string, number>>((acc, kind) => {
        acc[kind] = (acc[kind] ?? 0) + 1;
        return acc;
      }, {});
    const excess = () =>
      Object.entries(tally())
        .filter(([kind, n]) => n > (baseline[kind] ?? 0))
        .map(([kind, n]) => `${kind} +${n - (baseline[kind] ?? 0)}`);
    const good = await startRawServer(plainSmtp);
    // Reads and discards, so that it notices when the probe hangs up.
    const silent = await startRawServer((socket) => socket.resume());
    const resetting = await startRawServer((socket) => socket.resetAndDestroy());
    const closed = await refusingPort('127.0.0.1');
    // Measured with the servers up, and checked before they close: a server closing would also close
    // any client socket the probe forgot.
    const baseline = tally();
    const targets = Array.from({ length: 300 }, (_, i) => {
      const kind = i % 10;
      if (kind === 0) return { host: '127.0.0.1', port: silent.port };
      if (kind === 1) return { host: '127.0.0.1', port: resetting.port };
      if (kind === 2) return { host: '127.0.0.1', port: closed.port };
      return { host: '127.0.0.1', port: good.port, mode: 'plain' as const };
    });
    // Stage timeouts a loaded machine keeps: 32 sessions at once share two cores with other test files.
    const results = await probeAll(targets, {
      ...fast,
      greetingTimeout: 2_000,
      commandTimeout: 2_000,
      concurrency: 32,
    });
    const counts = results.reduce<Record<string, number>>((acc, r) => {
      acc[r.status] = (acc[r.status] ?? 0) + 1;
      return acc;
    }, {});
    expect(counts).toMatchObject({ ok: 210, refused: 30 });
    expect(counts.refused).toBe(30);
    expect((counts.no_greeting ?? 0) + (counts.reset ?? 0)).toBe(60);
    // A destroyed socket's handle closes on a later turn of the event loop: give them that, not more.
    const settled = performance.now() + 1_000;
    while (excess().length > 0 && performance.now() < settled) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(excess()).toEqual([]);
    await Promise.all([good.close(), silent.close(), resetting.close(), closed.close()]);
  });
});

describe('invalid arguments', () => {
  it.each([
    [{ host: '', port: 25 }, {}, 'target.host must be a non-empty string'],
    [
      { host: 'mail example', port: 25 },
      {},
      'target.host "mail example" is neither a host name nor an IP address',
    ],
    [{ host: 'mx.test', port: 70_000 }, {}, 'target.port must be a whole number from 1 to 65535, got 70000'],
    [
      { host: 'mx.test', port: 25, mode: 'ssl' },
      {},
      'target.mode must be one of starttls, tls, plain, got "ssl"',
    ],
    [
      { host: 'mx.test', port: 25 },
      { timeout: -1 },
      'options.timeout must be a positive number of milliseconds, got -1',
    ],
    [
      { host: 'mx.test', port: 25 },
      { helo: 'bad name!' },
      'options.helo must be a domain name or address literal',
    ],
    [{ host: 'mx.test', port: 25 }, { retries: 1.5 }, 'options.retries must be a whole number >= 0, got 1.5'],
    [
      { host: 'mx.test', port: 25 },
      { tls: { minVersion: 'SSLv3' } },
      'options.tls.minVersion must be one of',
    ],
  ])('%j with %j is refused, naming the value', async (target, options, message) => {
    const attempt = probe(target as never, options as never);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.not.toThrow('secret-canary');
  });
});

describe('addresses and transcripts', () => {
  let smtp: ServerHandle;
  beforeAll(async () => {
    smtp = await startRawServer(plainSmtp);
  });
  afterAll(async () => {
    await smtp.close();
  });

  // The system resolver cannot give one name two loopback addresses here, so these use the `lookup`
  // option, the same hook a caller uses to pin vetted addresses; the sockets are real.
  const twoAddresses = async (_host: string, family: 4 | 6) =>
    family === 4 ? ['127.0.0.1', '127.0.0.2'] : [];

  it('every address is probed by default, and one failing address fails the target, naming it', async () => {
    // 127.0.0.1 answers; the same port on 127.0.0.2 is held closed by this test.
    const closed = await refusingPort('127.0.0.2', smtp.port);
    const result = await probe(
      { host: 'relay.test', port: smtp.port, mode: 'plain' },
      { ...fast, lookup: twoAddresses },
    );
    await closed.close();
    expect(result.sessions.map((s) => [s.address, s.status])).toEqual([
      ['127.0.0.1', 'ok'],
      ['127.0.0.2', 'refused'],
    ]);
    expect(result.status).toBe('refused');
    expect(result.explanation).toMatch(/^127\.0\.0\.2: /);
  });

  it("'one-per-family' probes only the first address of each family", async () => {
    const result = await probe(
      { host: 'relay.test', port: smtp.port, mode: 'plain' },
      { ...fast, addresses: 'one-per-family', lookup: twoAddresses },
    );
    expect(result.dns.addresses).toHaveLength(2);
    expect(result.sessions.map((s) => s.address)).toEqual(['127.0.0.1']);
    expect(result.status).toBe('ok');
  });

  it('the transcript is capped, and says so', async () => {
    const result = await probe(
      { host: '127.0.0.1', port: smtp.port, mode: 'plain' },
      { ...fast, limits: { maxTranscriptBytes: 80 } },
    );
    const session = result.sessions[0];
    expect(session?.transcriptTruncated).toBe(true);
    expect(session?.transcript.at(-1)?.text).toBe('transcript truncated at 80 bytes');
    expect(result.status).toBe('ok');
  });

  it('probeAll stops every probe when its signal aborts', async () => {
    const silent = await startRawServer((socket) => socket.resume());
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const results = await probeAll(
        Array.from({ length: 4 }, () => ({ host: '127.0.0.1', port: silent.port })),
        { ...fast, greetingTimeout: 5_000, signal: controller.signal, concurrency: 2 },
      );
      expect(results.map((r) => r.status)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
    } finally {
      await silent.close();
    }
  });
});
