/**
 * Credentials go only to a server whose certificate verified, through every adapter: a STARTTLS server
 * with a self-signed certificate, and one whose certificate a trusted CA signed for another name, record
 * every byte they receive (decrypted after STARTTLS) and must never see AUTH, nor the credentials in
 * any form. With the adapter's explicit opt-out, AUTH is sent.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Credentials, canaryCredentials, leaks } from '../helpers/canary.js';
import { type Pem, type TestPki, testPki } from '../helpers/certs.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { type ServerHandle, startRawServer } from '../helpers/raw-server.js';
import { type Recorder, recordingSmtp } from '../helpers/recording-smtp.js';
import { runBundledAction } from '../helpers/run-action.js';
import {
  CREDENTIAL_FLAGS,
  cliBundle,
  cliInProcess,
  credentialEnv,
  invokeLambda,
  lambdaRequest,
  tempDir,
} from './adapters.js';

let pki: TestPki;
let api: FakeGitHub;
let dir: string;
let servers: ServerHandle[] = [];
const auth: Credentials = canaryCredentials();

beforeAll(async () => {
  pki = await testPki();
  api = await startFakeGitHub();
  dir = await tempDir('withheld-', { 'ca.pem': pki.ca.cert });
});
afterAll(async () => {
  await api.close();
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function recordingServer(pem: Pem): Promise<{ recorder: Recorder; port: number }> {
  const recorder = recordingSmtp({ starttls: pem });
  const server = await startRawServer(recorder.script);
  servers.push(server);
  return { recorder, port: server.port };
}

/** An adapter run against 127.0.0.1:port; `ca` trusts the test CA, `optOut` is the adapter's opt-out. */
type Adapter = (port: number, options: { ca: boolean; optOut: boolean }) => Promise<unknown>;

const cliArgs = (port: number, { ca, optOut }: { ca: boolean; optOut: boolean }) => [
  `127.0.0.1:${port}`,
  '--timeout',
  '5s',
  ...CREDENTIAL_FLAGS,
  ...(ca ? ['--ca', join(dir, 'ca.pem')] : []),
  ...(optOut ? ['--allow-unverified-auth'] : []),
];

const ADAPTERS: Array<[string, Adapter]> = [
  ['the CLI (in-process)', (port, o) => cliInProcess(cliArgs(port, o), credentialEnv(auth), dir)],
  ['the bundled CLI', (port, o) => cliBundle(cliArgs(port, o), credentialEnv(auth), dir)],
  [
    'the bundled Action',
    (port, { ca, optOut }) =>
      runBundledAction(
        {
          targets: `127.0.0.1:${port}`,
          timeout: '5s',
          ca: ca ? pki.ca.cert : '',
          'auth-username': auth.username,
          'auth-password': auth.password,
          ...(optOut ? { 'allow-unverified-auth': 'true' } : {}),
          'check-run': 'false',
          'pr-comment': 'off',
        },
        api,
      ),
  ],
  [
    'the Lambda handler',
    (port, { ca, optOut }) =>
      invokeLambda(
        lambdaRequest(port, {
          tls: { ...(ca ? { ca: [pki.ca.cert] } : {}), ...(optOut ? { allowUnverifiedAuth: true } : {}) },
          auth,
        }),
        port,
      ),
  ],
];

const SERVERS: Array<[string, (pki: TestPki) => Pem, boolean]> = [
  ['a self-signed certificate', (p) => p.selfSigned, false],
  ['a trusted CA but a certificate for another name', (p) => p.wrongHost, true],
];

describe.each(ADAPTERS)('%s', (_adapter, runAdapter) => {
  it.each(SERVERS)('a STARTTLS server with %s never sees AUTH', async (_what, pem, ca) => {
    const { recorder, port } = await recordingServer(pem(pki));
    await runAdapter(port, { ca, optOut: false });
    // The session went as far as TLS and stopped before AUTH: EHLO, STARTTLS, EHLO, QUIT.
    expect(recorder.lines.map((l) => l.split(' ')[0]?.toUpperCase())).toEqual([
      'EHLO',
      'STARTTLS',
      'EHLO',
      'QUIT',
    ]);
    expect(leaks(recorder.received(), auth)).toEqual([]);
  });

  it.each(SERVERS)('with the explicit opt-out, a server with %s gets AUTH', async (_what, pem, ca) => {
    const { recorder, port } = await recordingServer(pem(pki));
    await runAdapter(port, { ca, optOut: true });
    expect(recorder.lines.find((l) => /^AUTH /i.test(l))).toMatch(/^AUTH (PLAIN|LOGIN)/);
  });
});
