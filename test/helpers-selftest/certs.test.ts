import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pem, type TestPki, testPki } from '../helpers/certs.js';
import { type ServerHandle, startTlsServer } from '../helpers/raw-server.js';

type Outcome = { authorized: true } | { authorized: false; code: string | undefined };

/** Connects with the test CA as the only trust anchor and reports the verification outcome. */
function verify(server: ServerHandle, servername?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const options: tls.ConnectionOptions = { host: server.host, port: server.port, ca: pkiCa() };
    if (servername !== undefined) options.servername = servername;
    const socket = tls.connect(options, () => {
      socket.destroy();
      resolve({ authorized: true });
    });
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ authorized: false, code: err.code }));
  });
}

let pki: TestPki;
const pkiCa = () => pki.ca.cert;
const servers: ServerHandle[] = [];

async function serve(pem: Pem, host = '127.0.0.1'): Promise<ServerHandle> {
  const server = await startTlsServer(pem, (socket) => socket.end(), host);
  servers.push(server);
  return server;
}

describe('certs', () => {
  beforeAll(async () => {
    pki = await testPki();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('is memoised and uses P-256 keys in PKCS#8 PEM', async () => {
    expect(await testPki()).toBe(pki);
    expect(pki.valid.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const cert = new X509Certificate(pki.valid.cert);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.checkIssued(new X509Certificate(pki.ca.cert))).toBe(true);
    expect(new X509Certificate(pki.ca.cert).ca).toBe(true);
  });

  it('accepts valid for localhost, 127.0.0.1 and ::1', async () => {
    expect(await verify(await serve(pki.valid), 'localhost')).toEqual({ authorized: true });
    // No servername: Node checks the IP against the IP SAN entries.
    expect(await verify(await serve(pki.valid))).toEqual({ authorized: true });
    expect(await verify(await serve(pki.valid, '::1'))).toEqual({ authorized: true });
  });

  it('accepts expiringSoon, which ends within 5 days', async () => {
    expect(await verify(await serve(pki.expiringSoon), 'localhost')).toEqual({ authorized: true });
    const validTo = Date.parse(new X509Certificate(pki.expiringSoon.cert).validTo);
    expect(validTo - Date.now()).toBeLessThanOrEqual(5 * 24 * 3600 * 1000);
    expect(validTo - Date.now()).toBeGreaterThan(4 * 24 * 3600 * 1000);
  });

  it('rejects expired with CERT_HAS_EXPIRED', async () => {
    expect(await verify(await serve(pki.expired), 'localhost')).toEqual({
      authorized: false,
      code: 'CERT_HAS_EXPIRED',
    });
  });

  it('rejects selfSigned with DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    expect(await verify(await serve(pki.selfSigned), 'localhost')).toEqual({
      authorized: false,
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('rejects wrongHost with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    expect(await verify(await serve(pki.wrongHost), 'localhost')).toEqual({
      authorized: false,
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const peer = { subject: { CN: 'mail.example.test' }, subjectaltname: 'DNS:mail.example.test' };
    const err = tls.checkServerIdentity('localhost', peer as unknown as tls.PeerCertificate);
    expect(err).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(tls.checkServerIdentity('mail.example.test', peer as unknown as tls.PeerCertificate)).toBe(
      undefined,
    );
  });
});
