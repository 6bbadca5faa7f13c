import { sleep } from './deadline.js';
import { resolveAddresses } from './dns.js';
import { explain } from './explain.js';
import { abortFailure, ProbeFailure } from './failure.js';
import { type ProbeOptions, type ResolvedOptions, resolveOptions, resolveTarget } from './options.js';
import { credentialRedactor, type Redactor, redactDeep } from './redact.js';
import { runSession, type SessionPlan } from './session.js';
import type { DnsFacts, ProbeResult, ProbeTarget, SessionResult } from './types.js';

/**
 * Probes one target: DNS, then one SMTP session per address (in parallel), within one absolute
 * deadline. Never rejects for a network outcome; throws only for invalid arguments, naming the value.
 */
export async function probe(target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
  return probeResolved(resolveTarget(target), resolveOptions(options));
}

/**
 * `probe` for a target and options already checked (used by `probeAll`, which checks them once). The
 * result passes through the credentials' redactor as a whole, every string of it: a server may repeat
 * what it was sent (`535 user=… pass=…`, `501 cannot decode <base64>`) in any reply.
 */
export async function probeResolved(target: Required<ProbeTarget>, o: ResolvedOptions): Promise<ProbeResult> {
  const redact = credentialRedactor(o.auth);
  return redactDeep(await probeUnredacted(target, o, redact), redact);
}

async function probeUnredacted(
  target: Required<ProbeTarget>,
  o: ResolvedOptions,
  redact: Redactor,
): Promise<ProbeResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const deadline = started + o.timeout;
  let dns: DnsFacts = { addresses: [], durationMs: 0 };
  let sessions: SessionResult[] = [];
  try {
    if (o.signal?.aborted) throw abortFailure(o.signal);
    dns = await resolveAddresses(target.host, o, Math.min(deadline, started + o.connectTimeout));
    const chosen = o.addresses === 'all' ? dns.addresses : firstOfEachFamily(dns.addresses);
    sessions = await Promise.all(
      chosen.map(({ address, family }) =>
        withRetries({ target, address, family, options: o, deadline, redact }),
      ),
    );
  } catch (error) {
    const failure = error instanceof ProbeFailure ? error : new ProbeFailure('dns_error', String(error));
    dns = { ...dns, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    if (failure.errorCode) dns.errorCode = failure.errorCode;
    const { explanation, hint } = explain({
      status: failure.status,
      stage: 'dns',
      port: target.port,
      mode: target.mode,
      message: failure.message,
      smtp: { heloFallback: false },
      ...(failure.errorCode ? { errorCode: failure.errorCode } : {}),
    });
    return {
      target,
      status: failure.status,
      stage: 'dns',
      ...(failure.errorCode ? { errorCode: failure.errorCode } : {}),
      explanation,
      ...(hint ? { hint } : {}),
      startedAt,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      dns,
      sessions: [],
    };
  }
  // `ok` only when every address is: an application may be handed any of them.
  const deciding = sessions.find((s) => s.status !== 'ok') ?? (sessions[0] as SessionResult);
  const prefix =
    sessions.length > 1 ? `${deciding.family === 6 ? `[${deciding.address}]` : deciding.address}: ` : '';
  return {
    target,
    status: deciding.status,
    stage: deciding.stage,
    ...(deciding.reply ? { reply: deciding.reply } : {}),
    ...(deciding.errorCode ? { errorCode: deciding.errorCode } : {}),
    explanation: `${prefix}${deciding.explanation}`,
    ...(deciding.hint ? { hint: deciding.hint } : {}),
    startedAt,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    dns,
    sessions,
  };
}

function firstOfEachFamily(addresses: DnsFacts['addresses']): DnsFacts['addresses'] {
  const v4 = addresses.find((a) => a.family === 4);
  const v6 = addresses.find((a) => a.family === 6);
  return [v4, v6].filter((a): a is DnsFacts['addresses'][number] => a !== undefined);
}

/** Retries a `temporary` outcome with exponential backoff, while the deadline leaves room. */
async function withRetries(plan: SessionPlan): Promise<SessionResult> {
  const o = plan.options;
  let result = await runSession(plan);
  let retries = 0;
  while (result.status === 'temporary' && retries < o.retries) {
    const delay = o.retryDelay * 2 ** retries;
    if (performance.now() + delay >= plan.deadline) break;
    try {
      await sleep(delay, o.signal);
    } catch {
      break;
    }
    retries += 1;
    result = await runSession(plan);
  }
  return { ...result, retries };
}
