/**
 * The committed Lambda bundle (dist/lambda, what scripts/package-lambda.mjs zips), behind the local
 * Lambda stand-in and called by the real clients. .ci/run runs these after checking that dist/ equals a
 * fresh bundle; the behaviour itself is tested on the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import { invokeFunctionUrl, invokeLambda } from '../../src/vantage/clients.js';
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

const PROFILE = {
  timeout: 3_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_000,
  commandTimeout: 1_000,
  retries: 0,
  tls: {},
};
/** A contract request, as the pipeline sends it. */
const request = (port = relay.port) =>
  JSON.stringify({
    contract: CONTRACT_VERSION,
    profiles: [PROFILE],
    jobs: [{ host: '127.0.0.1', port, mode: 'plain', profile: 0 }],
  });
const signal = () => AbortSignal.timeout(10_000);
const FUNCTION = {
  kind: 'aws-lambda',
  label: 'aws-lambda:eu-west-1',
  region: 'eu-west-1',
  functionName: 'smtp-probe',
} as const;

describe('the bundled Lambda handler (dist/lambda)', () => {
  it('answers a signed Invoke with the raw results of its probes', async () => {
    const answer = await invokeLambda(FUNCTION, request(), signal());
    expect(answer.results.map((r) => r.result.status)).toEqual(['ok']);
    expect(answer.vantage).toMatchObject({ provider: 'aws-lambda', functionName: 'smtp-probe' });
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
      signal(),
    );
    expect(report.results.map((r) => r.result.status)).toEqual(['ok']);
  });

  it('refuses a bad request with a typed error naming the field', async () => {
    await expect(invokeLambda(FUNCTION, request(0), signal())).rejects.toThrow(
      /^BadRequest \(jobs\[0\]\.port\): /,
    );
  });
});
