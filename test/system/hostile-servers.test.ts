import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeOptions } from '../../src/probe/index.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import {
  type ConnectionScript,
  lineReader,
  type ServerHandle,
  smtpScript,
  startRawServer,
} from '../helpers/raw-server.js';
import { flood, hangUp, probeWithin, starttlsServer } from './hostile-kit.js';

/*
 * Every test here checks two things: the status (and stage) a hostile server earns, and that probe()
 * settles within the deadline its stage timeouts allow. The timeouts are small so that a probe that
 * waited for a misbehaving server would be caught at once.
 */
const GREETING = 500;
const COMMAND = 500;
const TIMEOUT = 2_000;
const fast: ProbeOptions = {
  timeout: TIMEOUT,
  connectTimeout: 300,
  greetingTimeout: GREETING,
  commandTimeout: COMMAND,
};
/** After a failed greeting the probe spends at most this long learning what listens (silent-peer.ts). */
const DIAGNOSIS = Math.min(1_000, COMMAND);

let pki: TestPki;
let handles: ServerHandle[] = [];
let withCa: ProbeOptions;

beforeAll(async () => {
  pki = await testPki();
  withCa = { ...fast, tls: { ca: pki.ca.cert } };
});
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
});

async function serve(script: ConnectionScript): Promise<{ host: string; port: number }> {
  const handle = await startRawServer(script);
  handles.push(handle);
  return { host: '127.0.0.1', port: handle.port };
}

/** A plaintext server with EHLO and QUIT; without a greeting, for tests that send their own. */
const plainServer = (greeting?: string, replies: Record<string, string> = {}) =>
  smtpScript({
    ...(greeting !== undefined ? { greeting } : {}),
    replies: { EHLO: '250-hostile.test\n250 8BITMIME', QUIT: '221 bye', ...replies },
    closeAfter: ['QUIT'],
  });

