import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import type { Report } from '../../src/report/model.js';
import { TEST_SWITCH } from '../../src/vantage/destination-policy.js';
import { lambdaEntry, programArgs, TSX_IMPORT } from '../helpers/entry-points.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import {
  createNetns,
  type NetnsHandle,
  type NetnsProcess,
  netnsPrerequisites,
  spawnInNetns,
} from '../helpers/netns.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';

const run = promisify(execFile);
const CREDENTIALS = {
  accessKeyId: 'AKIDLOCALTEST00000000',
  secretAccessKey: 'local-test-secret-key/0000000000000000000',
};
const STANDIN_PORT = 9100;
const prerequisites = netnsPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) console.warn(`vantage matrix tests skipped: ${prerequisites.reason}`);

/**
 * The runner and two stand-in regions: eu-west-1 runs the handler (from the source) in this process,
 * us-east-1 in a network namespace whose nftables drop the relay's port outbound. The relay listens on the root
 * namespace's end of the veth, so this process reaches it and the namespace would, but for the rule.
 */
// The Action runs as a node process through tsx, seconds on a loaded machine: a hang guard, not a speed test.
describe.skipIf(!prerequisites.ok && !required)('probing from several vantages', { timeout: 60_000 }, () => {
  let ns: NetnsHandle;
  let standin: NetnsProcess;
  let front: FakeLambda;
  let relay: ServerHandle;
  let dir: string;

  beforeAll(async () => {
    if (!prerequisites.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${prerequisites.reason}`);
    ns = await createNetns({ name: 'vantage' });
    relay = await startRawServer(
      smtpScript({
        greeting: '220 relay.test',
        replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
        closeAfter: ['QUIT'],
      }),
      ns.hostAddress4,
    );
    await ns.nft(`table inet egress {
      chain output {
        type filter hook output priority 0; policy accept;
        tcp dport ${relay.port} drop
      }
    }`);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      [TEST_SWITCH]: '1',
      SMTP_PROBE_ALLOWED_PORTS: `25,587,${relay.port}`,
    });
    standin = spawnInNetns(ns, process.execPath, [
      ...TSX_IMPORT,
      new URL('./netns-lambda-standin.mjs', import.meta.url).pathname,
      ns.nsAddress4,
      String(STANDIN_PORT),
      lambdaEntry('source'),
    ]);
    await standin.waitForLine(/standin listening/, 20_000);
    front = await startFakeLambda({
      credentials: CREDENTIALS,
      forward: (region) => (region === 'us-east-1' ? `http://${ns.nsAddress4}:${STANDIN_PORT}` : undefined),
    });
    process.env.AWS_ENDPOINT_URL_LAMBDA = front.url;
    dir = await mkdtemp(join(tmpdir(), 'vantages-'));
    await writeFile(
      join(dir, 'smtp-probe.yml'),
      `defaults:\n  connect_timeout: 1s\ntargets:\n  - name: relay\n    host: ${ns.hostAddress4}\n    ports:\n      - { port: ${relay.port}, mode: plain }\n    expect: { tls: none }\n`,
    );
  }, 30_000);
  afterAll(async () => {
    await standin?.kill();
    await Promise.all([front?.close(), relay?.close()]);
    await ns?.destroy();
  });

  const vantageArgs = [
    '--vantage',
    'runner',
    '--vantage',
    'aws-lambda:eu-west-1:probe',
    '--vantage',
    'aws-lambda:us-east-1:probe',
  ];

  it('the CLI shows the matrix, and says which network blocks the port', async () => {
    // Only this test's requests: another test here signs one with a wrong secret on purpose.
    const before = front.requests.length;
    let stdout = '';
    const code = await main(['--config', 'smtp-probe.yml', '--format', 'json', ...vantageArgs], {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: () => true, isTTY: false },
      env: process.env,
      cwd: dir,
    });
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(EXIT.fail);
    expect(report.results.map((r) => [r.vantage, r.status])).toEqual([
      ['runner', 'ok'],
      ['aws-lambda:eu-west-1', 'ok'],
      ['aws-lambda:us-east-1', 'timeout'],
    ]);
    expect(report.findings.map((f) => [f.vantage, f.rule])).toEqual([
      ['aws-lambda:us-east-1', 'egress-blocked'],
    ]);
    expect(report.findings[0]?.message).toBe(
      `port ${relay.port} works from runner, aws-lambda:eu-west-1 but times out from aws-lambda:us-east-1: this network blocks it`,
    );
    expect(report.recommendations.map((r) => [r.vantage, r.port])).toEqual([
      ['runner', relay.port],
      ['aws-lambda:eu-west-1', relay.port],
      ['aws-lambda:us-east-1', null],
    ]);
    expect(report.vantages?.map((v) => v.label)).toEqual([
      'runner',
      'aws-lambda:eu-west-1',
      'aws-lambda:us-east-1',
    ]);
    const requests = front.requests.slice(before);
    expect(requests.map((r) => r.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(requests.every((r) => r.verified)).toBe(true);
  });

  it('a vantage that cannot answer is reported and hides none of the others', async () => {
    let stdout = '';
    const code = await main(
      [
        '--config',
        'smtp-probe.yml',
        '--format',
        'json',
        '--vantage',
        'runner',
        '--vantage',
        'aws-lambda:eu-west-1:probe',
      ],
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: () => true, isTTY: false },
        env: process.env,
        cwd: dir,
      },
    );
    expect(code).toBe(EXIT.pass);
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong';
    try {
      stdout = '';
      await main(
        [
          '--config',
          'smtp-probe.yml',
          '--format',
          'json',
          '--vantage',
          'runner',
          '--vantage',
          'aws-lambda:eu-west-1:probe',
        ],
        {
          stdout: { write: (t: string) => (stdout += t), isTTY: false },
          stderr: { write: () => true, isTTY: false },
          env: process.env,
          cwd: dir,
        },
      );
      const report = JSON.parse(stdout) as Report;
      expect(report.results.map((r) => [r.vantage, r.status])).toEqual([['runner', 'ok']]);
      expect(report.findings.map((f) => f.rule)).toEqual(['vantage-failed']);
      expect(report.vantages?.[1]?.error).toMatch(/access denied \(403\)/);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    }
  });

  it('the Action with vantages writes the matrix and the egress finding to the job summary', async () => {
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output.txt');
    await writeFile(summary, '');
    await writeFile(output, '');
    const env = {
      ...process.env,
      INPUT_CONFIG: 'smtp-probe.yml',
      INPUT_VANTAGES: 'runner\naws-lambda:eu-west-1:probe\naws-lambda:us-east-1:probe',
      'INPUT_CHECK-RUN': 'false',
      'INPUT_PR-COMMENT': 'off',
      'INPUT_FAIL-ON': 'error',
      INPUT_TIMEOUT: '10s',
      GITHUB_WORKSPACE: dir,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: dir,
    };
    let code = 0;
    let stdout = '';
    try {
      ({ stdout } = await run(process.execPath, programArgs('action', 'source'), {
        env,
        cwd: dir,
        timeout: 60_000,
      }));
    } catch (error) {
      ({ code, stdout } = error as { code: number; stdout: string });
    }
    expect(code).toBe(1);
    const text = await readFile(summary, 'utf8');
    expect(text).toMatch(/\| relay \(aws-lambda:us-east-1\) \| /);
    expect(text).toMatch(/`egress-blocked`/);
    expect(stdout).toMatch(/^::error title=egress-blocked%3A relay/m);
    expect(await readFile(output, 'utf8')).toMatch(/verdict<<\S+\nfail\n/);
  });
});
