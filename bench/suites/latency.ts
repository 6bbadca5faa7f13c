/**
 * Suite `latency`: how long one full probe takes against local Postfix and smtp-server, for a STARTTLS
 * port (connect, greeting, EHLO, STARTTLS, TLS, EHLO, QUIT) and an implicit-TLS port. In process: the
 * core's probe() against nodemailer's verify(). As processes: the CLI against swaks and openssl s_client.
 */
import { cpus, loadavg } from 'node:os';
import { STAGES, type Stage } from '../../src/probe/index.js';
import { testPki } from '../../test/helpers/certs.js';
import { type SmtpFixture, startSmtpServer } from '../../test/helpers/smtp-fixture.js';
import { round } from '../lib/stats.js';
import type { BenchContext, Goal, Suite, SuiteResult, Table } from '../lib/types.js';
import {
  type InProcessRow,
  type LatencyTarget,
  measureInProcess,
  targetLabel,
} from './latency-in-process.js';
import { latencyNotes } from './latency-notes.js';
import { PROCESS_PORTS, type ProcessResults, processFigure, processResults } from './latency-processes.js';

const ID = 'latency';
const TITLE = 'Latency of one probe: smtp-probe vs nodemailer, swaks and openssl';
const IN_PROCESS_RUNS = 21;
const PROCESS_RUNS = 11;
const SHOWN_STAGES = STAGES.filter((stage) => stage !== 'dns' && stage !== 'envelope');

/** `postfix587`, `smtpServerTls`, `postfix465Auth`: names for latest.json. */
function targetKey(t: LatencyTarget): string {
  const server =
    t.server === 'Postfix' ? `postfix${t.port}` : `smtpServer${t.mode === 'tls' ? 'Tls' : 'Starttls'}`;
  return `${server}${t.auth ? 'Auth' : ''}`;
}

const modeName = (t: LatencyTarget) =>
  `${t.mode === 'tls' ? 'implicit TLS' : 'STARTTLS'}${t.auth ? ' + AUTH' : ''}`;
const ratio = (a: number, b: number) => round(a / b, 2);
/** smtp-server listens on a port picked at run time: its number would only make the table noisy. */
const portName = (t: LatencyTarget) => (t.server === 'Postfix' ? String(t.port) : 'ephemeral');

async function inProcessRows(context: BenchContext, warmup: number): Promise<InProcessRow[]> {
  const pki = await testPki();
  const postfix = context.postfix;
  const fixtures: SmtpFixture[] = [];
  const rows: InProcessRow[] = [];
  try {
    fixtures.push(await startSmtpServer({ tls: pki.valid }));
    fixtures.push(await startSmtpServer({ secure: true, tls: pki.valid }));
    const [starttls, implicit] = fixtures as [SmtpFixture, SmtpFixture];
    const onPostfix = (port: number, auth: boolean): LatencyTarget[] =>
      postfix
        ? [
            {
              server: 'Postfix',
              port,
              mode: port === 465 ? 'tls' : 'starttls',
              ca: postfix.ca,
              postfix,
              ...(auth ? { auth: { username: postfix.username, password: postfix.password } } : {}),
            },
          ]
        : [];
    const targets: LatencyTarget[] = [
      ...onPostfix(587, false),
      ...onPostfix(465, false),
      { server: 'smtp-server', port: starttls.port, mode: 'starttls', ca: pki.ca.cert },
      { server: 'smtp-server', port: implicit.port, mode: 'tls', ca: pki.ca.cert },
      ...onPostfix(587, true),
      ...onPostfix(465, true),
    ];
    for (const target of targets) {
      context.log(`${ID}: core vs nodemailer, ${targetLabel(target)}`);
      rows.push(await measureInProcess(target, context.runs(IN_PROCESS_RUNS), warmup));
    }
  } finally {
    await Promise.all(fixtures.map((fixture) => fixture.close()));
  }
  return rows;
}

