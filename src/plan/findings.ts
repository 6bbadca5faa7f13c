import type { ProbeResult, SessionResult } from '../probe/index.js';
import type { Finding } from '../report/model.js';
import { type EffectiveExpectations, effectiveExpectations, tlsBelow } from './expectations.js';
import { RULES, type RuleId } from './rules.js';
import type { PortPlan, TargetPlan } from './types.js';

/** One planned port of one target, and what probing it found. */
export interface Job {
  target: TargetPlan;
  port: PortPlan;
  result: ProbeResult;
}

type Draft = Pick<Finding, 'rule' | 'message' | 'hint'>;

/** Judges every job against its expectations; `require: any` groups are softened afterwards. */
export function evaluate(jobs: readonly Job[]): Finding[] {
  const findings = jobs.flatMap(judgeJob);
  return softenAlternatives(jobs, findings);
}

function judgeJob(job: Job): Finding[] {
  const { target, port, result } = job;
  const expect = effectiveExpectations(port.expect, port.port, target.auth !== undefined);
  const make = (draft: Draft, address: string | null): Finding => ({
    ...draft,
    severity: RULES[draft.rule].severity,
    target: target.name,
    host: result.target.host,
    port: port.port,
    address,
    ...(port.location ? { location: port.location } : {}),
  });
  if (!expect.reachable) return judgeMustBeClosed(result).map((d) => make(d, null));
  if (result.sessions.length === 0) return [make(failureDraft(result.status, result), null)];
  return result.sessions.flatMap((session) =>
    judgeSession(session, port, expect).map((draft) => make(draft, session.address)),
  );
}

/** A port that must not be reachable fails when any address completed a TCP connection. */
function judgeMustBeClosed(result: ProbeResult): Draft[] {
  const open = result.sessions.filter((s) => s.stage !== 'connect' || s.status === 'ok');
  if (open.length === 0) return [];
  const where = open.map((s) => s.address).join(', ');
  return [
    {
      rule: 'unexpectedly-open',
      message: `port ${result.target.port} accepts connections at ${where} but must be closed`,
      hint: 'Close the port in the firewall or bind the service to an internal address: an exposed relay gets abused.',
    },
  ];
}

function judgeSession(session: SessionResult, port: PortPlan, expect: EffectiveExpectations): Draft[] {
  const drafts: Draft[] = [];
  const { status } = session;
  if (status === 'starttls_unavailable') {
    if (expect.tls === 'required') {
      drafts.push({
        rule: 'tls-missing',
        message: `port ${port.port} offers no STARTTLS`,
        hint: session.hint ?? 'Enable TLS on the server, or use a port that offers it.',
      });
    } else if (expect.tls === 'optional') {
      drafts.push({
        rule: 'no-tls-offered',
        message: `port ${port.port} offers no STARTTLS (TLS is optional here)`,
        hint: 'Mail to this relay travels in plaintext; offer STARTTLS if you can.',
      });
    }
  } else if (status !== 'ok') {
    drafts.push(failureDraft(status, session));
  }
  if (port.mode === 'plain' && expect.tls === 'required') {
    drafts.push({
      rule: 'tls-missing',
      message: `port ${port.port} was probed without TLS, but TLS is required`,
      hint: 'Use mode starttls or tls for this port, or set expect.tls to optional or none.',
    });
  }
  drafts.push(...judgeTls(session, expect), ...judgeSmtp(session, port, expect));
  return drafts;
}

/** The finding for a session (or a DNS failure) that stopped before it should have. */
function failureDraft(
  status: SessionResult['status'],
  where: Pick<SessionResult, 'stage' | 'explanation' | 'hint'>,
): Draft {
  const hint = where.hint ?? 'See the transcript for where the session stopped.';
  const message = where.explanation;
  if (where.stage === 'envelope') return { rule: 'sender-refused', message, hint };
  switch (status) {
    case 'timeout':
      return where.stage === 'connect'
        ? { rule: 'egress-blocked-likely', message, hint }
        : { rule: 'smtp-error', message, hint };
    case 'dns_error':
    case 'refused':
    case 'unreachable':
    case 'aborted':
      return { rule: 'unreachable', message, hint };
    case 'starttls_failed':
    case 'tls_failed':
      return { rule: 'tls-failed', message, hint };
    case 'auth_failed':
      return { rule: 'auth-failed', message, hint };
    case 'auth_unavailable':
      return { rule: 'auth-unavailable', message, hint };
    default:
      return { rule: where.stage === 'connect' ? 'unreachable' : 'smtp-error', message, hint };
  }
}

