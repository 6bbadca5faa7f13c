import type { Mode, SessionResult } from '../probe/index.js';
import type { Finding, Recommendation } from '../report/model.js';
import { effectiveExpectations } from './expectations.js';
import { failingPorts, type Job, portKey } from './findings.js';

const SUBMISSION_PORTS = new Set([587, 588, 2525]);

/**
 * Which port to configure from this network, per target, and why. A port qualifies when every address
 * completed its session and no error finding stands against it. Preference: verified implicit TLS,
 * then STARTTLS submission ports, then anything else, port 25 last (it is for relaying between
 * servers, and clouds block it); faster first among equals.
 */
export function recommend(jobs: readonly Job[], findings: readonly Finding[]): Recommendation[] {
  const byTarget = new Map<string, Job[]>();
  for (const job of jobs) {
    if (!effectiveExpectations(job.port.expect, job.port.port, false).reachable) continue;
    const list = byTarget.get(job.target.name);
    if (list) list.push(job);
    else byTarget.set(job.target.name, [job]);
  }
  const failed = failingPorts(findings);
  return [...byTarget].map(([target, targetJobs]) => {
    const fails = (job: Job) => job.result.status !== 'ok' || failed.has(portKey(target, job.port.port));
    const working = targetJobs
      .filter((job) => !fails(job))
      .sort((a, b) => rank(a) - rank(b) || latency(a) - latency(b));
    const failing = targetJobs.filter(fails).map(describeFailure);
    const best = working[0];
    if (!best) {
      return { target, port: null, mode: null, reason: `nothing works from here: ${failing.join('; ')}` };
    }
    const prefix = failing.length > 0 ? `${failing.join('; ')}; ` : '';
    return {
      target,
      port: best.port.port,
      mode: best.port.mode as Mode,
      reason: `${prefix}${describeSuccess(best)}, works: use ${best.port.port}`,
    };
  });
}

function rank(job: Job): number {
  const session = job.result.sessions[0];
  const verified = session?.tls?.trusted === true && session.tls.hostnameMatch;
  if (job.port.port === 25) return 4;
  if (job.port.mode === 'tls' && verified) return 0;
  if (job.port.mode === 'starttls' && verified && SUBMISSION_PORTS.has(job.port.port)) return 1;
  if (verified) return 2;
  return 3;
}

function latency(job: Job): number {
  return Math.max(...job.result.sessions.map((s) => s.durationMs));
}

function describeSuccess(job: Job): string {
  const session = job.result.sessions[0] as SessionResult;
  const parts = [
    `${job.port.port} with ${job.port.mode === 'tls' ? 'implicit TLS' : job.port.mode === 'starttls' ? 'STARTTLS' : 'no TLS'}`,
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
  protocol_error: 'broke the protocol',
  aborted: 'did not finish',
};

function describeFailure(job: Job): string {
  const status = job.result.status;
  return `${job.port.port} ${status === 'ok' ? 'has errors (see findings)' : (FAILURE_WORDS[status] ?? status)}`;
}
