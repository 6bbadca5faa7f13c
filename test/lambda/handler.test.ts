import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../lambda/handler.js';
import { type Answer, CONTRACT_VERSION, type ErrorAnswer } from '../../src/contract/index.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const CANARY = 'canary-lambda-pw-44f0';

/** The Context Lambda passes, with the deadline the test chooses. */
function context(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'smtp-port-probe',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smtp-port-probe',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/smtp-port-probe',
    logStreamName: '2026/11/28/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

const PROFILE = {
  timeout: 3_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_000,
  commandTimeout: 1_000,
  retries: 0,
  tls: {},
};

/** A contract request: jobs as [host, port, mode], every one with the profile given (PROFILE by default). */
function request(
  jobs: Array<[string, number, 'starttls' | 'tls' | 'plain']>,
  profile: object = PROFILE,
  extra: object = {},
) {
  return {
    contract: CONTRACT_VERSION,
    profiles: [profile],
    jobs: jobs.map(([host, port, mode]) => ({ host, port, mode, profile: 0 })),
    ...extra,
  };
}

/** A Function URL request (payload format 2.0), as Lambda delivers it. */
function urlEvent(
  body: unknown,
  options: { base64?: boolean; method?: string } = {},
): APIGatewayProxyEventV2 {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc.lambda-url.eu-west-1.on.aws' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc',
      http: {
        method: options.method ?? 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '28/Nov/2026:15:00:00 +0000',
      timeEpoch: Date.now(),
    },
    body: options.base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: options.base64 === true,
  };
}

let relay: SmtpFixture;
let pki: TestPki;
let plain: ServerHandle;
let silent: ServerHandle;
const logged: string[] = [];
const write = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  pki = await testPki();
  relay = await startSmtpServer({ auth: { username: 'deploy', password: CANARY } });
  plain = await startRawServer(
    smtpScript({
      greeting: '220 relay.test',
      replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
      closeAfter: ['QUIT'],
    }),
  );
  silent = await startRawServer((socket) => socket.resume());
  process.env.AWS_REGION = 'eu-west-1';
  // The fixtures listen on free high ports: allow exactly those besides the SMTP ones.
  process.env.SMTP_PROBE_ALLOWED_PORTS = ['25', '465', '587', relay.port, plain.port, silent.port].join(',');
  // Powertools writes its JSON lines to stdout (errors to stderr): keep them for the secret check.
  const keep = (original: typeof write) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = keep(write);
  process.stderr.write = keep(writeErr);
});
afterAll(async () => {
  process.stdout.write = write;
  process.stderr.write = writeErr;
  await Promise.all([relay.close(), plain.close(), silent.close()]);
});
afterEach(() => {
  delete process.env[TEST_SWITCH];
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});

