import { createHash, X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import {
  checkServerIdentity,
  createSecureContext,
  rootCertificates,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import { certificateFacts } from './cert-facts.js';
import { ignoreLateErrors } from './connect.js';
import { untilDeadline } from './deadline.js';
import { ProbeFailure } from './failure.js';
import type { ResolvedOptions } from './options.js';
import type { TlsFacts } from './types.js';

export interface TlsStart {
  socket: Socket;
  mode: 'starttls' | 'tls';
  /** The target's host as the user gave it: the name for SNI and the certificate check. */
  host: string;
  deadline: number;
  options: ResolvedOptions;
  now: Date;
}

const LEGACY_VERSIONS = new Set<string | undefined>(['TLSv1', 'TLSv1.1']);
/** Contexts by what they are made of (the extra CAs' text and the minimum version), most recent last. */
const contexts = new Map<string, SecureContext>();
const MAX_CONTEXTS = 32;

/** The one method of Node's native context object used here; present since Node 0.x, not typed. */
interface NativeContext {
  addCACert?: (pem: string | Buffer) => void;
}

/**
 * One TLS context per CA set and minimum version, shared by every connection made with them, across
 * probe() calls too. Sharing it resumes no session: a Node client resumes only when handed a session.
 *
 * Extra CAs are added to the context's trust store, a copy of Node's roots (and of NODE_EXTRA_CA_CERTS)
 * that Node makes from certificates it parsed once per process: ~1 ms. Passing `ca: [...rootCertificates,
 * ...extra]` instead parses ~150 PEM blocks for every context: 23 ms of blocked event loop, measured here,
 * paid by every run that gives extra CAs.
 */
function secureContextFor(tls: ResolvedOptions['tls']): SecureContext {
  const digest = createHash('sha256');
  for (const pem of tls.ca ?? []) digest.update(pem).update('\0');
  const key = `${tls.minVersion ?? ''}:${tls.ca ? digest.digest('hex') : 'roots'}`;
  let context = contexts.get(key);
  if (context) {
    contexts.delete(key);
  } else {
    const common = {
      ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
      // OpenSSL 3's default security level refuses the SHA-1 signatures TLS 1.0 and 1.1 depend on
      // (ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED): asking for those versions means accepting that.
      ...(LEGACY_VERSIONS.has(tls.minVersion) ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    };
    context = createSecureContext(common);
    const native = context.context as NativeContext;
    if (tls.ca && typeof native.addCACert === 'function') {
      for (const pem of tls.ca) native.addCACert(pem);
    } else if (tls.ca) {
      // A runtime without the native method: the slow, documented way. Extra CAs join the roots.
      context = createSecureContext({ ...common, ca: [...rootCertificates, ...tls.ca] });
    }
  }
  contexts.set(key, context);
  if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
  return context;
}

export interface TlsSession {
  socket: TLSSocket;
  facts: TlsFacts;
  /** Settles when the server's first TLS 1.3 session ticket arrives (never, if it sends none). */
  ticket: Promise<void>;
}

/**
 * Runs the TLS handshake over a connected socket. The certificate is not enforced during the handshake
 * (`rejectUnauthorized: false`) so that its facts can be reported; trust and name are checked here
 * and judged later. SNI carries the name only, never an IP literal (RFC 6066 §3).
 */
export async function startTls(start: TlsStart): Promise<TlsSession> {
  const { socket, host, options } = start;
  const servername = options.tls.servername ?? (isIP(host) === 0 ? host : undefined);
  let tlsSocket: TLSSocket | undefined;
  let ticketSeen: () => void = () => {};
  const ticket = new Promise<void>((resolve) => {
    ticketSeen = resolve;
  });
  try {
    const secured = await untilDeadline<TLSSocket>(
      start.deadline,
      () =>
        new ProbeFailure('timeout', 'the TLS handshake did not finish in time', { errorCode: 'ETLSTIMEOUT' }),
      options.signal,
      ({ resolve, reject }) => {
        const s = tlsConnect({
          socket,
          ...(servername ? { servername } : {}),
          rejectUnauthorized: false,
          // Node folds the name check into `authorized`; we keep trust and name apart and check the
          // name ourselves below.
          checkServerIdentity: () => undefined,
          secureContext: secureContextFor(options.tls),
        });
        tlsSocket = s;
        ignoreLateErrors(s);
        // Node asks OpenSSL for tickets only while a 'session' listener exists: added before the handshake.
        s.once('session', () => ticketSeen());
        const onSecure = () => resolve(s);
        const onError = (error: NodeJS.ErrnoException) =>
          reject(
            new ProbeFailure('tls_failed', `the TLS handshake failed: ${tlsReason(error)}`, {
              errorCode: error.code ?? 'ETLS',
            }),
          );
        const onClose = () =>
          reject(
            new ProbeFailure('tls_failed', 'the server closed the connection during the TLS handshake', {
              errorCode: 'ECLOSED',
            }),
          );
        s.once('secureConnect', onSecure);
        s.once('error', onError);
        s.once('close', onClose);
        return () => {
          s.off('secureConnect', onSecure);
          s.off('error', onError);
          s.off('close', onClose);
        };
      },
    );
    return { socket: secured, facts: tlsFacts(secured, start, servername), ticket };
  } catch (error) {
    tlsSocket?.destroy();
    throw error;
  }
}

/** OpenSSL's reason without its library prefix: `wrong version number`, `sslv3 alert handshake failure`. */
function tlsReason(error: NodeJS.ErrnoException & { reason?: string }): string {
  return error.reason ?? error.message.replace(/^.*?:error:[0-9A-F]+:[^:]*:[^:]*:/, '');
}

function tlsFacts(socket: TLSSocket, start: TlsStart, servername: string | undefined): TlsFacts {
  const peer = socket.getPeerCertificate(true);
  const leaf = peer?.raw ? new X509Certificate(peer.raw) : undefined;
  const nameToCheck = start.options.tls.servername ?? start.host;
  const identityError = peer?.raw ? checkServerIdentity(nameToCheck, peer) : new Error('no certificate');
  const chain: TlsFacts['chain'] = [];
  const seen = new Set<string>();
  for (let link = peer?.issuerCertificate; link?.raw && chain.length < 10; link = link.issuerCertificate) {
    const cert = new X509Certificate(link.raw);
    if (seen.has(cert.fingerprint256) || cert.fingerprint256 === leaf?.fingerprint256) break;
    seen.add(cert.fingerprint256);
    chain.push({
      subject: cert.subject.split('\n').join(', '),
      issuer: cert.issuer.split('\n').join(', '),
      validTo: new Date(cert.validTo).toISOString(),
      fingerprint256: cert.fingerprint256,
    });
  }
  const trustError = socket.authorizationError;
  return {
    mode: start.mode,
    ...(socket.getProtocol() ? { protocol: socket.getProtocol() as string } : {}),
    ...(socket.getCipher()?.standardName ? { cipher: socket.getCipher().standardName } : {}),
    ...(servername ? { servername } : {}),
    trusted: socket.authorized,
    ...(trustError
      ? { trustError: String((trustError as unknown as { code?: string }).code ?? trustError) }
      : {}),
    hostnameMatch: identityError === undefined,
    ...(identityError ? { hostnameError: identityError.message } : {}),
    ...(leaf ? { certificate: certificateFacts(leaf, start.now) } : {}),
    chain,
  };
}

/**
 * Before the first command over TLS 1.3: let the server's first session ticket arrive, so that the
 * command's segment acknowledges it. Sent earlier, the reply can wait behind the server's unacknowledged
 * ticket (Nagle) for our delayed ACK: ~43 ms against Postfix, measured here (README, "Performance").
 * The command then goes out one event-loop turn after the 'session' event: written inside that turn,
 * Node's TLS client corrupts its stream (Postfix logs "bad record mac"; every EHLO lost in 20 tries).
 * A server that sends no ticket costs at most `capMs`; the time shows in the `tls` stage's timing.
 */
export async function settleAfterHandshake(session: TlsSession, capMs: number): Promise<void> {
  if (session.socket.getProtocol() !== 'TLSv1.3') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      session.ticket,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
}
