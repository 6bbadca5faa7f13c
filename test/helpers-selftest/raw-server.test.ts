import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testPki } from '../helpers/certs.js';
import { eventLoopLag, type LagMeter } from '../helpers/lag.js';
import {
  lineReader,
  type ServerHandle,
  smtpScript,
  startHttpServer,
  startRawServer,
  startTlsServer,
} from '../helpers/raw-server.js';
import { SmtpTalk } from './smtp-talk.js';

const servers: ServerHandle[] = [];
const sockets: net.Socket[] = [];

/** How late this process's timers ran since the test began: added to each upper bound on a time. */
let lag: LagMeter;
beforeEach(() => {
  lag = eventLoopLag();
});
afterEach(() => {
  lag.stop();
});
const late = () => lag.worst();

async function track(server: Promise<ServerHandle>): Promise<ServerHandle> {
  const s = await server;
  servers.push(s);
  return s;
}

interface Exchange {
  data: Buffer;
  ended: boolean;
  error: string | undefined;
  ms: number;
}

/** Plain TCP: connect, wait `delayMs`, send `payload`, collect everything until the socket closes. */
function exchange(server: ServerHandle, payload: string, delayMs = 100, limitMs = 1500): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(server.port, server.host);
    sockets.push(socket);
    const chunks: Buffer[] = [];
    let ended = false;
    let error: string | undefined;
    socket.on('connect', () => setTimeout(() => socket.write(payload), delayMs));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      ended = true;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code;
    });
    socket.setTimeout(limitMs, () => socket.destroy());
    socket.on('close', () =>
      resolve({ data: Buffer.concat(chunks), ended, error, ms: Date.now() - started }),
    );
  });
}

describe('raw-server', () => {
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('smtpScript + lineReader drive a scripted SMTP dialogue on 127.0.0.1 and ::1', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const script = smtpScript({
        greeting: '220 raw.test ESMTP',
        replies: { EHLO: (line) => `250-raw.test hello ${line.slice(5)}\n250 STARTTLS`, '*': '502 nope' },
        closeAfter: ['QUIT'],
      });
      const server = await track(startRawServer(script, host));
      const c = await SmtpTalk.connect(server.port, server.host);
      sockets.push(c.socket);
      expect(await c.read()).toEqual({ code: 220, lines: ['220 raw.test ESMTP'] });
      expect(await c.command('EHLO probe')).toEqual({
        code: 250,
        lines: ['250-raw.test hello probe', '250 STARTTLS'],
      });
      expect((await c.command('NOOP')).code).toBe(502);
    }
  });

  it('lineReader splits on LF, strips CR and handles split chunks', async () => {
    const lines: string[] = [];
    const server = await track(startRawServer((socket) => lineReader(socket, (l) => lines.push(l))));
    const socket = net.connect(server.port, server.host);
    sockets.push(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('EH');
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write('LO a\r\nNOOP\nQU');
    socket.write('IT\r\n');
    await expect.poll(() => lines, { timeout: 1000 }).toEqual(['EHLO a', 'NOOP', 'QUIT']);
  });

  it('close() destroys accepted sockets and clears script timers', async () => {
    let fired = false;
    const server = await track(
      startRawServer((socket, ctx) => {
        ctx.setTimeout(() => {
          fired = true;
        }, 80);
        ctx.setInterval(() => {
          fired = true;
        }, 30);
        socket.write('220 slow\r\n');
      }),
    );
    const result = exchange(server, '', 0, 2000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await server.close();
    const { data, ms } = await result;
    expect(Date.now() - started).toBeLessThan(100 + late());
    expect(data.toString()).toBe('220 slow\r\n');
    expect(ms).toBeLessThan(500 + late());
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(fired).toBe(false);
  });

  it('startTlsServer runs the script after the handshake', async () => {
    const pki = await testPki();
    const server = await track(startTlsServer(pki.valid, (socket) => socket.end('220 tls.test ESMTP\r\n')));
    const c = await SmtpTalk.connect(server.port, server.host, { ca: pki.ca.cert, servername: 'localhost' });
    sockets.push(c.socket);
    expect(await c.read()).toEqual({ code: 220, lines: ['220 tls.test ESMTP'] });
  });

  it('a TLS server answers a plain "EHLO" with nothing and closes (FIN)', async () => {
    const pki = await testPki();
    const server = await track(startTlsServer(pki.valid, () => {}));
    const result = await exchange(server, 'EHLO probe\r\n');
    expect(result.data.length).toBe(0);
    expect(result.ended).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.ms).toBeLessThan(500 + late());
  });

  it('startHttpServer answers GET with 200 hello and a plain "EHLO" with 400', async () => {
    const server = await track(startHttpServer());
    const get = await exchange(server, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n', 0);
    expect(get.data.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
    const ehlo = await exchange(server, 'EHLO probe\r\n');
    expect(ehlo.data.toString()).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    expect(ehlo.ended).toBe(true);
  });

  it('startHttpServer close() drops idle keep-alive connections', async () => {
    const server = await track(startHttpServer('::1'));
    const socket = net.connect(server.port, server.host);
    sockets.push(socket);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const started = Date.now();
    await server.close();
    await closed;
    expect(Date.now() - started).toBeLessThan(200 + late());
  });
});
