import { describe, expect, it } from 'vitest';
import { type ProbeAllOptions, type ProbeTarget, probeAll } from '../../src/probe/index.js';
import { testPki } from '../helpers/certs.js';
import { refusingPort } from '../helpers/ports.js';
import { smtpScript, startRawServer } from '../helpers/raw-server.js';
import { starttlsServer } from './hostile-kit.js';

const PROBES = 1_000;
const CONCURRENCY = 48;
const MAX_RSS_MB = 200;

/** Active handles by kind (TCPWRAP, Timeout, ...), as in test/probe/lifecycle.test.ts. */
function tally(): Record<string, number> {
  return process.getActiveResourcesInfo().reduce<Record<string, number>>((acc, kind) => {
    acc[kind] = (acc[kind] ?? 0) + 1;
    return acc;
  }, {});
}

function excessOver(baseline: Record<string, number>): string[] {
  return Object.entries(tally())
    .filter(([kind, n]) => n > (baseline[kind] ?? 0))
    .map(([kind, n]) => `${kind} +${n - (baseline[kind] ?? 0)}`);
}

describe('a thousand probes in one process', () => {
  it('leave no handle behind, reject nothing unhandled, and stay under 200 MB of RSS', async () => {
    const pki = await testPki();
    const plain = await startRawServer(
      smtpScript({
        greeting: '220 plain.test ESMTP',
        replies: { EHLO: '250-plain.test\n250 8BITMIME', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
    );
    const starttls = await startRawServer(starttlsServer(pki.valid));
    // Reads and discards, so that it notices when the probe hangs up.
    const silent = await startRawServer((socket) => socket.resume());
    const resetting = await startRawServer((socket) => socket.resetAndDestroy());
    const closed = await refusingPort('127.0.0.1');
    const servers = [plain, starttls, silent, resetting, closed];

    // Per 20 targets: 1 silent, 2 resetting, 2 refused, 6 STARTTLS, 9 plain.
    const targets: ProbeTarget[] = Array.from({ length: PROBES }, (_, i) => {
      const kind = i % 20;
      if (kind === 0) return { host: '127.0.0.1', port: silent.port };
      if (kind <= 2) return { host: '127.0.0.1', port: resetting.port };
      if (kind <= 4) return { host: '127.0.0.1', port: closed.port };
      if (kind <= 10) return { host: '127.0.0.1', port: starttls.port, mode: 'starttls' };
      return { host: '127.0.0.1', port: plain.port, mode: 'plain' };
    });
    const options: ProbeAllOptions = {
      timeout: 12_000,
      connectTimeout: 5_000,
      // The silent servers wait it out (plus a second of diagnosis); the others greet at once, but 48
      // sessions with TLS on both ends share two cores with the other test files, and perhaps with
      // other jobs: stage timeouts a loaded machine keeps, since what is measured is what is left over.
      greetingTimeout: 5_000,
      commandTimeout: 5_000,
      tls: { ca: pki.ca.cert },
      concurrency: CONCURRENCY,
    };

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    let peakRss = process.memoryUsage().rss;
    // Measured with the servers up, and checked before they close: a server closing would also close
    // any client socket the probes forgot.
    const baseline = tally();
    process.on('unhandledRejection', onUnhandled);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const started = performance.now();
    let results: Awaited<ReturnType<typeof probeAll>>;
    try {
      results = await probeAll(targets, options);
    } finally {
      clearInterval(sampler);
    }
    const elapsed = performance.now() - started;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    // A destroyed socket's handle closes on a later turn of the event loop: give them that, not more.
    const settled = performance.now() + 1_000;
    while (excessOver(baseline).length > 0 && performance.now() < settled) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const leftOver = excessOver(baseline);
    // Rejections are reported after a turn of the event loop, and this one has had many.
    process.off('unhandledRejection', onUnhandled);
    await Promise.all(servers.map((server) => server.close()));

    const counts = results.reduce<Record<string, number>>((acc, r) => {
      acc[r.status] = (acc[r.status] ?? 0) + 1;
      return acc;
    }, {});
    const peakMb = Math.round(peakRss / 1024 / 1024);
    console.log(
      `${PROBES} probes, concurrency ${CONCURRENCY}: ${Math.round(elapsed)} ms, peak RSS ${peakMb} MB, ` +
        `statuses ${JSON.stringify(counts)}`,
    );
    expect(leftOver).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(peakMb).toBeLessThan(MAX_RSS_MB);
    expect(counts).toMatchObject({ ok: 750, refused: 100, no_greeting: expect.any(Number) });
    expect((counts.no_greeting ?? 0) + (counts.reset ?? 0)).toBe(150);
    const overTls = results.filter((_, i) => i % 20 >= 5 && i % 20 <= 10);
    expect(overTls.every((r) => r.status === 'ok' && r.sessions[0]?.tls?.protocol === 'TLSv1.3')).toBe(true);
  }, 120_000);
});
