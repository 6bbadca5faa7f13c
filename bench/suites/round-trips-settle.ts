/**
 * What the core's wait for the first TLS 1.3 session ticket (settleAfterHandshake in
 * src/probe/tls-upgrade.ts) costs and saves over the delayed link, read from the bare client's
 * variants (with the wait, without it, and with AUTH pipelined) beside the core's own STARTTLS sessions.
 */
import { median, round } from '../lib/stats.js';
import type { SuiteResult, Table } from '../lib/types.js';
import type { BareTimings } from './round-trips-client.js';
import { BARE_VARIANTS, type CoreSample, type Samples } from './round-trips-measure.js';

const r2 = (value: number) => round(value, 2);

/** The core's cap on the wait, as src/probe/session.ts computes it from the connect time. */
export const coreSettleCap = (connectMs: number) => Math.min(250, Math.max(5, 2 * connectMs + 5));

export function bareTable(samples: Samples, rtt: number): Table {
  const trips = (values: number[]) => (values.length > 0 ? r2(median(values) / rtt) : '–');
  const bareRow = (label: string, list: BareTimings[]) => [
    label,
    round(median(list.map((t) => t.total)), 0),
    trips(list.map((t) => t.total)),
    trips(list.map((t) => t.tls)),
    trips(list.map((t) => t.settle)),
    trips(list.map((t) => t.ehlo_tls)),
    trips(list.map((t) => t.end)),
  ];
  const coreRow = (label: string, list: CoreSample[]) => [
    label,
    round(median(list.map((s) => s.wallMs)), 0),
    trips(list.map((s) => s.wallMs)),
    trips(list.map((s) => (s.session.timings.tls ?? 0) - (s.settleMs ?? 0))),
    trips(list.flatMap((s) => (s.settleMs === undefined ? [] : [s.settleMs]))),
    trips(list.map((s) => s.session.timings.ehlo_tls ?? 0)),
    trips(list.map((s) => (s.session.timings.auth ?? 0) + (s.session.timings.quit ?? 0))),
  ];
  return {
    columns: [
      'Postfix 587 (stages in round trips)',
      'Wall ms',
      'Round trips',
      'TLS handshake',
      'ticket wait',
      'EHLO (TLS)',
      'QUIT, or AUTH + QUIT',
    ],
    rows: [
      ...BARE_VARIANTS.map((v) => bareRow(`bare client: ${v.label}`, samples.bare[v.id])),
      coreRow('core probe(): starttls', samples.core.starttls),
      coreRow('core probe(): starttls+auth', samples.core.starttlsAuth),
    ],
  };
}

/** Whether a cap of `capMs` would have let every measured wait end with its ticket. */
function caught(waits: number[], capMs: number): string {
  const missed = waits.filter((ms) => ms > capMs).length;
  return missed === 0
    ? 'still have caught every ticket in this run'
    : `have missed ${missed} of the ${waits.length} tickets in this run`;
}

export function settleFindings(samples: Samples, rtt: number): Pick<SuiteResult, 'figures' | 'notes'> {
  const waits = [...samples.core.starttls, ...samples.core.starttlsAuth].flatMap((s) =>
    s.settleMs === undefined ? [] : [s.settleMs],
  );
  const wait = median(waits);
  const latest = Math.max(...waits);
  const total = (list: BareTimings[]) => median(list.map((t) => t.total));
  const saves = total(samples.bare.noSettle) - total(samples.bare.settle);
  const ehloWithout = median(samples.bare.noSettle.map((t) => t.ehlo_tls));
  const ehloWith = median(samples.bare.settle.map((t) => t.settle + t.ehlo_tls));
  const cap = coreSettleCap(rtt);
  const tighter = 1.5 * rtt + 5;
  return {
    figures: {
      settleWaitMs: round(wait, 1),
      settleWaitLatestMs: round(latest, 1),
      settleWaitRoundTrips: r2(wait / rtt),
      settleSavesMs: round(saves, 1),
      settleSavesRoundTrips: r2(saves / rtt),
      settleCapMs: round(cap, 1),
      bareSettleRoundTrips: r2(total(samples.bare.settle) / rtt),
      bareNoSettleRoundTrips: r2(total(samples.bare.noSettle) / rtt),
      bareAuthPipelinedRoundTrips: r2(total(samples.bare.authPipelined) / rtt),
    },
    notes: [
      `The wait for the first TLS 1.3 ticket before the second EHLO (settleAfterHandshake) waited ` +
        `${round(wait, 0)} ms here (${r2(wait / rtt)} round trips; latest ${round(latest, 0)} ms): the ticket ` +
        `leaves Postfix when it reads our Finished, so it lands one round trip after the handshake. ` +
        `Without the wait (bare client, EHLO right after the handshake) the reply to that EHLO sat behind ` +
        `the unacknowledged ticket until our delayed ACK: ${r2(ehloWithout / rtt)} round trips from ` +
        `handshake to reply, against ${r2(ehloWith / rtt)} with the wait. So against this server the wait ` +
        `saves ${round(saves, 0)} ms per STARTTLS session (${r2(saves / rtt)} round trips) and costs nothing: ` +
        'the round trip it spends is spent either way.',
      `What it can cost: against a TLS 1.3 server that sends no ticket the wait runs to its cap, ` +
        `min(250, max(5, 2 × connect + 5)) = ${round(cap, 0)} ms here (${r2(cap / rtt)} round trips), all ` +
        `of it lost. The ticket came about 1 round trip after the handshake, so a cap of 1.5 × connect + 5 ` +
        `(${round(tighter, 0)} ms here) would ${caught(waits, tighter)} and would lose ` +
        `${r2((cap - tighter) / rtt)} round trips less. Not measured against a ticketless server: Postfix ` +
        '3.7 cannot be made to send none (see above).',
    ],
  };
}
