/**
 * Implicit TLS (465): why Postfix's greeting comes ~40 ms after the handshake, and what a client (and
 * a server operator) can do about it without sending anything before the greeting. Plain node:tls
 * clients against Postfix 465, Node SMTPS servers and smtp-server for contrast, a client route with
 * `quickack 1` in a network namespace, and a short look at 587 (what the core does there).
 */
import { constants } from 'node:crypto';
import { probe } from '../../src/probe/index.js';
import { testPki } from '../../test/helpers/certs.js';
import { startSmtpServer } from '../../test/helpers/smtp-fixture.js';
import type { PostfixEnv } from '../../test/system/postfix-env.js';
import { interleaved, median, round } from '../lib/stats.js';
import type { BenchContext, Goal, Suite, SuiteResult, Table } from '../lib/types.js';
import {
  type ClientVariant,
  type Endpoint,
  type GreetingSample,
  greetingSample,
  type StarttlsSample,
  sessionFrom,
  starttlsSample,
} from './implicit-tls-clients.js';
import { type Cell, conclusions, type Findings, methodText, P465_NOTES } from './implicit-tls-notes.js';
import { type LocalServer, quickackInNetns, startNodeSmtps } from './implicit-tls-servers.js';

const RUNS = 15;
/** Below this, the greeting did not wait for a delayed ACK (Linux's minimum is 40 ms). */
const NO_STALL_MS = 10;

const rawMedian = (values: (number | undefined)[]): number | undefined => {
  const seen = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return seen.length > 0 ? median(seen) : undefined;
};
const ms = (values: (number | undefined)[]): Cell => {
  const value = rawMedian(values);
  return value === undefined ? '—' : round(value);
};
const share = (flags: boolean[]): string => {
  const yes = flags.filter(Boolean).length;
  return yes === flags.length ? 'yes' : yes === 0 ? 'no' : `${yes}/${flags.length}`;
};

/** Runs the contenders round-robin (bench/lib/stats interleaved) and keeps what each run returned. */
async function collect<S>(
  contenders: Record<string, () => Promise<S>>,
  runs: number,
): Promise<Record<string, S[]>> {
  const out: Record<string, S[]> = {};
  const wrapped: Record<string, () => Promise<void>> = {};
  for (const [name, run] of Object.entries(contenders)) {
    out[name] = [];
    wrapped[name] = async () => {
      out[name]?.push(await run());
    };
  }
  await interleaved(wrapped, runs, 1);
  // interleaved() runs one untimed warm-up round first: its results are dropped here too.
  for (const name of Object.keys(out)) out[name] = out[name]?.slice(1) ?? [];
  return out;
}

/** The core's own 465 session, for reference: `tls` and `greeting` stages. */
async function coreSample(env: PostfixEnv, port: number): Promise<GreetingSample & { ehloTlsMs?: number }> {
  const result = await probe({ host: '127.0.0.1', port }, { tls: { ca: env.ca }, helo: 'bench.test' });
  const session = result.sessions[0];
  const t = session?.timings ?? {};
  return {
    handshakeMs: t.tls ?? Number.NaN,
    ...(t.greeting !== undefined && port === 465 ? { greetingMs: t.greeting } : {}),
    ...(t.ehlo_tls !== undefined ? { ehloTlsMs: t.ehlo_tls } : {}),
    protocol: session?.tls?.protocol ?? '',
    resumed: false,
    certificate: Boolean(session?.tls?.certificate),
    ehloOk: session?.status === 'ok',
    errors: session?.status === 'ok' ? [] : [`${session?.status}: ${session?.explanation}`],
  };
}