describe('greetings that come late, in pieces or in odd shapes', () => {
  it('a greeting 200 ms late, inside the greeting timeout, is ok', async () => {
    const target = await serve(
      smtpScript({
        greeting: '220 slow.test ESMTP',
        greetingDelayMs: 200,
        replies: { EHLO: '250 slow.test', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
    );
    const { result } = await probeWithin(GREETING + 2 * COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    // The greeting line's time in the transcript, from the start of the session.
    const greeting = result.sessions[0]?.transcript.find((line) => line.text.startsWith('220 slow.test'));
    expect(greeting?.at).toBeGreaterThanOrEqual(195);
  });

  it('a greeting later than the greeting timeout is no_greeting: nothing at all had arrived', async () => {
    // Not `timeout`: that is for a greeting that started and did not finish. A port that stays silent
    // for the whole greeting timeout is reported as what it is, after one short look at it.
    const target = await serve(
      smtpScript({ greeting: '220 too.late', greetingDelayMs: 1_500, replies: {}, closeAfter: [] }),
    );
    const { result } = await probeWithin(GREETING + DIAGNOSIS, target, fast);
    expect(result).toMatchObject({ status: 'no_greeting', stage: 'greeting', errorCode: 'ENOGREETING' });
  });

  it('a multi-line greeting whose last line comes too late is no_greeting EGREETINGINCOMPLETE', async () => {
    const target = await serve((socket, ctx) => {
      socket.write('220-late.test starting\r\n');
      ctx.setTimeout(() => socket.write('220 late.test ready\r\n'), 1_000);
    });
    const { result } = await probeWithin(GREETING, target, fast);
    expect(result).toMatchObject({
      status: 'no_greeting',
      stage: 'greeting',
      errorCode: 'EGREETINGINCOMPLETE',
    });
  });

  it('a greeting split across many packets is ok and read whole', async () => {
    const greeting = '220-split.test ESMTP\r\n220-sent three bytes at a time\r\n220 ready\r\n';
    const target = await serve((socket, ctx) => {
      socket.setNoDelay(true);
      let at = 0;
      const timer = ctx.setInterval(() => {
        socket.write(greeting.slice(at, at + 3));
        at += 3;
        if (at >= greeting.length) {
          ctx.clearTimer(timer);
          plainServer()(socket, ctx);
        }
      }, 2);
    });
    const { result } = await probeWithin(GREETING + 2 * COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.smtp.greeting).toEqual({
      code: 220,
      text: 'split.test ESMTP\nsent three bytes at a time\nready',
    });
  });

  it('bare LF line endings throughout are ok', async () => {
    const target = await serve((socket) => {
      socket.write('220 lf.test ESMTP\n');
      lineReader(socket, (line) => {
        if (line.startsWith('EHLO')) socket.write('250-lf.test\n250-SIZE 1000\n250 8BITMIME\n');
        if (line === 'QUIT') socket.end('221 bye\n');
      });
    });
    const { result } = await probeWithin(GREETING + 2 * COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.smtp.ehlo).toMatchObject({
      domain: 'lf.test',
      size: 1000,
      eightBitMime: true,
    });
  });

  it('8-bit and invalid UTF-8 in a greeting are ok, the text kept with U+FFFD for the bad bytes', async () => {
    const greeting = Buffer.concat([
      Buffer.from('220 café ', 'utf8'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20]), // 'caf' + Latin-1 é: not UTF-8
      Buffer.from([0xc3, 0x28, 0x20, 0xff, 0xfe]), // a broken sequence and two bytes UTF-8 never uses
      Buffer.from('\r\n'),
    ]);
    const target = await serve((socket, ctx) => {
      socket.write(greeting);
      plainServer()(socket, ctx);
    });
    const { result } = await probeWithin(GREETING + 2 * COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result.status).toBe('ok');
    const text = 'café caf\uFFFD \uFFFD( \uFFFD\uFFFD';
    expect(result.sessions[0]?.smtp.greeting?.text).toBe(text);
    expect(result.sessions[0]?.transcript.map((l) => l.text)).toContain(`220 ${text}`);
  });

  it('a NUL and terminal escape codes in a greeting never reach the transcript', async () => {
    const target = await serve((socket, ctx) => {
      // Clear screen, set the window title, ring the bell, CSI as a C1 control, and a NUL.
      socket.write('220 evil\0.test \x1b[2J\x1b]0;owned\x07 \u009b31m red\r\n');
      plainServer()(socket, ctx);
    });
    const { result } = await probeWithin(GREETING + 2 * COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result.status).toBe('ok');
    const texts = result.sessions[0]?.transcript.map((l) => l.text) ?? [];
    expect(texts).toContain('220 evil\uFFFD.test \uFFFD[2J\uFFFD]0;owned\uFFFD \uFFFD31m red');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    expect(texts.filter((t) => /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(t))).toEqual([]);
  });

  it('bytes that are not text at all, as a greeting, are not_smtp at once', async () => {
    const target = await serve((socket) => {
      socket.write(Buffer.from([0x00, 0x01, 0x02, 0xff, 0x80, 0x0a, 0x0d, 0x00]));
    });
    const { result } = await probeWithin(GREETING, target, fast);
    expect(result).toMatchObject({ status: 'not_smtp', stage: 'greeting', errorCode: 'EBADLINE' });
  });
});

describe('replies too big, too long or never ending', () => {
  it('a 10 MB EHLO reply is protocol_error at the reply limit, long before 10 MB have been sent', async () => {
    let sent: Promise<number> | undefined;
    // Lines of 1,002 bytes, 64 to a write: 65 lines pass the 64 KiB reply limit.
    const lines = Buffer.from(`250-${'x'.repeat(996)}\r\n`.repeat(64));
    const target = await serve((socket) => {
      socket.write('220 big.test\r\n');
      lineReader(socket, () => {
        sent ??= flood(socket, 10 * 1024 * 1024, lines);
      });
    });
    const { result } = await probeWithin(GREETING + COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'ehlo', errorCode: 'EREPLYTOOLARGE' });
    // The probe hung up after its limit; what the server managed to push is what the kernel buffers took.
    expect(await sent).toBeLessThan(10 * 1024 * 1024);
  });

  it('a reply line exactly at the line limit is accepted, and one byte more is not', async () => {
    const limits = { maxLineLength: 600 };
    const exact = await serve(plainServer(`220 ${'x'.repeat(596)}`));
    const over = await serve(plainServer(`220 ${'x'.repeat(597)}`));
    const fine = await probeWithin(GREETING + 2 * COMMAND, { ...exact, mode: 'plain' }, { ...fast, limits });
    const tooLong = await probeWithin(GREETING, { ...over, mode: 'plain' }, { ...fast, limits });
    expect(fine.result.status).toBe('ok');
    expect(tooLong.result).toMatchObject({
      status: 'protocol_error',
      stage: 'greeting',
      errorCode: 'ELINETOOLONG',
    });
  });

  it('a greeting of 100,000 short lines is ETOOMANYLINES, read no further than the line limit', async () => {
    const target = await serve((socket) => {
      socket.write('220-x\r\n'.repeat(100_000));
    });
    const { result } = await probeWithin(GREETING, target, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'greeting', errorCode: 'ETOOMANYLINES' });
  });

  it('continuation lines forever, as fast as the server can, stop at the line limit', async () => {
    const target = await serve((socket, ctx) => {
      socket.write('220 chatty.test\r\n');
      lineReader(socket, () => {
        ctx.setInterval(() => socket.write('250-and another thing\r\n'.repeat(50)), 1);
      });
    });
    const { result } = await probeWithin(GREETING + COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'ehlo', errorCode: 'ETOOMANYLINES' });
  });

  it('continuation lines forever, one every 30 ms, cannot stretch the command timeout', async () => {
    const target = await serve((socket, ctx) => {
      socket.write('220 slow.test\r\n');
      lineReader(socket, () => {
        ctx.setInterval(() => socket.write('250-still going\r\n'), 30);
      });
    });
    const { result } = await probeWithin(GREETING + COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'timeout', stage: 'ehlo', errorCode: 'ETIMEOUT' });
  });
});

