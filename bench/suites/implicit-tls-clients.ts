/**
 * Plain node:tls clients for the implicit-TLS benchmark (not the probe core): one SMTP session each,
 * timed from TCP connect through the TLS handshake to the first greeting byte, then EHLO and QUIT to
 * prove the session is still usable. Nothing is sent before the greeting but what the variant's hook
 * sends at the TLS or TCP level.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

export interface Endpoint {
  host: string;
  port: number;
  /** The CA that signed the server's certificate, PEM. */
  ca: string;
}

/** A client variant: TLS options, and what it does to the sockets once connected or secured. */
export interface ClientVariant {
  tls?: Pick<tls.ConnectionOptions, 'maxVersion' | 'secureOptions' | 'session'>;
  onConnect?(raw: net.Socket): void;
  onSecure?(socket: tls.TLSSocket, noteError: (message: string) => void): void;
  /** Every session (TLS 1.2 session, TLS 1.3 ticket) the server gives, to resume later. */
  onSession?(session: Buffer): void;
}

export interface GreetingSample {
  /** TCP connect → 'secureConnect', ms; NaN when the handshake never finished. */
  handshakeMs: number;
  /** 'secureConnect' → first byte of the greeting, ms; undefined when no greeting came. */
  greetingMs?: number;
  /** 'secureConnect' → the first TLS 1.3 ticket ('session' event); undefined when none came. */
  ticketMs?: number;
  /** TcpExt DelayedACKs of this network namespace (all its sockets), from 'secureConnect' to the greeting. */
  delayedAcks?: number;
  protocol: string;
  resumed: boolean;
  certificate: boolean;
  /** EHLO after the greeting was answered 250. */
  ehloOk: boolean;
  /** What went wrong, in order: socket errors, a variant's own (renegotiate's callback). */
  errors: string[];
}

const SAMPLE_TIMEOUT_MS = 5_000;

/**
 * TcpExt counters of the calling process's network namespace (/proc/net/netstat). DelayedACKs counts
 * ACKs the delayed-ACK timer sent: on loopback both ends share this kernel, so it counts either side.
 */
export function tcpExt(): Record<string, number> | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith('TcpExt:'));
    const names = lines[at]?.split(' ') ?? [];
    const values = lines[at + 1]?.split(' ') ?? [];
    return Object.fromEntries(names.slice(1).map((name, i) => [name, Number(values[i + 1])]));
  } catch {
    return undefined;
  }
}

const delayedAcks = () => tcpExt()?.DelayedACKs;

/** Reads replies off a socket: resolves when the buffered text matches, keeps the rest. */
class Replies {
  private text = '';
  private waiter: { pattern: RegExp; resolve: (text: string) => void } | undefined;
  push(chunk: Buffer): void {
    this.text += chunk.toString('latin1');
    this.check();
  }
  next(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      this.waiter = { pattern, resolve };
      this.check();
    });
  }
  private check(): void {
    const match = this.waiter ? this.waiter.pattern.exec(this.text) : null;
    if (!this.waiter || !match) return;
    const { resolve } = this.waiter;
    this.waiter = undefined;
    const end = match.index + match[0].length;
    const reply = this.text.slice(0, end);
    this.text = this.text.slice(end);
    resolve(reply);
  }
}

/** The last line of a reply: `250 ` after any `250-` lines. */
const lastLine = (code: number) => new RegExp(`(^|\\n)${code} [^\\n]*\\n`);

function failAfter(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  return { promise, cancel: () => clearTimeout(timer) };
}

/** One implicit-TLS session: connect, handshake, greeting, EHLO, QUIT. Never rejects for the server. */
export async function greetingSample(
  endpoint: Endpoint,
  variant: ClientVariant = {},
): Promise<GreetingSample> {
  const replies = new Replies();
  let acksBefore: number | undefined;
  let raw: net.Socket | undefined;
  let socket: tls.TLSSocket | undefined;
  const sample: GreetingSample = {
    handshakeMs: Number.NaN,
    protocol: '',
    resumed: false,
    certificate: false,
    ehloOk: false,
    errors: [],
  };
  const noteError = (message: string) => {
    if (!sample.errors.includes(message)) sample.errors.push(message);
  };
  const deadline = failAfter(SAMPLE_TIMEOUT_MS, `${endpoint.host}:${endpoint.port}`);
  try {
    const run = async () => {
      const connected = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: endpoint.host, port: endpoint.port });
        raw = s;
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
      const connectedAt = performance.now();
      variant.onConnect?.(connected);
      let securedAt = Number.NaN;
      const closed = new Promise<never>((_, reject) => {
        const s = tls.connect({
          socket: connected,
          ca: endpoint.ca,
          servername: 'localhost',
          ...variant.tls,
        });
        socket = s;
        // Node asks OpenSSL for TLS 1.3 tickets only while a 'session' listener exists.
        s.on('session', (session: Buffer) => {
          variant.onSession?.(session);
          // A TLS 1.2 ticket is part of the handshake; only a TLS 1.3 one comes after it.
          if (sample.ticketMs === undefined && !Number.isNaN(securedAt) && s.getProtocol() === 'TLSv1.3')
            sample.ticketMs = performance.now() - securedAt;
        });
        s.once('secureConnect', () => {
          securedAt = performance.now();
          acksBefore = delayedAcks();
          sample.handshakeMs = securedAt - connectedAt;
          sample.protocol = s.getProtocol() ?? '';
          sample.resumed = s.isSessionReused();
          sample.certificate = Boolean(s.getPeerCertificate()?.raw);
          variant.onSecure?.(s, noteError);
        });
        s.on('data', (chunk: Buffer) => {
          if (sample.greetingMs === undefined) {
            sample.greetingMs = performance.now() - securedAt;
            const after = delayedAcks();
            if (after !== undefined && acksBefore !== undefined) sample.delayedAcks = after - acksBefore;
          }
          replies.push(chunk);
        });
        s.on('error', (error: NodeJS.ErrnoException) => {
          noteError(error.code ?? error.message);
          reject(error);
        });
        s.once('close', () => reject(new Error('closed')));
      });
      closed.catch(() => {});
      await Promise.race([replies.next(lastLine(220)), closed]);
      socket?.write('EHLO bench.test\r\n');
      await Promise.race([replies.next(lastLine(250)), closed]);
      sample.ehloOk = true;
      socket?.write('QUIT\r\n');
      await Promise.race([replies.next(lastLine(221)), closed]);
    };
    await Promise.race([run(), deadline.promise]);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    noteError(e.code ?? e.message);
  } finally {
    deadline.cancel();
    socket?.destroy();
    raw?.destroy();
  }
  // A handshake that never finished stays NaN: the medians leave it out.
  return sample;
}

