import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../lambda/handler.js';
import type { Report } from '../../src/report/model.js';
import { TEST_SWITCH } from '../../src/vantage/destination-policy.js';
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
let plain: ServerHandle;
let silent: ServerHandle;
const logged: string[] = [];
const write = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
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
  it('a direct invoke returns the report with the vantage (test switch on for loopback)', async () => {
    process.env[TEST_SWITCH] = '1';
    const report = (await handler(
      { targets: [`127.0.0.1:${plain.port}`], options: { mode: 'plain', timeout: '2s' } },
      context(),
    )) as Report;
    expect(report.results.map((r) => r.status)).toEqual(['ok']);
    expect(report.vantage).toEqual({
      kind: 'aws-lambda',
      region: 'eu-west-1',
      functionName: 'smtp-port-probe',
      architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
    // Plain mode on a submission port: the session works, and the missing TLS is judged as anywhere else.
    expect(report.findings.map((f) => f.rule)).toEqual(['tls-missing']);
  });

  it('a Function URL request with a base64 body gets a 200 with the JSON report; credentials never come back or get logged', async () => {
    process.env[TEST_SWITCH] = '1';
    const response = (await handler(
      urlEvent(
        {
          targets: [`127.0.0.1:${relay.port}`],
          options: { auth: { username: 'deploy', password: CANARY }, timeout: 3000 },
        },
        { base64: true },
      ),
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    const report = JSON.parse(String(response.body)) as Report;
    // The relay's certificate comes from the tests' own CA, which the Lambda does not trust: the probe
    // core withholds the credentials (the request has no setting to send them anyway).
    expect(report.results[0]).toMatchObject({
      status: 'auth_withheld',
      auth: { outcome: 'withheld', withheld: 'untrusted' },
    });
    expect(relay.authAttempts).toEqual([]);
    expect(response.body).not.toContain(CANARY);
    expect(logged.join('')).toMatch(/"message":"probe summary"/);
    expect(logged.join('')).not.toContain(CANARY);
  });

  it.each([
    [{ targets: [] }, 'targets'],
    [{ targets: ['relay.example.com:0'] }, 'targets[0]'],
    [{ targets: ['relay.example.com'], options: { timeout: 'soon' } }, 'options.timeout'],
    [{ targets: ['relay.example.com'], options: { colour: 'red' } }, 'options'],
    [{ targets: ['relay.example.com'], options: { mode: 'ssl' } }, 'options.mode'],
    [{ targets: 'relay.example.com' }, 'targets'],
  ])('a bad request %j is a 400 naming %s, and a typed error for a direct invoke', async (body, field) => {
    const response = (await handler(urlEvent(body), context())) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(400);
    const parsed = JSON.parse(String(response.body)) as {
      error: { type: string; field: string; message: string };
    };
    expect(parsed.error).toMatchObject({ type: 'BadRequest', field });
    expect(parsed.error.message.startsWith(`${field}: `)).toBe(true);
    expect(String(response.body)).not.toMatch(/\n\s+at /);
    expect(await handler(body, context())).toEqual(parsed);
  });

  it('a GET or a body that is not JSON is a 400 too', async () => {
    const get = (await handler(
      urlEvent('', { method: 'GET' }),
      context(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(JSON.parse(String(get.body))).toMatchObject({ error: { field: 'method' } });
    const junk = (await handler(urlEvent('{not json'), context())) as APIGatewayProxyStructuredResultV2;
    expect(junk.statusCode).toBe(400);
    expect(JSON.parse(String(junk.body))).toMatchObject({ error: { field: 'body' } });
  });

  it('loopback, private addresses and non-SMTP ports are forbidden without the test switch', async () => {
    const report = (await handler(
      { targets: ['127.0.0.1:587', '10.0.0.7:587', '[::ffff:169.254.169.254]:25', 'smtp.example.com:22'] },
      context(),
    )) as Report;
    expect(report.results.map((r) => [r.host, r.status])).toEqual([
      ['127.0.0.1', 'forbidden'],
      ['10.0.0.7', 'forbidden'],
      ['::ffff:169.254.169.254', 'forbidden'],
      ['smtp.example.com', 'forbidden'],
    ]);
    expect(report.findings.map((f) => f.rule)).toEqual(Array(4).fill('forbidden-destination'));
    expect(report.findings[3]?.message).toMatch(/port 22 is not allowed here/);
    expect(report.verdict.pass).toBe(false);
  });

  it('always answers before Lambda would kill it: unfinished probes are aborted', async () => {
    process.env[TEST_SWITCH] = '1';
    const started = performance.now();
    const report = (await handler(
      { targets: [`127.0.0.1:${silent.port}`], options: { greetingTimeout: '20s', timeout: '30s' } },
      context(2_500),
    )) as Report;
    const elapsed = performance.now() - started;
    expect(report.results.map((r) => r.status)).toEqual(['aborted']);
    expect(elapsed).toBeLessThan(2_500 - 1_000);
  });

  it('the test switch is refused where Lambda runs', async () => {
    process.env[TEST_SWITCH] = '1';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'smtp-port-probe';
    const result = await handler({ targets: [`127.0.0.1:${plain.port}`] }, context());
    expect(result).toEqual({
      error: { type: 'InternalError', message: 'the probe failed unexpectedly; see the function log' },
    });
    expect(logged.join('')).toMatch(/refused inside AWS Lambda/);
  });
});
