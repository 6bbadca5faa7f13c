import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type Expectations, type Plan, type TargetPlan } from '../../src/plan/types.js';
import type { Report } from '../../src/result/model.js';
import { RULE_IDS, type RuleId } from '../../src/result/rules.js';
import { runPlan } from '../../src/run/pipeline.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type HeldPort, refusingPortOn, unansweredPort } from '../helpers/ports.js';
import { type ServerHandle, smtpScript, startRawServer, starttlsScript } from '../helpers/raw-server.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

const CANARY = 'canary-pw-0b7e';
let pki: TestPki;
const handles: Array<SmtpFixture | ServerHandle | HeldPort> = [];
/** A port this file holds closed on 127.0.0.1 and ::1: connections to it are refused. */
let closed: number;

beforeAll(async () => {
  pki = await testPki();
  const held = await refusingPortOn(['127.0.0.1', '::1']);
  handles.push(held);
  closed = held.port;
});
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
});

async function smtp(options: Parameters<typeof startSmtpServer>[0]): Promise<number> {
  const s = await startSmtpServer(options);
  handles.push(s);
  return s.port;
}
async function raw(script: Parameters<typeof startRawServer>[0]): Promise<number> {
  const s = await startRawServer(script);
  handles.push(s);
  return s.port;
}

/** A one-target plan for 127.0.0.1 with the test CA trusted. */
function target(
  port: number,
  extra: Partial<TargetPlan> & { expect?: Expectations; mode?: 'starttls' | 'tls' | 'plain' } = {},
): TargetPlan {
  const { expect = {}, mode = 'starttls', ...rest } = extra;
  return {
    name: `t${port}`,
    host: '127.0.0.1',
    mx: false,
    require: 'all',
    ports: [{ port, mode, modeExplicit: extra.mode !== undefined, expect }],
    ...rest,
  };
}
function plan(targets: TargetPlan[], extra: Partial<Plan> = {}): Plan {
  return {
    targets,
    options: {
      ...DEFAULT_OPTIONS,
      timeout: 3_000,
      connectTimeout: 500,
      greetingTimeout: 400,
      commandTimeout: 500,
      tls: { ca: [pki.ca.cert] },
    },
    failOn: 'error',
    vantages: [{ kind: 'runner', label: 'runner' }],
    ...extra,
  };
}
/** Rules found by the plans of the test that is running. */
let foundInTest: Set<RuleId>;
beforeEach(() => {
  foundInTest = new Set();
});

/** Runs the plan and returns the rules found. */
async function rules(p: Plan): Promise<{ report: Report; found: RuleId[] }> {
  const report = await runPlan(p);
  const ids = report.findings.map((f) => f.rule);
  for (const rule of ids) foundInTest.add(rule);
  return { report, found: ids };
}

/**
 * Rules the tests below trigger, declared as each test is collected: the catalogue check reads this,
 * not what other tests happened to run before it, so it holds alone, filtered and in any order.
 */
const declared = new Set<RuleId>();

/** A test that must trigger `ruleIds` with real servers; it fails if any of them was not found. */
function triggers(ruleIds: RuleId[], name: string, body: () => Promise<void>): void {
  for (const rule of ruleIds) declared.add(rule);
  it(name, async () => {
    await body();
    expect(ruleIds.filter((rule) => !foundInTest.has(rule))).toEqual([]);
  });
}

