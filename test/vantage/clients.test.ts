import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { DEFAULT_OPTIONS, type Plan } from '../../src/plan/types.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import { runPlan } from '../../src/run/pipeline.js';
import { CHUNK } from '../../src/run/remote.js';
import { invokeFunctionUrl, invokeLambda, VantageError } from '../../src/vantage/clients.js';
import { parseVantage } from '../../src/vantage/spec.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import { refusingPort } from '../helpers/ports.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';
import { usageError } from '../helpers/usage-error.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDLOCALTEST00000000',
  secretAccessKey: 'local-test-secret-key/0000000000000000000',
};
let lambda: FakeLambda;
let relay: ServerHandle;

beforeAll(async () => {
  relay = await startRawServer(
    smtpScript({
      greeting: '220 relay.test',
      replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
      closeAfter: ['QUIT'],
    }),
  );
  lambda = await startFakeLambda({ credentials: CREDENTIALS });
  // The SDK's default chain reads these; the stand-in verifies against them.
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.url;
  // The handler runs in this process (in the stand-in): loopback and the relay's port allowed for tests.
  process.env[TEST_SWITCH] = '1';
  process.env.SMTP_PROBE_ALLOWED_PORTS = `25,587,${relay.port}`;
});
afterAll(async () => {
  await Promise.all([lambda.close(), relay.close()]);
});

const profile = {
  timeout: 3_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_000,
  commandTimeout: 1_000,
  retries: 0,
  tls: {},
};
const request = () =>
  JSON.stringify({
    contract: CONTRACT_VERSION,
    profiles: [profile],
    jobs: [{ host: '127.0.0.1', port: relay.port, mode: 'plain', profile: 0 }],
  });
const lambdaSpec = {
  kind: 'aws-lambda',
  label: 'aws-lambda:eu-west-1',
  region: 'eu-west-1',
  functionName: 'smtp-probe',
} as const;
const urlSpec = () =>
  ({
    kind: 'function-url',
    label: 'function-url:eu-central-1',
    region: 'eu-central-1',
    url: new URL(`${lambda.url}/`),
  }) as const;
const signal = () => AbortSignal.timeout(10_000);

