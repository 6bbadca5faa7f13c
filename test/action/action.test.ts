import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMENT_MARKER } from '../../src/report/github.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { actionNodeMajor, nodeBinary } from '../helpers/node-runtime.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const run = promisify(execFile);
const ACTION = new URL('../../dist/action/index.js', import.meta.url).pathname;
const CANARY = 'canary-action-pw-93c1';
const TOKEN = 'ghs_fakeTokenForTests0000';
/** The expression action.yml uses as the token's default; the runner fills it in. */
const GITHUB_TOKEN_EXPRESSION = ['${{', 'github.token', '}}'].join(' ');
const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

let pki: TestPki;
let api: FakeGitHub;
let relay: SmtpFixture;
let workspace: string;
/** The Node of action.yml's `runs.using`, as the runner starts the bundle. */
let node: string;

beforeAll(async () => {
  node = (await nodeBinary(actionNodeMajor())).path;
  pki = await testPki();
  api = await startFakeGitHub();
  relay = await startSmtpServer({ auth: { username: 'deploy', password: CANARY } });
});
afterAll(async () => {
  await Promise.all([api.close(), relay.close()]);
});
beforeEach(async () => {
  api.requests.length = 0;
  api.comments.clear();
  api.forbidden = false;
  workspace = await mkdtemp(join(tmpdir(), 'action-ws-'));
});

/** The INPUT_* defaults a runner sets from action.yml, with `${{ github.token }}` as our token. */
async function defaultInputs(): Promise<Record<string, string>> {
  const action = parse(await readFile(new URL('../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [
      `INPUT_${name.toUpperCase()}`,
      String(spec.default ?? '').replace(GITHUB_TOKEN_EXPRESSION, TOKEN),
    ]),
  );
}

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  resultsFile: string;
}

/** Runs the bundled Action as a runner would: a subprocess with INPUT_*, GITHUB_* and the command files. */
async function runAction(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const summaryPath = join(workspace, 'summary.md');
  const outputPath = join(workspace, 'output.txt');
  const eventPath = join(workspace, 'event.json');
  await writeFile(summaryPath, '');
  await writeFile(outputPath, '');
  await writeFile(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, head: { sha: HEAD_SHA } },
    }),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...(await defaultInputs()),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
    GITHUB_API_URL: api.url,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace,
    ...extraEnv,
  };
  let code = 0;
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(node, [ACTION], { env, cwd: workspace, timeout: 30_000 }));
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    ({ code, stdout, stderr } = e);
  }
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(outputPath, 'utf8')).matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[m[1] as string] = m[3] as string;
  }
  const resultsFile = outputs['results-file'] ? await readFile(outputs['results-file'], 'utf8') : '';
  return { code, stdout, stderr, summary: await readFile(summaryPath, 'utf8'), outputs, resultsFile };
}

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

describe('the bundled Action', () => {
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
      `defaults:\n  connect_timeout: 1s\ntargets:\n  - name: relay\n    host: 127.0.0.1\n    ports: [1]\n`,
    );
    const r = await runAction({ ...fastInputs, 'auth-username': 'deploy', 'auth-password': CANARY });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ verdict: 'fail', passed: 'false', 'failed-count': '1' });
    // Workflow-command properties escape ':' as %3A.
    expect(r.stdout).toMatch(
      /^::error title=unreachable%3A relay 127\.0\.0\.1%3A1 \(127\.0\.0\.1\),file=\.github\/smtp-probe\.yml,line=6,col=13::connection refused/m,
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

    const failing = await runAction({ ...fastInputs, targets: '127.0.0.1:1' });
    expect(failing.code).toBe(1);
  });

  it('shows at most 10 error annotations, most severe first, and says how many were left out', async () => {
    const targets = Array.from({ length: 12 }, (_, i) => `127.0.0.${i + 1}:1`).join('\n');
    const r = await runAction({ ...fastInputs, targets, 'check-run': 'false', 'pr-comment': 'off' });
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