/** A session to keep for resumption: one full session, returning the last session the server gave. */
export async function sessionFrom(endpoint: Endpoint, variant: ClientVariant): Promise<Buffer> {
  let session: Buffer | undefined;
  const result = await greetingSample(endpoint, {
    ...variant,
    onSession: (data) => {
      session = data;
    },
  });
  if (!session)
    throw new Error(
      `${endpoint.host}:${endpoint.port} gave no TLS session to resume (${result.errors.join('; ') || 'no ticket'})`,
    );
  return session;
}

export interface StarttlsSample {
  /** 'STARTTLS' 220 received → 'secureConnect', ms. */
  handshakeMs: number;
  /** 'secureConnect' → EHLO written (the wait for the ticket, if any), ms. */
  waitMs: number;
  /** 'secureConnect' → the end of the 250 reply to EHLO, ms (the wait included). */
  ehloMs: number;
  delayedAcks?: number;
  protocol: string;
  ok: boolean;
  error?: string;
}

/**
 * One STARTTLS session on a submission port: greeting, EHLO, STARTTLS, handshake, then EHLO at once
 * (`wait: 'none'`, as nodemailer does) or after the first TLS 1.3 ticket and one event-loop turn
 * (`wait: 'ticket'`, what the core's settleAfterHandshake does; writing inside the 'session' event's
 * own turn corrupts Node's TLS stream, see README "Measured here").
 */
export async function starttlsSample(
  endpoint: Endpoint,
  options: { maxVersion?: tls.SecureVersion; wait: 'none' | 'ticket' },
): Promise<StarttlsSample> {
  const plain = new Replies();
  const secure = new Replies();
  let raw: net.Socket | undefined;
  let socket: tls.TLSSocket | undefined;
  const sample: StarttlsSample = {
    handshakeMs: Number.NaN,
    waitMs: 0,
    ehloMs: Number.NaN,
    protocol: '',
    ok: false,
  };
  const deadline = failAfter(SAMPLE_TIMEOUT_MS, `${endpoint.host}:${endpoint.port}`);
  try {
    const run = async () => {
      const s = net.connect({ host: endpoint.host, port: endpoint.port });
      raw = s;
      const onPlain = (chunk: Buffer) => plain.push(chunk);
      s.on('data', onPlain);
      s.on('error', () => {});
      await plain.next(lastLine(220));
      s.write('EHLO bench.test\r\n');
      await plain.next(lastLine(250));
      s.write('STARTTLS\r\n');
      await plain.next(lastLine(220));
      s.off('data', onPlain);
      // Read before the handshake: a read between 'secureConnect' and EHLO would delay the EHLO.
      const acksBefore = delayedAcks();
      const handshakeStarted = performance.now();
      let ticket: () => void = () => {};
      const ticketSeen = new Promise<void>((resolve) => {
        ticket = resolve;
      });
      socket = tls.connect({
        socket: s,
        ca: endpoint.ca,
        servername: 'localhost',
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      });
      const t = socket;
      t.once('session', () => ticket());
      t.on('data', (chunk: Buffer) => secure.push(chunk));
      await new Promise<void>((resolve, reject) => {
        t.once('secureConnect', () => resolve());
        t.once('error', reject);
      });
      const securedAt = performance.now();
      sample.handshakeMs = securedAt - handshakeStarted;
      sample.protocol = t.getProtocol() ?? '';
      if (options.wait === 'ticket' && sample.protocol === 'TLSv1.3') {
        let cap: NodeJS.Timeout | undefined;
        await Promise.race([ticketSeen, new Promise<void>((resolve) => (cap = setTimeout(resolve, 250)))]);
        clearTimeout(cap);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      sample.waitMs = performance.now() - securedAt;
      t.write('EHLO bench.test\r\n');
      await secure.next(lastLine(250));
      sample.ehloMs = performance.now() - securedAt;
      const acksAfter = delayedAcks();
      if (acksBefore !== undefined && acksAfter !== undefined) sample.delayedAcks = acksAfter - acksBefore;
      sample.ok = true;
      t.write('QUIT\r\n');
      await secure.next(lastLine(221));
    };
    await Promise.race([run(), deadline.promise]);
  } catch (error) {
    sample.error ??= error instanceof Error ? error.message : String(error);
  } finally {
    deadline.cancel();
    socket?.destroy();
    raw?.destroy();
  }
  return sample;
}
