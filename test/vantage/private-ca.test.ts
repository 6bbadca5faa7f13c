/**
 * A private CA given once reaches every vantage: the CLI (--ca) and the bundled Action (input ca), each
 * with the runner and a Lambda vantage (the local stand-in, running the handler), against a STARTTLS
 * server whose certificate only that CA trusts. Before contract 2 the region reported cert-untrusted.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import type { Report } from '../../src/result/model.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { programArgs } from '../helpers/entry-points.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const run = promisify(execFile);
const CREDENTIALS = {
  accessKeyId: 'AKIDLOCALTEST00000000',
  secretAccessKey: 'local-test-secret-key/0000000000000000000',
};
const CANARY = 'canary-private-ca-pw-7d21';
const VANTAGES = ['runner', 'aws-lambda:eu-west-1:smtp-probe'];

let pki: TestPki;
let relay: SmtpFixture;
let lambda: FakeLambda;
let dir: string;

beforeAll(async () => {
  pki = await testPki();
  relay = await startSmtpServer({ auth: { username: 'deploy', password: CANARY } });
  lambda = await startFakeLambda({ credentials: CREDENTIALS });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    [TEST_SWITCH]: '1',
    SMTP_PROBE_ALLOWED_PORTS: `587,${relay.port}`,
  });
  dir = await mkdtemp(join(tmpdir(), 'private-ca-'));
  await writeFile(join(dir, 'ca.pem'), pki.ca.cert);
});
afterAll(async () => {
  await Promise.all([lambda.close(), relay.close()]);
});

/** Every session of every vantage verified, with AUTH accepted, and no certificate finding anywhere. */
function expectTrustedEverywhere(report: Report): void {
  expect(report.results.map((r) => [r.vantage, r.status, r.tls?.trusted, r.tls?.hostnameMatch])).toEqual([
    ['runner', 'ok', true, true],
    ['aws-lambda:eu-west-1', 'ok', true, true],
  ]);
  expect(report.results.every((r) => r.auth?.outcome === 'accepted')).toBe(true);
  expect(report.findings.filter((f) => f.rule.startsWith('cert-'))).toEqual([]);
  expect(JSON.stringify(report)).not.toContain(CANARY);
}

// The Action runs as a process loading the source through tsx: seconds on a loaded machine.
describe('a private CA reaches every vantage', { timeout: 60_000 }, () => {
  it('the CLI with --ca: the runner and the region both trust the chain', async () => {
    let stdout = '';
    const code = await main(
      [
        `localhost:${relay.port}`,
        '--ca',
        'ca.pem',
        '--auth-user-env',
        'SMTP_USER',
        '--auth-pass-env',
        'SMTP_PASS',
        '--format',
        'json',
        ...VANTAGES.flatMap((v) => ['--vantage', v]),
      ],
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: () => true, isTTY: false },
        env: { ...process.env, SMTP_USER: 'deploy', SMTP_PASS: CANARY },
        cwd: dir,
      },
    );
    const report = JSON.parse(stdout) as Report;
    expectTrustedEverywhere(report);
    expect(report.verdict.pass).toBe(true);
    expect(code).toBe(EXIT.pass);
  });

  it('the Action with the ca input: the runner and the region both trust the chain', async () => {
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output.txt');
    await writeFile(summary, '');
    await writeFile(output, '');
    const { stdout } = await run(process.execPath, programArgs('action', 'source'), {
      cwd: dir,
      timeout: 60_000,
      env: {
        ...process.env,
        INPUT_TARGETS: `localhost:${relay.port}`,
        INPUT_CA: pki.ca.cert,
        INPUT_VANTAGES: VANTAGES.join('\n'),
        'INPUT_AUTH-USERNAME': 'deploy',
        'INPUT_AUTH-PASSWORD': CANARY,
        'INPUT_CHECK-RUN': 'false',
        'INPUT_PR-COMMENT': 'off',
        'INPUT_FAIL-ON': 'error',
        GITHUB_WORKSPACE: dir,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
        RUNNER_TEMP: dir,
      },
    });
    const outputs = await readFile(output, 'utf8');
    const file = /results-file<<(\S+)\n(.*)\n\1/.exec(outputs)?.[2] as string;
    expectTrustedEverywhere(JSON.parse(await readFile(file, 'utf8')) as Report);
    // `::add-mask::` registers a secret with the runner, which consumes the line: it is not output.
    expect(stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(CANARY);
    expect(await readFile(summary, 'utf8')).not.toContain(CANARY);
  });
});
