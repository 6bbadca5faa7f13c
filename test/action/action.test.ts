import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/report/github.js';
import { type ActionRun, HEAD_SHA, runAction as runActionIn, TOKEN } from '../helpers/action-run.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const CANARY = 'canary-action-pw-93c1';

let pki: TestPki;
let api: FakeGitHub;
let relay: SmtpFixture;
/** A port held closed on 127.0.0.1: probing it is refused. */
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
  api.comments.clear();
  api.forbidden = false;
  workspace = await mkdtemp(join(tmpdir(), 'action-ws-'));
});

/** The Action from the source (src/action/index.ts), started as a runner starts it. */
const runAction = (inputs: Record<string, string>, extraEnv: Record<string, string> = {}) =>
  runActionIn({ build: 'source', workspace, apiUrl: api.url }, inputs, extraEnv);

const fastInputs = { timeout: '5s', ca: '' };

/**
 * Everything the run left anywhere. `::add-mask::` is how a secret is registered: the runner consumes
 * that command and masks the value in every later log line, so it is not output.
 */
function everything(r: ActionRun): string {
  return [
    r.stdout.replace(/^::add-mask::.*$/gm, ''),
    r.stderr,
    r.summary,
    JSON.stringify(r.outputs),
    r.resultsFile,
    JSON.stringify(api.requests),
  ].join('\n');
}

/** Each run is a node process loading the source through tsx: seconds on a loaded machine. A hang guard. */
const PROCESS_TESTS = { timeout: 60_000 };

