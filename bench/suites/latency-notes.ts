/** The latency suite's findings, in sentences built from the figures of the run they describe. */
import { round } from '../lib/stats.js';
import type { InProcessRow } from './latency-in-process.js';
import { GREETING_DELAY_MS, type ProcessResults, processFigure } from './latency-processes.js';

const find = (rows: InProcessRow[], server: string, port: number | 'tls' | 'starttls', auth = false) =>
  rows.find(
    (r) =>
      r.target.server === server &&
      (typeof port === 'number' ? r.target.port === port : r.target.mode === port) &&
      Boolean(r.target.auth) === auth,
  );

const stageList = (r: InProcessRow) =>
  Object.entries(r.stages)
    .map(([stage, ms]) => `${stage} ${ms}`)
    .join(', ');

function postfixNotes(rows: InProcessRow[]): string[] {
  const notes: string[] = [];
  const p587 = find(rows, 'Postfix', 587);
  const p465 = find(rows, 'Postfix', 465);
  if (p587) {
    notes.push(
      `Postfix 587 (${p587.tlsProtocol}): the core takes ${p587.coreMs} ms, nodemailer ` +
        `${p587.nodemailerMs} ms. The core's stages (median ms): ${stageList(p587)}; its tls stage ` +
        "includes waiting for the server's first TLS 1.3 session ticket before the post-TLS EHLO. " +
        'nodemailer sends that EHLO as soon as the handshake ends, and its reply then queues behind ' +
        "Postfix's unacknowledged ticket records (Nagle on the server, delayed ACK on the client): the " +
        `stall DESIGN.md describes, about ${round(p587.nodemailerMs - p587.coreMs)} ms of nodemailer's ` +
        'time here.',
    );
  }
  if (p465) {
    notes.push(
      `Postfix 465 (${p465.tlsProtocol}): core ${p465.coreMs} ms, nodemailer ${p465.nodemailerMs} ms. ` +
        `The core's stages: ${stageList(p465)}. The greeting stage is the time between the end of the ` +
        "handshake and the 220: Postfix's greeting waits behind its last handshake flight until the " +
        'delayed ACK. The server speaks first (RFC 5321 §3.1): a client may not send before the 220, ' +
        'so the core waits like nodemailer does; the implicit-tls suite measures what a client can do ' +
        'about it.',
    );
  }
  const a587 = find(rows, 'Postfix', 587, true);
  const a465 = find(rows, 'Postfix', 465, true);
  if (a587 && a465) {
    notes.push(
      `With AUTH PLAIN (the SASL user): Postfix 587 core ${a587.coreMs} ms vs nodemailer ` +
        `${a587.nodemailerMs} ms, 465 core ${a465.coreMs} ms vs nodemailer ${a465.nodemailerMs} ms; the ` +
        `core's auth stage took ${a587.stages.auth ?? '-'} ms on 587 and ${a465.stages.auth ?? '-'} ms ` +
        'on 465.',
    );
  }
  return notes;
}

function otherInProcessNotes(rows: InProcessRow[]): string[] {
  const notes: string[] = [];
  const sStarttls = find(rows, 'smtp-server', 'starttls');
  const sTls = find(rows, 'smtp-server', 'tls');
  if (sStarttls && sTls) {
    notes.push(
      `smtp-server (Node's TLS on the server side, ${sStarttls.tlsProtocol}): STARTTLS core ` +
        `${sStarttls.coreMs} ms vs nodemailer ${sStarttls.nodemailerMs} ms; implicit TLS core ` +
        `${sTls.coreMs} ms vs nodemailer ${sTls.nodemailerMs} ms. smtp-server holds its 220 back 100 ms ` +
        'on purpose (to catch clients that talk first), so the greeting stage dominates both clients ' +
        `there; core stages, STARTTLS: ${stageList(sStarttls)}; implicit TLS: ${stageList(sTls)}.`,
    );
  }
  const coldRow = find(rows, 'Postfix', 587) ?? sStarttls;
  if (coldRow) {
    const extra = round(coldRow.coreNewCaMs - coldRow.coreMs);
    notes.push(
      `The core's probe with a CA set it has not cached took ${coldRow.coreNewCaMs} ms on ` +
        `${coldRow.target.server} ${coldRow.target.port} against ${coldRow.coreMs} ms with a cached one: ` +
        (extra < Math.max(1, 0.1 * coldRow.coreMs)
          ? 'building the TLS context for a new CA set costs nothing measurable here (in a process ' +
            'whose trust store Node has already loaded).'
          : `building the TLS context for a new CA set adds about ${extra} ms, once per CA set and ` +
            'process.'),
    );
  }
  const quit = coldRow?.stages.quit ?? '-';
  notes.push(
    "Same work, not quite: nodemailer's verify() resolves as soon as it has written QUIT, without " +
      `waiting for the 221 (the core waits for it: its quit stage, ${quit} ms); and nodemailer's ` +
      "`tls.ca` replaces Node's roots with the test CA where the core adds the CA to them. Both verify " +
      'the chain and the name (127.0.0.1 is in the certificate).',
  );
  return notes;
}

