/**
 * The committed Action bundle (dist/action, what action.yml runs), as a runner runs it. .ci/run runs
 * these after checking that dist/ equals a fresh bundle; the behaviour itself is tested on the source.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAction as runActionIn } from '../helpers/action-run.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const CANARY = 'canary-bundle-pw-7d21';
let pki: TestPki;
let api: FakeGitHub;
let relay: SmtpFixture;
let closed: HeldPort;
let workspace: string;

beforeAll(async () => {
  pki = await testPki();
  api = await startFakeGitHub();
  relay = await startSmtpServer({ auth: { username: 'deploy', password: CANARY } });
  closed = await refusingPort('127.0.0.1');
});
afterAll(async () => {
  await Promise.all([api.close(), relay.close(), closed.close()]);
});
beforeEach(async () => {
  api.requests.length = 0;
  workspace = await mkdtemp(join(tmpdir(), 'action-bundle-'));
});

const runAction = (inputs: Record<string, string>) =>
  runActionIn({ build: 'bundle', workspace, apiUrl: api.url }, inputs);

/** Each run is a node process; on a loaded machine that takes seconds. A hang guard. */
const PROCESS_TESTS = { timeout: 60_000 };

describe('the bundled Action (dist/action)', PROCESS_TESTS, () => {
  it('a passing probe sets the outputs, completes the check run and exits 0; the password appears nowhere', async () => {
    const r = await runAction({
      timeout: '5s',
      targets: `127.0.0.1:${relay.port}`,
      ca: pki.ca.cert,
      'auth-username': 'deploy',
      'auth-password': CANARY,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'pass', passed: 'true', 'failed-count': '0' });
    expect(r.summary).toMatch(/smtp-port-probe/);
    const checkRuns = api.requests.filter((q) => q.path.includes('/check-runs'));
    expect(checkRuns.map((q) => (q.body as { status: string }).status)).toEqual(['in_progress', 'completed']);
    const everything = [r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, r.summary, r.resultsFile].join(
      '\n',
    );
    expect(everything).not.toContain(CANARY);
  });

  it('a refused port fails the step with an annotation and exit 1', async () => {
    const r = await runAction({
      timeout: '5s',
      ca: '',
      targets: `127.0.0.1:${closed.port}`,
      'pr-comment': 'off',
    });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ verdict: 'fail', 'failed-count': '1' });
    expect(r.stdout).toMatch(/^::error title=unreachable%3A /m);
    expect(r.stdout).toMatch(/^::error::SMTP probe failed: 1 error\(s\)/m);
  });
});