describe('the Action, run from the source as a runner runs it', PROCESS_TESTS, () => {
  it('a passing probe: summary, outputs, an in-progress then successful check run, no comment, exit 0', async () => {
    const r = await runAction({
      ...fastInputs,
      targets: `127.0.0.1:${relay.port}`,
      ca: pki.ca.cert,
      'auth-username': 'deploy',
      'auth-password': CANARY,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(/smtp-port-probe/);
    expect(r.outputs).toMatchObject({ verdict: 'pass', passed: 'true', 'failed-count': '0' });
    expect(JSON.parse(r.outputs['recommended-ports'] ?? '{}')).toEqual({
      '127.0.0.1': { runner: { port: relay.port, mode: 'starttls', outcome: 'works' } },
    });
    expect(JSON.parse(r.outputs.results ?? '[]')).toEqual([
      {
        target: '127.0.0.1',
        vantage: 'runner',
        host: '127.0.0.1',
        port: relay.port,
        address: '127.0.0.1',
        status: 'ok',
        stage: 'quit',
      },
    ]);
    expect(JSON.parse(r.resultsFile)).toMatchObject({ schemaVersion: 2, verdict: { pass: true } });
    expect(r.stdout).not.toMatch(/^::error/m);

    const [create, complete, ...rest] = api.requests.filter((q) => q.path.includes('/check-runs'));
    expect(create).toMatchObject({
      method: 'POST',
      path: '/repos/acme/shop/check-runs',
      authorization: `token ${TOKEN}`,
    });
    expect(create?.body).toMatchObject({ head_sha: HEAD_SHA, status: 'in_progress', name: 'SMTP ports' });
    expect(complete?.body).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(rest).toEqual([]);
    // on-failure (the default) and passing: the comments are read, none is written.
    expect(api.requests.filter((q) => q.path.includes('/comments') && q.method !== 'GET')).toEqual([]);
    expect(everything(r)).not.toContain(CANARY);
    expect(everything(r)).not.toContain(Buffer.from(CANARY).toString('base64'));
  });

  it('hints speak the Action: an untrusted certificate names input `ca`, never a CLI flag', async () => {
    const r = await runAction({
      ...fastInputs,
      targets: `127.0.0.1:${relay.port}`,
      'expect-tls': 'required',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=cert-untrusted.*give the private CA with input `ca`\./m);
    expect(everything(r)).not.toMatch(/ --[a-z]/);
  });

  it('the user name is masked like the password: some providers use an API token as the user name', async () => {
    const r = await runAction({
      ...fastInputs,
      targets: `127.0.0.1:${relay.port}`,
      ca: pki.ca.cert,
      'auth-username': 'deploy',
      'auth-password': CANARY,
    });
    expect(r.stdout).toMatch(/^::add-mask::deploy$/m);
    expect(r.stdout).toMatch(new RegExp(`^::add-mask::${CANARY}$`, 'm'));
  });

  it('a failing probe: annotations on the config line, a failed check run, a sticky comment, exit 1', async () => {
    await mkdir(join(workspace, '.github'));
    await writeFile(
      join(workspace, '.github', 'smtp-probe.yml'),
      `defaults:\n  connect_timeout: 1s\ntargets:\n  - name: relay\n    host: 127.0.0.1\n    ports: [${closed.port}]\n`,
    );
    const r = await runAction({ ...fastInputs, 'auth-username': 'deploy', 'auth-password': CANARY });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ verdict: 'fail', passed: 'false', 'failed-count': '1' });
    // Workflow-command properties escape ':' as %3A.
    expect(r.stdout).toMatch(
      new RegExp(
        `^::error title=unreachable%3A relay 127\\.0\\.0\\.1%3A${closed.port} \\(127\\.0\\.0\\.1\\),file=\\.github/smtp-probe\\.yml,line=6,col=13::connection refused`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^::error::SMTP probe failed: 1 error\(s\)/m);
    const complete = api.requests.find((q) => q.method === 'PATCH' && q.path.includes('/check-runs/'));
    expect(complete?.body).toMatchObject({
      conclusion: 'failure',
      output: {
        annotations: [{ path: '.github/smtp-probe.yml', start_line: 6, annotation_level: 'failure' }],
      },
    });
    const [comment] = api.comments.get(7) ?? [];
    expect(comment?.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment?.body).toMatch(/FAIL/);

    // A second run updates the same comment instead of adding another.
    api.requests.length = 0;
    await runAction({ ...fastInputs });
    expect(api.comments.get(7)).toHaveLength(1);
    expect(api.requests.some((q) => q.method === 'PATCH' && /\/issues\/comments\/\d+$/.test(q.path))).toBe(
      true,
    );
    expect(everything(r)).not.toContain(CANARY);
  });

  it('a 403 from a read-only token is a warning naming the permission, and the probe alone decides', async () => {
    api.forbidden = true;
    const r = await runAction({
      ...fastInputs,
      targets: `127.0.0.1:${relay.port}`,
      ca: pki.ca.cert,
      'pr-comment': 'always',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^::warning::Could not create the check run \(403: Resource not accessible by integration.*permissions: checks: write/m,
    );
    expect(r.stdout).toMatch(
      /^::warning::Could not write the pull request comment \(403.*permissions: pull-requests: write/m,
    );
    expect(r.outputs.verdict).toBe('pass');

    const failing = await runAction({ ...fastInputs, targets: `127.0.0.1:${closed.port}` });
    expect(failing.code).toBe(1);
  });

  it('shows at most 10 error annotations, most severe first, and says how many were left out', async () => {
    // Twelve hosts, each with a port held closed: twelve unreachable findings.
    const ports = await Promise.all(Array.from({ length: 12 }, (_, i) => refusingPort(`127.0.0.${i + 1}`)));
    const targets = ports.map(({ host, port }) => `${host}:${port}`).join('\n');
    const r = await runAction({ ...fastInputs, targets, 'check-run': 'false', 'pr-comment': 'off' }).finally(
      () => Promise.all(ports.map((port) => port.close())),
    );
    expect(r.code).toBe(1);
    expect(r.stdout.match(/^::error title=/gm)).toHaveLength(10);
    expect(r.stdout).toMatch(/^::notice::2 more finding\(s\) not annotated here/m);
    expect(api.requests).toEqual([]);
  });

  it('with step debug logging, every transcript is in a collapsed group', async () => {
    const r = await runAction(
      { ...fastInputs, targets: `127.0.0.1:${relay.port}`, ca: pki.ca.cert, 'check-run': 'false' },
      { RUNNER_DEBUG: '1' },
    );
    expect(r.stdout).toMatch(
      new RegExp(`^::group::transcript: 127\\.0\\.0\\.1 127\\.0\\.0\\.1:${relay.port}`, 'm'),
    );
    expect(r.stdout).toMatch(/^::endgroup::/m);
  });

  it('a bad input fails the step with one line naming it, before probing anything', async () => {
    const r = await runAction({ ...fastInputs, targets: 'mail.example.test:0' });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^::error::input targets line 1 \("mail\.example\.test:0"\): .*0/),
    ]);
    expect(api.requests).toEqual([]);
  });
});
