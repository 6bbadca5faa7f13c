/**
 * The stable vocabulary of the probe. Tests, docs, the JSON report and users' scripts depend on these
 * strings: add to them with care, never rename.
 */

/** Exactly one of these describes how far a session got and why it stopped. */
export const STATUSES = [
  'ok',
  'dns_error',
  'refused',
  'timeout',
  'unreachable',
  'reset',
  'no_greeting',
  'not_smtp',
  'rejected',
  'temporary',
  'starttls_unavailable',
  'starttls_failed',
  'tls_failed',
  'auth_failed',
  'auth_unavailable',
  'auth_withheld',
  'protocol_error',
  'aborted',
] as const;
export type ProbeStatus = (typeof STATUSES)[number];

/** What each status means, for documentation and for people reading a report. */
export const STATUS_MEANINGS: Readonly<Record<ProbeStatus, string>> = {
  ok: 'every stage that was asked for succeeded',
  dns_error: 'the host name did not resolve to any address',
  refused:
    'the TCP connection was refused (RST or ICMP port-unreachable): nothing listens, or a firewall rejects',
  timeout: 'no answer within the time allowed (a silent drop by a firewall, or a stalled server)',
  unreachable: 'no route to the host or network, or an ICMP host/admin-prohibited reject',
  reset: 'the server reset or closed the connection in the middle of the session',
  no_greeting:
    'TCP connected but no complete SMTP greeting arrived in time (silence, or a greeting that never ended)',
  not_smtp: 'something answered that is not an SMTP server (HTTP, TLS, SSH, binary)',
  rejected:
    'the server refused with a 5xx reply (greeting, EHLO/HELO, or the MAIL FROM/RCPT TO envelope check)',
  temporary: 'the server answered with a 4xx reply: try again later',
  starttls_unavailable: 'STARTTLS was required but the server does not advertise it',
  starttls_failed: 'the server refused the STARTTLS command or closed the connection after it',
  tls_failed: 'the TLS handshake failed (implicit TLS or after STARTTLS)',
  auth_failed: 'the server refused the credentials',
  auth_unavailable: 'credentials were given but the server offers no usable AUTH mechanism',
  auth_withheld:
    'credentials were given but not sent: the certificate was not trusted or did not name the host, or the connection was not encrypted',
  protocol_error:
    'the server broke the SMTP protocol (a malformed, oversized or unexpected reply such as a 250 greeting, or unsolicited data)',
  aborted: 'the probe was cancelled (AbortSignal or overall deadline) before it finished',
};

/** The stages of a session, in the order they run. */
export const STAGES = [
  'dns',
  'connect',
  'greeting',
  'ehlo',
  'starttls',
  'tls',
  'ehlo_tls',
  'auth',
  'envelope',
  'quit',
] as const;
export type Stage = (typeof STAGES)[number];

/**
 * starttls: plaintext then STARTTLS (RFC 3207); tls: TLS from the first byte (RFC 8314 §3.3);
 * plain: no TLS attempted.
 */
export const MODES = ['starttls', 'tls', 'plain'] as const;
export type Mode = (typeof MODES)[number];

/** RFC 8314 §3.3 makes 465 implicit TLS; every other port starts in plaintext. */
export function defaultMode(port: number): Mode {
  return port === 465 ? 'tls' : 'starttls';
}
