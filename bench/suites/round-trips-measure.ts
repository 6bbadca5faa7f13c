/**
 * The round-trips benchmark's runs: every probe kind through the core's probe() against the namespace
 * Postfix, the plain kind against the Nagle-free fixture too, and the bare STARTTLS client's variants,
 * all round-robin so that a slow moment of the machine (or of tun-delay.py) is shared by all of them.
 */
import { createSecureContext } from 'node:tls';
import { type ProbeOptions, probe, type SessionResult } from '../../src/probe/index.js';
import type { PostfixEnv } from '../../test/system/postfix-env.js';
import { interleaved } from '../lib/stats.js';
import { type BareTimings, bareStarttls } from './round-trips-client.js';
import { KINDS, type Kind, type KindId } from './round-trips-minimums.js';

export type BareId = 'settle' | 'noSettle' | 'authPipelined';

export const BARE_VARIANTS: ReadonlyArray<{ id: BareId; label: string; settle: boolean; auth: boolean }> = [
  { id: 'settle', label: 'STARTTLS, waits for the ticket (as the core)', settle: true, auth: false },
  { id: 'noSettle', label: 'STARTTLS, EHLO right after the handshake', settle: false, auth: false },
  {
    id: 'authPipelined',
    label: 'STARTTLS, waits for the ticket, AUTH PLAIN + QUIT in one write',
    settle: true,
    auth: true,
  },
];

export interface CoreSample {
  /** probe() from call to result. */
  wallMs: number;
  session: SessionResult;
  /** STARTTLS only: from the end of the handshake to the second EHLO (the wait for the ticket), ms. */
  settleMs?: number;
}

export interface Samples {
  core: Record<KindId, CoreSample[]>;
  /** The plain kind against test/system/netns-smtp-fixture.mjs. */
  fixture: CoreSample[];
  bare: Record<BareId, BareTimings[]>;
}

export interface MeasurePlan {
  host: string;
  fixturePort: number;
  postfix: PostfixEnv;
  runs: number;
  warmup: number;
}

/** The wait after the handshake, from the transcript: its `TLS …` event to the EHLO that follows. */
function settleFromTranscript(session: SessionResult): number | undefined {
  const lines = session.transcript;
  const handshake = lines.findIndex((line) => line.dir === '*' && line.text.startsWith('TLS '));
  const ehlo = lines.findIndex((line, i) => i > handshake && line.dir === '>');
  const [done, sent] = [lines[handshake], lines[ehlo]];
  return handshake >= 0 && done && sent ? sent.at - done.at : undefined;
}

async function probeOnce(
  host: string,
  kind: Pick<Kind, 'label' | 'port' | 'mode' | 'auth'>,
  env: PostfixEnv,
) {
  const options: ProbeOptions = {
    helo: 'bench.localhost',
    timeout: 20_000,
    connectTimeout: 5_000,
    greetingTimeout: 5_000,
    commandTimeout: 5_000,
    // The certificate names localhost; the namespace address is not in it.
    tls: { ca: env.ca, servername: 'localhost' },
    ...(kind.auth ? { auth: { username: env.username, password: env.password } } : {}),
  };
  const started = performance.now();
  const result = await probe({ host, port: kind.port, mode: kind.mode }, options);
  const wallMs = performance.now() - started;
  const session = result.sessions[0];
  if (result.status !== 'ok' || !session) {
    // The explanation carries the server's reply at most, never what we sent.
    throw new Error(
      `the ${kind.label} probe of ${host} port ${kind.port} ended ${result.status} at ${result.stage}: ` +
        result.explanation,
    );
  }
  const settleMs = kind.mode === 'starttls' ? settleFromTranscript(session) : undefined;
  return { wallMs, session, ...(settleMs === undefined ? {} : { settleMs }) };
}

export async function measureRoundTrips(plan: MeasurePlan): Promise<Samples> {
  const env = plan.postfix;
  const core = Object.fromEntries(KINDS.map((k) => [k.id, [] as CoreSample[]])) as Samples['core'];
  const bare = Object.fromEntries(BARE_VARIANTS.map((v) => [v.id, [] as BareTimings[]])) as Samples['bare'];
  const fixture: CoreSample[] = [];
  const secureContext = createSecureContext({ ca: env.ca });
  const contenders: Record<string, () => Promise<unknown>> = {};
  for (const kind of KINDS) {
    contenders[kind.id] = async () => core[kind.id].push(await probeOnce(plan.host, kind, env));
  }
  contenders.fixture = async () => {
    const kind = { label: 'plain (fixture)', port: plan.fixturePort, mode: 'plain', auth: false } as const;
    fixture.push(await probeOnce(plan.host, kind, env));
  };
  for (const variant of BARE_VARIANTS) {
    contenders[`bare-${variant.id}`] = async () =>
      bare[variant.id].push(
        await bareStarttls({
          host: plan.host,
          port: 587,
          servername: 'localhost',
          secureContext,
          settle: variant.settle,
          ...(variant.auth ? { auth: { username: env.username, password: env.password } } : {}),
          timeoutMs: 20_000,
        }),
      );
  }
  await interleaved(contenders, plan.runs, plan.warmup);
  // interleaved() ran every contender `warmup` extra times first: those samples go.
  const drop = <T>(samples: T[]) => samples.slice(plan.warmup);
  return {
    core: Object.fromEntries(KINDS.map((k) => [k.id, drop(core[k.id])])) as Samples['core'],
    fixture: drop(fixture),
    bare: Object.fromEntries(BARE_VARIANTS.map((v) => [v.id, drop(bare[v.id])])) as Samples['bare'],
  };
}