describe('findings from real servers', () => {
  triggers(
    ['plaintext-auth'],
    'a healthy STARTTLS port with accepted credentials has no error finding and passes',
    async () => {
      const port = await smtp({ auth: { username: 'u', password: CANARY } });
      const { report, found } = await rules(
        plan([target(port, { auth: { username: 'u', password: CANARY } })]),
      );
      // smtp-server offers AUTH before TLS: the only finding is that warning.
      expect(found).toEqual(['plaintext-auth']);
      expect(report.verdict).toMatchObject({ pass: true, errors: 0, warnings: 1 });
      expect(JSON.stringify(report)).not.toContain(CANARY);
    },
  );

  triggers(
    ['unreachable', 'smtp-error'],
    'a closed port is unreachable; a silent one is an SMTP error',
    async () => {
      const silent = await raw((socket) => socket.resume());
      const { found, report } = await rules(plan([target(closed), target(silent)]));
      expect(found).toEqual(['unreachable', 'smtp-error']);
      expect(report.verdict.pass).toBe(false);
    },
  );

  triggers(['unexpectedly-open'], 'a port that must be closed but answers is unexpectedly-open', async () => {
    const port = await smtp({});
    const { found } = await rules(plan([target(port, { expect: { reachable: false } })]));
    expect(found).toEqual(['unexpectedly-open']);
    const refused = await rules(plan([target(closed, { expect: { reachable: false } })]));
    expect(refused.found).toEqual([]);
  });

  triggers(
    ['cert-expired', 'cert-expiring', 'cert-untrusted', 'cert-hostname'],
    'certificates: expired, expiring, self-signed and wrong-name each have their rule',
    async () => {
      const targets = [
        target(await smtp({ tls: pki.expired }), { name: 'expired' }),
        target(await smtp({ tls: pki.expiringSoon }), { name: 'expiring' }),
        target(await smtp({ tls: pki.selfSigned }), { name: 'self-signed' }),
        target(await smtp({ tls: pki.wrongHost }), { name: 'wrong-host' }),
      ];
      const { report } = await rules(plan(targets));
      const by = (name: string) =>
        report.findings.filter((f) => f.target === name).map((f) => [f.rule, f.severity]);
      expect(by('expired')).toEqual([['cert-expired', 'error']]);
      expect(by('expiring')).toEqual([['cert-expiring', 'warning']]);
      expect(by('self-signed')).toEqual([['cert-untrusted', 'error']]);
      expect(by('wrong-host')).toEqual([['cert-hostname', 'error']]);
    },
  );

  triggers(
    ['tls-missing', 'no-tls-offered'],
    'no STARTTLS is tls-missing where TLS is required, and only a notice where it is optional',
    async () => {
      const port = await smtp({ starttls: false });
      expect((await rules(plan([target(port)]))).found).toEqual(['tls-missing']);
      const optional = await rules(plan([target(port, { expect: { tls: 'optional' } })]));
      expect(optional.found).toEqual(['no-tls-offered']);
      expect(optional.report.verdict.pass).toBe(true);
    },
  );

  triggers(['tls-failed'], 'plaintext on an implicit-TLS port is tls-failed', async () => {
    const port = await raw(smtpScript({ greeting: '220 plain.test' }));
    expect((await rules(plan([target(port, { mode: 'tls' })]))).found).toEqual(['tls-failed']);
  });

  triggers(['tls-version'], 'a TLS 1.2 server below a TLS 1.3 minimum is tls-version', async () => {
    const port = await raw(starttlsScript(pki.valid, '220 go\r\n', { maxVersion: 'TLSv1.2' }));
    expect((await rules(plan([target(port, { expect: { minTls: 'TLSv1.3' } })]))).found).toEqual([
      'tls-version',
    ]);
  });

  triggers(
    ['auth-failed', 'auth-unavailable'],
    'refused credentials are auth-failed; no AUTH at all is auth-unavailable',
    async () => {
      const refusing = await smtp({ auth: { username: 'u', password: 'right' } });
      const noAuth = await smtp({});
      const creds = { auth: { username: 'u', password: CANARY } };
      const { report } = await rules(plan([target(refusing, creds), target(noAuth, creds)]));
      expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual([
        'auth-failed',
        'auth-unavailable',
      ]);
      expect(JSON.stringify(report)).not.toContain(CANARY);
    },
  );

  triggers(['starttls-injection'], 'data after the 220 to STARTTLS is starttls-injection', async () => {
    const port = await raw(starttlsScript(pki.valid, '220 go\r\n250 injected\r\n'));
    expect((await rules(plan([target(port)]))).found).toEqual(['starttls-injection']);
  });

  triggers(
    ['sender-refused', 'slow', 'banner-mismatch'],
    'a refused sender is sender-refused; a slow session is slow; an unexpected greeting is banner-mismatch',
    async () => {
      const port = await raw(
        smtpScript({
          greeting: '220 someone-else.test ESMTP',
          replies: { EHLO: '250 someone-else.test', MAIL: '550 5.7.1 not your sender', QUIT: '221 bye' },
          closeAfter: ['QUIT'],
        }),
      );
      const { found } = await rules(
        plan([
          target(port, {
            mode: 'plain',
            envelope: { from: 'app@example.test' },
            expect: { tls: 'none', maxLatency: 0.001, banner: '^mail\\.example\\.test' },
          }),
        ]),
      );
      expect(found.sort()).toEqual(['banner-mismatch', 'sender-refused', 'slow']);
    },
  );

  triggers(
    ['credentials-withheld'],
    'credentials for a server whose certificate does not verify are withheld, and the finding says why',
    async () => {
      const port = await smtp({ tls: pki.selfSigned, auth: { username: 'u', password: CANARY } });
      const { report, found } = await rules(
        plan([target(port, { auth: { username: 'u', password: CANARY } })]),
      );
      expect(found).toContain('credentials-withheld');
      const withheld = report.findings.find((f) => f.rule === 'credentials-withheld');
      expect(withheld?.hint).toContain('`allow_unverified_auth`');
      expect(report.recommendations[0]?.outcome).toBe('fails-expectations');
      expect(JSON.stringify(report)).not.toContain(CANARY);
    },
  );

  triggers(
    ['tls-skipped'],
    'mode plain expects no TLS: a plaintext relay passes, one that offers STARTTLS gets a notice',
    async () => {
      const plaintext = await raw(
        smtpScript({
          greeting: '220 relay.test',
          replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
          closeAfter: ['QUIT'],
        }),
      );
      const quiet = await rules(plan([target(plaintext, { mode: 'plain' })]));
      expect(quiet.found).toEqual([]);
      expect(quiet.report.recommendations[0]).toMatchObject({ port: plaintext, outcome: 'works' });

      const offers = await smtp({});
      const { found, report } = await rules(plan([target(offers, { mode: 'plain' })]));
      expect(found).toEqual(['tls-skipped']);
      expect(report.findings.find((f) => f.rule === 'tls-skipped')?.hint).toContain('`mode`');
      expect(report.verdict.pass).toBe(true);
    },
  );

  triggers(
    ['tls-missing'],
    'mode plain with TLS required says which two settings disagree, and the port still answers SMTP',
    async () => {
      const plaintext = await raw(
        smtpScript({
          greeting: '220 relay.test',
          replies: { EHLO: '250 relay.test', QUIT: '221 bye' },
          closeAfter: ['QUIT'],
        }),
      );
      const { found, report } = await rules(
        plan([target(plaintext, { mode: 'plain', expect: { tls: 'required' } })]),
      );
      expect(found).toEqual(['tls-missing']);
      expect(report.findings[0]?.hint).toMatch(/`mode`.*`expect\.tls`/);
      expect(report.recommendations[0]).toMatchObject({
        port: null,
        outcome: 'fails-expectations',
        reason: expect.stringMatching(/^reachable, but no port meets the expectations/),
      });
    },
  );

  triggers(['egress-blocked-likely'], 'a silently dropped port is egress-blocked-likely', async () => {
    // A listener whose full accept queue drops every SYN: the silence of a firewall, on loopback.
    const dropped = await unansweredPort('127.0.0.1');
    handles.push(dropped);
    const p = plan([target(dropped.port)]);
    p.options.connectTimeout = 300;
    const { report, found } = await rules(p);
    expect(found).toEqual(['egress-blocked-likely']);
    expect(report.findings[0]?.hint).toMatch(/silently dropped/);
  });

  it('every rule in the catalogue is triggered by one of these tests', () => {
    // Judged across vantages and controls, not here: test/judge/egress.test.ts and
    // test/system/egress-truth.test.ts cover attribution, test/system/vantages.test.ts the rest.
    const acrossVantages = [
      'forbidden-destination',
      'egress-blocked',
      'target-filtered',
      'target-down',
      'inconclusive',
      'vantage-failed',
    ];
    const expected = RULE_IDS.filter((r) => !acrossVantages.includes(r));
    expect([...declared].sort()).toEqual([...expected].sort());
  });
});

