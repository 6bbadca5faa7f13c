import type { Socket } from 'node:net';
import { AuthFailure, authenticate, mayAuthenticate } from './auth.js';
import type { ProbeStatus, Stage } from './catalogue.js';
import { checkEnvelope, hello, quit } from './commands.js';
import { connectTcp } from './connect.js';
import { explain } from './explain.js';
import { ProbeFailure } from './failure.js';
import { judgeGreeting, readGreeting } from './greeting.js';
import type { SessionPlan } from './session-plan.js';
import { requestStarttls } from './starttls.js';
import { settleAfterHandshake, startTls, type TlsSession } from './tls-upgrade.js';
import { Transcript } from './transcript.js';
import type { AuthFacts, EnvelopeFacts, SessionResult, SmtpFacts, TlsFacts } from './types.js';
import { Wire } from './wire.js';

export type { SessionPlan } from './session-plan.js';

const ms = (value: number) => Math.round(value * 10) / 10;

/** Failures after which the server is still in a session with us. */
const STILL_TALKING = new Set<ProbeStatus>([
  'rejected',
  'temporary',
  'starttls_unavailable',
  'starttls_failed',
  'auth_failed',
  'auth_unavailable',
  'auth_withheld',
]);
// An envelope refusal is `rejected` or `temporary` too, and the session is still open then.

/** After a refusal we still say QUIT, but never wait long for the answer. */
const POLITE_QUIT_MS = 1_000;

/**
 * One SMTP session with one address: connect → [tls] → greeting → ehlo → [starttls → tls → ehlo]
 * → [auth] → quit. Never DATA. Resolves with a result on every path; every socket it opened is
 * destroyed before it returns.
 */
