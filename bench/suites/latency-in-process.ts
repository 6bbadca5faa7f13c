/**
 * The latency suite's in-process half: one full probe by the core against one full `verify()` by
 * nodemailer, in the same process, against the same server, doing the same SMTP dialog, interleaved.
 */
import nodemailer from 'nodemailer';
import { probe, STAGES, type Stage } from '../../src/probe/index.js';
import type { PostfixEnv } from '../../test/system/postfix-env.js';
import { redact } from '../../test/system/postfix-env.js';
import { interleaved, median, round } from '../lib/stats.js';

export interface LatencyTarget {
  server: 'Postfix' | 'smtp-server';
  port: number;
  mode: 'starttls' | 'tls';
  /** The CA that signed the server's certificate: the one both clients are told to trust. */
  ca: string;
  /** Adds AUTH to the dialog (Postfix's SASL user). */
  auth?: { username: string; password: string };
  /** For error messages: hides every form of the password. */
  postfix?: PostfixEnv;
}

export interface InProcessRow {
  target: LatencyTarget;
  /** Medians, ms. */
  coreMs: number;
  nodemailerMs: number;
  /** The core's first call with a CA set it has not seen: it builds its shared TLS context then. */
  coreNewCaMs: number;
  /** Median of each stage the core timed (`sessions[0].timings`), ms. */
  stages: Partial<Record<Stage, number>>;
  /** What the core saw, as a check that both did the same work: `TLSv1.3`. */
  tlsProtocol: string;
  samples: number;
}

const HELO = 'bench.test';
const TIMEOUT_MS = 10_000;

export function targetLabel(t: LatencyTarget): string {
  return `${t.server} ${t.port} (${t.mode === 'tls' ? 'implicit TLS' : 'STARTTLS'}${t.auth ? ', AUTH' : ''})`;
}

function scrub(text: string, t: LatencyTarget): string {
  return t.postfix ? redact(text, t.postfix) : text;
}

/**
 * One probe by the core; throws unless it succeeded in full: status `ok`, the chain trusted, the name
 * matched, AUTH accepted when asked. `ca` lets the caller hand over a CA set the core has not cached.
 */
async function coreOnce(
  t: LatencyTarget,
  ca: string,
): Promise<{ timings: Partial<Record<Stage, number>>; protocol: string }> {
  const result = await probe(
    { host: '127.0.0.1', port: t.port, mode: t.mode },
    { helo: HELO, timeout: TIMEOUT_MS, tls: { ca }, ...(t.auth ? { auth: t.auth } : {}) },
  );
  const session = result.sessions[0];
  const problem =
    result.status !== 'ok'
      ? `${result.status} at ${result.stage}: ${result.explanation}`
      : !session?.tls?.trusted || !session.tls.hostnameMatch
        ? `certificate not verified (${session?.tls?.trustError ?? session?.tls?.hostnameError ?? 'no TLS'})`
        : t.auth && session.auth?.outcome !== 'accepted'
          ? `AUTH ${session.auth?.outcome ?? 'not attempted'}`
          : undefined;
  if (problem || !session) {
    throw new Error(`the core's probe of ${targetLabel(t)} did not succeed: ${scrub(problem ?? '', t)}`);
  }
  return { timings: session.timings, protocol: session.tls?.protocol ?? 'unknown' };
}

/** One `createTransport({...}).verify()`; throws unless it resolved true. */
async function nodemailerOnce(t: LatencyTarget): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: t.port,
    secure: t.mode === 'tls',
    // Without it nodemailer would carry on in plaintext if STARTTLS were missing: not the same work.
    requireTLS: t.mode === 'starttls',
    name: HELO,
    tls: { ca: t.ca },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    ...(t.auth ? { auth: { user: t.auth.username, pass: t.auth.password } } : {}),
  });
  try {
    const verified: unknown = await transport.verify();
    if (verified !== true) throw new Error(`verify() resolved ${String(verified)}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`nodemailer's verify() against ${targetLabel(t)} failed: ${scrub(message, t)}`);
  } finally {
    transport.close();
  }
}

/**
 * Core, core with a new CA set, and nodemailer, round-robin, `runs` times after one untimed round. The
 * "new CA set" contender appends a different number of newlines to the PEM each call: the same CA, but
 * text the core's context cache (keyed by the PEM's digest) has not seen, as in a fresh CLI process.
 */
export async function measureInProcess(
  t: LatencyTarget,
  runs: number,
  warmup: number,
): Promise<InProcessRow> {
  const stageSamples: Partial<Record<Stage, number>>[] = [];
  let protocol = '';
  let fresh = 0;
  const samples = await interleaved(
    {
      core: async () => {
        const { timings, protocol: seen } = await coreOnce(t, t.ca);
        stageSamples.push(timings);
        protocol = seen;
      },
      coreNewCa: async () => {
        fresh += 1;
        await coreOnce(t, `${t.ca}${'\n'.repeat(fresh)}`);
      },
      nodemailer: () => nodemailerOnce(t),
    },
    runs,
    warmup,
  );
  const timed = stageSamples.slice(warmup);
  const stages: Partial<Record<Stage, number>> = {};
  for (const stage of STAGES) {
    const values = timed.map((s) => s[stage]).filter((v): v is number => v !== undefined);
    if (values.length > 0) stages[stage] = round(median(values));
  }
  return {
    target: t,
    coreMs: round(median(samples.core)),
    nodemailerMs: round(median(samples.nodemailer)),
    coreNewCaMs: round(median(samples.coreNewCa)),
    stages,
    tlsProtocol: protocol,
    samples: samples.core.length,
  };
}
