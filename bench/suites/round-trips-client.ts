/**
 * A bare STARTTLS client for the round-trips benchmark, to measure what the core's choices cost: the
 * same session as the core's (connect, greeting, EHLO, STARTTLS, TLS, EHLO, [AUTH], QUIT), with the
 * wait for the first TLS 1.3 session ticket before the second EHLO switchable (the core always waits,
 * src/probe/tls-upgrade.ts settleAfterHandshake), and AUTH PLAIN sent in one write with QUIT, as RFC
 * 4954 §4 allows with PIPELINING (the core sends one command per round trip). Not a probe: it throws
 * on anything but the expected replies, naming the reply code only, never what it sent.
 */
import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';

export interface BareSessionPlan {
  host: string;
  port: number;
  servername: string;
  secureContext: SecureContext;
  /** Wait for the first session ticket (capped as the core caps it) before the second EHLO. */
  settle: boolean;
  /** Sent as AUTH PLAIN with its initial response, pipelined with QUIT when PIPELINING is offered. */
  auth?: { username: string; password: string };
  timeoutMs: number;
}

/** Milliseconds per step; `settle` is the wait after the handshake, `tls` the handshake alone. */
export interface BareTimings {
  connect: number;
  greeting: number;
  ehlo: number;
  starttls: number;
  tls: number;
  settle: number;
  ehlo_tls: number;
  /** QUIT alone, or AUTH and QUIT together. */
  end: number;
  total: number;
  /** AUTH and QUIT went in one write. */
  pipelined: boolean;
}

/** Whole replies from a socket, each as its lines; reading stops at detach() (STARTTLS). */
class Replies {
  readonly #socket: net.Socket;
  #text = '';
  #lines: string[] = [];
  readonly #ready: string[][] = [];
  #wake: (() => void) | undefined;
  #ended: Error | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('error', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  next(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const reply = this.#ready.shift();
        if (reply) {
          this.#wake = undefined;
          resolve(reply);
        } else if (this.#ended) {
          this.#wake = undefined;
          reject(this.#ended);
        }
      };
      this.#wake = check;
      check();
    });
  }

  detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
  }

  readonly #onData = (chunk: Buffer) => {
    this.#text += chunk.toString('latin1');
    for (let end = this.#text.indexOf('\r\n'); end !== -1; end = this.#text.indexOf('\r\n')) {
      const line = this.#text.slice(0, end);
      this.#text = this.#text.slice(end + 2);
      this.#lines.push(line);
      if (line[3] !== '-') {
        this.#ready.push(this.#lines);
        this.#lines = [];
      }
    }
    this.#wake?.();
  };

  readonly #onEnd = (error?: Error | boolean) => {
    this.#ended ??= error instanceof Error ? error : new Error('the server closed the connection');
    this.#wake?.();
  };
}

function expect(reply: string[], code: number, after: string): void {
  if (!reply[0]?.startsWith(String(code))) {
    throw new Error(`expected ${code} after ${after}, got ${reply[0]?.slice(0, 3) ?? 'nothing'}`);
  }
}

/** One STARTTLS session; resolves with its timings, rejects on any unexpected reply or the timeout. */
export async function bareStarttls(plan: BareSessionPlan): Promise<BareTimings> {
  const sockets: net.Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no end to the session in ${plan.timeoutMs} ms`)),
      plan.timeoutMs,
    );
  });
  try {
    return await Promise.race([session(plan, sockets), timeout]);
  } finally {
    clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
  }
}

async function session(plan: BareSessionPlan, sockets: net.Socket[]): Promise<BareTimings> {
  const started = performance.now();
  let mark = started;
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const socket = net.connect({ host: plan.host, port: plan.port, noDelay: true });
  sockets.push(socket);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const connect = lap();
  const plain = new Replies(socket);
  expect(await plain.next(), 220, 'connecting');
  const greeting = lap();
  socket.write('EHLO bench.localhost\r\n');
  expect(await plain.next(), 250, 'EHLO');
  const ehlo = lap();
  socket.write('STARTTLS\r\n');
  expect(await plain.next(), 220, 'STARTTLS');
  const starttls = lap();
  plain.detach();

  const secure = tls.connect({ socket, servername: plan.servername, secureContext: plan.secureContext });
  sockets.push(secure);
  secure.on('error', () => {});
  // Listening for 'session' in both variants, as the core does: the server then behaves the same.
  const ticket = new Promise<void>((resolve) => secure.once('session', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  const handshake = lap();
  if (plan.settle && secure.getProtocol() === 'TLSv1.3') {
    // The core's cap: twice the connect time plus 5 ms, within 5..250 ms.
    const capMs = Math.min(250, Math.max(5, 2 * connect + 5));
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([ticket, new Promise<void>((resolve) => (cap = setTimeout(resolve, capMs)))]);
    clearTimeout(cap);
  }
  // One event-loop turn in both variants: written in the 'session' event's own turn, Node's TLS
  // client corrupts its stream (README, "Measured here").
  await new Promise<void>((resolve) => setImmediate(resolve));
  const settle = lap();

  const replies = new Replies(secure);
  secure.write('EHLO bench.localhost\r\n');
  const ehloReply = await replies.next();
  expect(ehloReply, 250, 'EHLO over TLS');
  const ehlo_tls = lap();
  const pipelining = ehloReply.some((line) => line.slice(4).toUpperCase() === 'PIPELINING');
  let pipelined = false;
  if (plan.auth) {
    const payload = Buffer.from(`\0${plan.auth.username}\0${plan.auth.password}`).toString('base64');
    pipelined = pipelining;
    if (pipelining) {
      secure.write(`AUTH PLAIN ${payload}\r\nQUIT\r\n`);
      expect(await replies.next(), 235, 'AUTH');
    } else {
      secure.write(`AUTH PLAIN ${payload}\r\n`);
      expect(await replies.next(), 235, 'AUTH');
      secure.write('QUIT\r\n');
    }
  } else {
    secure.write('QUIT\r\n');
  }
  expect(await replies.next(), 221, 'QUIT');
  const end = lap();
  return {
    connect,
    greeting,
    ehlo,
    starttls,
    tls: handshake,
    settle,
    ehlo_tls,
    end,
    total: performance.now() - started,
    pipelined,
  };
}