function inProcessTables(rows: InProcessRow[]): Table[] {
  const stagesSeen = SHOWN_STAGES.filter((stage) => rows.some((row) => row.stages[stage] !== undefined));
  return [
    {
      columns: [
        'Server',
        'Port',
        'Mode',
        'Core ms',
        'nodemailer ms',
        'Core / nodemailer',
        'Core, new CA set ms',
      ],
      rows: rows.map((r) => [
        r.target.server,
        portName(r.target),
        modeName(r.target),
        r.coreMs,
        r.nodemailerMs,
        ratio(r.coreMs, r.nodemailerMs),
        r.coreNewCaMs,
      ]),
    },
    {
      columns: ['Core, per stage (median ms)', ...stagesSeen],
      rows: rows.map((r) => [
        `${r.target.server} ${portName(r.target)} ${modeName(r.target)}`,
        ...stagesSeen.map((stage: Stage) => r.stages[stage] ?? '-'),
      ]),
    },
  ];
}

function processTable(p: ProcessResults): Table {
  const swaks = p.contenders.findIndex((c) => c.name === 'swaks --quit-after EHLO');
  const at = (port: 587 | 465, i: number) => p.byPort[port].medians[i] ?? Number.NaN;
  return {
    columns: ['Process', 'Environment', 'Postfix 587 ms', 'Postfix 465 ms', '÷ swaks, 587', '÷ swaks, 465'],
    rows: p.contenders.map((c, i) => [
      c.name,
      c.environment,
      at(587, i),
      at(465, i),
      ratio(at(587, i), at(587, swaks)),
      ratio(at(465, i), at(465, swaks)),
    ]),
  };
}

function figuresOf(rows: InProcessRow[], p: ProcessResults | undefined): SuiteResult['figures'] {
  const figures: SuiteResult['figures'] = {};
  for (const r of rows) {
    const key = `inProcess.${targetKey(r.target)}`;
    figures[`${key}.coreMs`] = r.coreMs;
    figures[`${key}.nodemailerMs`] = r.nodemailerMs;
    figures[`${key}.ratio`] = ratio(r.coreMs, r.nodemailerMs);
    figures[`${key}.coreNewCaMs`] = r.coreNewCaMs;
    figures[`${key}.tls`] = r.tlsProtocol;
    for (const [stage, ms] of Object.entries(r.stages)) figures[`${key}.stage.${stage}`] = ms;
  }
  figures['runs.inProcess'] = rows[0]?.samples ?? null;
  if (p) {
    for (const port of PROCESS_PORTS) {
      p.contenders.forEach((c, i) => {
        const name = `${c.name}${c.environment === '-' ? '' : ` (${c.environment})`}`;
        figures[`process.${port}.${name}`] = p.byPort[port].medians[i] ?? null;
      });
      for (const [environment, ms] of Object.entries(p.byPort[port].cliReportedMs)) {
        figures[`process.${port}.cliReportedProbeMs (${environment})`] = ms;
      }
    }
    figures['runs.processes'] = p.byPort[587].samples;
    figures['sClient.sendsBeforeGreeting.starttls'] = p.sClientEarly.starttls ? 'yes' : 'no';
    figures['sClient.sendsBeforeGreeting.tls'] = p.sClientEarly.tls ? 'yes' : 'no';
  }
  return figures;
}

function goalsOf(rows: InProcessRow[], p: ProcessResults | undefined): Goal[] {
  const goals: Goal[] = [];
  const row = rows.find((r) => r.target.server === 'Postfix' && r.target.port === 587 && !r.target.auth);
  if (row) {
    const r = ratio(row.coreMs, row.nodemailerMs);
    goals.push({
      goal: 'core ≤ 0.25 × nodemailer on Postfix 587 (STARTTLS)',
      measured: `${row.coreMs} ms vs ${row.nodemailerMs} ms = ${r}×`,
      met: row.coreMs <= 0.25 * row.nodemailerMs,
    });
  }
  if (p) {
    const cli = processFigure(p, 587, 'smtp-probe CLI', 'as is');
    const unset = processFigure(p, 587, 'smtp-probe CLI', 'NODE_EXTRA_CA_CERTS unset');
    const swaks = processFigure(p, 587, 'swaks --quit-after EHLO');
    goals.push({
      goal: 'CLI process ahead of swaks on Postfix 587 (environment as is)',
      measured:
        `CLI ${cli} ms vs swaks ${swaks} ms = ${ratio(cli, swaks)}×` +
        ` (NODE_EXTRA_CA_CERTS unset: CLI ${unset} ms = ${ratio(unset, swaks)}×)`,
      met: cli < swaks,
    });
  }
  return goals;
}