describe('replies that break the protocol', () => {
  it('354 to EHLO is protocol_error EBADREPLY', async () => {
    const target = await serve(plainServer('220 odd.test', { EHLO: '354 go ahead' }));
    const { result } = await probeWithin(GREETING + 2 * COMMAND, target, fast);
    expect(result).toMatchObject({
      status: 'protocol_error',
      stage: 'ehlo',
      errorCode: 'EBADREPLY',
      reply: { code: 354 },
    });
  });

  it('a multi-line EHLO reply that changes its code is protocol_error EMIXEDCODES', async () => {
    const target = await serve(plainServer('220 odd.test', { EHLO: '250-odd.test\n251 STARTTLS' }));
    const { result } = await probeWithin(GREETING + COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'ehlo', errorCode: 'EMIXEDCODES' });
  });

  it('a reply sent ahead of STARTTLS, glued to the EHLO reply, is protocol_error EUNSOLICITED', async () => {
    // The answer to a command not yet sent: an attacker pre-answering STARTTLS, or a broken pipeline.
    const target = await serve(
      plainServer('220 eager.test', { EHLO: '250-eager.test\n250 STARTTLS\n220 2.0.0 go ahead' }),
    );
    const { result } = await probeWithin(GREETING + COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'starttls', errorCode: 'EUNSOLICITED' });
  });

  it('EHLO refused with 502 but HELO accepted is ok, with the HELO fallback noted', async () => {
    const target = await serve(
      plainServer('220 old.test', { EHLO: '502 5.5.2 command not recognized', HELO: '250 old.test' }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, { ...target, mode: 'plain' }, fast);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(result.sessions[0]?.smtp).toMatchObject({ heloFallback: true, ehlo: { domain: 'old.test' } });
  });

  it('EHLO refused but HELO accepted on a STARTTLS port is starttls_unavailable: HELO offers nothing', async () => {
    const target = await serve(
      plainServer('220 old.test', { EHLO: '500 5.5.1 unknown', HELO: '250 old.test' }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'starttls_unavailable', stage: 'starttls' });
  });

  it('AUTH answered with challenges forever is protocol_error, not a loop', async () => {
    const target = await serve(starttlsServer(pki.valid, { secure: { AUTH: '334 ', '*': '334 ' } }));
    const { result } = await probeWithin(TIMEOUT, target, {
      ...withCa,
      auth: { username: 'user', password: 'secret' },
    });
    expect(result).toMatchObject({ status: 'protocol_error', stage: 'auth', reply: { code: 334 } });
  });

  it('a 421 in the middle of the session, to EHLO after TLS, is temporary', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        secure: {
          EHLO: (socket) => {
            socket.end('421 4.3.2 System shutting down\r\n');
          },
        },
      }),
    );
    const { result } = await probeWithin(TIMEOUT, target, withCa);
    expect(result).toMatchObject({ status: 'temporary', stage: 'ehlo_tls', reply: { code: 421 } });
  });
});

