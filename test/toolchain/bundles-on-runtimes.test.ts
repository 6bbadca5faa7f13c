/**
 * Each committed bundle, started by the Node major its platform runs it on (test/helpers/node-runtime.ts
 * reads the majors from action.yml, lambda/template.yaml, the README's gcloud recipe and package.json's
 * engines), doing its job
 * against a local SMTP server: the CLI and the Action also through a Lambda vantage (the local stand-in
 * that verifies SigV4), the path on which the AWS SDK warns about old Node versions.
 */
import { execFile, fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONTRACT_VERSION } from '../../src/contract/index.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import {
  actionNodeMajor,
  engineNodeMajors,
  gcpNodeMajor,
  lambdaNodeMajor,
  type NodeBinary,
  nodeBinary,
} from '../helpers/node-runtime.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const run = promisify(execFile);
const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).pathname;
const CREDENTIALS = {
  accessKeyId: 'AKIDLOCALTEST00000000',
  secretAccessKey: 'local-test-secret-key/0000000000000000000',
};
const FUNCTION = 'aws-lambda:eu-west-1:smtp-port-probe';
/** A process warning as Node prints it (`(node:1234) [DEP0040] DeprecationWarning: …`), the SDK's too. */
const NODE_WARNING = /\(node:\d+\)|Warning\b/;

let relay: SmtpFixture;
let lambda: FakeLambda;
let home: string;

beforeAll(async () => {
  relay = await startSmtpServer();
  lambda = await startFakeLambda({ credentials: CREDENTIALS });
  // The stand-in runs the Lambda bundle in this process: loopback and the relay's port allowed for tests.
  process.env[TEST_SWITCH] = '1';
  process.env.SMTP_PROBE_ALLOWED_PORTS = `25,587,${relay.port}`;
  home = await mkdtemp(join(tmpdir(), 'runtimes-'));
});
afterAll(async () => {
  await Promise.all([relay.close(), lambda.close()]);
});

/** What a child needs to reach the stand-in, and nothing of this machine's AWS configuration. */
function awsEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

