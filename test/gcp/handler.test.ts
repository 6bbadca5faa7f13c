/**
 * The Cloud Run function as the platform runs it: functions-framework's own HTTP server (express,
 * its body parsers, its execution ids) around the entry gcp/index.ts registers, listening on port 0.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../gcp/index.js';
import { platformTimeoutMs } from '../../gcp/handler.js';
import { type Answer, CONTRACT_VERSION, type ErrorAnswer } from '../../src/contract/index.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const CANARY = 'canary-gcp-pw-7d1e09';
const PROFILE = {
  timeout: 3_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_000,
  commandTimeout: 1_000,
  retries: 0,
  tls: {},
};

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

let server: http.Server;
let url: string;
let plain: ServerHandle;
let silent: ServerHandle;
let relay: SmtpFixture;
let pki: TestPki;
const logged: string[] = [];
const write = process.stdout.write.bind(process.stdout);

async function post(
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<{ status: number; json: Answer & ErrorAnswer }> {
  const response = await fetch(url, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Answer & ErrorAnswer };
}

beforeAll(async () => {
  plain = await startRawServer(
    smtpScript({
      greeting: '220 relay.test',
      replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
      closeAfter: ['QUIT'],
    }),
  );
  silent = await startRawServer((socket) => socket.resume());
  pki = await testPki();
  relay = await startSmtpServer({ auth: { username: 'deploy', password: CANARY } });
  process.env.SMTP_PROBE_ALLOWED_PORTS = ['25', '587', plain.port, silent.port, relay.port].join(',');
  process.env.SMTP_PROBE_REGION = 'europe-west1';
  server = getTestServer('probe');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // The function logs JSON lines to stdout: keep them for the checks on what is logged.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(async () => {
  process.stdout.write = write;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await Promise.all([plain.close(), silent.close(), relay.close()]);
});
afterEach(() => {
  for (const name of [TEST_SWITCH, 'K_SERVICE', 'SMTP_PROBE_TIMEOUT_SECONDS', 'CLOUD_RUN_TIMEOUT_SECONDS'])
    delete process.env[name];
});

describe('the Cloud Run function under functions-framework', () => {
  it('a POSTed contract request gets the raw results and what the vantage is, and judges nothing', async () => {
    process.env[TEST_SWITCH] = '1';
    const { status, json } = await post(request([['127.0.0.1', plain.port, 'plain']]), {
      'content-type': 'application/json',
      'function-execution-id': 'exec-42',
    });
    expect(status).toBe(200);
    expect(json.contract).toBe(CONTRACT_VERSION);
    expect(json.vantage).toMatchObject({
      provider: 'gcp-cloud-run',
      region: 'europe-west1',
      requestId: 'exec-42',
      runtime: `node ${process.version}`,
    });
    expect(json.results.map((r) => [r.jobs, r.result.status])).toEqual([[[0], 'ok']]);
    expect(Object.keys(json).sort()).toEqual(['contract', 'durationMs', 'refused', 'results', 'vantage']);
  });

  it('logs one summary line of counts, and never the credentials of the request', async () => {
    process.env[TEST_SWITCH] = '1';
    logged.length = 0;
    const { status, json } = await post(
      request([['localhost', relay.port, 'starttls']], {
        ...PROFILE,
        auth: { username: 'deploy', password: CANARY },
        tls: { ca: [pki.ca.cert] },
      }),
      { 'content-type': 'application/json', 'function-execution-id': 'exec-43' },
    );
    expect(status).toBe(200);
    expect(json.results[0]?.result.sessions[0]).toMatchObject({
      status: 'ok',
      auth: { outcome: 'accepted' },
    });
    const lines = logged.join('').split('\n').filter(Boolean);
    const summaries = lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'probe summary');
    expect(summaries).toEqual([
      {
        severity: 'INFO',
        message: 'probe summary',
        service: 'smtp-port-probe',
        jobs: 1,
        statuses: { ok: 1 },
        refused: 0,
        durationMs: expect.any(Number),
        executionId: 'exec-43',
      },
    ]);
    // The same per-port figures as the Lambda's EMF metrics, as structured log entries.
    const metrics = lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'port metrics');
    expect(metrics).toEqual([
      {
        severity: 'INFO',
        message: 'port metrics',
        service: 'smtp-port-probe',
        namespace: 'SmtpPortProbe',
        port: relay.port,
        statuses: { ok: 1 },
        durationMs: { count: 1, min: expect.any(Number), max: expect.any(Number), sum: expect.any(Number) },
        connectMs: { count: 1, min: expect.any(Number), max: expect.any(Number), sum: expect.any(Number) },
      },
    ]);
    expect(logged.join('')).not.toContain(CANARY);
    expect(JSON.stringify(json)).not.toContain(CANARY);
  });

  it('a GET, a body that is not JSON and a request of another contract version are 400s with error answers', async () => {
    const get = await post('', {}, 'GET');
    expect(get.status).toBe(400);
    expect(get.json.error).toMatchObject({ type: 'BadRequest', field: 'method' });
    const junk = await post('{not json', { 'content-type': 'text/plain' });
    expect(junk.status).toBe(400);
    expect(junk.json.error).toMatchObject({ type: 'BadRequest', field: 'body' });
    const old = await post({ targets: ['relay.example.com'] });
    expect(old.status).toBe(400);
    expect(old.json.error).toMatchObject({ type: 'ContractMismatch', field: 'contract' });
    const bad = await post(request([['a'.repeat(300), 587, 'starttls']]));
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ type: 'BadRequest', field: 'jobs[0].host' });
    expect(JSON.stringify(bad.json)).not.toContain('a'.repeat(300));
  });

  it('a body over 256 KB is refused 413 before it is parsed, and never echoed', async () => {
    const huge = JSON.stringify(request([['b'.repeat(300_000), 587, 'starttls']]));
    for (const type of ['application/json', 'text/plain']) {
      const { status, json } = await post(huge, { 'content-type': type });
      expect(status).toBe(413);
      expect(json.error).toEqual({
        type: 'PayloadTooLarge',
        field: 'body',
        message: 'the body is larger than 262144 bytes',
      });
    }
  });

  it("always answers before the platform's request timeout: unfinished probes are aborted", async () => {
    process.env[TEST_SWITCH] = '1';
    process.env.SMTP_PROBE_TIMEOUT_SECONDS = '2.5';
    const started = performance.now();
    const { json } = await post(
      request([['127.0.0.1', silent.port, 'starttls']], {
        ...PROFILE,
        greetingTimeout: 20_000,
        timeout: 30_000,
      }),
    );
    expect(json.results.map((r) => r.result.status)).toEqual(['aborted']);
    expect(performance.now() - started).toBeLessThan(2_500 - 1_000);
  });

  it("the caller's deadline is honoured when it is shorter than the platform's", async () => {
    process.env[TEST_SWITCH] = '1';
    const started = performance.now();
    const { json } = await post(
      request(
        [['127.0.0.1', silent.port, 'starttls']],
        { ...PROFILE, greetingTimeout: 20_000, timeout: 30_000 },
        { deadlineMs: 500 },
      ),
    );
    expect(json.results.map((r) => r.result.status)).toEqual(['aborted']);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('the platform timeout comes from SMTP_PROBE_TIMEOUT_SECONDS, else CLOUD_RUN_TIMEOUT_SECONDS, else 60 s', () => {
    expect(platformTimeoutMs({})).toBe(60_000);
    expect(platformTimeoutMs({ CLOUD_RUN_TIMEOUT_SECONDS: '300' })).toBe(300_000);
    expect(platformTimeoutMs({ SMTP_PROBE_TIMEOUT_SECONDS: '120', CLOUD_RUN_TIMEOUT_SECONDS: '300' })).toBe(
      120_000,
    );
    expect(() => platformTimeoutMs({ SMTP_PROBE_TIMEOUT_SECONDS: '1h' })).toThrow(
      'SMTP_PROBE_TIMEOUT_SECONDS must be a number of seconds from 1 to 3600, got "1h"',
    );
  });

  it('a failure of the function itself is a 500 with the execution id, logged as an ERROR', async () => {
    // The test switch is refused where Cloud Run runs: a deployment mistake, not the caller's.
    process.env[TEST_SWITCH] = '1';
    process.env.K_SERVICE = 'smtp-port-probe';
    logged.length = 0;
    const { status, json } = await post(request([['127.0.0.1', plain.port, 'plain']]), {
      'content-type': 'application/json',
      'function-execution-id': 'exec-500',
    });
    expect(status).toBe(500);
    expect(json).toEqual({
      contract: CONTRACT_VERSION,
      error: {
        type: 'InternalError',
        message: 'the probe failed unexpectedly; see the function log',
        requestId: 'exec-500',
      },
    });
    const errors = logged
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((l) => l.severity === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'internal error', executionId: 'exec-500' });
    expect(errors[0].error).toMatch(/refused inside Cloud Run/);
  });

  it('loopback is refused without the test switch, before any packet', async () => {
    const { status, json } = await post(request([['127.0.0.1', plain.port, 'plain']]));
    expect(status).toBe(200);
    expect(json.results).toEqual([]);
    expect(json.refused.map((r) => [r.jobs, r.host])).toEqual([[[0], '127.0.0.1']]);
  });
});