describe('vantage clients', () => {
  it('reads the three vantage forms and refuses anything else, naming it', () => {
    expect(parseVantage('runner', 'x')).toEqual({ kind: 'runner', label: 'runner' });
    expect(parseVantage('aws-lambda:eu-west-1:smtp-probe', 'x')).toEqual({
      kind: 'aws-lambda',
      label: 'aws-lambda:eu-west-1',
      region: 'eu-west-1',
      functionName: 'smtp-probe',
    });
    expect(parseVantage('https://abcdef123.lambda-url.us-east-2.on.aws/', 'x')).toMatchObject({
      kind: 'function-url',
      region: 'us-east-2',
    });
    for (const [bad, named] of [
      ['lambda', 'lambda'],
      ['aws-lambda:eu-west:fn', 'eu-west'],
      ['aws-lambda:eu-west-1:fn.x', 'fn.x'],
      ['http://abc.lambda-url.us-east-1.on.aws/', 'http://abc.lambda-url.us-east-1.on.aws/'],
      ['https://example.com/', 'https://example.com/'],
    ]) {
      const error = usageError(() => parseVantage(bad as string, '--vantage'));
      expect(error.source).toBe('--vantage');
      expect(error.message).toContain(JSON.stringify(named));
    }
  });

  it('invokes a function through the Lambda Invoke API, signed, and returns its raw answer', async () => {
    const answer = await invokeLambda(lambdaSpec, request(), signal());
    expect(answer.results.map((r) => r.result.status)).toEqual(['ok']);
    expect(answer.vantage).toMatchObject({ provider: 'aws-lambda', functionName: 'smtp-probe' });
    expect(lambda.requests.at(-1)).toEqual({
      path: '/2015-03-31/functions/smtp-probe/invocations',
      region: 'eu-west-1',
      verified: true,
    });
  });

  it('posts to a Function URL with a SigV4 signature the server verifies', async () => {
    const answer = await invokeFunctionUrl(urlSpec(), request(), signal());
    expect(answer.results.map((r) => r.result.status)).toEqual(['ok']);
    expect(lambda.requests.at(-1)).toEqual({ path: '/', region: 'eu-central-1', verified: true });
  });

  it('a wrong secret is refused with 403, and the error names the permissions once, without the label', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    try {
      const attempt = invokeFunctionUrl(urlSpec(), request(), signal());
      await expect(attempt).rejects.toBeInstanceOf(VantageError);
      await expect(attempt).rejects.toThrow(
        /^access denied \(403\): the credentials need lambda:InvokeFunctionUrl and lambda:InvokeFunction/,
      );
      expect(lambda.requests.at(-1)?.verified).toBe(false);
      const invoke = invokeLambda(lambdaSpec, request(), signal());
      await expect(invoke).rejects.toThrow(
        /^access denied \(403\): the credentials need lambda:InvokeFunction/,
      );
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    }
  });

  it("the handler's typed error for a bad request becomes a vantage error naming the field", async () => {
    const bad = JSON.stringify({
      contract: CONTRACT_VERSION,
      profiles: [profile],
      jobs: [{ host: 'relay.example.test', port: 0, mode: 'plain', profile: 0 }],
    });
    await expect(invokeLambda(lambdaSpec, bad, signal())).rejects.toThrow(
      /^BadRequest \(jobs\[0\]\.port\): /,
    );
    await expect(invokeFunctionUrl(urlSpec(), bad, signal())).rejects.toThrow(
      /^answered HTTP 400: BadRequest \(jobs\[0\]\.port\): /,
    );
  });

  it('a function of another contract version is refused by name, with both versions', async () => {
    const old = JSON.stringify({ targets: ['127.0.0.1'], options: {} });
    await expect(invokeLambda(lambdaSpec, old, signal())).rejects.toThrow(/^ContractMismatch \(contract\): /);
    await expect(invokeLambda(lambdaSpec, old, signal())).rejects.toThrow(
      `no contract version (version 1 sent none), this side speaks contract version ${CONTRACT_VERSION}`,
    );
  });

  it('a large plan is split across parallel invocations, and every port comes back', async () => {
    // 45 ports this test holds closed: each probe is refused, whatever else runs on the machine.
    const held = await Promise.all(Array.from({ length: 45 }, () => refusingPort('127.0.0.1')));
    const closed = held.map((port) => port.port);
    const previous = process.env.SMTP_PROBE_ALLOWED_PORTS;
    process.env.SMTP_PROBE_ALLOWED_PORTS = closed.join(',');
    try {
      const before = lambda.requests.length;
      const plan: Plan = {
        targets: [
          {
            name: 'closed',
            host: '127.0.0.1',
            mx: false,
            require: 'all',
            ports: closed.map((port) => ({
              port,
              mode: 'plain' as const,
              modeExplicit: true,
              expect: { tls: 'none' as const },
            })),
          },
        ],
        options: { ...DEFAULT_OPTIONS, connectTimeout: 1_000 },
        failOn: 'error',
        vantages: [parseVantage('aws-lambda:eu-west-1:smtp-probe', 'x')],
      };
      const report = await runPlan(plan);
      expect(lambda.requests.length - before).toBe(Math.ceil(45 / CHUNK));
      expect(report.results.map((r) => r.port)).toEqual(closed);
      expect(new Set(report.results.map((r) => r.status))).toEqual(new Set(['refused']));
      expect(new Set(report.results.map((r) => r.vantage))).toEqual(new Set(['aws-lambda:eu-west-1']));
    } finally {
      process.env.SMTP_PROBE_ALLOWED_PORTS = previous;
      await Promise.all(held.map((port) => port.close()));
    }
  });
});
