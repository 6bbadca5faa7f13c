import type { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from './types.js';

const DAY_MS = 86_400_000;

/** `CN=mail.example.com\nO=Example` → `CN=mail.example.com, O=Example`. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** `DNS:a.example, IP Address:127.0.0.1` → `['DNS:a.example', 'IP:127.0.0.1']`. */
export function parseSubjectAltNames(san: string | undefined): string[] {
  if (!san) return [];
  return san
    .split(/,\s*(?=[A-Za-z ]+:)/)
    .map((entry) => entry.trim().replace(/^IP Address:/, 'IP:'))
    .filter(Boolean);
}

/** Facts about one certificate as seen at `now`; pure, so it is tested without sockets. */
export function certificateFacts(cert: X509Certificate, now: Date): CertificateFacts {
  const validFrom = new Date(cert.validFrom);
  const validTo = new Date(cert.validTo);
  const remaining = validTo.getTime() - now.getTime();
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
    validFrom: validFrom.toISOString(),
    validTo: validTo.toISOString(),
    daysUntilExpiry: Math.floor(remaining / DAY_MS),
    expired: remaining < 0,
    notYetValid: validFrom.getTime() > now.getTime(),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    selfSigned: isSelfSigned(cert),
  };
}

/**
 * Names itself as issuer and is signed by its own key: a self-signed certificate (or a root sent as a
 * leaf). Not `checkIssued`, which also demands the keyCertSign usage that a self-signed leaf lacks.
 */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}
