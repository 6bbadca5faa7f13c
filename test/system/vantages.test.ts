import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { runnerEnvironment } from '../../src/plan/runner-environment.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import type { Report } from '../../src/result/model.js';
import { vantageName } from '../../src/result/vantage-words.js';
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

/** GITHUB_OUTPUT's `name<<DELIMITER` blocks, as the runner reads them. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[match[1] as string] = match[3] as string;
  }
  return outputs;
}
const CREDENTIALS = {
  accessKeyId: 'AKIDLOCALTEST00000000',
  secretAccessKey: 'local-test-secret-key/0000000000000000000',
};
const STANDIN_PORT = 9100;
/** How messages name the runner this test runs on (CI=true in CI, a developer's machine otherwise). */
const runnerName = vantageName({ label: 'runner', runner: runnerEnvironment(process.env) });
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
    // No control on the port: the timeout from us-east-1 cannot be pinned on its network (see
    // egress-truth.test.ts for what controls prove).
    expect(report.findings.map((f) => [f.vantage, f.rule])).toEqual([
      ['aws-lambda:us-east-1', 'inconclusive'],
    ]);
    expect(report.findings[0]?.message).toMatch(
      new RegExp(
        `^relay:${relay.port} timeout from aws-lambda:us-east-1 but answers from ${runnerName}, aws-lambda:eu-west-1; missing: there is no control on port ${relay.port}`,
      ),
    );
    expect(report.recommendations.map((r) => [r.vantage, r.port, r.outcome])).toEqual([
      ['runner', relay.port, 'works'],
      ['aws-lambda:eu-west-1', relay.port, 'works'],
      ['aws-lambda:us-east-1', null, 'unreachable'],
    ]);
    expect(report.vantages.map((v) => [v.label, v.facts?.provider])).toEqual([
      ['runner', runnerEnvironment(process.env)],
      ['aws-lambda:eu-west-1', 'aws-lambda'],
      ['aws-lambda:us-east-1', 'aws-lambda'],
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
      expect(report.vantages[1]?.error).toMatch(/^access denied \(403\)/);
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
    // The vantage is a column of its own, one row per vantage.
    expect(text).toMatch(/\| Target \| Vantage \| Port \|/);
    expect(text).toMatch(/\| relay \| aws-lambda:us-east-1 \| /);
    expect(text).toMatch(/`inconclusive`/);
    expect(stdout).toMatch(/^::error title=inconclusive%3A relay/m);
    const outputs = parseOutputs(await readFile(output, 'utf8'));
    expect(outputs.verdict).toBe('fail');
    const rows = JSON.parse(outputs.results ?? '[]') as Array<{
      vantage: string;
      status: string;
      port: number;
    }>;
    expect(rows.map((r) => [r.vantage, r.status])).toEqual([
      ['runner', 'ok'],
      ['aws-lambda:eu-west-1', 'ok'],
      ['aws-lambda:us-east-1', 'timeout'],
    ]);
    expect(JSON.parse(outputs['recommended-ports'] ?? '{}')).toEqual({
      relay: {
        runner: { port: relay.port, mode: 'plain', outcome: 'works' },
        'aws-lambda:eu-west-1': { port: relay.port, mode: 'plain', outcome: 'works' },
        'aws-lambda:us-east-1': { port: null, mode: null, outcome: 'unreachable' },
      },
    });
  });
});
