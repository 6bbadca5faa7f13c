/**
 * A Report built from real probes against local servers, for the report tests: an ok STARTTLS session
 * with AUTH, refused credentials, a name that does not resolve, a closed port and a hostile greeting.
 * Findings, recommendations and the verdict are written by hand, as the plan layer would make them.
 */
import { type ProbeOptions, type ProbeResult, probe } from '../../src/probe/index.js';
import {
  type Finding,
  type Report,
  type ResultRow,
  SCHEMA_VERSION,
  type Verdict,
} from '../../src/result/model.js';
import { toRows } from '../../src/result/rows.js';
import { testPki } from '../helpers/certs.js';
import { nxdomainLookup } from '../helpers/lookup.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';
import { type ServerHandle, smtpScript, startRawServer } from '../helpers/raw-server.js';
import { type SmtpFixture, startSmtpServer } from '../helpers/smtp-fixture.js';

export const CANARY = 'canary-Pa55w0rd-report-4e2b';
export const USER = 'deploy@example.test';

/** A greeting that tries everything: HTML, table edges, code spans, CDATA end, a NUL, a mention, a link. */
export const HOSTILE_GREETING =
  '554 5.7.1 <img src=x onerror=alert(1)> | `rm -rf` ]]> & "quoted" \u0000 @octo-org/team [click](https://evil.example) \u001b[31mred';

const fast: ProbeOptions = {
  timeout: 4_000,
  connectTimeout: 1_000,
  greetingTimeout: 1_500,
  commandTimeout: 1_500,
};

export interface RealRun {
  report: Report;
  /** The probe results the rows came from, by target name. */
  results: Record<string, ProbeResult>;
  close(): Promise<void>;
}

function finding(
  row: ResultRow,
  draft: Pick<Finding, 'rule' | 'severity' | 'message' | 'hint'>,
  perAddress = true,
): Finding {
  return {
    ...draft,
    vantage: row.vantage,
    target: row.target,
    host: row.host,
    port: row.port,
    address: perAddress ? row.address : null,
  };
}

function verdictOf(findings: readonly Finding[]): Verdict {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  const errors = count('error');
  return {
    pass: errors === 0,
    failOn: 'error',
    errors,
    warnings: count('warning'),
    notices: count('notice'),
  };
}

function only(rows: ResultRow[], status: ResultRow['status']): ResultRow {
  const [row] = rows;
  if (!row || row.status !== status)
    throw new Error(`expected one ${status} row, got ${JSON.stringify(rows)}`);
  return row;
}

export async function startRealRun(): Promise<RealRun> {
  const pki = await testPki();
  const servers: Array<SmtpFixture | ServerHandle | HeldPort> = [];
  try {
    const good = await startSmtpServer({ auth: { username: USER, password: CANARY } });
    servers.push(good);
    const strict = await startSmtpServer({ auth: { username: USER, password: 'not-the-canary' } });
    servers.push(strict);
    const hostile = await startRawServer(
      smtpScript({ greeting: HOSTILE_GREETING, replies: { QUIT: '221 bye' } }),
    );
    servers.push(hostile);
    const closed = await refusingPort('127.0.0.1');
    servers.push(closed);

    const auth = { username: USER, password: CANARY };
    const tls = { ca: pki.ca.cert, servername: 'localhost' };
    const [submission, relay, typo, closedResult, hostileResult] = await Promise.all([
      probe({ host: '127.0.0.1', port: good.port }, { ...fast, tls, auth }),
      probe({ host: '127.0.0.1', port: strict.port }, { ...fast, tls, auth }),
      // The name fails as a missing name does (ENOTFOUND), whatever resolver this machine has.
      probe({ host: 'no-such-host.invalid', port: 587 }, { ...fast, lookup: nxdomainLookup }),
      probe({ host: '127.0.0.1', port: closed.port }, fast),
      probe({ host: '127.0.0.1', port: hostile.port }, fast),
    ]);
    const results = {
      submission,
      relay,
      'no-such-host.invalid': typo,
      closed: closedResult,
      hostile: hostileResult,
    } as Record<string, ProbeResult>;

    const okRow = only(toRows(submission, 'submission', 'runner'), 'ok');
    const authRow = only(toRows(relay, 'relay', 'runner'), 'auth_failed');
    const dnsRow = only(toRows(typo, 'no-such-host.invalid', 'runner'), 'dns_error');
    const refusedRow = only(toRows(closedResult, 'closed', 'runner'), 'refused');
    const hostileRow = only(toRows(hostileResult, 'hostile', 'runner'), 'rejected');

    const findings: Finding[] = [
      finding(authRow, {
        rule: 'auth-failed',
        severity: 'error',
        message: authRow.explanation,
        hint: 'Check the username and password (an API key, for most providers).',
      }),
      finding(
        dnsRow,
        {
          rule: 'smtp-error',
          severity: 'error',
          message: dnsRow.explanation,
          hint: dnsRow.hint ?? 'Check the host name.',
        },
        false,
      ),
      finding(
        refusedRow,
        {
          rule: 'unreachable',
          severity: 'error',
          message: refusedRow.explanation,
          hint: refusedRow.hint ?? '',
        },
        false,
      ),
      finding(hostileRow, {
        rule: 'smtp-error',
        severity: 'error',
        message: hostileRow.explanation,
        hint: 'The server refused the session at its greeting.',
      }),
      {
        ...finding(okRow, {
          rule: 'slow',
          severity: 'warning',
          message: `the session took ${Math.round(okRow.durationMs)} ms, more than the allowed 1 ms`,
          hint: 'Raise expect.maxLatency, or find out why the server is slow to answer.',
        }),
        location: { file: '.github/smtp-probe.yml', line: 7, column: 9 },
      },
      finding(okRow, {
        rule: 'no-tls-offered',
        severity: 'notice',
        message: 'a notice, to show all three severities',
        hint: 'Nothing to do.',
      }),
    ];

    const report: Report = {
      schemaVersion: SCHEMA_VERSION,
      tool: { name: 'smtp-port-probe', version: '0.1.0' },
      startedAt: submission.startedAt,
      durationMs: Math.max(...Object.values(results).map((r) => r.durationMs)),
      vantages: [{ label: 'runner', kind: 'runner' }],
      results: [okRow, authRow, dnsRow, refusedRow, hostileRow],
      findings,
      recommendations: [
        {
          target: 'submission',
          vantage: 'runner',
          port: okRow.port,
          mode: 'starttls',
          outcome: 'works',
          reason: `${okRow.port} with STARTTLS, ${okRow.tls?.protocol}, works: use ${okRow.port}`,
        },
        {
          target: 'relay',
          vantage: 'runner',
          port: null,
          mode: null,
          outcome: 'fails-expectations',
          reason: 'reachable, but no port meets the expectations: 41903 refused the credentials',
        },
        {
          target: 'no-such-host.invalid',
          vantage: 'runner',
          port: null,
          mode: null,
          outcome: 'unreachable',
          reason: 'nothing is reachable from here: 587 did not resolve',
        },
        {
          target: 'closed',
          vantage: 'runner',
          port: null,
          mode: null,
          outcome: 'unreachable',
          reason: 'nothing is reachable from here: 1 was refused',
        },
        {
          target: 'hostile',
          vantage: 'runner',
          port: null,
          mode: null,
          outcome: 'fails-expectations',
          reason: 'reachable, but no port meets the expectations: 25 rejected the session',
        },
      ],
      verdict: verdictOf(findings),
    };
    return { report, results, close: () => Promise.all(servers.map((s) => s.close())).then(() => undefined) };
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
}
