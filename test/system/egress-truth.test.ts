/**
 * Attribution for real: three vantages, every case of the truth table made by nftables, each verdict
 * and its evidence asserted. The runner is this process (the root namespace); eu-west-1 and us-east-1
 * are the bundled Lambda handler running in namespaces of their own, reached through the fake Invoke
 * API. The servers live in a namespace of their own too, on addresses every vantage routes to:
 *
 *   relay    ports 25, 465, 587, 2525   answers everyone, but us-east-1's egress drops 25, the path
 *                                       rejects 465 from us-east-1 (ICMP admin-prohibited), and relay
 *                                       drops us-east-1's address on 587 and 2525
 *   ctl      ports 25, 465, 587         the control: answers everyone (on 25 and 465 us-east-1 cannot
 *                                       get out, which is the point)
 *   down     port 587                   drops everything: down
 *   picky    port 587                   refuses us-east-1 with a TCP reset: a reject, not a drop
 *
 * No control on 2525: relay:2525 from us-east-1 must be inconclusive, not a guess.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked, type Tokens } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { TEST_SWITCH } from '../../src/remote/destination-policy.js';
import type { Finding, Report } from '../../src/result/model.js';
import { lambdaEntry, TSX_IMPORT } from '../helpers/entry-points.js';
import { type FakeLambda, startFakeLambda } from '../helpers/fake-lambda.js';
import {
  createNetns,
  linkNetns,
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
// Inside namespaces of our own: nothing else listens there.
const STANDIN_PORT = 9100;
const prerequisites = netnsPrerequisites();
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
if (!prerequisites.ok) console.warn(`egress truth tests skipped: ${prerequisites.reason}`);

const EU = 'aws-lambda:eu-west-1';
const US = 'aws-lambda:us-east-1';
const RUNNER = 'GitHub-hosted runners';

describe.skipIf(!prerequisites.ok && !required)('attribution with three vantages and controls', () => {
  const namespaces: NetnsHandle[] = [];
  const processes: NetnsProcess[] = [];
  let front: FakeLambda;
  let report: Report;
  let markdown: string;
  let code: number;

  beforeAll(async () => {
    if (!prerequisites.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${prerequisites.reason}`);
    const servers = await createNetns({ name: 'truth-servers' });
    namespaces.push(servers);
    const eu = await createNetns({ name: 'truth-eu' });
    namespaces.push(eu);
    const us = await createNetns({ name: 'truth-us' });
    namespaces.push(us);
    const [relay, ctl, down, picky] = [
      await serviceAddress(servers),
      await serviceAddress(servers),
      await serviceAddress(servers),
      await serviceAddress(servers),
    ];
    // Each region reaches the servers over a link of its own, from an address of its own.
    const euLink = await linkNetns(eu, servers);
    const usLink = await linkNetns(us, servers);
    for (const address of [relay, ctl, down, picky]) {
      await eu.exec(['ip', 'route', 'add', `${address}/32`, 'via', euLink.bAddress]);
      await us.exec(['ip', 'route', 'add', `${address}/32`, 'via', usLink.bAddress]);
    }
    await servers.nft(`table inet truth {
      chain input {
        type filter hook input priority 0; policy accept;
        ip daddr ${down} drop
        ip saddr ${usLink.aAddress} ip daddr ${relay} tcp dport { 587, 2525 } drop
        ip saddr ${usLink.aAddress} ip daddr ${picky} tcp dport 587 reject with tcp reset
        ip saddr ${usLink.aAddress} tcp dport 465 reject with icmpx type admin-prohibited
      }
    }`);
    await us.nft(`table inet egress {
      chain output {
        type filter hook output priority 0; policy accept;
        tcp dport 25 drop
      }
    }`);
    const fixture = spawnInNetns(servers, process.execPath, [
      new URL('./netns-smtp-fixture.mjs', import.meta.url).pathname,
      ...[25, 465, 587, 2525].map((port) => `${relay}:${port}`),
      ...[25, 465, 587].map((port) => `${ctl}:${port}`),
      `${down}:587`,
      `${picky}:587`,
    ]);
    processes.push(fixture);
    await fixture.waitForLine(new RegExp(`listening ${picky.replace(/\./g, '\\.')} 587`), 10_000);

    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      [TEST_SWITCH]: '1',
    });
    const standins = new Map<string, string>();
    for (const [region, ns] of [
      ['eu-west-1', eu],
      ['us-east-1', us],
    ] as const) {
      const standin = spawnInNetns(ns, process.execPath, [
        ...TSX_IMPORT,
        new URL('./netns-lambda-standin.mjs', import.meta.url).pathname,
        ns.nsAddress4,
        String(STANDIN_PORT),
        lambdaEntry('source'),
      ]);
      processes.push(standin);
      await standin.waitForLine(/standin listening/, 20_000);
      standins.set(region, `http://${ns.nsAddress4}:${STANDIN_PORT}`);
    }
    front = await startFakeLambda({ credentials: CREDENTIALS, forward: (region) => standins.get(region) });
    process.env.AWS_ENDPOINT_URL_LAMBDA = front.url;

    const dir = await mkdtemp(join(tmpdir(), 'egress-truth-'));
    await writeFile(
      join(dir, 'smtp-probe.yml'),
      [
        'defaults:',
        '  connect_timeout: 1s',
        '  timeout: 5s',
        'targets:',
        `  - { name: relay, host: ${relay}, ports: [25, 465, 587, 2525], mode: plain, expect: { tls: none } }`,
        `  - { name: down, host: ${down}, ports: [587], mode: plain, expect: { tls: none } }`,
        `  - { name: picky, host: ${picky}, ports: [587], mode: plain, expect: { tls: none } }`,
        'controls:',
        `  - { name: ctl, host: ${ctl}, ports: [25, 465, 587], mode: plain }`,
        '',
      ].join('\n'),
    );
    const run = async (format: string) => {
      let stdout = '';
      const exit = await main(
        [
          '--config',
          'smtp-probe.yml',
          '--format',
          format,
          '--vantage',
          'runner',
          '--vantage',
          `${EU}:probe`,
          '--vantage',
          `${US}:probe`,
        ],
        {
          stdout: { write: (t: string) => (stdout += t), isTTY: false },
          stderr: { write: () => true, isTTY: false },
          // The runner says what it is the way GitHub says it.
          env: { ...process.env, GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'github-hosted' },
          cwd: dir,
        },
      );
      return { exit, stdout };
    };
    const json = await run('json');
    code = json.exit;
    report = JSON.parse(json.stdout) as Report;
    markdown = (await run('markdown')).stdout;
  }, 90_000);

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await front?.close();
    for (const ns of namespaces) await ns.destroy();
  });

  const finding = (vantage: string, target: string, port: number): Finding | undefined =>
    report.findings.find((f) => f.vantage === vantage && f.target === target && f.port === port);

  it('every vantage probed every target and control: the runner is a GitHub-hosted runner', () => {
    expect(report.vantages.filter((v) => v.error)).toEqual([]);
    expect(report.vantages.map((v) => [v.label, v.facts?.provider])).toEqual([
      ['runner', 'github-hosted'],
      [EU, 'aws-lambda'],
      [US, 'aws-lambda'],
    ]);
    const cells = report.results.map(
      (r) => `${r.vantage} ${r.target}:${r.port}${r.control ? ' control' : ''} ${r.status}`,
    );
    expect(cells.filter((c) => c.startsWith(`${US} `))).toEqual([
      `${US} relay:25 timeout`,
      `${US} relay:465 unreachable`,
      `${US} relay:587 timeout`,
      `${US} relay:2525 timeout`,
      `${US} down:587 timeout`,
      `${US} picky:587 refused`,
      `${US} ctl:25 control timeout`,
      `${US} ctl:465 control unreachable`,
      `${US} ctl:587 control ok`,
    ]);
    expect(cells.filter((c) => !c.startsWith(`${US} `) && !c.endsWith(' ok'))).toEqual([
      'runner down:587 timeout',
      `${EU} down:587 timeout`,
    ]);
    expect(code).toBe(EXIT.fail);
  });

  it("egress DROP of 25 in us-east-1's namespace: egress-blocked, with the control's evidence", () => {
    const f = finding(US, 'relay', 25);
    expect(f?.rule).toBe('egress-blocked');
    expect(f?.message).toBe(
      `port 25 is blocked from ${US}: nothing on it answers there (relay:25 timeout, control ctl:25 timeout) (silently dropped), while control ctl:25 answers from ${RUNNER}, ${EU}`,
    );
    expect(f?.hint).toMatch(/^AWS blocks outbound port 25 from Lambda/);
    expect(finding(US, 'ctl', 25)).toMatchObject({
      rule: 'egress-blocked',
      severity: 'warning',
      control: true,
    });
  });

  it('an ICMP reject on the path is told apart from a drop: still this network, said to be a reject', () => {
    const f = finding(US, 'relay', 465);
    expect(f?.rule).toBe('egress-blocked');
    expect(f?.message).toMatch(
      /nothing on it answers there \(relay:465 unreachable, control ctl:465 unreachable\)/,
    );
    expect(f?.message).toMatch(/rejected, not dropped/);
  });

  it("a target that drops one vantage's address: target-filtered, the control proving the port works from there", () => {
    const f = finding(US, 'relay', 587);
    expect(f?.rule).toBe('target-filtered');
    expect(f?.message).toBe(
      `relay:587 drops ${US} (timeout) but answers from ${RUNNER}, ${EU}, and port 587 works from ${US} (control ctl:587 answers): the target filters this vantage`,
    );
  });

  it('a target that rejects one vantage with a reset: target-filtered, named a refusal', () => {
    const f = finding(US, 'picky', 587);
    expect(f?.rule).toBe('target-filtered');
    expect(f?.message).toMatch(
      new RegExp(`^picky:587 refuses ${US} \\(refused\\) but answers from ${RUNNER}, ${EU}`),
    );
    expect(f?.hint).toMatch(/refuses connections/);
  });

  it('a target that is down: target-down from every vantage, the control answering from each', () => {
    for (const vantage of ['runner', EU, US]) {
      const f = finding(vantage, 'down', 587);
      expect(f?.rule, vantage).toBe('target-down');
      expect(f?.message).toMatch(
        new RegExp(
          `^down:587 answers from no vantage \\(${RUNNER}: timeout, ${EU}: timeout, ${US}: timeout\\)`,
        ),
      );
      expect(f?.message).toMatch(
        /control ctl:587 answers\): the target is down, or drops every vantage tried$/,
      );
    }
  });

  it('no control on 2525: inconclusive, saying what is missing, not a guess', () => {
    const f = finding(US, 'relay', 2525);
    expect(f?.rule).toBe('inconclusive');
    expect(f?.message).toBe(
      `relay:2525 timeout from ${US} but answers from ${RUNNER}, ${EU}; missing: there is no control on port 2525 and nothing else on it answers from ${US}. This network's egress block cannot be told from the target filtering it`,
    );
  });

  it('nothing else is found, controls are never recommended, and us-east-1 has no way out for relay', () => {
    expect(report.findings.map((f) => `${f.vantage} ${f.target}:${f.port} ${f.rule}`).sort()).toEqual(
      [
        `runner down:587 target-down`,
        `${EU} down:587 target-down`,
        `${US} relay:25 egress-blocked`,
        `${US} relay:465 egress-blocked`,
        `${US} relay:587 target-filtered`,
        `${US} relay:2525 inconclusive`,
        `${US} down:587 target-down`,
        `${US} picky:587 target-filtered`,
        `${US} ctl:25 egress-blocked`,
        `${US} ctl:465 egress-blocked`,
      ].sort(),
    );
    expect(report.recommendations.map((r) => r.target)).not.toContain('ctl');
    expect(report.recommendations.find((r) => r.target === 'relay' && r.vantage === US)?.reason).toMatch(
      new RegExp(`^nothing is reachable from ${US}`),
    );
  });

  it('the job summary holds the matrix as a table a markdown parser reads, one column per vantage', () => {
    const tables = marked.lexer(markdown).filter((t): t is Tokens.Table => t.type === 'table');
    const matrix = tables[0];
    expect(matrix?.header.map((h) => h.text)).toEqual(['Target', 'Port', 'runner (GitHub-hosted)', EU, US]);
    const row = (target: string, port: number) =>
      matrix?.rows
        .find((r) => r[0]?.text.startsWith(target) && r[1]?.text === String(port))
        ?.map((c) => c.text);
    expect(row('relay', 25)?.[4]).toMatch(/^❌ `timeout` `egress-blocked` /);
    expect(row('relay', 2525)?.[4]).toMatch(/^❌ `timeout` `inconclusive` /);
    expect(row('ctl', 25)?.[0]).toBe('ctl _(control)_');
    expect(matrix?.rows).toHaveLength(9);
  });
});
