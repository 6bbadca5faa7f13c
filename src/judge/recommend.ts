import type { ProbeResult, SessionResult } from '../probe/index.js';
import type { Finding, Recommendation } from '../result/model.js';
import { failingPorts, portKey } from './alternatives.js';
import { effectiveExpectations } from './expectations.js';
import type { Job } from './types.js';

const SUBMISSION_PORTS = new Set([587, 588, 2525]);

/** A job as one vantage saw it: probed (with its result), or not (refused, missing, vantage failed). */
export interface Seen {
  job: Job;
  result?: ProbeResult;
  /** Why there is no result, when there is none. */
  missing?: string;
}

/**
 * Which port to configure from one vantage's network, per target, and why. A port qualifies when
 * every address completed its session and no error finding stands against it. Preference: verified
 * implicit TLS, then STARTTLS submission ports, then anything else, port 25 last (it is for relaying
 * between servers, and clouds block it); faster first among equals. When none qualifies, it says
 * whether a port at least answered SMTP (the expectations fail) or none did (nothing is reachable).
 */
export function recommend(
  vantage: string,
  seen: readonly Seen[],
  findings: readonly Finding[],
  /** How a sentence names the vantage: `GitHub-hosted runners`, `aws-lambda:eu-west-1`. */
  from: string = vantage,
): Recommendation[] {
  const byTarget = new Map<string, Seen[]>();
  for (const item of seen) {
    const { port, target } = item.job;
    if (!effectiveExpectations(port.expect, port.port, port.mode, false).reachable) continue;
    const list = byTarget.get(target.name);
    if (list) list.push(item);
    else byTarget.set(target.name, [item]);
  }
  const failed = failingPorts(findings);
  return [...byTarget].map(([target, items]): Recommendation => {
    const fails = (item: Seen) =>
      item.result?.status !== 'ok' || failed.has(portKey(vantage, target, item.job.port.port));
    const working = items
      .filter((item) => !fails(item))
      .sort((a, b) => rank(a) - rank(b) || latency(a) - latency(b));
    const failing = items.filter(fails).map(describeFailure);
    const best = working[0];
    if (!best) {
      const answered = items.some((item) => item.result?.sessions.some((s) => s.smtp.greeting?.code === 220));
      return {
        target,
        vantage,
        port: null,
        mode: null,
        outcome: answered ? 'fails-expectations' : 'unreachable',
        reason: answered
          ? `reachable, but no port meets the expectations: ${failing.join('; ')}`
          : `nothing is reachable from ${from}: ${failing.join('; ')}`,
      };
    }
    const prefix = failing.length > 0 ? `${failing.join('; ')}; ` : '';
    return {
      target,
      vantage,
      port: best.job.port.port,
      mode: best.job.port.mode,
      outcome: 'works',
      reason: `${prefix}${describeSuccess(best)}, works: use ${best.job.port.port}`,
    };
  });
}

function rank(item: Seen): number {
  const session = item.result?.sessions[0];
  const verified = session?.tls?.trusted === true && session.tls.hostnameMatch;
  const { port, mode } = item.job.port;
  if (port === 25) return 4;
  if (mode === 'tls' && verified) return 0;
  if (mode === 'starttls' && verified && SUBMISSION_PORTS.has(port)) return 1;
  if (verified) return 2;
  return 3;
}

function latency(item: Seen): number {
  return Math.max(0, ...(item.result?.sessions ?? []).map((s) => s.durationMs));
}

function describeSuccess(item: Seen): string {
  const session = item.result?.sessions[0] as SessionResult;
  const { port, mode } = item.job.port;
  const parts = [
    `${port} with ${mode === 'tls' ? 'implicit TLS' : mode === 'starttls' ? 'STARTTLS' : 'no TLS'}`,
  ];
  if (session.tls?.protocol) parts.push(session.tls.protocol.replace('TLSv', 'TLS '));
  const days = session.tls?.certificate?.daysUntilExpiry;
  if (days !== undefined) parts.push(`certificate valid ${days} more days`);
  if (session.auth?.outcome === 'accepted') parts.push(`AUTH ${session.auth.mechanism} accepted`);
  return parts.join(', ');
}

const FAILURE_WORDS: Record<string, string> = {
  timeout: 'timed out',
  refused: 'was refused',
  unreachable: 'is unreachable',
  dns_error: 'did not resolve',
  reset: 'was reset',
  no_greeting: 'sent no greeting',
  not_smtp: 'is not SMTP',
  rejected: 'rejected the session',
  temporary: 'answered 4xx',
  starttls_unavailable: 'offers no STARTTLS',
  starttls_failed: 'could not start TLS',
  tls_failed: 'failed the TLS handshake',
  auth_failed: 'refused the credentials',
  auth_unavailable: 'offers no usable AUTH',
  auth_withheld: 'was not sent the credentials (server not verified)',
  protocol_error: 'broke the protocol',
  aborted: 'did not finish',
};

function describeFailure(item: Seen): string {
  const port = item.job.port.port;
  if (!item.result) return `${port} was not probed (${item.missing ?? 'no result'})`;
  const status = item.result.status;
  return `${port} ${status === 'ok' ? 'answers but fails the expectations (see findings)' : (FAILURE_WORDS[status] ?? status)}`;
}