describe('TLS that is hostile or obsolete', () => {
  it('AUTH offered only after STARTTLS: credentials go after TLS and are accepted; none offered before', async () => {
    const payloads: string[] = [];
    const target = await serve(
      starttlsServer(pki.valid, {
        plain: { AUTH: '538 5.7.11 Encryption required' },
        secure: {
          EHLO: '250-hostile.test\n250 AUTH LOGIN PLAIN',
          AUTH: (socket, line) => {
            payloads.push(Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8'));
            socket.write('235 2.7.0 Authentication successful\r\n');
          },
        },
      }),
    );
    const { result } = await probeWithin(TIMEOUT, target, {
      ...withCa,
      auth: { username: 'app', password: 'p4ss' },
    });
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    const session = result.sessions[0];
    expect(session?.smtp.ehlo?.auth).toEqual([]);
    expect(session?.smtp.ehloAfterTls?.auth).toEqual(['LOGIN', 'PLAIN']);
    expect(session?.auth).toMatchObject({ mechanism: 'PLAIN', outcome: 'accepted' });
    expect(payloads).toEqual(['\0app\0p4ss']);
  });

  it('STARTTLS answered 220 and then a hang-up is tls_failed: the handshake is what failed', async () => {
    // The server agreed; the ClientHello then meets the end of the stream, as it would if the server
    // had hung up on reading it. A hang-up instead of any reply to STARTTLS is starttls_failed (below).
    const target = await serve(
      starttlsServer(pki.valid, {
        starttls: (socket) => {
          socket.end('220 2.0.0 go ahead\r\n');
        },
      }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, withCa);
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls', errorCode: 'ECONNRESET' });
  });

  it('STARTTLS answered 220 and then plaintext instead of a handshake is tls_failed', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        starttls: (socket) => {
          socket.write('220 2.0.0 go ahead\r\n');
          socket.once('data', () => socket.write('250 this is not TLS\r\n'));
        },
      }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, withCa);
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls' });
    expect(result.explanation).toMatch(/wrong version number|packet length too long/i);
  });

  it('a handshake the server never answers cannot hold the probe past the command timeout', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        starttls: (socket) => {
          socket.write('220 2.0.0 go ahead\r\n');
          socket.resume();
        },
      }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, withCa);
    expect(result).toMatchObject({ status: 'timeout', stage: 'tls', errorCode: 'ETLSTIMEOUT' });
  });

  it('a reset during the TLS handshake is tls_failed ECONNRESET', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        starttls: (socket) => {
          socket.write('220 2.0.0 go ahead\r\n');
          // The ClientHello arrives: reset instead of answering it.
          socket.once('data', () => socket.resetAndDestroy());
        },
      }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, withCa);
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls', errorCode: 'ECONNRESET' });
  });

  it('a TLS 1.0-only server is tls_failed, with the hint that it offers only obsolete versions', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, withCa);
    expect(result).toMatchObject({
      status: 'tls_failed',
      stage: 'tls',
      errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(result.hint).toMatch(/TLS 1\.0\/1\.1, which is obsolete/);
  });

  it('the same TLS 1.0-only server is reached, and reported as TLSv1, when the probe is told to accept it', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      }),
    );
    const { result } = await probeWithin(TIMEOUT, target, {
      ...withCa,
      tls: { ...withCa.tls, minVersion: 'TLSv1' },
    });
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(result.sessions[0]?.tls).toMatchObject({ protocol: 'TLSv1', trusted: true });
  });

  it('a TLS 1.0-only server on an implicit-TLS port is tls_failed with the version hint', async () => {
    const server = tls.createServer({
      key: pki.valid.key,
      cert: pki.valid.cert,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    server.on('tlsClientError', () => {});
    server.on('secureConnection', (socket) => socket.end('220 old.test\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    handles.push({
      host: '127.0.0.1',
      port: 0,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    });
    const port = (server.address() as { port: number }).port;
    const { result } = await probeWithin(COMMAND, { host: '127.0.0.1', port, mode: 'tls' }, withCa);
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls' });
    expect(result.hint).toMatch(/obsolete/);
  });
});

