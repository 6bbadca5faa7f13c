/**
 * Suite `round-trips`: each probe kind's wall time over a 50 ms round trip, in round trips, beside the
 * fewest the protocol needs (round-trips-minimums.ts). The link is test/helpers/delay-link.ts (this
 * kernel has no netem): a namespace behind TUN devices, every packet held 25 ms each way. Inside it, a
 * copy of the system tests' Postfix (round-trips-postfix.ts) and the Nagle-free netns fixture; the core
 * runs in this process, in the root namespace.
 */
import { fileURLToPath } from 'node:url';
import type { SessionResult, Stage } from '../../src/probe/index.js';
import { createDelayLink, type DelayLink, delayLinkPrerequisites } from '../../test/helpers/delay-link.js';
import { median, round } from '../lib/stats.js';
import type { BenchContext, Suite, SuiteResult, Table } from '../lib/types.js';
import type { BareTimings } from './round-trips-client.js';
import { type CoreSample, measureRoundTrips, type Samples } from './round-trips-measure.js';
import { COUNTING_NOTES, KINDS, type KindId } from './round-trips-minimums.js';
import { type NamespacePostfix, startNamespacePostfix } from './round-trips-postfix.js';
import { bareTable, settleFindings } from './round-trips-settle.js';

const ID = 'round-trips';
const TITLE = 'Round trips over a 50 ms link';
const DELAY_MS = 25;
const RUNS = 9;
const FIXTURE = fileURLToPath(new URL('../../test/system/netns-smtp-fixture.mjs', import.meta.url));
const FIXTURE_PORT = 2600;
const GOAL_SLACK = 0.3;

function skipped(reason: string): SuiteResult {
  return { id: ID, title: TITLE, method: '', tables: [], figures: {}, goals: [], notes: [], skipped: reason };
}

const r2 = (value: number) => round(value, 2);
const medianOf = <T>(samples: T[], pick: (sample: T) => number | undefined): number | undefined => {
  const values = samples.map(pick).filter((v): v is number => v !== undefined);
  return values.length > 0 ? median(values) : undefined;
};

/** Per stage, medians in round trips; the post-STARTTLS `tls` stage split into handshake and ticket wait. */
function stageTable(samples: Samples, rtt: number): Table {
  const rows: (string | number)[][] = [];
  const cell = (ms: number | undefined) => (ms === undefined ? '–' : r2(ms / rtt));
  const t = (stage: Stage) => (s: CoreSample) => s.session.timings[stage];
  const stageRow = (label: string, list: CoreSample[]) => {
    const starttls = list[0]?.session.timings.starttls !== undefined;
    const outside = (s: CoreSample) =>
      s.wallMs - Object.values(s.session.timings).reduce((sum, ms) => sum + (ms ?? 0), 0);
    rows.push([
      label,
      cell(medianOf(list, t('connect'))),
      cell(starttls ? undefined : medianOf(list, t('tls'))),
      cell(medianOf(list, t('greeting'))),
      cell(medianOf(list, t('ehlo'))),
      cell(medianOf(list, t('starttls'))),
      cell(starttls ? medianOf(list, (s) => (s.session.timings.tls ?? 0) - (s.settleMs ?? 0)) : undefined),
      cell(starttls ? medianOf(list, (s) => s.settleMs) : undefined),
      cell(medianOf(list, t('ehlo_tls'))),
      cell(medianOf(list, t('auth'))),
      cell(medianOf(list, t('quit'))),
      cell(medianOf(list, outside)),
      cell(medianOf(list, (s) => s.wallMs)),
    ]);
  };
  for (const kind of KINDS) stageRow(kind.label, samples.core[kind.id]);
  stageRow('plain (fixture)', samples.fixture);
  return {
    columns: [
      'Kind (round trips)',
      'connect',
      'TLS 465',
      'greeting',
      'EHLO',
      'STARTTLS',
      'TLS 587',
      'ticket wait',
      'EHLO (TLS)',
      'AUTH',
      'QUIT',
      'outside stages',
      'wall',
    ],
    rows,
  };
}

