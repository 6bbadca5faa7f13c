/**
 * A verified server that repeats the credentials it got (`535 user=… pass=…`, `501 cannot decode
 * <base64>`) carries them into no output of any adapter: every CLI format and the JSON file, the
 * Action's log, annotations, job summary, outputs, results file, check run and PR comment, the Lambda
 * answer and its log. Each is searched raw, percent-encoded and as base64 at all three alignments.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/probe/index.js';
import { base64After, type Credentials, canaryCredentials, leaks } from '../helpers/canary.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { type ServerHandle, startRawServer } from '../helpers/raw-server.js';
import { type Recorder, recordingSmtp } from '../helpers/recording-smtp.js';
import { everythingFrom, runBundledAction } from '../helpers/run-action.js';
import {
  CREDENTIAL_FLAGS,
  cliBundle,
  cliInProcess,
  credentialEnv,
  invokeLambda,
  lambdaRequest,
  readText,
  tempDir,
} from './adapters.js';

const auth: Credentials = canaryCredentials();
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

let pki: TestPki;
let api: FakeGitHub;
let dir: string;
let server: ServerHandle;
let recorder: Recorder;

/** Everything the server decoded, said back in one refusal. */
function echo(line: string): string {
  const { username: u, password: p } = auth;
  const payload = line.split(' ')[2] ?? line;
  return [
    `535-5.7.8 user=${u} pass=${p}`,
    `535-cannot decode ${payload}`,
    `535-501 cannot decode ${b64(`${u}:${p}`)}`,
    `535-shifted ${base64After('x', p)} ${base64After('xy', p)} ${base64After('xyz', u)}`,
    `535-url ${encodeURIComponent(u)}&${encodeURIComponent(p).toLowerCase()}`,
    '535 5.7.8 authentication failed',
  ].join('\r\n');
}

beforeAll(async () => {
  pki = await testPki();
  api = await startFakeGitHub();
  dir = await tempDir('echoed-', { 'ca.pem': pki.ca.cert });
  recorder = recordingSmtp({
    starttls: pki.valid,
    answers: { AUTH: (line, socket) => void socket.write(`${echo(line)}\r\n`) },
  });
  server = await startRawServer(recorder.script);
});
afterAll(async () => {
  await Promise.all([api.close(), server.close()]);
});

/** The search, and proof that the search had something to look at: the server's refusal, masked. */
function expectMaskedEcho(output: string): void {
  expect(leaks(output, auth)).toEqual([]);
  expect(output).toContain(`user=${REDACTED} pass=${REDACTED}`);
}

const target = () => `127.0.0.1:${server.port}`;
const cli = (extra: string[]) => [
  target(),
  '--timeout',
  '5s',
  '--ca',
  'ca.pem',
  ...CREDENTIAL_FLAGS,
  ...extra,
];

describe('a server that echoes the credentials', () => {
  it('the server really was sent them, and echoed them back (the premise of every test here)', async () => {
    await cliInProcess(cli([]), credentialEnv(auth), dir);
    expect(recorder.lines.some((l) => l.startsWith('AUTH PLAIN '))).toBe(true);
  });

  it.each([
    ['text, verbose', ['--verbose']],
    ['json', ['--format', 'json']],
    ['markdown', ['--format', 'markdown', '--verbose']],
    ['junit', ['--format', 'junit']],
  ])('the CLI in-process, %s: nothing on stdout or stderr', async (_format, flags) => {
    const r = await cliInProcess(cli(flags), credentialEnv(auth), dir);
    expect(r.code).toBe(1);
    expect(leaks(r.stderr, auth)).toEqual([]);
    expectMaskedEcho(r.stdout);
  });

  it('the CLI in-process, the JSON file written with --output', async () => {
    const r = await cliInProcess(
      cli(['--format', 'json', '--output', 'report.json']),
      credentialEnv(auth),
      dir,
    );
    expect(r.stdout).toBe('');
    expect(leaks(r.stderr, auth)).toEqual([]);
    expectMaskedEcho(await readText(join(dir, 'report.json')));
  });

  it.each([
    ['text, verbose', ['--verbose']],
    ['json', ['--format', 'json']],
  ])('the bundled CLI, %s', async (_format, flags) => {
    const r = await cliBundle(cli(flags), credentialEnv(auth), dir);
    expect(r.code).toBe(1);
    expect(leaks(r.stderr, auth)).toEqual([]);
    expectMaskedEcho(r.stdout);
  });

  it('the bundled Action: log and annotations (with debug transcripts), summary, outputs, results file, check run and PR comment', async () => {
    api.requests.length = 0;
    const r = await runBundledAction(
      {
        targets: target(),
        timeout: '5s',
        ca: pki.ca.cert,
        'auth-username': auth.username,
        'auth-password': auth.password,
        'pr-comment': 'always',
      },
      api,
      { RUNNER_DEBUG: '1' },
    );
    expect(r.code).toBe(1);
    const bodies = api.requests.map((q) => q.path);
    expect(bodies).toEqual(
      expect.arrayContaining([
        '/repos/acme/shop/check-runs',
        expect.stringMatching(/^\/repos\/acme\/shop\/check-runs\/\d+$/),
        '/repos/acme/shop/issues/7/comments',
      ]),
    );
    // The debug transcripts: the server's echo is logged, masked. (`::add-mask::` registers the secrets
    // with the runner, which consumes the line: it is not output.)
    expect(r.stdout).toMatch(/^::group::transcript: /m);
    expect(r.stdout).toContain(`::add-mask::${auth.username}`);
    expectMaskedEcho(r.stdout.replace(/^::add-mask::.*$/gm, ''));
    expectMaskedEcho(everythingFrom(r, api));
    expect(leaks(JSON.stringify(api.requests.map((q) => q.body)), auth)).toEqual([]);
  });

  it('the Lambda handler: its answer and its log', async () => {
    const { answer, logs } = await invokeLambda(
      lambdaRequest(server.port, { tls: { ca: [pki.ca.cert] }, auth }),
      server.port,
    );
    expect(answer.results[0]?.result.status).toBe('auth_failed');
    expectMaskedEcho(JSON.stringify(answer));
    expect(logs).toMatch(/probe summary/);
    expect(leaks(logs, auth)).toEqual([]);
  });
});