function method(rows: InProcessRow[], p: ProcessResults | undefined, warmup: number): string {
  const n = rows[0]?.samples ?? 0;
  const after = warmup > 0 ? ` after ${warmup} untimed round` : '';
  return (
    'One full SMTP dialog over loopback, timed end to end: connect, greeting, EHLO, STARTTLS, TLS, EHLO, ' +
    'QUIT on a STARTTLS port; connect, TLS, greeting, EHLO, QUIT on an implicit-TLS port (AUTH PLAIN ' +
    "after the last EHLO in the AUTH rows). In process: the core's `probe()` against nodemailer's " +
    '`createTransport({...}).verify()`, both trusting the same test CA, EHLO name `bench.test`, ' +
    'interleaved round-robin with a third contender, the core handed a CA set it has not cached yet; ' +
    `median of ${n} samples each${after}; every sample checked (status ok, chain trusted, name ` +
    "matched, AUTH accepted; verify() resolved true) or the suite stops. Servers: the system tests' " +
    'Postfix (587, 465) and smtp-server in this process with a CA made at run time.' +
    (p
      ? ` As processes, spawn to exit, interleaved, median of ${p.byPort[587].samples} runs each${after}, ` +
        'every run checked (exit code 0 and, for swaks and s_client, the 250 and 221 replies): `node ' +
        'dist/cli/index.js 127.0.0.1:PORT --ca CA` with the environment as is and with ' +
        'NODE_EXTRA_CA_CERTS removed; the same CLI with `--version` (its start, no probe); swaks ' +
        '`--quit-after EHLO` (`-tls` on 587, `--tls-on-connect` on 465) as the issue gives it and with ' +
        '`--tls-verify`; `openssl s_client -quiet -crlf -CAfile CA -verify_return_error` (`-starttls smtp` ' +
        "on 587) fed `EHLO bench.test` and `QUIT`; a bare `node -e ''` for what starting Node costs."
      : '')
  );
}

export const latency: Suite = {
  id: ID,
  title: TITLE,
  async run(context) {
    // In smoke mode one sample each and no untimed round: the suite only has to prove it still runs.
    const warmup = context.smoke ? 0 : 1;
    const loadBefore = round(loadavg()[0] ?? 0, 2);
    const rows = await inProcessRows(context, warmup);
    const p = await processResults(context, context.runs(PROCESS_RUNS), warmup);
    const loadAfter = round(loadavg()[0] ?? 0, 2);
    // Other work on a small machine moves every figure; ratios of interleaved runs move less.
    const busy = Math.max(loadBefore, loadAfter) > cpus().length / 2;
    const load =
      `Load average (1 min) ${loadBefore} when the suite started and ${loadAfter} when it ended, on ` +
      `${cpus().length} cores: ` +
      (busy
        ? "above half the cores (the benchmark's own servers count, and so does what ran in the minute " +
          'before), so times may read high and vary from run to run; the ratios of interleaved ' +
          'contenders hold better than the times.'
        : 'the machine was otherwise quiet.');
    return {
      id: ID,
      title: TITLE,
      method: method(rows, p, warmup),
      tables: [...inProcessTables(rows), ...(p ? [processTable(p)] : [])],
      figures: { ...figuresOf(rows, p), 'loadAverage.start': loadBefore, 'loadAverage.end': loadAfter },
      goals: goalsOf(rows, p),
      notes: [...latencyNotes(rows, p), load],
      ...(context.postfix
        ? {}
        : {
            skipped:
              `no Postfix here (${context.postfixMissing ?? 'unknown reason'}): only the smtp-server ` +
              'rows ran (in latest.json), the Postfix rows, the process comparison and both goals did not',
          }),
    };
  },
};
