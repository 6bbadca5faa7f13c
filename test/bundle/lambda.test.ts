/**
 * The committed Lambda bundle (dist/lambda, what scripts/package-lambda.mjs zips), behind the local
 * Lambda stand-in and called by the real clients. .ci/run runs these after checking that dist/ equals a
 * fresh bundle; the behaviour itself is tested on the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeFunctionUrl, invokeLambda } from '../../src/vantage/clients.js';
import { TEST_SWITCH } from '../../src/vantage/destination-policy.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';

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
  lambda = await startFakeLambda({ credentials: CREDENTIALS, build: 'bundle' });
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.url;
  // The bundled handler runs in this process: loopback and the relay's port allowed for the test.
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
const FUNCTION = {
  kind: 'aws-lambda',
  label: 'aws-lambda:eu-west-1',
  region: 'eu-west-1',
  functionName: 'smtp-probe',
} as const;

describe('the bundled Lambda handler (dist/lambda)', () => {
  it('answers a signed Invoke with the raw report of its probes', async () => {
    const report = await invokeLambda(FUNCTION, request());
    expect(report.results.map((r) => r.status)).toEqual(['ok']);
    expect(report.vantage).toMatchObject({ kind: 'aws-lambda', functionName: 'smtp-probe' });
    expect(lambda.requests.at(-1)?.verified).toBe(true);
  });

  it('answers a Function URL request the same way', async () => {
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
  });

  it('refuses a bad request with a typed error naming the field', async () => {
    await expect(invokeLambda(FUNCTION, { targets: ['relay.example.test:0'], options: {} })).rejects.toThrow(
      /aws-lambda:eu-west-1: BadRequest: targets\[0\]: /,
    );
  });
});