async function measureInNamespace(context: BenchContext, link: DelayLink): Promise<SuiteResult> {
  const env = context.postfix as NonNullable<BenchContext['postfix']>;
  let postfix: NamespacePostfix | undefined;
  try {
    postfix = await startNamespacePostfix(link, `${env.dir}/postfix`);
    context.log(`${ID}: Postfix started in ${link.name} in ${(postfix.startMs / 1000).toFixed(1)} s`);
    const fixture = link.spawn(process.execPath, [FIXTURE, `${link.nsAddress4}:${FIXTURE_PORT}`]);
    await fixture.waitForLine(/^listening /, 10_000);
    const runs = context.runs(RUNS);
    const before = await link.stats();
    const samples = await measureRoundTrips({
      host: link.nsAddress4,
      fixturePort: FIXTURE_PORT,
      postfix: env,
      runs,
      // A smoke run only has to run: no warm-up round (the first sessions then meet cold smtpds).
      warmup: context.smoke ? 0 : 1,
    });
    const after = await link.stats();
    return report(samples, runs, {
      postfixStartMs: postfix.startMs,
      lateMaxBeforeMs: before.lateMaxMs,
      lateMaxMs: after.lateMaxMs,
      packets: after.toNs - before.toNs + (after.fromNs - before.fromNs),
    });
  } finally {
    await postfix?.stop();
  }
}

interface LinkFacts {
  postfixStartMs: number;
  /** tun-delay.py's worst lateness (a running maximum) before and after the measuring. */
  lateMaxBeforeMs: number;
  lateMaxMs: number;
  /** Packets it forwarded, both ways, while the kinds were measured. */
  packets: number;
}

/** What the worst lateness says about the measuring: the program keeps only a running maximum. */
function latenessNote(extra: LinkFacts): string {
  const worst =
    extra.lateMaxMs > extra.lateMaxBeforeMs
      ? `its worst packet while measuring left ${extra.lateMaxMs} ms after its due time`
      : `no packet left more than ${extra.lateMaxMs} ms after its due time while measuring (that worst ` +
        'one may date from Postfix’s start)';
  return (
    `The delay program (tun-delay.py, Python in the root namespace) forwarded ${extra.packets} packets ` +
    `while measuring; ${worst}. The fractions above whole round trips in each stage are server, client ` +
    'and delay-program time on this 2-core machine.'
  );
}

const wallOf = (list: CoreSample[]) => median(list.map((s) => s.wallMs));

/** Where each kind's round trips above its minimum come from. */
function gapsNote(samples: Samples, rtt: number, fixtureWall: number): string {
  const trips = (id: KindId) => r2(wallOf(samples.core[id]) / rtt);
  const over = (id: KindId) =>
    r2(wallOf(samples.core[id]) / rtt - (KINDS.find((k) => k.id === id)?.floor ?? 0));
  const greeting = medianOf(samples.core.tls, (s) => s.session.timings.greeting) ?? 0;
  return (
    `Where the gaps come from: plain takes ${trips('plain')} round trips (the Nagle-free fixture ` +
    `${r2(fixtureWall / rtt)}): neither Postfix nor the core adds anything there. starttls takes ` +
    `${trips('starttls')}, ${over('starttls')} over the floor with this server: its round trip above the ` +
    `minimum is Postfix's ticket, and the core's wait for the ticket (below) keeps our delayed ACK out. On ` +
    `465 the greeting stage takes ${r2(greeting / rtt)} round trips instead of 1: the ticket's round trip ` +
    `plus our delayed ACK (${round(greeting - 2 * rtt, 0)} ms here), which only TCP_QUICKACK on our socket ` +
    `could remove (Node has no API for it), so tls sits ${over('tls')} over its floor.`
  );
}

