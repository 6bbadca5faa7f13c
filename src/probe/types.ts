import type { Mode, ProbeStatus, Stage } from './catalogue.js';

/** Where to probe: a host (DNS name, IPv4 or IPv6 literal), a port and how TLS starts. */
export interface ProbeTarget {
  host: string;
  port: number;
  /** Defaults to `defaultMode(port)`: `tls` on 465, `starttls` elsewhere. */
  mode?: Mode;
}

/** A server reply: RFC 5321 §4.2, one code and one or more text lines. */
export interface Reply {
  code: number;
  /** RFC 3463 enhanced status code when the server sent one, e.g. `5.7.8`. */
  enhanced?: string;
  lines: string[];
}

/** What the server advertised in one EHLO reply (RFC 5321 §4.1.1.1). */
export interface EhloFacts {
  /** The domain the server named on the first line of its reply. */
  domain: string;
  /** Every keyword (upper case) with its parameters. */
  keywords: Record<string, string[]>;
  /** SIZE limit in bytes (RFC 1870); 0 means "no fixed limit"; absent when SIZE is not advertised. */
  size?: number;
  pipelining: boolean;
  eightBitMime: boolean;
  smtpUtf8: boolean;
  chunking: boolean;
  starttls: boolean;
  enhancedStatusCodes: boolean;
  dsn: boolean;
  /** AUTH mechanisms (RFC 4954), upper case; empty when AUTH is not advertised. */
  auth: string[];
}

export interface SmtpFacts {
  greeting?: { code: number; text: string };
  /** True when EHLO was refused with 5xx and HELO used instead (RFC 5321 §4.1.4). */
  heloFallback: boolean;
  /** The EHLO reply in the session's first (plaintext, or implicit-TLS) phase. */
  ehlo?: EhloFacts;
  /** The EHLO reply after STARTTLS; absent unless STARTTLS succeeded. */
  ehloAfterTls?: EhloFacts;
  /**
   * RFC 3207 §6: bytes the server sent after its 220 to STARTTLS and before the handshake. They were
   * discarded; a non-zero count means a buggy or attacked server (STARTTLS command injection).
   */
  starttlsInjectedBytes?: number;
  /**
   * The first 64 of those bytes, credentials redacted, with every byte outside printable ASCII written
   * as an escape (`\r`, `\n`, `\t`, `\xHH`; `\\` and `\"` for those two), so that the text is safe in a
   * terminal, a log or quotes.
   */
  starttlsInjectedSample?: string;
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  /** Whole days until expiry at the time of the probe; negative once expired. */
  daysUntilExpiry: number;
  expired: boolean;
  notYetValid: boolean;
  fingerprint256: string;
  serialNumber: string;
  selfSigned: boolean;
}

export interface TlsFacts {
  mode: 'starttls' | 'tls';
  protocol?: string;
  cipher?: string;
  /** The SNI sent: the host name, never an IP literal (RFC 6066 §3). */
  servername?: string;
  /** The chain verified against the trust store (system CAs plus the extra CAs given). */
  trusted: boolean;
  /** Node's reason when the chain is not trusted, e.g. `CERT_HAS_EXPIRED`. */
  trustError?: string;
  /** The certificate names the host (or servername override), RFC 6125. */
  hostnameMatch: boolean;
  hostnameError?: string;
  certificate?: CertificateFacts;
  /** The certificates the server sent after its own, leaf first. */
  chain: Array<Pick<CertificateFacts, 'subject' | 'issuer' | 'validTo' | 'fingerprint256'>>;
}

/** Why credentials were not sent, in the order the checks run. */
export type AuthWithheld = 'untrusted' | 'hostname' | 'plaintext';

export interface AuthFacts {
  mechanism?: string;
  /** `withheld`: the core did not send the credentials (status `auth_withheld`); `withheld` says why. */
  outcome: 'accepted' | 'rejected' | 'unavailable' | 'error' | 'withheld';
  /**
   * Set with outcome `withheld` only. `untrusted`: the certificate chain did not verify; `hostname`: it
   * verified but does not name the host (or `tls.servername`); `plaintext`: no TLS at all.
   */
  withheld?: AuthWithheld;
  reply?: Reply;
}

/** The optional envelope check: MAIL FROM and RCPT TO, then RSET. Never DATA. */
export interface EnvelopeFacts {
  from: string;
  to?: string;
  mailFrom?: Reply;
  rcptTo?: Reply;
}

export interface TranscriptLine {
  /** Milliseconds since the session started. */
  at: number;
  /** `>` sent by us, `<` received, `*` an event (connect, TLS, close). */
  dir: '>' | '<' | '*';
  text: string;
}

/** One SMTP session with one address. */
export interface SessionResult {
  address: string;
  family: 4 | 6;
  status: ProbeStatus;
  /** The stage the session stopped at (the last one attempted; `quit` when everything succeeded). */
  stage: Stage;
  /** The server's reply that decided the status, when there was one. */
  reply?: Reply;
  /** Node's error code (`ECONNREFUSED`, `ERR_SSL_WRONG_VERSION_NUMBER`) or ours (`ENOGREETING`). */
  errorCode?: string;
  /** One line for a person: what happened. */
  explanation: string;
  /** What to do about it, where something is known. */
  hint?: string;
  /** Duration of each stage that ran, in milliseconds. */
  timings: Partial<Record<Stage, number>>;
  durationMs: number;
  smtp: SmtpFacts;
  tls?: TlsFacts;
  auth?: AuthFacts;
  envelope?: EnvelopeFacts;
  transcript: TranscriptLine[];
  transcriptTruncated: boolean;
  /** How many times the session was retried after a `temporary` outcome. */
  retries: number;
}

export interface DnsFacts {
  /** Every address found, IPv4 first; the host itself for an IP literal. */
  addresses: Array<{ address: string; family: 4 | 6 }>;
  durationMs: number;
  errorCode?: string;
}

/** The outcome for one target: DNS plus one session per address probed. */
export interface ProbeResult {
  target: Required<ProbeTarget>;
  /** `ok` only when every probed address is `ok`; otherwise the first failing session decides. */
  status: ProbeStatus;
  stage: Stage;
  reply?: Reply;
  errorCode?: string;
  explanation: string;
  hint?: string;
  startedAt: string;
  durationMs: number;
  dns: DnsFacts;
  sessions: SessionResult[];
}
