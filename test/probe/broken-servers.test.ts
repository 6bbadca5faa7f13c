import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probe } from '../../src/probe/index.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { eventLoopLag } from '../helpers/lag.js';
import {
  type ConnectionScript,
  lineReader,
  type ServerHandle,
  smtpScript,
  startHttpServer,
  startRawServer,
  startTlsServer,
  starttlsScript,
} from '../helpers/raw-server.js';

const fast: ProbeOptions = { timeout: 3_000, connectTimeout: 500, greetingTimeout: 400, commandTimeout: 400 };
let pki: TestPki;
let handles: ServerHandle[] = [];

beforeAll(async () => {
  pki = await testPki();
});
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
});

async function raw(script: ConnectionScript): Promise<number> {
  const handle = await startRawServer(script);
  handles.push(handle);
  return handle.port;
}

const HELLO = '250-raw.test\n250-STARTTLS\n250 8BITMIME';

/** probe(), timed, with how late this process's timers ran meanwhile (a loaded machine's slack). */
async function timedProbe(...args: Parameters<typeof probe>) {
  const lag = eventLoopLag();
  const started = performance.now();
  const result = await probe(...args);
  const elapsed = performance.now() - started;
  return { result, elapsed, late: lag.stop() };
}

describe('servers that misbehave', () => {
  it('a server that accepts and says nothing gives no_greeting within the greeting timeout', async () => {
    const port = await raw(() => {});
    const { result, elapsed, late } = await timedProbe({ host: '127.0.0.1', port }, fast);
    expect(result.status).toBe('no_greeting');
    expect(result.stage).toBe('greeting');
    // The greeting wait, plus at most one short look at what is listening.
    expect(elapsed).toBeLessThan(400 + 400 + 100 + late);
    expect(result.hint).toMatch(/says nothing/);
  });

  it('a server that closes at once gives no_greeting, not reset', async () => {
    const port = await raw((socket) => socket.end());
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'no_greeting', errorCode: 'ECLOSED' });
  });

  it('a 554 greeting is rejected, not timeout, and the probe still says QUIT', async () => {
    let quitSeen = false;
    const port = await raw((socket) => {
      socket.write('554 5.7.1 no service for you\r\n');
      lineReader(socket, (line) => {
        if (line === 'QUIT') {
          quitSeen = true;
          socket.end('221 bye\r\n');
        }
      });
    });
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({
      status: 'rejected',
      stage: 'greeting',
      reply: { code: 554, enhanced: '5.7.1' },
    });
    expect(result.hint).toMatch(/blocklist/);
    expect(quitSeen).toBe(true);
  });

  it('a 421 greeting is temporary', async () => {
    const port = await raw(smtpScript({ greeting: '421 4.3.2 too busy, try later', closeAfter: ['QUIT'] }));
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'temporary', stage: 'greeting', reply: { code: 421 } });
  });

  it('temporary outcomes are retried with backoff when retries are asked for', async () => {
    let connections = 0;
    const port = await raw((socket, ctx) => {
      connections += 1;
      const greeting = connections === 1 ? '421 busy' : '220 ready';
      smtpScript({ greeting, replies: { EHLO: '250 raw.test', QUIT: '221 bye' }, closeAfter: ['QUIT'] })(
        socket,
        ctx,
      );
    });
    const result = await probe(
      { host: '127.0.0.1', port, mode: 'plain' },
      { ...fast, retries: 2, retryDelay: 50 },
    );
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.retries).toBe(1);
    expect(connections).toBe(2);
  });

  it('an HTTP server is not_smtp, with a hint that says so', async () => {
    const handle = await startHttpServer();
    handles.push(handle);
    const result = await probe({ host: '127.0.0.1', port: handle.port }, fast);
    expect(result.status).toBe('not_smtp');
    expect(result.hint).toMatch(/HTTP server/);
  });

  it('an SSH-style banner is not_smtp at once', async () => {
    const port = await raw((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n'));
    const { result, elapsed, late } = await timedProbe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'not_smtp', stage: 'greeting' });
    expect(result.hint).toMatch(/SSH/);
    // Not the greeting timeout (400 ms): the banner is recognised as it arrives.
    expect(elapsed).toBeLessThan(300 + late);
  });

  it('a TLS server on a STARTTLS port is not_smtp, with the hint to use implicit TLS', async () => {
    const handle = await startTlsServer(pki.valid, () => {});
    handles.push(handle);
    // A command timeout of 2 s gives the diagnosis its whole second: half of it for the handshake.
    const result = await probe({ host: '127.0.0.1', port: handle.port }, { ...fast, commandTimeout: 2_000 });
    expect(result.status).toBe('not_smtp');
    expect(result.hint).toMatch(/implicit TLS/);
  });

  it('plaintext SMTP on an implicit-TLS port is tls_failed, with the hint to use STARTTLS', async () => {
    const port = await raw(smtpScript({ greeting: '220 plain.test ESMTP' }));
    const result = await probe({ host: '127.0.0.1', port, mode: 'tls' }, fast);
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls' });
    expect(result.explanation).toMatch(/wrong version number|packet length too long/i);
    expect(result.hint).toMatch(/plaintext.*STARTTLS/);
  });

  it('a reset right after the greeting is reset', async () => {
    const port = await raw((socket) => {
      socket.write('220 hi\r\n');
      lineReader(socket, () => socket.resetAndDestroy());
    });
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'reset', stage: 'ehlo', errorCode: 'ECONNRESET' });
  });

  it('a reply line over the limit is a protocol error', async () => {
    const port = await raw((socket) => socket.write(`220 ${'x'.repeat(5000)}\r\n`));
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'protocol_error', errorCode: 'ELINETOOLONG' });
  });

  it('an endless multi-line reply stops at the line limit, well before any timeout', async () => {
    const port = await raw((socket, ctx) => {
      socket.write('220 hi\r\n');
      lineReader(socket, () => {
        ctx.setInterval(() => socket.write('250-more\r\n'.repeat(20)), 5);
      });
    });
    const { result, elapsed, late } = await timedProbe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'ehlo', errorCode: 'ETOOMANYLINES' });
    expect(elapsed).toBeLessThan(300 + late);
  });

  it('a greeting dribbled a byte at a time cannot stretch the stage past its deadline', async () => {
    const port = await raw((socket, ctx) => {
      const text = '220 a very slow server indeed\r\n';
      let i = 0;
      ctx.setInterval(() => {
        if (i < text.length) socket.write(text[i++] as string);
      }, 50);
    });
    const { result, elapsed, late } = await timedProbe({ host: '127.0.0.1', port }, fast);
    // A greeting that never ends is no greeting: the same status as silence, at the same deadline.
    expect(result).toMatchObject({
      status: 'no_greeting',
      stage: 'greeting',
      errorCode: 'EGREETINGINCOMPLETE',
    });
    expect(elapsed).toBeGreaterThanOrEqual(390);
    // The whole greeting would take 31 × 50 ms = 1.5 s.
    expect(elapsed).toBeLessThan(400 + 100 + late);
  });

  it('the whole-target deadline bounds a server that is slow at every stage', async () => {
    const port = await raw(
      smtpScript({ greeting: '220 slow', greetingDelayMs: 300, replies: { EHLO: null }, closeAfter: [] }),
    );
    const { result, elapsed, late } = await timedProbe(
      { host: '127.0.0.1', port },
      { timeout: 500, greetingTimeout: 10_000, commandTimeout: 10_000 },
    );
    expect(result).toMatchObject({ status: 'timeout', stage: 'ehlo' });
    expect(elapsed).toBeLessThan(500 + 100 + late);
  });

  it('STARTTLS answered 454 is starttls_failed, with the reply', async () => {
    const port = await raw(
      smtpScript({
        greeting: '220 raw.test',
        replies: {
          EHLO: HELLO,
          STARTTLS: '454 4.7.0 TLS not available due to local problem',
          QUIT: '221 bye',
        },
        closeAfter: ['QUIT'],
      }),
    );
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'starttls_failed', stage: 'starttls', reply: { code: 454 } });
  });

  it('data injected after the 220 to STARTTLS is discarded and reported (RFC 3207 §6)', async () => {
    const port = await raw(starttlsScript(pki.valid, '220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n'));
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, tls: { ca: pki.ca.cert } });
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.smtp.starttlsInjectedBytes).toBe('250-injected\r\n250 AUTH PLAIN\r\n'.length);
    expect(result.sessions[0]?.smtp.ehloAfterTls?.auth).toEqual(['PLAIN']);
  });

  it('EHLO refused with 500 falls back to HELO', async () => {
    const port = await raw(
      smtpScript({
        greeting: '220 old.test',
        replies: { EHLO: '500 5.5.1 what?', HELO: '250 old.test', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
    );
    const result = await probe({ host: '127.0.0.1', port, mode: 'plain' }, fast);
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.smtp).toMatchObject({
      heloFallback: true,
      ehlo: { domain: 'old.test', starttls: false },
    });
  });

  it('EHLO and HELO both refused is rejected at the ehlo stage', async () => {
    const port = await raw(
      smtpScript({
        greeting: '220 x',
        replies: { EHLO: '550 no', HELO: '550 no', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
    );
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'rejected', stage: 'ehlo', reply: { code: 550 } });
  });

  it('a reply sent before its command is a protocol error', async () => {
    const port = await raw((socket) => socket.write('220 hi\r\n250 premature\r\n'));
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'ehlo', errorCode: 'EUNSOLICITED' });
  });

  it('a TLS 1.2-only server fails a probe that demands TLS 1.3', async () => {
    const port = await raw(starttlsScript(pki.valid, '220 go ahead\r\n', { maxVersion: 'TLSv1.2' }));
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, tls: { minVersion: 'TLSv1.3' } });
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls' });
    const relaxed = await probe({ host: '127.0.0.1', port }, fast);
    expect(relaxed.sessions[0]?.tls?.protocol).toBe('TLSv1.2');
  });

  it('a refused sender is rejected at the envelope stage, with the reply', async () => {
    const port = await raw(
      smtpScript({
        greeting: '220 relay.test',
        replies: { EHLO: '250 relay.test', MAIL: '553 5.7.1 sender not allowed', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
    );
    const result = await probe(
      { host: '127.0.0.1', port, mode: 'plain' },
      { ...fast, envelope: { from: 'app@example.test' } },
    );
    expect(result).toMatchObject({ status: 'rejected', stage: 'envelope', reply: { code: 553 } });
    expect(result.explanation).toMatch(/refused the sender app@example.test: 553/);
  });
});
