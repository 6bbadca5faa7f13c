/**
 * Two clouds and the runner in one run. The AWS region is the bundled Lambda handler behind the local
 * stand-in that verifies SigV4; the Google Cloud region is the bundled Cloud Run function served by
 * functions-framework inside a network namespace whose nftables drop outbound port 25, behind the front
 * that verifies ID tokens. The SMTP server listens on port 25 inside that namespace (a port nothing else
 * can hold there): the runner and the Lambda reach it over the veth, the function, sending from inside
 * the namespace, is dropped, as Google Cloud drops 25.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { runnerEnvironment } from '../../src/plan/runner-environment.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import type { Report } from '../../src/result/model.js';
import { startGcpFront, type TokenIssuer, tokenIssuer } from '../helpers/fake-gcp.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import {
  createNetns,
  type NetnsHandle,
  type NetnsProcess,
  netnsPrerequisites,
  serviceAddress,
  spawnInNetns,
} from '../helpers/netns.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDLOCALTEST00000000',
  secretAccessKey: 'local-test-secret-key/0000000000000000000',
};
const INVOKER = 'prober@acme-probes.iam.gserviceaccount.com';
/** Inside the namespace nothing else listens: any port is free there. */
const FUNCTION_PORT = 8080;
const FIXTURE = fileURLToPath(new URL('./netns-smtp-fixture.mjs', import.meta.url));
const FRAMEWORK = fileURLToPath(
  new URL('../../node_modules/@google-cloud/functions-framework/build/src/main.js', import.meta.url),
);
const BUNDLE = fileURLToPath(new URL('../../dist/gcp', import.meta.url));

const prerequisites = netnsPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) console.warn(`two-cloud matrix tests skipped: ${prerequisites.reason}`);