describe('a server that hangs up at each stage', () => {
  it('in the middle of its greeting: reset at the greeting', async () => {
    const target = await serve((socket) => {
      socket.end('220-half.test and then noth');
    });
    const { result } = await probeWithin(GREETING, target, fast);
    expect(result).toMatchObject({ status: 'reset', stage: 'greeting', errorCode: 'ECLOSED' });
  });

  it('before its greeting, with a reset: reset at the greeting', async () => {
    // 20 ms in, so that the probe surely saw the connection up: a reset before that is reported at connect.
    const target = await serve((socket, ctx) => {
      ctx.setTimeout(() => socket.resetAndDestroy(), 20);
    });
    const { result } = await probeWithin(GREETING, target, fast);
    expect(result).toMatchObject({ status: 'reset', stage: 'greeting', errorCode: 'ECONNRESET' });
  });

  it('after EHLO, without a reply: reset at ehlo', async () => {
    const target = await serve(starttlsServer(pki.valid, { plain: { EHLO: hangUp } }));
    const { result } = await probeWithin(GREETING + COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'reset', stage: 'ehlo', errorCode: 'ECLOSED' });
  });

  it('after STARTTLS, without a reply: starttls_failed', async () => {
    const target = await serve(starttlsServer(pki.valid, { starttls: (socket) => socket.end() }));
    const { result } = await probeWithin(GREETING + 2 * COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'starttls_failed', stage: 'starttls', errorCode: 'ECLOSED' });
  });

  it('during the TLS handshake: tls_failed', async () => {
    const target = await serve(
      starttlsServer(pki.valid, {
        starttls: (socket) => {
          socket.write('220 2.0.0 go ahead\r\n');
          socket.once('data', () => socket.end());
        },
      }),
    );
    const { result } = await probeWithin(GREETING + 3 * COMMAND, target, withCa);
    expect(result).toMatchObject({ status: 'tls_failed', stage: 'tls', errorCode: 'ECONNRESET' });
  });

  it('after EHLO over TLS, without a reply: reset at ehlo_tls', async () => {
    const target = await serve(starttlsServer(pki.valid, { secure: { EHLO: hangUp } }));
    const { result } = await probeWithin(GREETING + 4 * COMMAND, target, withCa);
    expect(result).toMatchObject({ status: 'reset', stage: 'ehlo_tls', errorCode: 'ECLOSED' });
  });

  it('during AUTH, without a reply: reset at auth', async () => {
    const target = await serve(starttlsServer(pki.valid, { secure: { AUTH: hangUp } }));
    const { result } = await probeWithin(TIMEOUT, target, {
      ...withCa,
      auth: { username: 'user', password: 'secret' },
    });
    expect(result).toMatchObject({ status: 'reset', stage: 'auth', errorCode: 'ECLOSED' });
  });

  it('on QUIT, without a 221: still ok, the unanswered QUIT noted', async () => {
    const target = await serve(starttlsServer(pki.valid, { secure: { QUIT: hangUp } }));
    const { result } = await probeWithin(TIMEOUT, target, withCa);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(result.sessions[0]?.transcript.at(-1)?.text).toMatch(/^QUIT not answered/);
  });
});

describe('a server that never reads', () => {
  it('takes the greeting and EHLO, never answers: timeout at ehlo, on time', async () => {
    const target = await serve((socket) => {
      socket.pause();
      socket.write('220 deaf.test ESMTP\r\n');
    });
    const { result } = await probeWithin(GREETING + COMMAND, target, fast);
    expect(result).toMatchObject({ status: 'timeout', stage: 'ehlo', errorCode: 'ETIMEOUT' });
  });
});

describe('the look at a silent port, inside the target deadline', () => {
  it('accepts and never greets, timeout 3 s: no_greeting within 3 s (+ slack), measured around probe()', async () => {
    const target = await serve((socket) => {
      socket.resume();
    });
    const { result, elapsed } = await probeWithin(3_000, target, { timeout: 3_000 });
    expect(result).toMatchObject({ status: 'no_greeting', stage: 'greeting', errorCode: 'ENOGREETING' });
    expect(elapsed).toBeGreaterThanOrEqual(2_990);
  });

  it('a look that would outlast the deadline is cut at it', async () => {
    // The greeting wait ends at 1 s; the look may take 1 s more (half for EHLO, half for a TLS
    // handshake), but the target's deadline comes first, at 1.2 s.
    const target = await serve((socket) => {
      socket.resume();
    });
    const { result, elapsed } = await probeWithin(1_200, target, {
      timeout: 1_200,
      greetingTimeout: 1_000,
      commandTimeout: 5_000,
      helo: 'probe.test',
    });
    expect(result).toMatchObject({ status: 'no_greeting', stage: 'greeting' });
    expect(elapsed).toBeGreaterThanOrEqual(1_190);
    const texts = result.sessions[0]?.transcript.map((l) => l.text) ?? [];
    expect(texts).toContain('EHLO probe.test');
    // No time was left for the handshake on a new connection, so it was not tried.
    expect(texts.filter((t) => t.includes('TLS handshake'))).toEqual([]);
  });
});