export async function runSession(plan: SessionPlan): Promise<SessionResult> {
  const { target, address, family, options: o } = plan;
  const started = performance.now();
  const now = new Date();
  const transcript = new Transcript(started, o.limits.maxTranscriptBytes, plan.redact);
  const timings: Partial<Record<Stage, number>> = {};
  const smtp: SmtpFacts = { heloFallback: false };
  const sockets: Socket[] = [];
  let tls: TlsFacts | undefined;
  let auth: AuthFacts | undefined;
  let envelope: EnvelopeFacts | undefined;
  let wire: Wire | undefined;
  let stage: Stage = 'connect';
  let failure: ProbeFailure | undefined;

  const until = (limit: number) => Math.min(performance.now() + limit, plan.deadline);
  const commandDeadline = () => until(o.commandTimeout);
  const timed = async <T>(name: Stage, run: () => Promise<T>): Promise<T> => {
    stage = name;
    const t = performance.now();
    try {
      return await run();
    } finally {
      timings[name] = ms(performance.now() - t);
    }
  };
  const secure = async (socket: Socket, mode: 'starttls' | 'tls'): Promise<TlsSession> => {
    const session = await startTls({
      socket,
      mode,
      host: target.host,
      deadline: commandDeadline(),
      options: o,
      now,
    });
    sockets.push(session.socket);
    tls = session.facts;
    transcript.add('*', `TLS ${tls.protocol ?? '?'} ${tls.cipher ?? ''}`.trim());
    return session;
  };

  try {
    const socket = await timed('connect', () =>
      connectTcp(address, target.port, family, until(o.connectTimeout), o.signal),
    );
    sockets.push(socket);
    transcript.add('*', `connected to ${family === 6 ? `[${address}]` : address}:${target.port}`);
    let current: Socket = socket;
    if (target.mode === 'tls') current = (await timed('tls', () => secure(socket, 'tls'))).socket;

    wire = new Wire(current, o.limits, transcript, o.signal);
    const greeting = await timed('greeting', () =>
      readGreeting(wire as Wire, plan, until(o.greetingTimeout), transcript),
    );
    smtp.greeting = { code: greeting.code, text: greeting.lines.join('\n') };
    judgeGreeting(greeting);

    const firstWire = wire;
    smtp.ehlo = await timed('ehlo', () => hello(firstWire, 'ehlo', o.helo, commandDeadline, smtp));

    if (target.mode === 'starttls') {
      if (!smtp.ehlo.starttls) {
        stage = 'starttls';
        throw new ProbeFailure('starttls_unavailable', 'the server does not advertise STARTTLS', {
          errorCode: 'ENOSTARTTLS',
        });
      }
      await timed('starttls', () =>
        requestStarttls(firstWire, commandDeadline(), smtp, transcript, plan.redact),
      );
      // The tls stage includes the wait for the server's first TLS 1.3 ticket: about one round trip
      // (the connect time is our estimate of it), and it spares the reply to EHLO a delayed-ACK stall.
      const rtt = timings.connect ?? 0;
      const session = await timed('tls', async () => {
        const s = await secure(current, 'starttls');
        await settleAfterHandshake(s, Math.min(250, Math.max(5, 2 * rtt + 5)));
        return s;
      });
      const secureWire = new Wire(session.socket, o.limits, transcript, o.signal);
      wire = secureWire;
      // RFC 3207 §4.2: forget what was learnt before TLS and ask again.
      smtp.ehloAfterTls = await timed('ehlo_tls', () =>
        hello(secureWire, 'ehlo_tls', o.helo, commandDeadline, smtp),
      );
    }

    if (o.auth) {
      stage = 'auth';
      mayAuthenticate(tls, o, target.host);
      const credentials = o.auth;
      const mechanisms = (smtp.ehloAfterTls ?? smtp.ehlo).auth;
      const authWire = wire;
      auth = await timed('auth', () => authenticate(authWire, mechanisms, credentials, commandDeadline));
    }

    if (o.envelope) {
      const envelopeWire = wire;
      envelope = { ...o.envelope };
      const facts = envelope;
      await timed('envelope', () => checkEnvelope(envelopeWire, facts, commandDeadline));
    }

    const quitWire = wire;
    await timed('quit', () => quit(quitWire, commandDeadline(), transcript));
  } catch (error) {
    failure = error instanceof ProbeFailure ? error : unexpected(error);
    if (error instanceof AuthFailure) auth = error.facts;
    // The server is still talking to us after a refusal: end the session properly (RFC 5321 §3.1:
    // even after a 554 greeting the server waits for our QUIT).
    if (wire && STILL_TALKING.has(failure.status)) {
      await quit(wire, until(POLITE_QUIT_MS), transcript);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
  }

  const status = failure?.status ?? 'ok';
  const { explanation, hint } = explain({
    status,
    stage,
    port: target.port,
    mode: target.mode,
    ...(failure ? { message: failure.message } : {}),
    ...(failure?.errorCode ? { errorCode: failure.errorCode } : {}),
    ...(failure?.reply ? { reply: failure.reply } : {}),
    ...(failure?.peerProtocol ? { peerProtocol: failure.peerProtocol } : {}),
    smtp,
    ...(tls ? { tls } : {}),
    ...(auth ? { auth } : {}),
  });
  if (failure) transcript.add('*', `stopped at ${stage}: ${status}`);
  return {
    address,
    family,
    status,
    stage,
    ...(failure?.reply ? { reply: failure.reply } : {}),
    ...(failure?.errorCode ? { errorCode: failure.errorCode } : {}),
    explanation,
    ...(hint ? { hint } : {}),
    timings,
    durationMs: ms(performance.now() - started),
    smtp,
    ...(tls ? { tls } : {}),
    ...(auth ? { auth } : {}),
    ...(envelope ? { envelope } : {}),
    transcript: transcript.lines,
    transcriptTruncated: transcript.truncated,
    retries: 0,
  };
}

function unexpected(error: unknown): ProbeFailure {
  const message = error instanceof Error ? error.message : String(error);
  return new ProbeFailure('protocol_error', `unexpected error: ${message}`, { errorCode: 'EINTERNAL' });
}
