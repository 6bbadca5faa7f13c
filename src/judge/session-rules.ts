/**
 * The rules that judge one session (or one DNS failure) against a port's expectations. Each returns
 * drafts: rule, message, hint; the caller adds where the finding belongs. Hints name settings as
 * backticked ids (result/settings.ts) for the adapter to spell.
 */
import type { Mode, ProbeResult, SessionResult } from '../probe/index.js';
import type { Finding } from '../result/model.js';
import { type EffectiveExpectations, tlsBelow } from './expectations.js';

export type Draft = Pick<Finding, 'rule' | 'message' | 'hint'>;

/** A port that must not be reachable fails when any address completed a TCP connection. */
export function judgeMustBeClosed(result: ProbeResult): Draft[] {
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

export function judgeSession(
  session: SessionResult,
  port: { port: number; mode: Mode },
  expect: EffectiveExpectations,
): Draft[] {
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
  if (port.mode === 'plain') drafts.push(...judgePlainMode(session, port.port, expect));
  drafts.push(...judgeTls(session, expect), ...judgeSmtp(session, port, expect));
  return drafts;
}

/** Mode plain was asked for: TLS is not expected unless the user also said it is. */
function judgePlainMode(session: SessionResult, port: number, expect: EffectiveExpectations): Draft[] {
  if (expect.tls === 'required') {
    return [
      {
        rule: 'tls-missing',
        message: `port ${port} was probed without TLS (mode plain), but \`expect.tls\` says TLS is required`,
        hint: 'Probe it with `mode` starttls (or tls on 465), or set `expect.tls` to optional or none.',
      },
    ];
  }
  const offered = session.smtp.ehlo?.starttls === true;
  if (!offered) return [];
  return [
    {
      rule: 'tls-skipped',
      message: `port ${port} offers STARTTLS; it was probed without TLS because \`mode\` is plain`,
      hint: 'Use `mode` starttls to check the TLS setup too.',
    },
  ];
}

/** The finding for a session (or a DNS failure) that stopped before it should have. */
export function failureDraft(
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
    case 'auth_withheld':
      return { rule: 'credentials-withheld', message, hint };
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
      hint: `Renew it before it expires; this check warns below ${expect.cert.minDays} days (\`expect.cert.min_days\`).`,
    });
  }
  // An expired certificate also fails verification; one finding says it better than two.
  if (!tls.trusted && expect.cert.trusted && tls.trustError !== 'CERT_HAS_EXPIRED') {
    drafts.push({
      rule: 'cert-untrusted',
      message: `the certificate chain does not verify (${tls.trustError ?? 'unknown reason'})${cert?.selfSigned ? ': it is self-signed' : ''}`,
      hint: 'Serve the full chain from a public CA, or give the private CA with `ca`.',
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

function judgeSmtp(
  session: SessionResult,
  port: { port: number; mode: Mode },
  expect: EffectiveExpectations,
): Draft[] {
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
    const sample = smtp.starttlsInjectedSample ? `, starting "${smtp.starttlsInjectedSample}"` : '';
    drafts.push({
      rule: 'starttls-injection',
      message: `the server sent ${smtp.starttlsInjectedBytes} bytes after its 220 to STARTTLS${sample}`,
      hint: 'A server must not send anything between 220 and the handshake (RFC 3207 §6): fix or replace it, or check for a middlebox.',
    });
  }
  if (expect.auth === 'ok' && session.status === 'ok' && session.auth?.outcome !== 'accepted') {
    drafts.push({
      rule: 'auth-failed',
      message: 'AUTH was expected to succeed but was not attempted',
      hint: 'Give the credentials (`auth`) for this target, or drop `expect.auth`.',
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