async function postfix465(env: PostfixEnv, runs: number, findings: Findings): Promise<Table> {
  const endpoint: Endpoint = { host: '127.0.0.1', port: 465, ca: env.ca };
  const v12 = { maxVersion: 'TLSv1.2' } as const;
  const noTicket = constants.SSL_OP_NO_TICKET;
  const renegotiate: ClientVariant['onSecure'] = (s, noteError) => {
    // Node calls back with OpenSSL's reason when it cannot start (TLS 1.3) or the server refuses.
    s.renegotiate({}, (error) => {
      if (error) noteError(`renegotiate(): ${(error as NodeJS.ErrnoException).code ?? error.message}`);
    });
  };
  // Sessions of earlier full handshakes, to resume; a server that gives none loses those rows only.
  const keep = (variant: ClientVariant) => sessionFrom(endpoint, variant).catch(() => undefined);
  const sessions = {
    tls13: await keep({}),
    tls12: await keep({ tls: v12 }),
    tls12Id: await keep({ tls: { ...v12, secureOptions: noTicket } }),
  };
  const variants: Record<string, ClientVariant> = {
    'TLS 1.3 (default)': {},
    'TLS 1.3, client TCP_NODELAY': { onConnect: (raw) => raw.setNoDelay(true) },
    'TLS 1.3, TCP keepalive after 1 s idle': { onConnect: (raw) => raw.setKeepAlive(true, 1_000) },
    "TLS 1.3, write('') after handshake": { onSecure: (s) => s.write('') },
    'TLS 1.3, SSL_OP_NO_TICKET': { tls: { secureOptions: noTicket } },
    'TLS 1.3, renegotiate() after handshake': { onSecure: renegotiate },
    ...(sessions.tls13 && { 'TLS 1.3 resumed (ticket)': { tls: { session: sessions.tls13 } } }),
    'TLS 1.2': { tls: v12 },
    'TLS 1.2, SSL_OP_NO_TICKET': { tls: { ...v12, secureOptions: noTicket } },
    'TLS 1.2, renegotiate() after handshake': { tls: v12, onSecure: renegotiate },
    ...(sessions.tls12 && { 'TLS 1.2 resumed (ticket)': { tls: { ...v12, session: sessions.tls12 } } }),
    ...(sessions.tls12Id && {
      'TLS 1.2 resumed (session ID)': { tls: { ...v12, secureOptions: noTicket, session: sessions.tls12Id } },
    }),
  };
  const contenders: Record<string, () => Promise<GreetingSample>> = {};
  for (const [name, variant] of Object.entries(variants))
    contenders[name] = () => greetingSample(endpoint, variant);
  contenders['core probe() today'] = () => coreSample(env, 465);
  const samples = await collect(contenders, runs);

  const rows: Cell[][] = [];
  for (const [name, list] of Object.entries(samples)) {
    const errors = [...new Set(list.flatMap((s) => s.errors))];
    const row = {
      name,
      protocol: list[0]?.protocol || '—',
      resumed: share(list.map((s) => s.resumed)),
      certificate: share(list.map((s) => s.certificate)),
      handshakeMs: ms(list.map((s) => s.handshakeMs)),
      greetingMs: ms(list.map((s) => s.greetingMs)),
      greetingMedian: rawMedian(list.map((s) => s.greetingMs)),
      delayedAcks: ms(list.map((s) => s.delayedAcks)),
      ehlo: `${list.filter((s) => s.ehloOk).length}/${list.length}`,
      ticketMs: ms(list.map((s) => s.ticketMs)),
      errors,
    };
    findings.p465.push(row);
    const note = [P465_NOTES[name] ?? '', errors.length > 0 ? `Error seen: ${errors.join('; ')}.` : '']
      .filter(Boolean)
      .join(' ');
    rows.push(
      [name, row.protocol, row.resumed, row.certificate, row.handshakeMs, row.ticketMs].concat([
        row.greetingMs,
        row.delayedAcks,
        row.ehlo,
        note,
      ]),
    );
  }
  return {
    columns: [
      'Variant',
      'TLS',
      'Resumed',
      'Certificate seen',
      'Handshake ms',
      'TLS 1.3 ticket after handshake ms',
    ].concat(['Greeting after handshake ms', 'Delayed ACKs per connection', 'EHLO answered', 'Note']),
    rows,
  };
}

async function contrastServers(runs: number, findings: Findings): Promise<Table> {
  const pki = await testPki();
  const servers: [string, LocalServer | Awaited<ReturnType<typeof startSmtpServer>>][] = [];
  try {
    servers.push([
      'Node tls, greeting with the last handshake flight, Nagle on',
      await startNodeSmtps(pki.valid, { noDelay: false, greeting: 'same-turn' }),
    ]);
    servers.push([
      'Node tls, greeting one turn later (like Postfix), Nagle on',
      await startNodeSmtps(pki.valid, { noDelay: false, greeting: 'next-turn' }),
    ]);
    servers.push([
      'Node tls, greeting one turn later, noDelay: true',
      await startNodeSmtps(pki.valid, { noDelay: true, greeting: 'next-turn' }),
    ]);
    servers.push(['smtp-server, secure: true', await startSmtpServer({ secure: true })]);
    const contenders: Record<string, () => Promise<GreetingSample>> = {};
    for (const [name, server] of servers) {
      const endpoint = { host: '127.0.0.1', port: server.port, ca: pki.ca.cert };
      contenders[`${name}|TLS 1.3`] = () => greetingSample(endpoint);
      contenders[`${name}|TLS 1.2`] = () => greetingSample(endpoint, { tls: { maxVersion: 'TLSv1.2' } });
    }
    const samples = await collect(contenders, runs);
    const rows: Cell[][] = [];
    for (const [key, list] of Object.entries(samples)) {
      const [server = key, client = ''] = key.split('|');
      const row = {
        server,
        client,
        handshakeMs: ms(list.map((s) => s.handshakeMs)),
        greetingMs: ms(list.map((s) => s.greetingMs)),
        delayedAcks: ms(list.map((s) => s.delayedAcks)),
        ehlo: `${list.filter((s) => s.ehloOk).length}/${list.length}`,
      };
      findings.contrast.push(row);
      rows.push([server, client, row.handshakeMs, row.greetingMs, row.delayedAcks, row.ehlo]);
    }
    return {
      columns: ['Server (127.0.0.1)', 'Client', 'Handshake ms', 'Greeting after handshake ms'].concat([
        'Delayed ACKs per connection',
        'EHLO answered',
      ]),
      rows,
    };
  } finally {
    for (const [, server] of servers) await server.close();
  }
}

