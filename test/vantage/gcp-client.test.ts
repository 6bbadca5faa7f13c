/**
 * The GCP vantage client against the GCP entry served by functions-framework, behind a local front
 * that verifies every Bearer ID token (signature with a key this test generates, issuer, audience,
 * expiry) and checks roles/run.invoker, as Cloud Run does for --no-allow-unauthenticated.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../gcp/index.js';
import { EXIT, main } from '../../src/cli/main.js';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { runnerEnvironment } from '../../src/plan/runner-environment.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import type { Report } from '../../src/result/model.js';
import { VantageError } from '../../src/vantage/answers.js';
import { invokeGcp } from '../../src/vantage/gcp-client.js';
import { parseVantage, parseVantages, type RemoteVantageSpec } from '../../src/vantage/spec.js';
import { programArgs } from '../helpers/entry-points.js';
import {
  type FrontRequest,
  startGcpFront,
  startMetadataServer,
  type TokenIssuer,
  tokenIssuer,
} from '../helpers/fake-gcp.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';

const run = promisify(execFile);
const INVOKER = 'prober@acme-probes.iam.gserviceaccount.com';
const OUTSIDER = 'someone@acme-probes.iam.gserviceaccount.com';

let issuer: TokenIssuer;
let fn: http.Server;
let front: Awaited<ReturnType<typeof startGcpFront>>;
let metadata: Awaited<ReturnType<typeof startMetadataServer>>;
let relay: ServerHandle;
let spec: Extract<RemoteVantageSpec, { kind: 'gcp' }>;
let audience: string;

beforeAll(async () => {
  issuer = await tokenIssuer();
  relay = await startRawServer(
    smtpScript({
      greeting: '220 relay.test',
      replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
      closeAfter: ['QUIT'],
    }),
  );
  process.env[TEST_SWITCH] = '1';
  process.env.SMTP_PROBE_ALLOWED_PORTS = `25,587,${relay.port}`;
  process.env.SMTP_PROBE_REGION = 'europe-west1';
  fn = getTestServer('probe');
  await new Promise<void>((resolve) => fn.listen(0, '127.0.0.1', resolve));
  front = await startGcpFront({
    issuer,
    invokers: [INVOKER],
    forward: `http://127.0.0.1:${(fn.address() as AddressInfo).port}`,
  });
  audience = front.url;
  spec = parseVantage(`gcp:europe-west1:${front.url}/`, 'test') as typeof spec;
  // google-auth-library finds "Google Cloud" here and nowhere else: no ADC file, no key, no real metadata.
  metadata = await startMetadataServer(issuer, INVOKER);
  process.env.GCE_METADATA_HOST = metadata.host;
  process.env.CLOUDSDK_CONFIG = await mkdtemp(join(tmpdir(), 'gcloud-'));
  // A project from the environment: google-auth-library would otherwise ask the gcloud CLI for one.
  process.env.GOOGLE_CLOUD_PROJECT = 'acme-probes';
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    fn.close(() => resolve());
    fn.closeAllConnections();
  });
  await Promise.all([front.close(), metadata.close(), relay.close()]);
});

const request = () =>
  JSON.stringify({
    contract: CONTRACT_VERSION,
    profiles: [
      {
        timeout: 3_000,
        connectTimeout: 1_000,
        greetingTimeout: 1_000,
        commandTimeout: 1_000,
        retries: 0,
        tls: {},
      },
    ],
    jobs: [{ host: '127.0.0.1', port: relay.port, mode: 'plain', profile: 0 }],
  });
const signal = () => AbortSignal.timeout(10_000);
const last = (): FrontRequest | undefined => front.requests.at(-1);

describe('the GCP vantage client', { timeout: 60_000 }, () => {
  it('sends the ID token as a Bearer token the front verifies (signature, issuer, audience, expiry) before the function answers', async () => {
    const token = await issuer.sign({ aud: audience, email: INVOKER, expiresIn: 600 });
    const answer = await invokeGcp(spec, request(), signal(), token);
    expect(answer.results.map((r) => r.result.status)).toEqual(['ok']);
    expect(answer.vantage).toMatchObject({ provider: 'gcp-cloud-run', region: 'europe-west1' });
    expect(last()).toMatchObject({
      path: '/',
      outcome: 'forwarded',
      claims: { aud: audience, email: INVOKER },
    });
  });

  it('a token for another audience is refused 401: the error names the audiences and roles/run.invoker, never the token', async () => {
    const token = await issuer.sign({ aud: 'https://other-123.europe-west1.run.app', email: INVOKER });
    const attempt = invokeGcp(spec, request(), signal(), token);
    await expect(attempt).rejects.toBeInstanceOf(VantageError);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).toBe(
      `unauthenticated (401): the ID token was not accepted; its audience must be ${audience} (or a custom audience of the function; the token's is https://other-123.europe-west1.run.app), it must be unexpired, and ${INVOKER} needs roles/run.invoker on this function`,
    );
    expect(message).not.toContain(token.split('.')[2]);
    expect(last()).toMatchObject({ outcome: 'unauthenticated', reason: expect.stringMatching(/aud/) });
  });

  it('a token signed by another key is refused 401 by the front, and nothing reaches the function', async () => {
    const stranger = await tokenIssuer();
    const token = await stranger.sign({ aud: audience, email: INVOKER });
    await expect(invokeGcp(spec, request(), signal(), token)).rejects.toThrow(/^unauthenticated \(401\)/);
    expect(last()).toMatchObject({ outcome: 'unauthenticated', reason: expect.stringMatching(/signature/) });
  });

  it('an identity without roles/run.invoker gets 403, and the error names the role and the identity', async () => {
    const token = await issuer.sign({ aud: audience, email: OUTSIDER });
    await expect(invokeGcp(spec, request(), signal(), token)).rejects.toThrow(
      `access denied (403): ${OUTSIDER} needs roles/run.invoker on this function (the token's audience: ${audience}, this function's: ${audience})`,
    );
    expect(last()?.outcome).toBe('forbidden');
  });

  it('an expired token is refused here, before anything is sent', async () => {
    const token = await issuer.sign({ aud: audience, email: INVOKER, expiresIn: -30 });
    const before = front.requests.length;
    await expect(invokeGcp(spec, request(), signal(), token)).rejects.toThrow(
      /^the ID token in `gcp_id_token` expired at \d{4}-\d\d-\d\dT[\d:.]+Z \(Google ID tokens last an hour\): mint a fresh one$/,
    );
    expect(front.requests.length).toBe(before);
  });

  it("of several tokens, the one whose audience is the function's URL is sent; none matching is an error listing theirs", async () => {
    const other = await issuer.sign({ aud: 'https://smtp-port-probe-1.us-central1.run.app', email: INVOKER });
    const mine = await issuer.sign({ aud: `${audience}/`, email: INVOKER });
    const answer = await invokeGcp(spec, request(), signal(), `${other}\n${mine}\n`);
    expect(answer.results.map((r) => r.result.status)).toEqual(['ok']);
    expect(last()?.claims?.aud).toBe(`${audience}/`);
    await expect(invokeGcp(spec, request(), signal(), `${other},${other}`)).rejects.toThrow(
      `none of the 2 ID tokens in \`gcp_id_token\` has the audience ${audience} (theirs: https://smtp-port-probe-1.us-central1.run.app, https://smtp-port-probe-1.us-central1.run.app)`,
    );
    await expect(invokeGcp(spec, request(), signal(), 'not-a-jwt')).rejects.toThrow(
      'the ID token in `gcp_id_token` is not a JWT',
    );
  });

  it("without a token, google-auth-library mints one for the function's URL from the metadata server", async () => {
    const answer = await invokeGcp(spec, request(), signal());
    expect(answer.results.map((r) => r.result.status)).toEqual(['ok']);
    expect(metadata.audiences).toEqual([audience]);
    expect(last()).toMatchObject({ outcome: 'forwarded', claims: { aud: audience, email: INVOKER } });
  });

  it('the CLI probes from the runner and the region in one matrix, and the token never appears in its output', async () => {
    const token = await issuer.sign({ aud: audience, email: INVOKER });
    let stdout = '';
    let stderr = '';
    const code = await main(
      [
        `127.0.0.1:${relay.port}`,
        '--mode',
        'plain',
        '--format',
        'json',
        '--vantage',
        'runner',
        '--vantage',
        `gcp:europe-west1:${front.url}`,
      ],
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t), isTTY: false },
        env: { ...process.env, SMTP_PROBE_GCP_ID_TOKEN: token },
        cwd: process.cwd(),
      },
    );
    expect(code).toBe(EXIT.pass);
    const report = JSON.parse(stdout) as Report;
    expect(report.results.map((r) => [r.vantage, r.status])).toEqual([
      ['runner', 'ok'],
      ['gcp:europe-west1', 'ok'],
    ]);
    expect(report.vantages.map((v) => [v.label, v.kind, v.region, v.facts?.provider])).toEqual([
      ['runner', 'runner', undefined, runnerEnvironment(process.env)],
      ['gcp:europe-west1', 'gcp', 'europe-west1', 'gcp-cloud-run'],
    ]);
    expect(`${stdout}${stderr}`).not.toContain(token.split('.')[2]);
  });

  it('a refused token is a vantage-failed finding that names the setting the CLI way, and hides no other vantage', async () => {
    let stdout = '';
    await main(
      [
        `127.0.0.1:${relay.port}`,
        '--mode',
        'plain',
        '--format',
        'json',
        '--vantage',
        'runner',
        '--vantage',
        `gcp:europe-west1:${front.url}`,
      ],
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: () => true, isTTY: false },
        env: { ...process.env, SMTP_PROBE_GCP_ID_TOKEN: 'a.b' },
        cwd: process.cwd(),
      },
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.results.map((r) => [r.vantage, r.status])).toEqual([['runner', 'ok']]);
    expect(report.findings.map((f) => [f.vantage, f.rule])).toEqual([['gcp:europe-west1', 'vantage-failed']]);
    expect(report.vantages[1]?.error).toBe(
      'the ID token in the SMTP_PROBE_GCP_ID_TOKEN environment variable is not a JWT',
    );
  });

  it('the Action registers every token of gcp-id-token as a secret and probes from the region', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gcp-action-'));
    const output = join(dir, 'output.txt');
    await Promise.all([writeFile(output, ''), writeFile(join(dir, 'summary.md'), '')]);
    const tokens = [
      await issuer.sign({ aud: 'https://smtp-port-probe-1.us-central1.run.app', email: INVOKER }),
      await issuer.sign({ aud: audience, email: INVOKER }),
    ];
    const { stdout } = await run(process.execPath, programArgs('action', 'source'), {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        [TEST_SWITCH]: '1',
        SMTP_PROBE_ALLOWED_PORTS: `25,587,${relay.port}`,
        INPUT_TARGETS: `127.0.0.1:${relay.port}`,
        INPUT_MODE: 'plain',
        INPUT_VANTAGES: `runner\ngcp:europe-west1:${front.url}`,
        'INPUT_GCP-ID-TOKEN': tokens.join('\n'),
        'INPUT_CHECK-RUN': 'false',
        'INPUT_PR-COMMENT': 'off',
        'INPUT_FAIL-ON': 'error',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
        GITHUB_WORKSPACE: dir,
        RUNNER_TEMP: dir,
      },
      cwd: dir,
      timeout: 60_000,
    });
    // The runner masks what ::add-mask:: names: each token, before anything else is printed.
    const lines = stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(tokens.map((t) => `::add-mask::${t}`));
    expect(lines.slice(2).join('\n')).not.toContain(tokens[1]?.split('.')[2]);
    const rows = /^results<<(\S+)\n([\s\S]*?)\n\1$/m.exec(await readFile(output, 'utf8'))?.[2] ?? '[]';
    expect(
      (JSON.parse(rows) as Array<{ vantage: string; status: string }>).map((r) => [r.vantage, r.status]),
    ).toEqual([
      ['runner', 'ok'],
      ['gcp:europe-west1', 'ok'],
    ]);
  });
});

describe('vantage specs', () => {
  it('reads gcp:REGION:URL, and refuses what is not a Cloud Run function URL, naming the value', () => {
    expect(
      parseVantage('gcp:europe-west1:https://smtp-port-probe-123456789012.europe-west1.run.app', 'x'),
    ).toEqual({
      kind: 'gcp',
      label: 'gcp:europe-west1',
      region: 'europe-west1',
      url: new URL('https://smtp-port-probe-123456789012.europe-west1.run.app/'),
    });
    expect(parseVantage('gcp:us-central1:https://smtp-port-probe-x7k2q-uc.a.run.app/', 'x')).toMatchObject({
      label: 'gcp:us-central1',
    });
    for (const [bad, message] of [
      [
        'gcp:europe:https://a.run.app',
        '"europe" is not a Google Cloud region (e.g. europe-west1): use gcp:REGION:URL',
      ],
      ['gcp:europe-west1:http://a.run.app', '"http://a.run.app" is not the function\'s https:// URL'],
      ['gcp:europe-west1:smtp-port-probe', '"smtp-port-probe" is not the function\'s https:// URL'],
      [
        'gcp:us-east1:https://smtp-port-probe-1.europe-west1.run.app',
        'smtp-port-probe-1.europe-west1.run.app is in europe-west1, not us-east1: write gcp:europe-west1:https://smtp-port-probe-1.europe-west1.run.app/',
      ],
      [
        'gcp:europe-west1:https://a.run.app/?token=x',
        'the URL of gcp:europe-west1 must not carry credentials, a query or a fragment',
      ],
    ] as const) {
      expect(() => parseVantage(bad, '--vantage')).toThrow(`--vantage: ${message}`);
    }
  });

  it('reads Lambda versions and aliases, and function ARNs of any account', () => {
    expect(parseVantage('aws-lambda:eu-west-1:smtp-port-probe:live', 'x')).toEqual({
      kind: 'aws-lambda',
      label: 'aws-lambda:eu-west-1',
      region: 'eu-west-1',
      functionName: 'smtp-port-probe',
      qualifier: 'live',
    });
    expect(parseVantage('arn:aws:lambda:us-east-1:210987654321:function:smtp-port-probe:7', 'x')).toEqual({
      kind: 'aws-lambda',
      label: 'aws-lambda:us-east-1',
      region: 'us-east-1',
      functionName: 'smtp-port-probe',
      qualifier: '7',
      functionArn: 'arn:aws:lambda:us-east-1:210987654321:function:smtp-port-probe',
    });
    expect(() => parseVantage('aws-lambda:eu-west-1:smtp-port-probe:', '--vantage')).toThrow(
      '--vantage: "" is not a function version or alias',
    );
    expect(() => parseVantage('arn:aws:lambda:eu-west-1:12:function:x', '--vantage')).toThrow(
      '--vantage: "arn:aws:lambda:eu-west-1:12:function:x" is not a Lambda function ARN',
    );
  });

  it('the same function twice counts once; two functions in one region are labelled in full', () => {
    const labels = (texts: string[]) => parseVantages(texts, () => 'x').map((v) => v.label);
    expect(
      labels([
        'runner',
        'aws-lambda:eu-west-1:smtp-port-probe',
        'aws-lambda:eu-west-1:smtp-port-probe',
        'gcp:europe-west1:https://smtp-port-probe-1.europe-west1.run.app',
      ]),
    ).toEqual(['runner', 'aws-lambda:eu-west-1', 'gcp:europe-west1']);
    expect(
      labels([
        'aws-lambda:eu-west-1:smtp-port-probe',
        'aws-lambda:eu-west-1:smtp-port-probe:live',
        'arn:aws:lambda:eu-west-1:210987654321:function:smtp-port-probe',
        'aws-lambda:us-east-1:smtp-port-probe',
      ]),
    ).toEqual([
      'aws-lambda:eu-west-1:smtp-port-probe',
      'aws-lambda:eu-west-1:smtp-port-probe:live',
      'aws-lambda:eu-west-1:210987654321:smtp-port-probe',
      'aws-lambda:us-east-1',
    ]);
    expect(
      labels([
        'gcp:europe-west1:https://smtp-port-probe-1.europe-west1.run.app',
        'gcp:europe-west1:https://other-1.europe-west1.run.app',
      ]),
    ).toEqual([
      'gcp:europe-west1:smtp-port-probe-1.europe-west1.run.app',
      'gcp:europe-west1:other-1.europe-west1.run.app',
    ]);
  });
});
