import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/local-action.mjs', import.meta.url).pathname;
const PASSWORD = 'canary-local-action-pw-5e1d';

let pki: TestPki;
let relay: SmtpFixture;
let dir: string;

beforeAll(async () => {
  pki = await testPki();
  relay = await startSmtpServer({ auth: { username: 'deploy', password: PASSWORD } });
  dir = await mkdtemp(join(tmpdir(), 'local-action-'));
  await writeFile(join(dir, 'ca.pem'), pki.ca.cert);
  await writeFile(join(dir, 'summary.md'), '');
});
afterAll(async () => {
  await relay.close();
});

/** `npm run local-action -- FILE` with an env file like .env.example's, for the relay. */
async function localAction(name: string, inputs: Record<string, string>) {
  const envFile = join(dir, `${name}.env`);
  const lines = Object.entries({
    INPUT_TARGETS: `127.0.0.1:${relay.port}`,
    INPUT_TIMEOUT: '5s',
    INPUT_CA: join(dir, 'ca.pem'),
    'INPUT_FAIL-ON': 'error',
    'INPUT_CHECK-RUN': 'false',
    'INPUT_PR-COMMENT': 'off',
    INPUT_VANTAGES: 'runner',
    ...inputs,
    GITHUB_REPOSITORY: 'acme/shop',
    RUNNER_TEMP: dir,
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  }).map(([key, value]) => `${key}="${value}"`);
  await writeFile(envFile, `${lines.join('\n')}\n`);
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, envFile], {
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run local-action', () => {
  it('exits 0 when the Action passes (STARTTLS, a trusted certificate, AUTH accepted)', async () => {
    const r = await localAction('pass', { 'INPUT_AUTH-USERNAME': 'deploy', 'INPUT_AUTH-PASSWORD': PASSWORD });
    expect(r.stdout).toMatch(/^::set-output name=verdict::pass$/m);
    expect(r.stdout).not.toMatch(/^::error::/m);
    expect(r.code).toBe(0);
  }, 120_000);

  it('exits 1 when the Action fails (AUTH rejected), after printing its ::error:: line', async () => {
    const r = await localAction('fail', { 'INPUT_AUTH-USERNAME': 'deploy', 'INPUT_AUTH-PASSWORD': 'wrong' });
    expect(r.stdout).toMatch(/^::set-output name=verdict::fail$/m);
    expect(r.stdout).toMatch(/^::error::SMTP probe failed: 1 error/m);
    expect(r.stderr).toMatch(/^local-action: the Action failed/m);
    expect(r.code).toBe(1);
  }, 120_000);

  it('exits 2 with one line when the env file is missing', async () => {
    const r = await run(process.execPath, [SCRIPT, join(dir, 'missing.env')]).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `local-action: ${join(dir, 'missing.env')} does not exist: cp .env.example .env and edit the inputs (README: Running it locally)\n`,
    );
  });
});
