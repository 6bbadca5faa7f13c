import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { checkServerIdentity, rootCertificates, type TLSSocket, connect as tlsConnect } from 'node:tls';
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

export interface TlsSession {
  socket: TLSSocket;
  facts: TlsFacts;
}

/**
 * Runs the TLS handshake over a connected socket. The certificate is not enforced during the handshake
 * (`rejectUnauthorized: false`) so that its facts can be reported; trust and name are checked here
 * and judged later. SNI carries the name only, never an IP literal (RFC 6066 §3).
 */
export async function startTls(start: TlsStart): Promise<TlsSession> {
  const { socket, host, options } = start;
  const servername = options.tls.servername ?? (isIP(host) === 0 ? host : undefined);
  const extraCa = options.tls.ca;
  let tlsSocket: TLSSocket | undefined;
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
          // Extra CAs are added to Node's roots, not put in their place.
          ...(extraCa ? { ca: [...rootCertificates, ...extraCa] } : {}),
          ...(options.tls.minVersion ? { minVersion: options.tls.minVersion } : {}),
        });
        tlsSocket = s;
        ignoreLateErrors(s);
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
    return { socket: secured, facts: tlsFacts(secured, start, servername) };
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