function judgeTls(session: SessionResult, expect: EffectiveExpectations): Draft[] {
  const tls = session.tls;
  if (!tls) return [];
  const drafts: Draft[] = [];
  if (tls.protocol && tlsBelow(tls.protocol, expect.minTls)) {
    drafts.push({
      rule: 'tls-version',
      message: `the server negotiated ${tls.protocol}, below the minimum ${expect.minTls}`,
      hint: 'Enable TLS 1.2 and 1.3 on the server; TLS 1.0 and 1.1 are deprecated (RFC 8996).',
    });
  }
  const cert = tls.certificate;
  if (cert?.expired) {
    drafts.push({
      rule: 'cert-expired',
      message: `the certificate expired ${-cert.daysUntilExpiry} days ago (${cert.validTo})`,
      hint: 'Renew the certificate and reload the mail server.',
    });
  } else if (cert && cert.daysUntilExpiry < expect.cert.minDays) {
    drafts.push({
      rule: 'cert-expiring',
      message: `the certificate expires in ${cert.daysUntilExpiry} days (${cert.validTo})`,
      hint: `Renew it before it expires; this check warns below ${expect.cert.minDays} days.`,
    });
  }
  // An expired certificate also fails verification; one finding says it better than two.
  if (!tls.trusted && expect.cert.trusted && tls.trustError !== 'CERT_HAS_EXPIRED') {
    drafts.push({
      rule: 'cert-untrusted',
      message: `the certificate chain does not verify (${tls.trustError ?? 'unknown reason'})${cert?.selfSigned ? ': it is self-signed' : ''}`,
      hint: 'Serve the full chain from a public CA, or give the private CA with --ca / tls.ca_file.',
    });
  }
  if (!tls.hostnameMatch && expect.cert.hostname) {
    drafts.push({
      rule: 'cert-hostname',
      message: tls.hostnameError ?? 'the certificate does not name the host',
      hint: 'Probe the name the certificate carries, or add this name to the certificate.',
    });
  }
  return drafts;
}

function judgeSmtp(session: SessionResult, port: PortPlan, expect: EffectiveExpectations): Draft[] {
  const drafts: Draft[] = [];
  const smtp = session.smtp;
  if (port.mode !== 'tls' && (smtp.ehlo?.auth.length ?? 0) > 0) {
    drafts.push({
      rule: 'plaintext-auth',
      message: `port ${port.port} offers AUTH (${smtp.ehlo?.auth.join(' ')}) before TLS`,
      hint: 'Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes) so no client can send credentials in clear.',
    });
  }
  if ((smtp.starttlsInjectedBytes ?? 0) > 0) {
    drafts.push({
      rule: 'starttls-injection',
      message: `the server sent ${smtp.starttlsInjectedBytes} bytes after its 220 to STARTTLS`,
      hint: 'A server must not send anything between 220 and the handshake (RFC 3207 §6): fix or replace it, or check for a middlebox.',
    });
  }
  if (expect.maxLatency !== undefined && session.durationMs > expect.maxLatency) {
    drafts.push({
      rule: 'slow',
      message: `the session took ${Math.round(session.durationMs)} ms, over the ${expect.maxLatency} ms allowed`,
      hint: 'Check the network path and the server load; stage timings show which stage was slow.',
    });
  }
  const greeting = smtp.greeting?.text;
  if (expect.banner && greeting !== undefined && !expect.banner.test(greeting)) {
    drafts.push({
      rule: 'banner-mismatch',
      message: `the greeting "${greeting.split('\n')[0]}" does not match /${expect.banner.source}/`,
      hint: 'Another server answers on this address than the one expected: check DNS and load balancers.',
    });
  }
  return drafts;
}

/** One key per (target, port): what findings and jobs are matched on. */
export const portKey = (target: string, port: number): string => `${target}\u0000${port}`;

/**
 * The (target, port) pairs with an error finding, built once: looking each job up in the findings
 * instead made a 10,000-target run quadratic (60 of its 70 busy seconds, bench "scale").
 */
export function failingPorts(findings: readonly Finding[]): Set<string> {
  return new Set(findings.filter((f) => f.severity === 'error').map((f) => portKey(f.target, f.port)));
}

/** In a `require: any` group, failures are warnings as long as another port of the group passes. */
function softenAlternatives(jobs: readonly Job[], findings: Finding[]): Finding[] {
  const passing = new Set<string>();
  const failed = failingPorts(findings);
  for (const job of jobs) {
    const k = portKey(job.target.name, job.port.port);
    if (!failed.has(k) && job.result.status !== 'aborted') passing.add(k);
  }
  const anyGroups = new Map<string, boolean>();
  for (const job of jobs) {
    if (job.target.require !== 'any') continue;
    const ok = passing.has(portKey(job.target.name, job.port.port));
    anyGroups.set(job.target.name, (anyGroups.get(job.target.name) ?? false) || ok);
  }
  return findings.map((f) =>
    f.severity === 'error' && anyGroups.get(f.target) === true
      ? { ...f, severity: 'warning' as const, message: `${f.message} (another port of this group works)` }
      : f,
  );
}

export type { RuleId };