function report(samples: Samples, runs: number, extra: LinkFacts) {
  const sessions: SessionResult[] = [...Object.values(samples.core).flat(), ...samples.fixture].map(
    (s) => s.session,
  );
  const rtt = median(sessions.map((s) => s.timings.connect ?? 0));
  const figures: SuiteResult['figures'] = {
    rttMs: r2(rtt),
    linkDelayMsEachWay: DELAY_MS,
    tunDelayLateMaxMs: extra.lateMaxMs,
    tunDelayPackets: extra.packets,
    postfixStartMs: Math.round(extra.postfixStartMs),
  };
  const summary: Table = {
    columns: [
      'Kind',
      'Server, port',
      'Wall ms',
      'Round trips',
      'Minimum',
      'Over minimum',
      'Floor with this server',
      'Over floor',
      'Minimum, counted',
    ],
    rows: [],
  };
  const goals: SuiteResult['goals'] = [];
  for (const kind of KINDS) {
    const list = samples.core[kind.id];
    const wall = wallOf(list);
    const trips = wall / rtt;
    const over = trips - kind.minimum;
    summary.rows.push([
      kind.label,
      `Postfix ${kind.port}`,
      round(wall, 0),
      r2(trips),
      kind.minimum,
      r2(over),
      kind.floor,
      r2(trips - kind.floor),
      kind.count,
    ]);
    figures[`${kind.id}WallMs`] = round(wall, 1);
    figures[`${kind.id}SessionMs`] = round(median(list.map((s) => s.session.durationMs)), 1);
    figures[`${kind.id}RoundTrips`] = r2(trips);
    figures[`${kind.id}Minimum`] = kind.minimum;
    figures[`${kind.id}Floor`] = kind.floor;
    goals.push({
      goal: `${kind.label}: within ${GOAL_SLACK} round trips of the protocol minimum (${kind.minimum})`,
      measured: `${r2(trips)} (${over >= 0 ? '+' : ''}${r2(over)}); floor with this server ${kind.floor}`,
      met: over <= GOAL_SLACK,
    });
  }
  const fixtureWall = wallOf(samples.fixture);
  summary.rows.push([
    'plain',
    `fixture ${FIXTURE_PORT}, Nagle off`,
    round(fixtureWall, 0),
    r2(fixtureWall / rtt),
    4,
    r2(fixtureWall / rtt - 4),
    4,
    r2(fixtureWall / rtt - 4),
    'as plain',
  ]);
  figures.plainFixtureRoundTrips = r2(fixtureWall / rtt);
  const settle = settleFindings(samples, rtt);
  Object.assign(figures, settle.figures);
  const bare = (id: keyof Samples['bare'], pick: (t: BareTimings) => number) =>
    r2(median(samples.bare[id].map(pick)) / rtt);
  return {
    id: ID,
    title: TITLE,
    method:
      `A network namespace behind test/helpers/delay-link.ts (no tc netem on this kernel): every packet, ` +
      `TCP handshake included, held ${DELAY_MS} ms each way. Inside it a second Postfix built from the ` +
      `system tests' config (ports 2525, 587, 465) and test/system/netns-smtp-fixture.mjs; the core's ` +
      `probe() runs in this process. Each kind ${runs} times after a warm-up round, round-robin with the ` +
      `others and with a bare STARTTLS client (bench/suites/round-trips-client.ts); figures are medians. ` +
      `One round trip (RTT) = the median TCP connect time of those ${sessions.length} sessions, ` +
      `${r2(rtt)} ms; wall time (probe() call to result) ÷ RTT is the round-trip count.`,
    tables: [summary, stageTable(samples, rtt), bareTable(samples, rtt)],
    figures,
    goals,
    notes: [
      ...COUNTING_NOTES,
      gapsNote(samples, rtt, fixtureWall),
      `AUTH costs its own round trip: the core sends AUTH, waits for 235, then sends QUIT. A bare client ` +
        `sending AUTH PLAIN (initial response) and QUIT in one write took ` +
        `${bare('authPipelined', (t) => t.total)} round trips for starttls+auth against the core's ` +
        `${r2(wallOf(samples.core.starttlsAuth) / rtt)}, and Postfix accepted it; the probe does not do it, ` +
        'for the reasons under the counts above (a server may not allow it, and one answering 334 would ' +
        'read QUIT as the SASL response).',
      ...settle.notes,
      latenessNote(extra),
    ],
  } satisfies SuiteResult;
}

export const roundTrips: Suite = {
  id: ID,
  title: TITLE,
  async run(context) {
    if (!context.postfix)
      return skipped(context.postfixMissing ?? 'the system tests’ Postfix is not running');
    const ready = delayLinkPrerequisites();
    if (!ready.ok) return skipped(`no delayed link here: ${ready.reason}`);
    const link = await createDelayLink({ delayMs: DELAY_MS, name: 'bench-rtt' });
    try {
      return await measureInNamespace(context, link);
    } finally {
      await link.destroy();
    }
  },
};