describe.skipIf(!prerequisites.ok && !required)(
  'the runner, an AWS region and a Google Cloud region in one run',
  () => {
    let ns: NetnsHandle;
    let smtp: NetnsProcess;
    let control: NetnsProcess;
    let controlAddress: string;
    let fn: NetnsProcess;
    let lambda: FakeLambda;
    let front: Awaited<ReturnType<typeof startGcpFront>>;
    let issuer: TokenIssuer;
    let dir: string;
    let env: Record<string, string | undefined>;

    beforeAll(async () => {
      if (!prerequisites.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${prerequisites.reason}`);
      ns = await createNetns({ name: 'clouds' });
      await ns.nft(`table inet egress {
      chain output {
        type filter hook output priority 0; policy accept;
        tcp dport 25 drop
      }
    }`);
      smtp = spawnInNetns(ns, process.execPath, [FIXTURE, `${ns.nsAddress4}:25`]);
      await smtp.waitForLine(/^listening /, 10_000);
      // A control on 25 beside the relay: it answers the runner and the AWS region, so when neither it nor
      // the relay answers the Google Cloud region, that region's own egress is what blocks 25.
      controlAddress = await serviceAddress(ns);
      control = spawnInNetns(ns, process.execPath, [FIXTURE, `${controlAddress}:25`]);
      await control.waitForLine(/^listening /, 10_000);
      // The function inherits these: loopback-free but non-global addresses allowed, its region named.
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        [TEST_SWITCH]: '1',
        SMTP_PROBE_ALLOWED_PORTS: '25,587',
        SMTP_PROBE_REGION: 'europe-west1',
      });
      fn = spawnInNetns(ns, process.execPath, [
        FRAMEWORK,
        '--target=probe',
        `--source=${BUNDLE}`,
        `--port=${FUNCTION_PORT}`,
      ]);
      await fn.waitForLine(/Serving function/, 15_000);
      lambda = await startFakeLambda({
        credentials: CREDENTIALS,
        build: 'source',
      });
      // The AWS SDK reads its endpoint from the process's environment, not the CLI's.
      process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.url;
      issuer = await tokenIssuer();
      front = await startGcpFront({
        issuer,
        invokers: [INVOKER],
        forward: `http://${ns.nsAddress4}:${FUNCTION_PORT}`,
      });
      dir = await mkdtemp(join(tmpdir(), 'clouds-'));
      await writeFile(
        join(dir, 'smtp-probe.yml'),
        `defaults:\n  connect_timeout: 1s\ntargets:\n  - name: relay\n    host: ${ns.nsAddress4}\n    ports:\n      - { port: 25, mode: plain }\n    expect: { tls: none }\ncontrols:\n  - { name: ctl, host: ${controlAddress}, ports: [25], mode: plain }\n`,
      );
      env = {
        ...process.env,
        SMTP_PROBE_GCP_ID_TOKEN: await issuer.sign({ aud: front.url, email: INVOKER }),
      };
    }, 60_000);
    afterAll(async () => {
      await Promise.all([fn?.kill(), smtp?.kill(), control?.kill()]);
      await Promise.all([lambda?.close(), front?.close()]);
      await ns?.destroy();
    });

    async function probe(format: string): Promise<{ code: number; stdout: string }> {
      let stdout = '';
      const code = await main(
        [
          '--config',
          'smtp-probe.yml',
          '--format',
          format,
          '--vantage',
          'runner',
          '--vantage',
          'aws-lambda:eu-west-1:smtp-port-probe',
          '--vantage',
          `gcp:europe-west1:${front.url}`,
        ],
        {
          stdout: { write: (t: string) => (stdout += t), isTTY: false },
          stderr: { write: () => true, isTTY: false },
          env,
          cwd: dir,
        },
      );
      return { code, stdout };
    }

    it('one matrix, and egress-blocked names the Google Cloud region with its platform policy', async () => {
      const { code, stdout } = await probe('json');
      const report = JSON.parse(stdout) as Report;
      expect(code).toBe(EXIT.fail);
      expect(report.results.filter((r) => !r.control).map((r) => [r.vantage, r.port, r.status])).toEqual([
        ['runner', 25, 'ok'],
        ['aws-lambda:eu-west-1', 25, 'ok'],
        ['gcp:europe-west1', 25, 'timeout'],
      ]);
      const relayFindings = report.findings.filter((f) => f.target === 'relay');
      expect(relayFindings.map((f) => [f.vantage, f.rule])).toEqual([['gcp:europe-west1', 'egress-blocked']]);
      // The evidence: the control answered the other vantages and not this one.
      expect(relayFindings[0]?.message).toMatch(/gcp:europe-west1/);
      expect(relayFindings[0]?.message).toMatch(/ctl/);
      expect(relayFindings[0]?.hint).toMatch(/Google Cloud blocks outbound port 25/);
      expect(report.vantages.map((v) => [v.label, v.kind, v.facts?.provider])).toEqual([
        ['runner', 'runner', runnerEnvironment(env)],
        ['aws-lambda:eu-west-1', 'aws-lambda', 'aws-lambda'],
        ['gcp:europe-west1', 'gcp', 'gcp-cloud-run'],
      ]);
      expect(report.vantages[2]?.facts?.region).toBe('europe-west1');
      expect(lambda.requests.length).toBeGreaterThan(0);
      expect(lambda.requests.every((r) => r.verified)).toBe(true);
      expect(front.requests.every((r) => r.outcome === 'forwarded')).toBe(true);
    });

    it('the markdown report shows the three vantages as a column of one table', async () => {
      const { stdout } = await probe('markdown');
      expect(stdout).toMatch(/\| Target \| Vantage \| Port \|/);
      for (const vantage of ['runner', 'aws-lambda:eu-west-1', 'gcp:europe-west1'])
        expect(stdout).toMatch(new RegExp(`\\| relay \\| ${vantage} \\| 25 \\|`));
      expect(stdout).toMatch(/egress-blocked/);
    });
  },
);