async function start(node: NodeBinary, args: string[], env: Record<string, string>, cwd = home) {
  try {
    const { stdout, stderr } = await run(node.path, args, { env, cwd, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Row {
  vantage?: string;
  port: number;
  status: string;
}

describe.each(engineNodeMajors())('the CLI bundle on Node %i (package.json engines)', (major) => {
  let node: NodeBinary;
  beforeAll(async () => {
    node = await nodeBinary(major);
  });

  it('prints its version', async () => {
    expect(Number(node.version.split('.')[0])).toBe(major);
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = await start(node, [dist('cli/index.js'), '--version'], { PATH: process.env.PATH ?? '' });
    expect(r).toEqual({ code: 0, stdout: `smtp-probe ${version}\n`, stderr: '' });
  });

  it('probes a local server from the runner and from a Lambda vantage, and Node and the AWS SDK warn of nothing', async () => {
    const target = `127.0.0.1:${relay.port}`;
    const args = ['--mode', 'plain', '--fail-on', 'never', '--format', 'json', '--timeout', '5s'];
    const vantages = ['--vantage', 'runner', '--vantage', FUNCTION];
    const r = await start(node, [dist('cli/index.js'), target, ...args, ...vantages], awsEnv());
    expect(r.stderr).not.toMatch(NODE_WARNING);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { results: Row[] }).results;
    expect(rows.map(({ vantage, port, status }) => ({ vantage, port, status }))).toEqual([
      { vantage: 'runner', port: relay.port, status: 'ok' },
      { vantage: 'aws-lambda:eu-west-1', port: relay.port, status: 'ok' },
    ]);
    expect(lambda.requests.at(-1)).toMatchObject({ region: 'eu-west-1', verified: true });
  });
});

describe(`the Lambda bundle on Node ${lambdaNodeMajor()} (lambda/template.yaml Runtime)`, () => {
  let node: NodeBinary;
  beforeAll(async () => {
    node = await nodeBinary(lambdaNodeMajor());
  });

  it('answers a direct invoke by probing a local SMTP server, and Node warns of nothing', async () => {
    const child = fork(
      new URL('lambda-invoke.mjs', import.meta.url).pathname,
      [
        JSON.stringify({
          contract: CONTRACT_VERSION,
          profiles: [
            {
              timeout: 5_000,
              connectTimeout: 2_000,
              greetingTimeout: 2_000,
              commandTimeout: 2_000,
              retries: 0,
              tls: {},
            },
          ],
          jobs: [{ host: '127.0.0.1', port: relay.port, mode: 'plain', profile: 0 }],
        }),
      ],
      {
        execPath: node.path,
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          [TEST_SWITCH]: '1',
          SMTP_PROBE_ALLOWED_PORTS: `25,587,${relay.port}`,
        },
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        timeout: 30_000,
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const [message, code] = await Promise.all([
      new Promise<unknown>((resolve) => child.once('message', resolve)),
      new Promise<number | null>((resolve) => child.once('exit', resolve)),
    ]);
    const { node: version, answer } = message as {
      node: string;
      answer: { results: Array<{ result: { target: { port: number }; status: string } }> };
    };
    expect(code).toBe(0);
    expect(Number(version.split('.')[0])).toBe(lambdaNodeMajor());
    expect(answer.results.map(({ result }) => ({ port: result.target.port, status: result.status }))).toEqual(
      [{ port: relay.port, status: 'ok' }],
    );
    // Powertools logs JSON lines (the probe summary); Node's warnings would come between them.
    expect(output).toMatch(/"message":"probe summary"/);
    expect(output).not.toMatch(NODE_WARNING);
  });
});

/** A port nobody listens on now: bound on loopback, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(`the Cloud Run function bundle on Node ${gcpNodeMajor()} (README.md gcloud --runtime)`, () => {
  it('functions-framework serves dist/gcp, which answers a contract request by probing a local server, and Node warns of nothing', async () => {
    const node = await nodeBinary(gcpNodeMajor());
    expect(Number(node.version.split('.')[0])).toBe(gcpNodeMajor());
    const port = await freePort();
    const framework = new URL(
      '../../node_modules/@google-cloud/functions-framework/build/src/main.js',
      import.meta.url,
    ).pathname;
    const child = spawn(
      node.path,
      [framework, '--target=probe', `--source=${dist('gcp')}`, `--port=${port}`],
      {
        env: {
          PATH: process.env.PATH ?? '',
          [TEST_SWITCH]: '1',
          SMTP_PROBE_ALLOWED_PORTS: `25,587,${relay.port}`,
          SMTP_PROBE_REGION: 'europe-west1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const listening = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += String(chunk);
        if (output.includes('Serving function')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`functions-framework exited (${code}): ${output}`)));
    });
    try {
      await listening;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          contract: CONTRACT_VERSION,
          profiles: [
            {
              timeout: 5_000,
              connectTimeout: 2_000,
              greetingTimeout: 2_000,
              commandTimeout: 2_000,
              retries: 0,
              tls: {},
            },
          ],
          jobs: [{ host: '127.0.0.1', port: relay.port, mode: 'plain', profile: 0 }],
        }),
      });
      const answer = (await response.json()) as {
        vantage: { provider: string; runtime: string };
        results: Array<{ result: { status: string } }>;
      };
      expect(response.status).toBe(200);
      expect(answer.vantage).toMatchObject({ provider: 'gcp-cloud-run', runtime: `node v${node.version}` });
      expect(answer.results.map(({ result }) => result.status)).toEqual(['ok']);
      // The summary line is logged after the answer is built: wait for it before reading the output.
      for (let i = 0; i < 50 && !output.includes('"probe summary"'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(output).toMatch(/"severity":"INFO","message":"probe summary"/);
      expect(output).not.toMatch(NODE_WARNING);
    } finally {
      child.kill();
    }
  });
});

describe(`the Action bundle on Node ${actionNodeMajor()} (action.yml runs.using)`, () => {
  let node: NodeBinary;
  beforeAll(async () => {
    node = await nodeBinary(actionNodeMajor());
  });

  it('probes a local server from the runner and a Lambda vantage with INPUT_* set, and Node and the AWS SDK warn of nothing', async () => {
    expect(Number(node.version.split('.')[0])).toBe(actionNodeMajor());
    const action = parse(await readFile(new URL('../../action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const inputs: Record<string, string> = {
      ...Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? ''])),
      targets: `127.0.0.1:${relay.port}`,
      mode: 'plain',
      'fail-on': 'never',
      timeout: '5s',
      vantages: `runner\n${FUNCTION}`,
      'github-token': '',
      'check-run': 'false',
      'pr-comment': 'off',
    };
    const output = join(home, 'output.txt');
    const summary = join(home, 'summary.md');
    await Promise.all([writeFile(output, ''), writeFile(summary, '')]);
    const env = {
      ...awsEnv(),
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: home,
      RUNNER_TEMP: home,
    };
    const r = await start(node, [dist('action/index.js')], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(NODE_WARNING);
    expect(r.code).toBe(0);
    expect(await readFile(output, 'utf8')).toMatch(/^verdict<<(\S+)\npass\n\1$/m);
    expect(await readFile(summary, 'utf8')).toMatch(/aws-lambda:eu-west-1/);
  });
});
