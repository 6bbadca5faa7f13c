import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateFacts, isSelfSigned, parseSubjectAltNames } from '../../src/probe/cert-facts.js';
import { createLeaf, createSelfSigned, testPki } from '../helpers/certs.js';

const DAY = 86_400_000;

describe('certificate facts, without sockets', () => {
  it('counts whole days to expiry at the given moment', async () => {
    const { ca } = await testPki();
    const notAfter = new Date('2030-01-31T12:00:00Z');
    const pem = await createLeaf(ca, {
      commonName: 'mx.example.test',
      dnsNames: ['mx.example.test'],
      notAfter,
    });
    const cert = new X509Certificate(pem.cert);
    const facts = certificateFacts(cert, new Date(notAfter.getTime() - 30 * DAY - 1_000));
    expect(facts).toMatchObject({
      subject: 'CN=mx.example.test',
      issuer: 'CN=smtp-probe test CA',
      subjectAltNames: ['DNS:mx.example.test'],
      validTo: '2030-01-31T12:00:00.000Z',
      daysUntilExpiry: 30,
      expired: false,
      notYetValid: false,
      selfSigned: false,
    });
    expect(facts.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(certificateFacts(cert, new Date(notAfter.getTime() + DAY))).toMatchObject({
      daysUntilExpiry: -1,
      expired: true,
    });
  });

  it('says when a certificate is not valid yet', async () => {
    const pem = await createSelfSigned({
      commonName: 'later.test',
      notBefore: new Date(Date.now() + 10 * DAY),
    });
    expect(certificateFacts(new X509Certificate(pem.cert), new Date()).notYetValid).toBe(true);
  });

  it('tells a self-signed leaf from a CA-issued one', async () => {
    const { ca, valid, selfSigned } = await testPki();
    expect(isSelfSigned(new X509Certificate(selfSigned.cert))).toBe(true);
    expect(isSelfSigned(new X509Certificate(valid.cert))).toBe(false);
    expect(isSelfSigned(new X509Certificate(ca.cert))).toBe(true);
  });

  it('reads DNS and IP alternative names', () => {
    expect(
      parseSubjectAltNames('DNS:a.test, DNS:b.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1'),
    ).toEqual(['DNS:a.test', 'DNS:b.test', 'IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1']);
    expect(parseSubjectAltNames(undefined)).toEqual([]);
  });
});
