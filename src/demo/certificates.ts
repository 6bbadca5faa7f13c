/**
 * Certificates made in-process with @peculiar/x509 on WebCrypto (ECDSA P-256), for the demo's local
 * servers and for the tests. Nothing is written to disk.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

/** PEM strings usable directly as node:tls `cert` / `key` options. */
export interface Pem {
  cert: string;
  /** PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') */
  key: string;
}

/** A CA: PEM strings plus the parsed certificate and key pair needed to sign leaves. */
export interface Ca extends Pem {
  x509: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

export interface LeafOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

const DAY = 24 * 60 * 60 * 1000;
const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function randomSerial(): string {
  // 16 random bytes with the top bit cleared so the INTEGER stays positive.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return Buffer.from(bytes).toString('hex');
}

function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

function sanExtension(opts: LeafOptions): x509.SubjectAlternativeNameExtension {
  const names: x509.JsonGeneralNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return new x509.SubjectAlternativeNameExtension(names, false);
}

async function leafExtensions(
  opts: LeafOptions,
  publicKey: webcrypto.CryptoKey,
  issuerKey: webcrypto.CryptoKey,
): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
    sanExtension(opts),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuerKey),
  ];
}

/** Self-signed CA certificate (basicConstraints CA:true, keyCertSign + cRLSign). */
export async function createCa(name = 'smtp-probe test CA'): Promise<Ca> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${escapeRdn(name)}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey), x509: cert, keys };
}

/** Server certificate signed by `ca`, with SAN (dns + ip) and serverAuth EKU. */
export async function createLeaf(ca: Ca, opts: LeafOptions): Promise<Pem> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${escapeRdn(opts.commonName)}`,
    issuer: ca.x509.subject,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
    signingAlgorithm: SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: await leafExtensions(opts, keys.publicKey, ca.keys.publicKey),
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** Self-signed server certificate (not a CA) with SAN and serverAuth EKU. */
export async function createSelfSigned(opts: LeafOptions): Promise<Pem> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${escapeRdn(opts.commonName)}`,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
    signingAlgorithm: SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      sanExtension(opts),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}