async function postfix587(env: PostfixEnv, runs: number, findings: Findings): Promise<Table> {
  const endpoint: Endpoint = { host: '127.0.0.1', port: 587, ca: env.ca };
  const samples = await collect<StarttlsSample | Awaited<ReturnType<typeof coreSample>>>(
    {
      'TLS 1.3, EHLO at once (as nodemailer)': () => starttlsSample(endpoint, { wait: 'none' }),
      'TLS 1.3, EHLO after the first ticket + one turn (the core)': () =>
        starttlsSample(endpoint, { wait: 'ticket' }),
      'TLS 1.2, EHLO at once': () => starttlsSample(endpoint, { maxVersion: 'TLSv1.2', wait: 'none' }),
      'core probe() today': () => coreSample(env, 587),
    },
    runs,
  );
  const rows: Cell[][] = [];
  for (const [name, list] of Object.entries(samples)) {
    const plain = list.filter((s): s is StarttlsSample => 'ehloMs' in s);
    const core = list.filter((s): s is Awaited<ReturnType<typeof coreSample>> => 'ehloTlsMs' in s);
    const row = {
      name,
      protocol: list[0]?.protocol || '—',
      handshakeMs: ms(list.map((s) => s.handshakeMs)),
      waitMs: plain.length > 0 ? ms(plain.map((s) => s.waitMs)) : '—',
      ehloMs: plain.length > 0 ? ms(plain.map((s) => s.ehloMs)) : ms(core.map((s) => s.ehloTlsMs)),
      delayedAcks: ms(plain.map((s) => s.delayedAcks)),
      ok: `${plain.filter((s) => s.ok).length + core.filter((s) => s.ehloOk).length}/${list.length}`,
    };
    findings.p587.push(row);
    rows.push([name, row.protocol, row.handshakeMs, row.waitMs, row.ehloMs, row.delayedAcks, row.ok]);
  }
  return {
    columns: ['Postfix 587 (STARTTLS) variant', 'TLS', 'Handshake ms', 'Wait before EHLO ms'].concat([
      'EHLO reply after handshake ms',
      'Delayed ACKs per connection',
      'Sessions ok',
    ]),
    rows,
  };
}

async function quickackTable(runs: number, findings: Findings): Promise<Table | undefined> {
  const pki = await testPki();
  // A namespace that cannot be made or run costs this table only, with the reason in the notes.
  const result = await quickackInNetns(pki.valid, pki.ca.cert, runs).catch(
    (error: unknown) => `the namespace run failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  if (typeof result === 'string') {
    findings.netnsSkipped = result;
    return undefined;
  }
  findings.routes = result.routes;
  const rows: Cell[][] = [];
  for (const [key, list] of Object.entries(result.samples)) {
    const [route = key, client = ''] = key.split('/');
    const row = {
      route: route === 'quickack' ? '127.0.0.2, route with quickack 1' : '127.0.0.1, default route',
      client,
      handshakeMs: ms(list.map((s) => s.handshakeMs)),
      greetingMs: ms(list.map((s) => s.greetingMs)),
      delayedAcks: ms(list.map((s) => s.delayedAcks ?? undefined)),
    };
    findings.netns.push(row);
    rows.push([row.route, row.client, row.handshakeMs, row.greetingMs, row.delayedAcks]);
  }
  return {
    columns: ['Client route (namespace, Postfix-like Node server)', 'Client', 'Handshake ms'].concat([
      'Greeting after handshake ms',
      'Delayed ACKs per connection',
    ]),
    rows,
  };
}

export const implicitTls: Suite = {
  id: 'implicit-tls',
  title: 'Implicit TLS (465): what a client can do about the greeting stall',
  async run(context: BenchContext): Promise<SuiteResult> {
    const runs = context.runs(RUNS);
    const findings: Findings = { p465: [], contrast: [], p587: [], netns: [], routes: [] };
    const tables: Table[] = [];
    const env = context.postfix;
    if (env) {
      context.log('implicit-tls: Postfix 465, 12 client variants and the core, interleaved');
      tables.push(await postfix465(env, runs, findings));
    }
    context.log('implicit-tls: Node SMTPS servers and smtp-server on 127.0.0.1');
    tables.push(await contrastServers(runs, findings));
    context.log('implicit-tls: client route with quickack 1, in a network namespace');
    const quick = await quickackTable(runs, findings);
    if (quick) tables.push(quick);
    if (env) {
      context.log('implicit-tls: Postfix 587, EHLO at once vs after the ticket');
      tables.push(await postfix587(env, runs, findings));
    }
    const { notes, figures, goal } = conclusions(findings, NO_STALL_MS);
    // The issue sets no goal here ("find out what a client can do"): what avoids the stall is a finding,
    // reported as a note, not a goal a probe could meet (resumption shows no certificate).
    const goals: Goal[] = [];
    if (goal) notes.push(`Without the stall: ${goal.measured}.`);
    return {
      id: 'implicit-tls',
      title: this.title,
      method: methodText(runs),
      tables,
      figures,
      goals,
      notes,
      ...(env
        ? {}
        : { skipped: `Postfix is not running here (${context.postfixMissing ?? 'unknown reason'})` }),
    };
  },
};