describe('the Lambda handler', () => {
  it('a direct invoke answers the raw results and what the vantage is, and judges nothing', async () => {
    process.env[TEST_SWITCH] = '1';
    const answer = (await handler(request([['127.0.0.1', plain.port, 'plain']]), context())) as Answer;
    expect(answer.contract).toBe(CONTRACT_VERSION);
    expect(answer.results.map((r) => [r.jobs, r.result.status])).toEqual([[[0], 'ok']]);
    expect(answer.vantage).toEqual({
      provider: 'aws-lambda',
      region: 'eu-west-1',
      functionName: 'smtp-port-probe',
      functionVersion: '$LATEST',
      runtime: `node ${process.version}`,
      architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
    // The remote side never judges: the caller does, once, for every vantage.
    expect(Object.keys(answer).sort()).toEqual(['contract', 'durationMs', 'refused', 'results', 'vantage']);
    expect(JSON.stringify(answer)).not.toMatch(/"(findings|verdict|recommendations)"/);
  });

  it('publishes per-port status counts and latencies as CloudWatch EMF, one document per port, no host in it', async () => {
    process.env[TEST_SWITCH] = '1';
    const from = logged.length;
    await handler(
      request([
        ['127.0.0.1', plain.port, 'plain'],
        ['localhost', silent.port, 'plain'],
      ]),
      context(),
    );
    const documents = logged
      .slice(from)
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map(
        (line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } },
      );
    expect(documents.map((d) => Number(d.port))).toEqual([plain.port, silent.port].sort((a, b) => a - b));
    const metricSet = documents[0]?._aws.CloudWatchMetrics[0];
    expect(metricSet).toMatchObject({ Namespace: 'SmtpPortProbe', Dimensions: [['service', 'port']] });
    const plainDoc = documents.find((d) => d.port === String(plain.port));
    expect(plainDoc).toMatchObject({ service: 'smtp-port-probe', ok: 1, Probes: 1 });
    expect(plainDoc?.ProbeDuration).toEqual(expect.any(Number));
    expect(plainDoc?.ConnectDuration).toEqual(expect.any(Number));
    // The silent server accepts and never greets: counted by its status, its connect timed all the same.
    expect(documents.find((d) => d.port === String(silent.port))).toMatchObject({
      no_greeting: 1,
      Probes: 1,
      ConnectDuration: expect.any(Number),
    });
    expect(JSON.stringify(documents)).not.toMatch(/127\.0\.0\.1|localhost/);
  });

  it('a Function URL request with a base64 body gets a 200 with the answer; credentials never come back or get logged', async () => {
    process.env[TEST_SWITCH] = '1';
    const response = (await handler(
      urlEvent(
        request([['localhost', relay.port, 'starttls']], {
          ...PROFILE,
          tls: { ca: [pki.ca.cert] },
          auth: { username: 'deploy', password: CANARY },
        }),
        { base64: true },
      ),
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    const answer = JSON.parse(String(response.body)) as Answer;
    expect(answer.results[0]?.result.sessions[0]).toMatchObject({
      status: 'ok',
      auth: { outcome: 'accepted' },
    });
    expect(response.body).not.toContain(CANARY);
    expect(logged.join('')).toMatch(/"message":"probe summary"/);
    expect(logged.join('')).not.toContain(CANARY);
  });

  it('without the private CA the credentials are withheld: the server never sees AUTH', async () => {
    process.env[TEST_SWITCH] = '1';
    const before = relay.authAttempts.length;
    const answer = (await handler(
      request([['localhost', relay.port, 'starttls']], {
        ...PROFILE,
        auth: { username: 'deploy', password: CANARY },
      }),
      context(),
    )) as Answer;
    expect(answer.results[0]?.result.sessions[0]).toMatchObject({
      status: 'auth_withheld',
      auth: { outcome: 'withheld', withheld: 'untrusted' },
    });
    expect(relay.authAttempts.length).toBe(before);
    expect(JSON.stringify(answer)).not.toContain(CANARY);
  });

  it('identical jobs are probed once and answer for each other', async () => {
    process.env[TEST_SWITCH] = '1';
    const answer = (await handler(
      request([
        ['127.0.0.1', plain.port, 'plain'],
        ['127.0.0.1', plain.port, 'plain'],
        ['127.0.0.1', plain.port, 'plain'],
      ]),
      context(),
    )) as Answer;
    expect(answer.results.map((r) => r.jobs)).toEqual([[0, 1, 2]]);
  });

  it.each([
    [{ contract: CONTRACT_VERSION, profiles: [PROFILE], jobs: [] }, 'jobs'],
    [request([['relay.example.com', 0, 'starttls']]), 'jobs[0].port'],
    [
      request([['relay.example.com', 587, 'starttls']], { ...PROFILE, timeout: 'soon' }),
      'profiles[0].timeout',
    ],
    [request([['relay.example.com', 587, 'starttls']], PROFILE, { colour: 'red' }), 'body'],
    [request([['relay.example.com', 587, 'ssl' as 'tls']]), 'jobs[0].mode'],
    [
      request([['relay.example.com', 587, 'starttls']], { ...PROFILE, helo: 'x\r\nRSET' }),
      'profiles[0].helo',
    ],
    [
      request([['relay.example.com', 587, 'starttls']], {
        ...PROFILE,
        auth: { username: 'u\r\nMAIL', password: 'p' },
      }),
      'profiles[0].auth.username',
    ],
    [
      request([['relay.example.com', 587, 'starttls']], {
        ...PROFILE,
        envelope: { from: 'a\u0000@example.com' },
      }),
      'profiles[0].envelope.from',
    ],
    [
      request([['relay.example.com', 587, 'starttls']], PROFILE, {
        jobs: [{ host: 'x', port: 25, mode: 'starttls', profile: 3 }],
      }),
      'jobs[0].profile',
    ],
  ])(
    'a bad request %j is a 400 naming %s, and the same error answer for a direct invoke',
    async (body, field) => {
      const response = (await handler(urlEvent(body), context())) as APIGatewayProxyStructuredResultV2;
      expect(response.statusCode).toBe(400);
      const parsed = JSON.parse(String(response.body)) as ErrorAnswer;
      expect(parsed.error).toMatchObject({ type: 'BadRequest', field });
      expect(String(response.body)).not.toMatch(/\n\s+at /);
      expect(await handler(body, context())).toEqual(parsed);
    },
  );

  it('a 5 MB host name is refused without being echoed back', async () => {
    const huge = 'a'.repeat(5_000_000);
    const answer = (await handler(request([[huge, 587, 'starttls']]), context())) as ErrorAnswer;
    expect(answer.error.type).toBe('PayloadTooLarge');
    expect(JSON.stringify(answer).length).toBeLessThan(500);
    const small = (await handler(request([['a'.repeat(300), 587, 'starttls']]), context())) as ErrorAnswer;
    expect(small.error).toMatchObject({ type: 'BadRequest', field: 'jobs[0].host' });
    expect(JSON.stringify(small).length).toBeLessThan(500);
  });

  it('a request of another contract version is refused naming both versions', async () => {
    const old = (await handler({ targets: ['relay.example.com'], options: {} }, context())) as ErrorAnswer;
    expect(old.error).toMatchObject({ type: 'ContractMismatch', field: 'contract' });
    expect(old.error.message).toBe(
      `the request carries no contract version (version 1 sent none), this side speaks contract version ${CONTRACT_VERSION}: update the caller (smtp-port-probe)`,
    );
    const newer = (await handler(
      { ...request([['relay.example.com', 587, 'starttls']]), contract: 9 },
      context(),
    )) as ErrorAnswer;
    expect(newer.error.message).toMatch(
      /carries contract version 9, this side speaks contract version 2: deploy the newer function/,
    );
  });

  it('a GET, a body that is not JSON, and an HTTP event without a method are 400s', async () => {
    const get = (await handler(
      urlEvent('', { method: 'GET' }),
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(JSON.parse(String(get.body))).toMatchObject({ error: { field: 'method' } });
    const junk = (await handler(urlEvent('{not json'), context())) as APIGatewayProxyStructuredResultV2;
    expect(junk.statusCode).toBe(400);
    expect(JSON.parse(String(junk.body))).toMatchObject({ error: { field: 'body' } });
    const methodless = (await handler(
      { requestContext: { accountId: '1' }, body: '{}' },
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(methodless.statusCode).toBe(400);
    expect(JSON.parse(String(methodless.body))).toMatchObject({ error: { field: 'requestContext' } });
  });

  it('a REST API (payload 1.0) event is read as HTTP, not taken for a direct invoke', async () => {
    process.env[TEST_SWITCH] = '1';
    const response = (await handler(
      {
        resource: '/probe',
        path: '/probe',
        httpMethod: 'POST',
        headers: {},
        requestContext: { accountId: '1', httpMethod: 'POST' },
        body: JSON.stringify(request([['127.0.0.1', plain.port, 'plain']])),
        isBase64Encoded: false,
      },
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(200);
    expect((JSON.parse(String(response.body)) as Answer).results[0]?.result.status).toBe('ok');
  });

  it('loopback, private addresses and non-SMTP ports are refused without the test switch, before any packet', async () => {
    const answer = (await handler(
      request([
        ['127.0.0.1', 587, 'starttls'],
        ['10.0.0.7', 587, 'starttls'],
        ['[::ffff:169.254.169.254]', 25, 'starttls'],
        ['smtp.example.com', 22, 'starttls'],
      ]),
      context(),
    )) as Answer;
    expect(answer.results).toEqual([]);
    expect(answer.refused.map((r) => [r.jobs, r.host]).sort()).toEqual(
      [
        [[0], '127.0.0.1'],
        [[1], '10.0.0.7'],
        [[2], '[::ffff:169.254.169.254]'],
        [[3], 'smtp.example.com'],
      ].sort(),
    );
    expect(answer.refused.find((r) => r.host === 'smtp.example.com')?.reason).toMatch(
      /port 22 is not allowed here/,
    );
  });

  it('always answers before Lambda would kill it: unfinished probes are aborted', async () => {
    process.env[TEST_SWITCH] = '1';
    const started = performance.now();
    const answer = (await handler(
      request([['127.0.0.1', silent.port, 'starttls']], {
        ...PROFILE,
        greetingTimeout: 20_000,
        timeout: 30_000,
      }),
      context(2_500),
    )) as Answer;
    const elapsed = performance.now() - started;
    expect(answer.results.map((r) => r.result.status)).toEqual(['aborted']);
    expect(elapsed).toBeLessThan(2_500 - 1_000);
  });

  it("the caller's own deadline is honoured when it is shorter than the function's", async () => {
    process.env[TEST_SWITCH] = '1';
    const started = performance.now();
    const answer = (await handler(
      request(
        [['127.0.0.1', silent.port, 'starttls']],
        { ...PROFILE, greetingTimeout: 20_000, timeout: 30_000 },
        { deadlineMs: 500 },
      ),
      context(30_000),
    )) as Answer;
    expect(answer.results.map((r) => r.result.status)).toEqual(['aborted']);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('a failure of the function itself is thrown on a direct invoke (so Lambda counts it) and a 500 with the request id over HTTP', async () => {
    process.env[TEST_SWITCH] = '1';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'smtp-port-probe';
    await expect(handler(request([['127.0.0.1', plain.port, 'plain']]), context())).rejects.toThrow(
      /the probe failed unexpectedly \(request c6af9ac6-7b61-11e6-9a41-93e812345678\)/,
    );
    const response = (await handler(
      urlEvent(request([['127.0.0.1', plain.port, 'plain']])),
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(String(response.body))).toEqual({
      contract: CONTRACT_VERSION,
      error: {
        type: 'InternalError',
        message: 'the probe failed unexpectedly; see the function log',
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      },
    });
    expect(logged.join('')).toMatch(/refused inside AWS Lambda/);
  });
});
