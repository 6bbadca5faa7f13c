/**
 * The tests' shared PKI: a CA and the server certificates the probe tests need, made once per process
 * with the generator the demo uses.
 */
import { type Ca, createCa, createLeaf, createSelfSigned, type Pem } from '../../src/demo/certificates.js';

export {
  type Ca,
  createCa,
  createLeaf,
  createSelfSigned,
  type LeafOptions,
  type Pem,
} from '../../src/demo/certificates.js';

const DAY = 24 * 60 * 60 * 1000;

export interface TestPki {
  ca: Ca;
  /** CN 'localhost', SAN DNS:localhost IP:127.0.0.1 IP:::1, now-1d .. now+90d, CA-signed */
  valid: Pem;
  /** same names, notAfter = now-2d, CA-signed */
  expired: Pem;
  /** same names, self-signed, valid 90 days */
  selfSigned: Pem;
  /** SAN only DNS:mail.example.test, valid, CA-signed */
  wrongHost: Pem;
  /** same names as valid, CA-signed, notAfter = now+5d */
  expiringSoon: Pem;
}

const LOCAL_NAMES = {
  commonName: 'localhost',
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1', '::1'],
};

async function buildTestPki(): Promise<TestPki> {
  const now = Date.now();
  const ca = await createCa();
  const [valid, expired, selfSigned, wrongHost, expiringSoon] = await Promise.all([
    createLeaf(ca, LOCAL_NAMES),
    createLeaf(ca, {
      ...LOCAL_NAMES,
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - 2 * DAY),
    }),
    createSelfSigned(LOCAL_NAMES),
    createLeaf(ca, { commonName: 'mail.example.test', dnsNames: ['mail.example.test'] }),
    createLeaf(ca, { ...LOCAL_NAMES, notAfter: new Date(now + 5 * DAY) }),
  ]);
  return { ca, valid, expired, selfSigned, wrongHost, expiringSoon };
}

let pkiPromise: Promise<TestPki> | undefined;

/** The shared test PKI, generated once per process (per vitest worker). */
export async function testPki(): Promise<TestPki> {
  pkiPromise ??= buildTestPki().catch((err: unknown) => {
    pkiPromise = undefined;
    throw err;
  });
  return pkiPromise;
}
