import type net from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestPki, testPki } from '../helpers/certs.js';
import { eventLoopLag, type LagMeter } from '../helpers/lag.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';
import { SmtpTalk } from './smtp-talk.js';

let pki: TestPki;
const open: Array<SmtpFixture | SmtpTalk> = [];

async function fixture(...args: Parameters<typeof startSmtpServer>): Promise<SmtpFixture> {
  const f = await startSmtpServer(...args);
  open.push(f);
  return f;
}

async function talk(...args: Parameters<typeof SmtpTalk.connect>): Promise<SmtpTalk> {
  const t = await SmtpTalk.connect(...args);
  open.push(t);
  return t;
}

const closed = (socket: net.Socket) =>
  new Promise<void>((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });

const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');

/** How late this process's timers ran since the test began: added to each upper bound on a time. */
let lag: LagMeter;
beforeEach(() => {
  lag = eventLoopLag();
});
afterEach(() => {
  lag.stop();
});
const late = () => lag.worst();

describe('smtp-fixture', () => {
  beforeAll(async () => {
    pki = await testPki();
  });
  afterEach(async () => {
    for (const item of open.splice(0)) await item.close();
  });

  it('plain + STARTTLS, no AUTH, banner and SIZE', async () => {
    const f = await fixture({ banner: 'fixture ready', size: 1024 });
    const c = await talk(f.port, f.host);
    const greeting = await c.read();
    expect(greeting.code).toBe(220);
    expect(greeting.lines[0]).toContain('fixture ready');
    const ehlo = await c.command('EHLO probe');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toContain('250-STARTTLS');
    expect(ehlo.lines.some((l) => /SIZE 1024$/.test(l))).toBe(true);
    expect(ehlo.lines.some((l) => l.includes('AUTH'))).toBe(false);
    expect((await c.command('STARTTLS')).code).toBe(220);
    const secure = await c.startTls({ ca: pki.ca.cert, servername: 'localhost' });
    expect(secure.authorized).toBe(true);
    const ehlo2 = await c.command('EHLO probe');
    expect(ehlo2.code).toBe(250);
    expect(ehlo2.lines.some((l) => l.includes('STARTTLS') || l.includes('AUTH'))).toBe(false);
  });

  it('AUTH without TLS when allowed: 535 for wrong, 235 for right credentials', async () => {
    const f = await fixture({
      starttls: false,
      auth: { username: 'u', password: 'p' },
      allowInsecureAuth: true,
    });
    const c = await talk(f.port, f.host);
    expect((await c.read()).code).toBe(220);
    const ehlo = await c.command('EHLO probe');
    expect(ehlo.lines.some((l) => /^250[ -]AUTH PLAIN LOGIN$/.test(l))).toBe(true);
    expect(ehlo.lines.some((l) => l.includes('STARTTLS'))).toBe(false);
    expect((await c.command(`AUTH PLAIN ${plain('u', 'wrong')}`)).code).toBe(535);
    expect((await c.command(`AUTH PLAIN ${plain('u', 'p')}`)).code).toBe(235);
    expect(f.authAttempts).toEqual([
      { method: 'PLAIN', username: 'u', ok: false },
      { method: 'PLAIN', username: 'u', ok: true },
    ]);
  });

  it('implicit TLS on ::1 with a chosen certificate and AUTH LOGIN', async () => {
    const f = await fixture({
      host: '::1',
      secure: true,
      tls: pki.expiringSoon,
      auth: { username: 'a', password: 'b' },
    });
    const c = await talk(f.port, f.host, { ca: pki.ca.cert, servername: 'localhost' });
    expect((await c.read()).code).toBe(220);
    const ehlo = await c.command('EHLO probe');
    expect(ehlo.lines.some((l) => /^250[ -]AUTH PLAIN LOGIN$/.test(l))).toBe(true);
    expect((await c.command('AUTH LOGIN')).code).toBe(334);
    expect((await c.command(Buffer.from('a').toString('base64'))).code).toBe(334);
    expect((await c.command(Buffer.from('b').toString('base64'))).code).toBe(235);
  });

  it('never accepts DATA', async () => {
    const f = await fixture({ starttls: false });
    const c = await talk(f.port, f.host);
    await c.read();
    await c.command('EHLO probe');
    expect((await c.command('MAIL FROM:<a@example.test>')).code).toBe(250);
    expect((await c.command('RCPT TO:<b@example.test>')).code).toBe(250);
    expect((await c.command('DATA')).code).toBe(354);
    expect((await c.command('Subject: x\r\n\r\nbody\r\n.')).code).toBe(554);
  });

  it('close() is fast with idle, mid-STARTTLS and mid-handshake connections', async () => {
    const f = await fixture({}); // closed again (idempotent) in afterEach
    const idle = await talk(f.port, f.host);
    await idle.read();
    const upgrading = await talk(f.port, f.host);
    await upgrading.read();
    await upgrading.command('EHLO probe');
    expect((await upgrading.command('STARTTLS')).code).toBe(220); // client never sends ClientHello
    const s = await fixture({ secure: true });
    const stalled = await talk(s.port, s.host); // plain TCP to implicit TLS: handshake pending
    const clientsClosed = Promise.all([idle, upgrading, stalled].map((c) => closed(c.socket)));
    const started = Date.now();
    await Promise.all([f.close(), s.close()]);
    expect(Date.now() - started).toBeLessThan(300 + late());
    await f.close(); // idempotent
    await clientsClosed;
    expect(Date.now() - started).toBeLessThan(500 + late());
  });

  it('survives a client that resets right after connecting to implicit TLS', async () => {
    // Regression guard for the smtp-server/Node 20 segfault described in smtp-fixture.ts.
    const f = await fixture({ secure: true });
    for (let i = 0; i < 5; i++) {
      const c = await SmtpTalk.connect(f.port, f.host);
      c.socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const c = await talk(f.port, f.host, { ca: pki.ca.cert, servername: 'localhost' });
    expect((await c.read()).code).toBe(220);
  });
});