function processNotes(p: ProcessResults): string[] {
  const notes: string[] = [];
  const fig = (port: 587 | 465, name: string, env?: string) => processFigure(p, port, name, env);
  const cli = fig(587, 'smtp-probe CLI', 'as is');
  const cliUnset = fig(587, 'smtp-probe CLI', 'NODE_EXTRA_CA_CERTS unset');
  const version = fig(587, 'smtp-probe --version', 'as is');
  const node = fig(587, "node -e ''", 'as is');
  const nodeUnset = fig(587, "node -e ''", 'NODE_EXTRA_CA_CERTS unset');
  const swaks = fig(587, 'swaks --quit-after EHLO');
  const swaksVerify = fig(587, 'swaks --quit-after EHLO --tls-verify');
  const sClient = fig(587, 'openssl s_client');
  const reported = p.byPort[587].cliReportedMs['as is'];
  const reportedUnset = p.byPort[587].cliReportedMs['NODE_EXTRA_CA_CERTS unset'];
  notes.push(
    `Processes on Postfix 587: CLI ${cli} ms, swaks ${swaks} ms, openssl s_client ${sClient} ms, bare ` +
      `node ${node} ms (environment as is). Of the CLI's ${round(cli - node)} ms above a bare Node ` +
      `start, starting the CLI without probing (--version) accounts for ${round(version - node)} ms; ` +
      'the rest is the probe and its report' +
      (reported !== undefined ? ` (the CLI reported ${reported} ms for the probe)` : '') +
      '.',
  );
  notes.push(
    `NODE_EXTRA_CA_CERTS (${process.env.NODE_EXTRA_CA_CERTS ?? 'not set here'}): removed from the ` +
      `child's environment, bare node takes ${nodeUnset} ms instead of ${node} ms, the CLI ${cliUnset} ` +
      `ms instead of ${cli} ms (${round(cliUnset / swaks, 2)}× swaks)` +
      (reported !== undefined && reportedUnset !== undefined
        ? `, and the probe the CLI reports ${reportedUnset} ms instead of ${reported} ms. With the ` +
          'variable set, Node builds its trust store (its ~140 bundled roots plus the file) while it ' +
          "starts; without it, at the first TLS context, inside the probe's tls stage: unsetting it " +
          'moves most of the cost from start-up into the probe rather than saving it'
        : '') +
      '.',
  );
  notes.push(
    'swaks verifies no certificate unless told to: with --tls-verify and the test CA it took ' +
      `${swaksVerify} ms on 587 against ${swaks} ms as the issue gives it.` +
      (swaksVerify < swaks
        ? ' Verifying is not what makes the difference: as given, swaks still loads the system CA bundle ' +
          '(strace shows it opening /etc/ssl/certs/ca-certificates.crt here) and then verifies nothing; ' +
          'given --tls-ca-path it loads that one file instead.'
        : '') +
      ' The CLI and s_client (-CAfile, -verify_return_error) always verify here.',
  );
  const early = p.sClientEarly;
  notes.push(
    'openssl s_client, fed EHLO and QUIT on stdin, against a local server that holds its 220 back ' +
      `${GREETING_DELAY_MS} ms: with -starttls smtp it ${early.starttls ? 'sent before' : 'waited for'} ` +
      'the greeting (s_client reads it itself before its own EHLO and STARTTLS; the stdin lines go out ' +
      `after the handshake); on implicit TLS it ${early.tls ? 'sent EHLO and QUIT before' : 'waited for'} ` +
      'the greeting.' +
      (early.tls
        ? ` So its 465 figure (${fig(465, 'openssl s_client')} ms) is not the same work: it never waits ` +
          "for the greeting, the stage that takes most of the others' time on 465 (see the stage " +
          "table), and talking first is what pregreet tests such as Postfix's postscreen reject."
        : ''),
  );
  return notes;
}

export function latencyNotes(rows: InProcessRow[], p: ProcessResults | undefined): string[] {
  return [...postfixNotes(rows), ...otherInProcessNotes(rows), ...(p ? processNotes(p) : [])];
}
