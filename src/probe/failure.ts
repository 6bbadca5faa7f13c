import type { ProbeStatus } from './catalogue.js';
import type { Reply } from './types.js';

/**
 * How a stage ends a session early. Internal to the core: `probe()` turns it into a result and never
 * lets it escape, because a network outcome is data, not an exception.
 */
export class ProbeFailure extends Error {
  readonly status: ProbeStatus;
  readonly errorCode: string | undefined;
  readonly reply: Reply | undefined;
  /** What the peer seems to speak instead of SMTP, when it sent something else. */
  readonly peerProtocol: 'tls' | 'http' | 'ssh' | 'other' | undefined;

  constructor(
    status: ProbeStatus,
    message: string,
    extra: { errorCode?: string; reply?: Reply; peerProtocol?: 'tls' | 'http' | 'ssh' | 'other' } = {},
  ) {
    super(message);
    this.name = 'ProbeFailure';
    this.status = status;
    this.errorCode = extra.errorCode;
    this.reply = extra.reply;
    this.peerProtocol = extra.peerProtocol;
  }
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
// EPERM: a local firewall (an OUTPUT rule) or sandbox refused the connect. EACCES: the same locally,
// or, measured here over IPv6, an ICMPv6 administratively-prohibited reject from the path.
const BLOCKED: Readonly<Record<string, string>> = {
  EPERM: 'blocked by a local firewall or policy',
  EACCES: 'administratively prohibited (an ICMP reject, or a local policy)',
};
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Maps a Node socket error to a failure; `during` is what was going on, for the message. */
export function socketFailure(error: unknown, during: string): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  const err = error as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(error);
  if (code === 'ECONNREFUSED')
    return new ProbeFailure('refused', `connection refused ${during}`, { errorCode: code });
  if (code === 'ETIMEDOUT') return new ProbeFailure('timeout', `timed out ${during}`, { errorCode: code });
  if (code && UNREACHABLE.has(code)) {
    return new ProbeFailure('unreachable', `no route ${during} (${code})`, { errorCode: code });
  }
  const blocked = code ? BLOCKED[code] : undefined;
  if (code && blocked)
    return new ProbeFailure('unreachable', `${blocked} ${during} (${code})`, { errorCode: code });
  if (code && RESET.has(code)) {
    return new ProbeFailure('reset', `connection reset by the server ${during}`, { errorCode: code });
  }
  return new ProbeFailure('protocol_error', `${message} ${during}`, code ? { errorCode: code } : {});
}

/** The failure for a cancelled probe, from the AbortSignal's reason. */
export function abortFailure(signal: AbortSignal): ProbeFailure {
  const reason: unknown = signal.reason;
  const text =
    reason instanceof Error && reason.name !== 'AbortError'
      ? reason.message
      : 'the probe was cancelled by its caller';
  return new ProbeFailure('aborted', text, { errorCode: 'ABORT_ERR' });
}
