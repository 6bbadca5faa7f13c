import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, type ProbeResult, probe } from '../../src/probe/index.js';
import { canaryCredentials, leaks } from '../helpers/canary.js';
import { createSelfSigned, type Pem, type TestPki, testPki } from '../helpers/certs.js';
import { type ServerHandle, startRawServer, startTlsServer } from '../helpers/raw-server.js';
import { type Recorder, type RecordingOptions, recordingSmtp } from '../helpers/recording-smtp.js';

/*
 * Credentials go only to a server whose certificate verified and names the host. Each server here
 * records every byte it receives in clear; the tests prove that nothing of the credentials, in any
 * encoding, and no AUTH command ever reached a server that was not verified, and that each opt-out
 * sends them.
 */
const fast: ProbeOptions = {
  timeout: 4_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_500,
  commandTimeout: 1_500,
};
const auth = canaryCredentials();

let pki: TestPki;
let handles: ServerHandle[] = [];
beforeAll(async () => {
  pki = await testPki();
});
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
});

async function starttlsServer(pem: Pem, options: RecordingOptions = {}): Promise<[number, Recorder]> {
  const recorder = recordingSmtp({ starttls: pem, ...options });
  const handle = await startRawServer(recorder.script);
  handles.push(handle);
  return [handle.port, recorder];
}

/** Nothing of the credentials and no AUTH command reached the server; it did hear QUIT. */
function expectNothingSent(recorder: Recorder): void {
  const received = recorder.received();
  expect(received).toMatch(/QUIT\r\n/);
  expect(received.toUpperCase()).not.toContain('AUTH');
  expect(leaks(received, auth)).toEqual([]);
}

function expectWithheld(result: ProbeResult, withheld: 'untrusted' | 'hostname' | 'plaintext'): void {
  expect(result).toMatchObject({ status: 'auth_withheld', stage: 'auth', errorCode: 'EAUTHWITHHELD' });
  expect(result.sessions[0]?.auth).toEqual({ outcome: 'withheld', withheld });
  expect(result.explanation).toMatch(/^credentials withheld, AUTH not sent: /);
  expect(leaks(JSON.stringify(result), auth)).toEqual([]);
}