describe('groups, verdicts and recommendations', () => {
  it('in a require: any group a failing port is a warning while another works, and that port is recommended', async () => {
    const good = await smtp({});
    const t: TargetPlan = {
      name: 'relay',
      host: '127.0.0.1',
      mx: false,
      require: 'any',
      ports: [
        { port: closed, mode: 'starttls', modeExplicit: false, expect: {} },
        { port: good, mode: 'starttls', modeExplicit: false, expect: {} },
      ],
    };
    const report = await runPlan(plan([t]));
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['unreachable', 'warning']]);
    expect(report.findings[0]?.message).toMatch(/another port of this group works/);
    expect(report.verdict).toMatchObject({ pass: true, errors: 0, warnings: 1 });
    expect(report.recommendations).toEqual([
      {
        target: 'relay',
        vantage: 'runner',
        port: good,
        mode: 'starttls',
        outcome: 'works',
        reason: expect.stringMatching(
          new RegExp(
            `^${closed} was refused; ${good} with STARTTLS, TLS 1.3, certificate valid \\d+ more days, works: use ${good}$`,
          ),
        ),
      },
    ]);
    const strict = await runPlan(plan([{ ...t, require: 'all' }]));
    expect(strict.verdict.pass).toBe(false);
  });

  it('fail-on warning fails on a warning; fail-on never always passes', async () => {
    const port = await smtp({ tls: pki.expiringSoon });
    expect((await runPlan(plan([target(port)], { failOn: 'error' }))).verdict.pass).toBe(true);
    expect((await runPlan(plan([target(port)], { failOn: 'warning' }))).verdict.pass).toBe(false);
    const refused = await runPlan(plan([target(closed)], { failOn: 'never' }));
    expect(refused.verdict).toMatchObject({ pass: true, errors: 1 });
  });

  it('verified implicit TLS is preferred over STARTTLS', async () => {
    const starttls = await smtp({});
    const implicit = await smtp({ secure: true });
    const t: TargetPlan = {
      name: 'both',
      host: '127.0.0.1',
      mx: false,
      require: 'any',
      ports: [
        { port: starttls, mode: 'starttls', modeExplicit: false, expect: {} },
        { port: implicit, mode: 'tls', modeExplicit: false, expect: {} },
      ],
    };
    const [rec] = (await runPlan(plan([t]))).recommendations;
    expect(rec).toMatchObject({ port: implicit, mode: 'tls' });
    expect(rec?.reason).toMatch(new RegExp(`^${implicit} with implicit TLS`));
  });

  it('nothing working says so', async () => {
    const [rec] = (await runPlan(plan([target(closed)]))).recommendations;
    expect(rec).toEqual({
      target: `t${closed}`,
      vantage: 'runner',
      port: null,
      mode: null,
      outcome: 'unreachable',
      reason: `nothing is reachable from runner: ${closed} was refused`,
    });
  });

  it('mx: targets probe port 25 on each MX host in preference order', async () => {
    const mxTarget: TargetPlan = {
      name: 'mx:example.test',
      host: 'example.test',
      mx: true,
      require: 'all',
      ports: [{ port: closed, mode: 'starttls', modeExplicit: false, expect: {} }],
    };
    const report = await runPlan(plan([mxTarget]), {
      resolveMx: async () => [
        { exchange: '::1', priority: 20 },
        { exchange: '127.0.0.1', priority: 10 },
      ],
    });
    expect(report.results.map((r) => [r.target, r.host])).toEqual([
      ['mx:example.test MX#1 127.0.0.1', '127.0.0.1'],
      ['mx:example.test MX#2 ::1', '::1'],
    ]);
  });
});
