import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeOptions } from '../../src/probe/index.js';
import {
  type ConnectionScript,
  lineReader,
  type ServerHandle,
  startRawServer,
} from '../helpers/raw-server.js';
import { probeWithin } from './hostile-kit.js';

/*
 * Only 220 and 554 are greetings (RFC 5321 §4.3.2, §3.1; 521 too, RFC 7504), and 421 may come at any
 * time (§3.8). Anything else is decided at once; a greeting that never ends is decided at the greeting
 * deadline, as silence is. The greeting timeout is long here where "at once" is the claim, so that a
 * probe that waited for it could not pass.
 */
const slow: ProbeOptions = {
  timeout: 8_000,
  connectTimeout: 500,
  greetingTimeout: 5_000,
  commandTimeout: 5_000,
};
const GREETING = 600;
const short: ProbeOptions = {
  timeout: 3_000,
  connectTimeout: 500,
  greetingTimeout: GREETING,
  commandTimeout: 500,
};
/** "At once": far less than any timeout above, with room for a loaded machine. */
const AT_ONCE = 1_000;

let handles: ServerHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
});

/** A server that sends `greeting` and records every line it receives afterwards. */
async function greeter(greeting: string | Buffer): Promise<{ host: string; port: number; heard: string[] }> {
  const heard: string[] = [];
  const script: ConnectionScript = (socket) => {
    socket.write(greeting);
    lineReader(socket, (line) => {
      heard.push(line);
      if (line === 'QUIT') socket.end('221 bye\r\n');
    });
  };
  const handle = await startRawServer(script);
  handles.push(handle);
  return { host: '127.0.0.1', port: handle.port, heard };
}

describe('what a greeting may be', () => {
  it.each([
    ['250 hello, I skipped ahead', 250],
    ['354 start mail input', 354],
    ['500 syntax error', 500],
    ['450 4.7.1 not now', 450],
    ['250-one\r\n250 multi-line all the same', 250],
  ])('%j as greeting is protocol_error at once, and no command follows', async (text, code) => {
    const server = await greeter(`${text}\r\n`);
    const { result } = await probeWithin(AT_ONCE, server, slow);
    expect(result).toMatchObject({
      status: 'protocol_error',
      stage: 'greeting',
      errorCode: 'EBADGREETING',
      reply: { code },
    });
    expect(result.sessions[0]?.smtp.greeting?.code).toBe(code);
    expect(result.hint).toMatch(/not an SMTP greeting/);
    expect(server.heard).toEqual([]);
  });

  it.each([
    ['554 5.7.1 no service', 'rejected'],
    ['521 5.3.2 this host accepts no mail', 'rejected'],
    ['421 4.3.2 too busy', 'temporary'],
  ])('%j as greeting is %s at once, and the probe says QUIT', async (text, status) => {
    const server = await greeter(`${text}\r\n`);
    const { result } = await probeWithin(AT_ONCE, server, slow);
    expect(result).toMatchObject({ status, stage: 'greeting' });
    expect(server.heard).toEqual(['QUIT']);
  });

  it.each([
    ['an HTTP answer', 'HTTP/1.1 400 Bad Request\r\n\r\n'],
    ['prose', 'hello there, friend\r\n'],
    ['a reply code out of range', '600 what\r\n'],
    ['binary', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02])],
  ])('%s as greeting is not_smtp at once', async (_what, greeting) => {
    const server = await greeter(greeting);
    const { result } = await probeWithin(AT_ONCE, server, slow);
    expect(result).toMatchObject({ status: 'not_smtp', stage: 'greeting', errorCode: 'EBADLINE' });
    expect(server.heard).toEqual([]);
  });
});

describe('a greeting that never ends', () => {
  async function trickle(start: string, piece: string, everyMs: number) {
    const handle = await startRawServer((socket, ctx) => {
      socket.setNoDelay(true);
      socket.write(start);
      ctx.setInterval(() => socket.write(piece), everyMs);
    });
    handles.push(handle);
    return { host: '127.0.0.1', port: handle.port };
  }

  it('one byte every 20 ms, never a line end: no_greeting at the greeting deadline, not later', async () => {
    const target = await trickle('220 ', 'x', 20);
    const { result, elapsed } = await probeWithin(GREETING, target, short);
    expect(result).toMatchObject({
      status: 'no_greeting',
      stage: 'greeting',
      errorCode: 'EGREETINGINCOMPLETE',
    });
    expect(elapsed).toBeGreaterThanOrEqual(GREETING - 10);
    expect(result.hint).toMatch(/never finished/);
  });

  it('220- continuation lines every 50 ms, never a last line: no_greeting at the greeting deadline', async () => {
    const target = await trickle('', '220-still warming up\r\n', 50);
    const { result, elapsed } = await probeWithin(GREETING, target, short);
    expect(result).toMatchObject({
      status: 'no_greeting',
      stage: 'greeting',
      errorCode: 'EGREETINGINCOMPLETE',
    });
    expect(elapsed).toBeGreaterThanOrEqual(GREETING - 10);
  });
});

describe('421 to STARTTLS', () => {
  const replies =
    (starttls: string): ConnectionScript =>
    (socket) => {
      socket.write('220 busy.test ESMTP\r\n');
      lineReader(socket, (line) => {
        if (line.startsWith('EHLO')) socket.write('250-busy.test\r\n250 STARTTLS\r\n');
        if (line === 'STARTTLS') socket.end(`${starttls}\r\n`);
        if (line === 'QUIT') socket.end('221 bye\r\n');
      });
    };

  it('is temporary, not starttls_failed', async () => {
    const handle = await startRawServer(replies('421 4.3.2 shutting down'));
    handles.push(handle);
    const { result } = await probeWithin(AT_ONCE, { host: '127.0.0.1', port: handle.port }, slow);
    expect(result).toMatchObject({ status: 'temporary', stage: 'starttls', reply: { code: 421 } });
  });

  it('is retried under retries, and each attempt is a new connection', async () => {
    let connections = 0;
    const handle = await startRawServer((socket, ctx) => {
      connections += 1;
      replies('421 4.3.2 shutting down')(socket, ctx);
    });
    handles.push(handle);
    const { result } = await probeWithin(
      AT_ONCE,
      { host: '127.0.0.1', port: handle.port },
      { ...slow, retries: 2, retryDelay: 20 },
    );
    expect(result).toMatchObject({ status: 'temporary', stage: 'starttls' });
    expect(result.sessions[0]?.retries).toBe(2);
    expect(connections).toBe(3);
  });

  it('454 stays starttls_failed: the server cannot do TLS, it is not going away', async () => {
    const handle = await startRawServer(replies('454 4.7.0 TLS not available'));
    handles.push(handle);
    const { result } = await probeWithin(AT_ONCE, { host: '127.0.0.1', port: handle.port }, slow);
    expect(result).toMatchObject({ status: 'starttls_failed', stage: 'starttls', reply: { code: 454 } });
  });
});