describe('credentials withheld from a server that is not verified', () => {
  it('a self-signed STARTTLS server never sees AUTH nor any byte of the credentials', async () => {
    const [port, recorder] = await starttlsServer(pki.selfSigned);
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, tls: { ca: pki.ca.cert }, auth });
    expectWithheld(result, 'untrusted');
    expect(result.explanation).toContain('not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(result.hint).toMatch(/`ca`.*`allow_unverified_auth`/);
    // The TLS facts are still reported: that is what the user has to fix.
    expect(result.sessions[0]?.tls).toMatchObject({ trusted: false, certificate: { selfSigned: true } });
    expect(result.sessions[0]?.smtp.ehloAfterTls?.auth).toEqual(['PLAIN', 'LOGIN']);
    expectNothingSent(recorder);
  });

  it('a STARTTLS server with a trusted certificate for another name never sees them either', async () => {
    const [port, recorder] = await starttlsServer(pki.wrongHost);
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, tls: { ca: pki.ca.cert }, auth });
    expectWithheld(result, 'hostname');
    expect(result.explanation).toContain('does not name 127.0.0.1');
    expect(result.hint).toMatch(/another name.*`allow_unverified_auth`/);
    expect(result.sessions[0]?.tls).toMatchObject({ trusted: true, hostnameMatch: false });
    expectNothingSent(recorder);
  });

  it('the name checked is the servername override when one is given', async () => {
    const [port, recorder] = await starttlsServer(pki.wrongHost);
    const result = await probe(
      { host: '127.0.0.1', port },
      { ...fast, tls: { ca: pki.ca.cert, servername: 'localhost' }, auth },
    );
    expectWithheld(result, 'hostname');
    expect(result.explanation).toContain('does not name localhost');
    expectNothingSent(recorder);
  });

  it('an untrusted chain is named before a wrong name when both fail', async () => {
    const strangerPem = await createSelfSigned({
      commonName: 'elsewhere.test',
      dnsNames: ['elsewhere.test'],
    });
    const [port, recorder] = await starttlsServer(strangerPem);
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, auth });
    expectWithheld(result, 'untrusted');
    expect(result.sessions[0]?.tls).toMatchObject({ trusted: false, hostnameMatch: false });
    expectNothingSent(recorder);
  });

  it('an implicit-TLS server with a self-signed certificate never sees them', async () => {
    const recorder = recordingSmtp();
    const handle = await startTlsServer(pki.selfSigned, recorder.script);
    handles.push(handle);
    const result = await probe({ host: '127.0.0.1', port: handle.port, mode: 'tls' }, { ...fast, auth });
    expectWithheld(result, 'untrusted');
    expectNothingSent(recorder);
  });

  it('a plaintext session with credentials is data, not an exception: withheld, nothing sent', async () => {
    const recorder = recordingSmtp();
    const handle = await startRawServer(recorder.script);
    handles.push(handle);
    const result = await probe({ host: '127.0.0.1', port: handle.port, mode: 'plain' }, { ...fast, auth });
    expectWithheld(result, 'plaintext');
    expect(result.sessions[0]?.tls).toBeUndefined();
    expect(result.hint).toMatch(/`mode`.*`allow_plaintext_auth`/);
    expectNothingSent(recorder);
  });

  it('allowPlaintextAuth does not open the door to an unverified TLS server', async () => {
    const [port, recorder] = await starttlsServer(pki.selfSigned);
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, auth, allowPlaintextAuth: true });
    expectWithheld(result, 'untrusted');
    expectNothingSent(recorder);
  });

  it('allowUnverifiedAuth does not open the door to plaintext', async () => {
    const recorder = recordingSmtp();
    const handle = await startRawServer(recorder.script);
    handles.push(handle);
    const result = await probe(
      { host: '127.0.0.1', port: handle.port, mode: 'plain' },
      { ...fast, auth, allowUnverifiedAuth: true },
    );
    expectWithheld(result, 'plaintext');
    expectNothingSent(recorder);
  });
});

describe('credentials sent when the user opted out, or the server verified', () => {
  const plainPayload = Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64');

  it('allowUnverifiedAuth sends AUTH to the self-signed server', async () => {
    const [port, recorder] = await starttlsServer(pki.selfSigned);
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, auth, allowUnverifiedAuth: true });
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(result.sessions[0]?.auth).toMatchObject({ mechanism: 'PLAIN', outcome: 'accepted' });
    expect(recorder.lines).toContain(`AUTH PLAIN ${plainPayload}`);
  });

  it('allowUnverifiedAuth sends AUTH to the server whose certificate names another host', async () => {
    const [port, recorder] = await starttlsServer(pki.wrongHost);
    const result = await probe(
      { host: '127.0.0.1', port },
      { ...fast, tls: { ca: pki.ca.cert }, auth, allowUnverifiedAuth: true },
    );
    expect(result.status).toBe('ok');
    expect(recorder.lines).toContain(`AUTH PLAIN ${plainPayload}`);
  });

  it('allowPlaintextAuth sends AUTH over plaintext', async () => {
    const recorder = recordingSmtp();
    const handle = await startRawServer(recorder.script);
    handles.push(handle);
    const result = await probe(
      { host: '127.0.0.1', port: handle.port, mode: 'plain' },
      { ...fast, auth, allowPlaintextAuth: true },
    );
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(recorder.lines).toContain(`AUTH PLAIN ${plainPayload}`);
  });

  it('a verified server gets AUTH without any opt-out', async () => {
    const [port, recorder] = await starttlsServer(pki.valid);
    const result = await probe({ host: '127.0.0.1', port }, { ...fast, tls: { ca: pki.ca.cert }, auth });
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.tls).toMatchObject({ trusted: true, hostnameMatch: true });
    expect(recorder.lines).toContain(`AUTH PLAIN ${plainPayload}`);
  });

  it('no credentials, no check: an unverified server is still probed to the end', async () => {
    const [port] = await starttlsServer(pki.selfSigned);
    const result = await probe({ host: '127.0.0.1', port }, fast);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    expect(result.sessions[0]?.auth).toBeUndefined();
  });
});
