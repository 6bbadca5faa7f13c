import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type Plan } from '../../src/plan/types.js';
import { invokeFunctionUrl, invokeLambda, VantageError } from '../../src/vantage/clients.js';
import { TEST_SWITCH } from '../../src/vantage/destination-policy.js';
import { CHUNK, runMatrix } from '../../src/vantage/matrix.js';
import { parseVantage } from '../../src/vantage/vantage-spec.js';
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

const request = () => ({
  targets: [`127.0.0.1:${relay.port}`],
  options: { mode: 'plain' as const, timeout: 3_000 },
});

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

  it('invokes a function through the Lambda Invoke API, signed, and returns its report', async () => {
    const report = await invokeLambda(
      { kind: 'aws-lambda', label: 'aws-lambda:eu-west-1', region: 'eu-west-1', functionName: 'smtp-probe' },
      request(),
    );
    expect(report.results.map((r) => r.status)).toEqual(['ok']);
    expect(report.vantage).toMatchObject({ kind: 'aws-lambda', functionName: 'smtp-probe' });
    expect(lambda.requests.at(-1)).toEqual({
      path: '/2015-03-31/functions/smtp-probe/invocations',
      region: 'eu-west-1',
      verified: true,
    });
  });

  it('posts to a Function URL with a SigV4 signature the server verifies', async () => {
    const report = await invokeFunctionUrl(
      {
        kind: 'function-url',
        label: 'function-url:eu-central-1',
        region: 'eu-central-1',
        url: new URL(`${lambda.url}/`),
      },
      request(),
    );
    expect(report.results.map((r) => r.status)).toEqual(['ok']);
    expect(lambda.requests.at(-1)).toEqual({ path: '/', region: 'eu-central-1', verified: true });
  });

  it('a wrong secret is refused with 403, reported as the vantage failing with the permission it needs', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    try {
      const attempt = invokeFunctionUrl(
        {
          kind: 'function-url',
          label: 'function-url:eu-central-1',
          region: 'eu-central-1',
          url: new URL(`${lambda.url}/`),
        },
        request(),
      );
      await expect(attempt).rejects.toBeInstanceOf(VantageError);
      await expect(attempt).rejects.toThrow('function-url:eu-central-1: access denied (403)');
      expect(lambda.requests.at(-1)?.verified).toBe(false);
      const invoke = invokeLambda(
        {
          kind: 'aws-lambda',
          label: 'aws-lambda:eu-west-1',
          region: 'eu-west-1',
          functionName: 'smtp-probe',
        },
        request(),
      );
      await expect(invoke).rejects.toThrow(
        /aws-lambda:eu-west-1: access denied \(403\): the credentials need lambda:InvokeFunction/,
      );
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    }
  });

  it("the handler's typed error for a bad request becomes a vantage error naming the field", async () => {
    const attempt = invokeLambda(
      { kind: 'aws-lambda', label: 'aws-lambda:eu-west-1', region: 'eu-west-1', functionName: 'smtp-probe' },
      { targets: ['relay.example.test:0'], options: {} },
    );
    await expect(attempt).rejects.toThrow(/aws-lambda:eu-west-1: BadRequest: targets\[0\]: /);
  });

  it('a large plan is split across parallel invocations, and every port comes back', async () => {
    // 45 ports this test holds closed: each probe is refused, whatever else runs on the machine.
    const held = await Promise.all(Array.from({ length: 45 }, () => refusingPort('127.0.0.1')));
    const ports = held.map((port) => port.port);
    const previous = process.env.SMTP_PROBE_ALLOWED_PORTS;
    process.env.SMTP_PROBE_ALLOWED_PORTS = ports.join(',');
    try {
      const before = lambda.requests.length;
      const plan: Plan = {
        targets: [
          {
            name: 'closed',
            host: '127.0.0.1',
            mx: false,
            require: 'all',
            ports: ports.map((port) => ({ port, mode: 'plain' as const, expect: { tls: 'none' as const } })),
          },
        ],
        options: { ...DEFAULT_OPTIONS, connectTimeout: 1_000 },
        failOn: 'error',
      };
      const report = await runMatrix(plan, [parseVantage('aws-lambda:eu-west-1:smtp-probe', 'x')]);
      expect(lambda.requests.length - before).toBe(Math.ceil(45 / CHUNK));
      expect(report.results.map((r) => r.port)).toEqual(ports);
      expect(new Set(report.results.map((r) => r.status))).toEqual(new Set(['refused']));
    } finally {
      process.env.SMTP_PROBE_ALLOWED_PORTS = previous;
      await Promise.all(held.map((port) => port.close()));
    }
  });
});
