/**
 * Tiny real servers on port 0 for scripting misbehaving peers: raw TCP, TLS and HTTP.
 * Every close() destroys all accepted sockets and clears timers registered through ctx,
 * so a test never waits on a lingering connection.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Pem } from './certs.js';

export interface ServerHandle {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Timer wrappers handed to scripts; close() clears everything registered through them. */
export interface ScriptContext {
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  setInterval(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(timer: NodeJS.Timeout): void;
  /** Sockets accepted so far and still open. */
  readonly sockets: ReadonlySet<net.Socket>;
}

export type ConnectionScript<S extends net.Socket = net.Socket> = (socket: S, ctx: ScriptContext) => void;

class Tracker implements ScriptContext {
  readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // A scripted peer resetting or us destroying must never surface as an unhandled 'error'.
    socket.on('error', () => {});
  }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = globalThis.setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  setInterval(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = globalThis.setInterval(fn, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  destroyAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Newest first: a TLSSocket goes before the raw socket underneath it.
    for (const socket of [...this.sockets].reverse()) socket.destroy();
    this.sockets.clear();
  }
}

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('server has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
}

function closeServer(server: net.Server, tracker: Tracker): Promise<void> {
  return new Promise((resolve) => {
    tracker.destroyAll();
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

async function start(server: net.Server, tracker: Tracker, host: string): Promise<ServerHandle> {
  const port = await listen(server, host);
  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    close: () => {
      closing ??= closeServer(server, tracker);
      return closing;
    },
  };
}

/** Plain TCP server; `onConnection` scripts each accepted socket. */
export function startRawServer(onConnection: ConnectionScript, host = '127.0.0.1'): Promise<ServerHandle> {
  const tracker = new Tracker();
  const server = net.createServer((socket) => {
    tracker.track(socket);
    onConnection(socket, tracker);
  });
  return start(server, tracker, host);
}

/**
 * node:tls server; `onSecure` runs after each completed handshake. Handshake failures
 * (client rejects the certificate, plain-text client) are swallowed.
 */
export function startTlsServer(
  pem: Pem,
  onSecure: ConnectionScript<tls.TLSSocket>,
  host = '127.0.0.1',
): Promise<ServerHandle> {
  const tracker = new Tracker();
  const server = tls.createServer({ key: pem.key, cert: pem.cert });
  // Track the raw TCP socket from the very start so a stalled handshake is torn down too.
  server.on('connection', (socket: net.Socket) => tracker.track(socket));
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    tracker.track(socket);
    onSecure(socket, tracker);
  });
  server.on('tlsClientError', () => {});
  return start(server, tracker, host);
}

/** node:http server answering every request with 200 'hello'; a non-HTTP line gets a 400. */
export async function startHttpServer(host = '127.0.0.1'): Promise<ServerHandle> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello');
  });
  // No 'clientError' listener on purpose: Node's default answers a malformed request with
  // 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n' and closes, like a real web server.
  const port = await listen(server, host);
  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Calls `onLine` for each line received (split on \n, trailing \r stripped).
 * Returns a function that detaches the reader.
 */
export function lineReader(socket: net.Socket, onLine: (line: string) => void): () => void {
  let buffer = '';
  const onData = (chunk: Buffer | string) => {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let index = buffer.indexOf('\n');
    while (index !== -1) {
      const line = buffer.slice(0, index).replace(/\r$/, '');
      buffer = buffer.slice(index + 1);
      onLine(line);
      index = buffer.indexOf('\n');
    }
  };
  socket.on('data', onData);
  return () => socket.off('data', onData);
}

/** A scripted reply: fixed text, or computed from the command line. `null` = stay silent. */
export type SmtpReply = string | null | ((line: string) => string | null);

export interface SmtpScript {
  /** Sent on connect (e.g. '220 raw ESMTP'); omit for a silent server. Delay in ms optional. */
  greeting?: string;
  greetingDelayMs?: number;
  /** Replies keyed by upper-case verb ('EHLO', 'STARTTLS', ...); '*' is the fallback. */
  replies?: Record<string, SmtpReply>;
  /** Close the socket after answering this verb (e.g. 'QUIT'). */
  closeAfter?: string[];
}

/**
 * Builds a ConnectionScript for startRawServer from a declarative description. Replies are
 * sent verbatim with CRLF appended to each line; use '\n' inside a reply for multi-line.
 */
export function smtpScript(script: SmtpScript): ConnectionScript {
  return (socket, ctx) => {
    const send = (text: string) => {
      if (!socket.destroyed) socket.write(`${text.split('\n').join('\r\n')}\r\n`);
    };
    if (script.greeting !== undefined) {
      const greeting = script.greeting;
      if (script.greetingDelayMs) ctx.setTimeout(() => send(greeting), script.greetingDelayMs);
      else send(greeting);
    }
    lineReader(socket, (line) => {
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      const reply = script.replies?.[verb] ?? script.replies?.['*'] ?? null;
      const text = typeof reply === 'function' ? reply(line) : reply;
      if (text !== null) send(text);
      if (script.closeAfter?.includes(verb)) socket.end();
    });
  };
}

/**
 * A plaintext SMTP server that offers STARTTLS, answers it with `afterStarttls` (the 220, and whatever
 * a broken server sends after it), then becomes a TLS server that answers EHLO and QUIT.
 */
export function starttlsScript(
  pem: Pem,
  afterStarttls: string | Buffer,
  options: tls.TlsOptions = {},
): ConnectionScript {
  return (socket) => {
    socket.write('220 raw.test\r\n');
    const stop = lineReader(socket, (line) => {
      if (/^EHLO/i.test(line)) socket.write('250-raw.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n');
      if (line !== 'STARTTLS') return;
      stop();
      socket.write(afterStarttls);
      const secure = new tls.TLSSocket(socket, { isServer: true, key: pem.key, cert: pem.cert, ...options });
      secure.on('error', () => {});
      lineReader(secure, (command) => {
        if (/^EHLO/i.test(command)) secure.write('250-raw.test\r\n250 AUTH PLAIN\r\n');
        if (/^QUIT/i.test(command)) secure.end('221 bye\r\n');
      });
    });
  };
}
