/**
 * The probe kinds the round-trips benchmark measures, and for each the fewest round trips SMTP needs,
 * with the reasoning, plus what this Postfix adds that no client can avoid. Kept apart from the
 * measuring so that the counts can be read (and argued with) on their own.
 */
import type { Mode } from '../../src/probe/index.js';

export type KindId = 'plain' | 'starttls' | 'starttlsAuth' | 'tls' | 'tlsAuth';

export interface Kind {
  id: KindId;
  label: string;
  port: number;
  mode: Mode;
  auth: boolean;
  /**
   * Round trips any client needs on a first contact, against a server that does the ordinary thing:
   * what a client could save by its own choices (pipelining) is not counted, what only the server could
   * save (a greeting sent as TLS 1.3 0.5-RTT data) or what needs an earlier contact (TCP Fast Open, TLS
   * resumption, 0-RTT) is.
   */
  minimum: number;
  /** The same, one command per round trip: how the core speaks (it never pipelines). */
  lockstep: number;
  /** The minimum plus the round trips this Postfix forces on every client (its TLS 1.3 ticket). */
  floor: number;
  /** How the minimum adds up, in one line. */
  count: string;
}

export const KINDS: readonly Kind[] = [
  {
    id: 'plain',
    label: 'plain',
    port: 2525,
    mode: 'plain',
    auth: false,
    minimum: 4,
    lockstep: 4,
    floor: 4,
    count: 'TCP 1 + greeting 1 + EHLO 1 + QUIT 1 = 4',
  },
  {
    id: 'starttls',
    label: 'starttls',
    port: 587,
    mode: 'starttls',
    auth: false,
    minimum: 7,
    lockstep: 7,
    floor: 8,
    count: 'TCP 1 + greeting 1 + EHLO 1 + STARTTLS 1 + TLS 1.3 handshake 1 + EHLO 1 + QUIT 1 = 7',
  },
  {
    id: 'starttlsAuth',
    label: 'starttls+auth',
    port: 587,
    mode: 'starttls',
    auth: true,
    minimum: 8,
    lockstep: 8,
    floor: 9,
    count: 'starttls 7 + AUTH PLAIN with initial response 1 = 8',
  },
  {
    id: 'tls',
    label: 'tls',
    port: 465,
    mode: 'tls',
    auth: false,
    minimum: 5,
    lockstep: 5,
    floor: 6,
    count: 'TCP 1 + TLS 1.3 handshake 1 + greeting 1 + EHLO 1 + QUIT 1 = 5',
  },
  {
    id: 'tlsAuth',
    label: 'tls+auth',
    port: 465,
    mode: 'tls',
    auth: true,
    minimum: 6,
    lockstep: 6,
    floor: 7,
    count: 'tls 5 + AUTH PLAIN with initial response 1 = 6',
  },
];

/** Why the counts are what they are: the rules, then what this server adds. For the notes. */
export const COUNTING_NOTES: readonly string[] = [
  'How the minimum is counted: a round trip is a wait for the server before the client may send what ' +
    'comes next. TCP: SYN to SYN-ACK, 1. The greeting: the server ' +
    'sends it once the handshake completes on its side, half a round trip after our connect event, and ' +
    'the client must wait for it (RFC 5321 §3.1, §4.3.1), 1. EHLO: its reply says whether PIPELINING, ' +
    'STARTTLS and AUTH exist at all, and RFC 2920 §3.1 makes EHLO, QUIT and any extension command not ' +
    'saying otherwise (STARTTLS) the last command of a group, 1 each. STARTTLS: the ClientHello goes ' +
    'after the 220 (RFC 3207 §4; sent earlier, a 454 refusal would leave it read as SMTP commands), 1. TLS 1.3 ' +
    'full handshake (RFC 8446 §2): 1, and our first command travels with our Finished. QUIT: the probe ' +
    'waits for the 221, as RFC 5321 §4.1.1.10 says a client SHOULD, 1 (closing after sending QUIT would make it 0.5).',
  'AUTH PLAIN with its initial response (RFC 4954 §4, RFC 4616) completes in one exchange: 1. Sending ' +
    'QUIT in the same write would save it, but RFC 2920 §3.1 lets a command of another extension sit ' +
    'inside a pipelined group only where that extension says so, and a server that answers 334 to the ' +
    'initial response would read our QUIT as the SASL response: the probe waits for the 235 or 535, and ' +
    'the count does too.',
  'Implicit TLS (465): the server can send its greeting only once it has our Finished, which leaves with our ' +
    'first flight after its handshake flight, so the greeting is 1 round trip after the handshake. TLS 1.3 ' +
    'lets a server send 0.5-RTT data right after its own Finished, which could carry the greeting and make ' +
    'tls 4; no common MTA does that and no client can make it, so 5 is counted. Not counted at all: TCP Fast ' +
    'Open, TLS resumption and 0-RTT (each needs an earlier contact; a probe checks a fresh handshake), and a ' +
    'HelloRetryRequest (+1; not here: both sides prefer X25519).',
  'Floor with this server: Postfix writes its TLS 1.3 session ticket as soon as it reads our Finished, and ' +
    'Nagle then holds its next small reply until our ACK of the ticket arrives. After STARTTLS that reply is ' +
    'the one to our EHLO: whether we wait for the ticket first (1 round trip, what the core does) or send EHLO ' +
    'with our Finished (the reply then waits for the ticket’s ACK: 1 round trip plus our delayed ACK), the ' +
    'second EHLO costs at least 2 round trips, so starttls is 8. On 465 the held reply is the greeting, and a ' +
    'client may send nothing before it: greeting ≥ 2 round trips, tls 6. A client could shorten only the ' +
    'delayed-ACK part (TCP_QUICKACK, which Node does not expose), never the round trip. Postfix 3.7 has no ' +
    'setting that stops TLS 1.3 tickets: smtpd_tls_session_cache_timeout = 0 and tls_ssl_options = NO_TICKET ' +
    'were tried here, and tickets still came (stateful ones with NO_TICKET).',
];
