/**
 * A real smtp-server instance on port 0 for probe tests. It never accepts mail.
 */
import type net from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions } from 'smtp-server';
import { guardImplicitTlsUpgrade } from '../../src/demo/servers.js';
import { type Pem, testPki } from './certs.js';

export interface SmtpCredentials {
  username: string;
  password: string;
}

export interface SmtpFixtureOptions {
  /** '127.0.0.1' (default) or '::1' */
  host?: string;
  /** implicit TLS (SMTPS, like port 465) */
  secure?: boolean;
  /** certificate for implicit TLS / STARTTLS; default: (await testPki()).valid */
  tls?: Pem;
  /** default true; false adds STARTTLS to disabledCommands */
  starttls?: boolean;
  /** null/absent: authOptional and AUTH disabled */
  auth?: SmtpCredentials | null;
  /** default ['PLAIN', 'LOGIN'] */
  authMethods?: string[];
  /** advertise and accept AUTH without TLS */
  allowInsecureAuth?: boolean;
  /** text after '220 <hostname> ESMTP' */
  banner?: string;
  /** SIZE extension value */
  size?: number;
}

export interface AuthAttempt {
  method: string;
  username: string | undefined;
  ok: boolean;
}

export interface SmtpFixture {
  port: number;
  host: string;
  /** the underlying smtp-server instance, for unusual assertions */
  server: SMTPServer;
  /** every onAuth call, in order */
  authAttempts: AuthAttempt[];
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function credentialsMatch(auth: SMTPServerAuthentication, expected: SmtpCredentials): boolean {
  if (auth.username !== expected.username) return false;
  if (auth.method === 'CRAM-MD5') return auth.validatePassword(expected.password);
  return auth.password === expected.password;
}

/** Starts smtp-server on an ephemeral port. Always await close() (e.g. in afterAll/finally). */
export async function startSmtpServer(opts: SmtpFixtureOptions = {}): Promise<SmtpFixture> {
  const host = opts.host ?? '127.0.0.1';
  const pem = opts.tls ?? (await testPki()).valid;
  const credentials = opts.auth ?? null;
  const authAttempts: AuthAttempt[] = [];

  const disabledCommands: string[] = [];
  if (opts.starttls === false) disabledCommands.push('STARTTLS');
  if (credentials === null) disabledCommands.push('AUTH');

  const options: SMTPServerOptions = {
    secure: opts.secure ?? false,
    key: pem.key,
    cert: pem.cert,
    disabledCommands,
    authOptional: credentials === null,
    authMethods: opts.authMethods ?? ['PLAIN', 'LOGIN'],
    allowInsecureAuth: opts.allowInsecureAuth ?? false,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    socketTimeout: 10_000,
    onAuth(auth, _session, callback) {
      const ok = credentials !== null && credentialsMatch(auth, credentials);
      authAttempts.push({ method: auth.method, username: auth.username, ok });
      if (ok) callback(null, { user: auth.username });
      else callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onData(stream, _session, callback) {
      stream.on('end', () => callback(smtpError(554, '5.7.1 Test fixture accepts no mail')));
      stream.resume();
    },
  };
  if (opts.banner !== undefined) options.banner = opts.banner;
  if (opts.size !== undefined) options.size = opts.size;

  const server = new SMTPServer(options);
  // Errors on individual connections (client resets, failed handshakes) are expected in tests.
  server.on('error', () => {});
  guardImplicitTlsUpgrade(server);

  const sockets = new Set<net.Socket>();
  server.server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, host, () => {
      server.server.off('error', reject);
      const address = server.server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Top-most sockets first (upgraded TLS sockets), then the raw TCP sockets.
      for (const connection of server.connections) {
        if (!connection._upgrading) connection._socket.destroy();
      }
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });
    return closing;
  };

  return { port, host, server, authAttempts, close };
}
