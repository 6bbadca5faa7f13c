/**
 * What the implicit-TLS figures mean, in sentences: per-variant notes for the Postfix 465 table, and
 * the conclusions (mechanism, what a client, a client host and a server operator can do), built from
 * the medians of the run so that the numbers quoted are the ones measured.
 */
import type { Goal } from '../lib/types.js';

export type Cell = string | number;

export interface P465Row {
  name: string;
  protocol: string;
  resumed: string;
  certificate: string;
  handshakeMs: Cell;
  greetingMs: Cell;
  /** The same median unrounded, for ratios. */
  greetingMedian: number | undefined;
  delayedAcks: Cell;
  /** `15/15`: sessions whose EHLO after the greeting was answered. */
  ehlo: string;
  ticketMs: Cell;
  errors: string[];
}

export interface Findings {
  p465: P465Row[];
  contrast: {
    server: string;
    client: string;
    handshakeMs: Cell;
    greetingMs: Cell;
    delayedAcks: Cell;
    ehlo: string;
  }[];
  p587: {
    name: string;
    protocol: string;
    handshakeMs: Cell;
    waitMs: Cell;
    ehloMs: Cell;
    delayedAcks: Cell;
    ok: string;
  }[];
  netns: { route: string; client: string; handshakeMs: Cell; greetingMs: Cell; delayedAcks: Cell }[];
  routes: string[];
  netnsSkipped?: string;
}

/** The paragraph above the tables: what was measured, how, how many runs. */
export function methodText(runs: number): string {
  return (
    `Plain node:tls clients (not the core) open one SMTP session each: TCP connect, TLS handshake ` +
    `('secureConnect'), first greeting byte, then EHLO and QUIT to show the session still works; nothing ` +
    `is sent before the greeting but what a variant does at the TLS or TCP level. Every figure is the ` +
    `median of ${runs} sessions per variant, the variants of each table run round-robin after one ` +
    `warm-up round. "Delayed ACKs" is the rise of TcpExt DelayedACKs (/proc/net/netstat) from the ` +
    `end of the handshake to the greeting (587: from the 220 to STARTTLS to the EHLO reply). It counts every socket of the ` +
    `network namespace, both ends on loopback: in the root namespace other loopback traffic on the ` +
    `machine can add to it, inside the benchmark's own namespace nothing else runs. Tables: Postfix ` +
    `465; Node SMTPS servers and smtp-server on 127.0.0.1; a Postfix-like Node server in a network ` +
    `namespace reached through a client route with and without \`quickack 1\` (a child process inside ` +
    `the namespace runs both ends and interleaves the routes itself; its start-up is not timed, so ` +
    `NODE_EXTRA_CA_CERTS does not enter the figures); Postfix 587 with EHLO at once or after the ticket.`
  );
}

/** The 'Note' column of the Postfix 465 table: who holds which segment, whose ACK releases it. */
export const P465_NOTES: Record<string, string> = {
  'TLS 1.3 (default)':
    "Postfix's one ticket leaves alone; Nagle holds the greeting behind it until our delayed ACK.",
  'TLS 1.3, client TCP_NODELAY': 'Nagle is on the server, and the client has nothing to send.',
  'TLS 1.3, TCP keepalive after 1 s idle': 'TCP_KEEPIDLE is in whole seconds: the first probe is 1 s away.',
  "TLS 1.3, write('') after handshake": 'An empty write puts nothing on the wire: no record of 0 bytes.',
  'TLS 1.3, SSL_OP_NO_TICKET': 'Drops only the TLS 1.2 ticket extension; the TLS 1.3 ticket still comes.',
  'TLS 1.3, renegotiate() after handshake':
    'TLS 1.3 has no renegotiation: it fails at once, nothing is sent.',
  'TLS 1.3 resumed (ticket)':
    "No new ticket on resumption: the client's Finished acknowledges everything. No certificate shown.",
  'TLS 1.2': 'The server speaks last (ticket, ChangeCipherSpec, Finished); the greeting waits behind it.',
  'TLS 1.2, SSL_OP_NO_TICKET': 'Last flight is ChangeCipherSpec + Finished: still the server’s.',
  'TLS 1.2, renegotiate() after handshake':
    'Its ClientHello carries the ACK, so the greeting comes at once; Postfix refuses, the session dies.',
  'TLS 1.2 resumed (ticket)': "Abbreviated handshake: the client's Finished is last and acknowledges all.",
  'TLS 1.2 resumed (session ID)': 'This Postfix keeps no session cache: a full handshake again.',
  'core probe() today': 'The core on 465: the stall is in its greeting stage.',
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

const num = (cell: Cell | undefined): number | undefined => (typeof cell === 'number' ? cell : undefined);

export function conclusions(
  f: Findings,
  noStallMs: number,
): { notes: string[]; figures: Record<string, number | string | null>; goal?: Goal } {
  const figures: Record<string, number | string | null> = {};
  for (const r of f.p465) {
    const key = `p465.${slug(r.name)}`;
    figures[`${key}.handshake_ms`] = num(r.handshakeMs) ?? null;
    figures[`${key}.greeting_ms`] = num(r.greetingMs) ?? null;
    figures[`${key}.delayed_acks`] = num(r.delayedAcks) ?? null;
  }
  for (const r of f.contrast)
    figures[`contrast.${slug(r.server)}.${slug(r.client)}.greeting_ms`] = num(r.greetingMs) ?? null;
  for (const r of f.netns)
    figures[`netns.${slug(r.route)}.${slug(r.client)}.greeting_ms`] = num(r.greetingMs) ?? null;
  for (const r of f.p587) figures[`p587.${slug(r.name)}.ehlo_reply_ms`] = num(r.ehloMs) ?? null;
  if (f.netnsSkipped) figures['netns.skipped'] = f.netnsSkipped;
  const full = f.p465.find((r) => r.name === 'TLS 1.3 (default)')?.greetingMedian;
  const resumed = f.p465.find((r) => r.name === 'TLS 1.3 resumed (ticket)')?.greetingMedian;
  // A ratio of two medians of the same interleaved run.
  if (full !== undefined && resumed)
    figures['p465.greeting_tls13_full_over_resumed'] = Math.round((full / resumed) * 10) / 10;

  const p = (name: string) => f.p465.find((r) => r.name === name);
  const g = (name: string) => `${p(name)?.greetingMs ?? '—'} ms`;
  const notes: string[] = [];
  const full13 = p('TLS 1.3 (default)');
  const resumed13 = p('TLS 1.3 resumed (ticket)');
  if (full13) {
    notes.push(
      `Why the greeting waits (Postfix 465, TLS 1.3): the client's Finished acknowledges the server's ` +
        `handshake flight; Postfix then sends one session ticket in a segment of its own and writes the ` +
        `greeting in a second write once SSL_accept has returned. The ticket is not yet acknowledged, so ` +
        `Nagle's algorithm on Postfix's socket holds the small greeting segment. The ACK is the client's ` +
        `to give, and its kernel delays it: the client has nothing to send, and the connection is already ` +
        `"interactive" (the client answered the server's flight within the ACK timeout, pingpong mode), so ` +
        `the ACK leaves only when the delayed-ACK timer fires, 40 ms at least on Linux. Measured: the ` +
        `ticket arrives ${full13.ticketMs} ms after the handshake, the greeting ${full13.greetingMs} ms ` +
        `after it; the delayed-ACK counter rises by ${full13.delayedAcks} (median) between handshake and ` +
        `greeting, against ${resumed13?.delayedAcks ?? '—'} for a resumed session.`,
    );
  }
  if (p('TLS 1.2')) {
    notes.push(
      `TLS 1.2 waits the same way for another reason: in a full handshake the server speaks last ` +
        `(NewSessionTicket, ChangeCipherSpec, Finished), and the greeting queues behind that flight ` +
        `(${g('TLS 1.2')}; without tickets ${g('TLS 1.2, SSL_OP_NO_TICKET')}).`,
    );
    const reneg13 = p('TLS 1.3, renegotiate() after handshake')?.errors.join('; ') || 'no error seen';
    notes.push(
      `What does not help, and why: client TCP_NODELAY (${g('TLS 1.3, client TCP_NODELAY')}): Nagle is on ` +
        `the server and the client sends nothing; setKeepAlive(true, 1000) (${g('TLS 1.3, TCP keepalive after 1 s idle')}): ` +
        `Linux counts TCP_KEEPIDLE in whole seconds, so the probe that would carry an ACK comes after 1 s; ` +
        `write('') (${g("TLS 1.3, write('') after handshake")}): no record of zero bytes, nothing goes out (any ` +
        `segment would carry the ACK); ` +
        `SSL_OP_NO_TICKET on TLS 1.3 (${g('TLS 1.3, SSL_OP_NO_TICKET')}): the client still offers ` +
        `psk_key_exchange_modes and Postfix still sends its ticket; renegotiate() on TLS 1.3 (${reneg13}). ` +
        `Node 20 has no TCP_QUICKACK, no setsockopt and no TLS 1.3 KeyUpdate, and reading sooner does not ` +
        `help: Linux ACKs when the application empties the receive queue only outside pingpong mode.`,
    );
  }
  if (resumed13 && full13) {
    const times = figures['p465.greeting_tls13_full_over_resumed'];
    const ratio = typeof times === 'number' ? ` (${times}× as long)` : '';
    notes.push(
      `What works from a Node client without sending a command: resumption. A resumed TLS 1.3 handshake ` +
        `ends with the client's Finished and Postfix sends no new ticket (it re-uses a valid one), so ` +
        `nothing is left unacknowledged when the greeting is written: ${resumed13.greetingMs} ms after a ` +
        `${resumed13.handshakeMs} ms handshake, against ${full13.greetingMs} ms after ${full13.handshakeMs} ms ` +
        `for a full one${ratio}. TLS 1.2 ticket resumption (abbreviated handshake, the client's Finished ` +
        `last): ${g('TLS 1.2 resumed (ticket)')}. Session-ID resumption resumed: ` +
        `${p('TLS 1.2 resumed (session ID)')?.resumed ?? '—'} (this Postfix keeps no session cache, ` +
        `smtpd_tls_session_cache_database is empty): ${g('TLS 1.2 resumed (session ID)')}.`,
      `What resumption costs: a session from an earlier full handshake with the same server, kept in ` +
        `memory or stored (Postfix tickets live smtpd_tls_session_cache_timeout, 1 h by default); and it ` +
        `changes what is probed: a resumed session shows no certificate (certificate seen: ` +
        `${resumed13.certificate}), so expiry, chain and name come from the earlier session, and a ` +
        `certificate replaced since is not seen. A first contact, the usual probe, cannot use it.`,
    );
  }
  const reneg12 = p('TLS 1.2, renegotiate() after handshake');
  if (reneg12) {
    notes.push(
      `TLS 1.2 renegotiate() right after the handshake is a TLS-level write, not an SMTP command: its ` +
        `ClientHello carries the ACK and the greeting comes ${reneg12.greetingMs} ms after the handshake. ` +
        `But Postfix refuses client-initiated renegotiation and Node's OpenSSL treats its no_renegotiation ` +
        `alert as fatal: EHLO answered ${reneg12.ehlo} (${reneg12.errors.join('; ') || 'no error seen'}). ` +
        `Not usable; where a server allows it, it costs a second full handshake.`,
    );
  }
  const quick = (route: string, client: string) =>
    f.netns.find((r) => r.route.startsWith(route) && r.client === client);
  if (f.netns.length > 0) {
    const q13 = quick('127.0.0.2', 'TLSv1.3');
    const n13 = quick('127.0.0.1', 'TLSv1.3');
    const q12 = quick('127.0.0.2', 'TLSv1.2');
    const n12 = quick('127.0.0.1', 'TLSv1.2');
    notes.push(
      `What the client's host can do (root, not the probe): a route with \`quickack 1\` towards the server ` +
        `makes the client's kernel acknowledge at once. In a namespace, against a Postfix-like Node server ` +
        `(greeting in a write of its own, Nagle on), with the quickack route used by the client's socket ` +
        `only (${f.routes.join(' | ')}): greeting ${q13?.greetingMs} ms vs ${n13?.greetingMs} ms after the ` +
        `handshake with TLS 1.3, ${q12?.greetingMs} vs ${n12?.greetingMs} ms with TLS 1.2; delayed ACKs per ` +
        `connection ${q13?.delayedAcks} vs ${n13?.delayedAcks}. It needs root on the probing machine ` +
        `(impossible on Lambda) and changes every connection on that route (one pure ACK per segment).`,
    );
  } else if (f.netnsSkipped) {
    notes.push(`The quickack route was not measured: ${f.netnsSkipped}.`);
  }
  const c = (server: string, client = 'TLS 1.3') =>
    f.contrast.find((r) => r.server.startsWith(server) && r.client === client)?.greetingMs ?? '—';
  notes.push(
    `What a server operator can do: send the greeting with the handshake's last records, or set ` +
      `TCP_NODELAY. A Node server that writes its greeting one event-loop turn after the handshake, as ` +
      `Postfix does, shows the stall (${c('Node tls, greeting one turn later (like')} ms, TLS 1.3) and loses ` +
      `it with noDelay (${c('Node tls, greeting one turn later, noDelay')} ms); written in the same turn, ` +
      `Node sends it with the handshake's last records (${c('Node tls, greeting with')} ms, Nagle on). ` +
      `Postfix has neither setting (postconf(5) has no TCP_NODELAY), so for Postfix it is a code change. ` +
      `Disabling tickets (smtpd_tls_session_cache_timeout = 0) would remove the TLS 1.3 ticket only if ` +
      `OpenSSL then issues none (under SSL_OP_NO_TICKET it sends stateful TLS 1.3 tickets unless told ` +
      `num_tickets 0): not verified here, the shared test Postfix was not reconfigured; it would cost ` +
      `every client its resumption, and TLS 1.2 full handshakes keep the stall. smtp-server (secure: true) ` +
      `sets TCP_NODELAY (its source names this delayed-ACK effect) but waits 100 ms on purpose before ` +
      `greeting, to catch early talkers: ${c('smtp-server')} ms.`,
  );
  const s = (name: string) => f.p587.find((r) => r.name.startsWith(name));
  if (f.p587.length > 0) {
    const core465 = p('core probe() today');
    notes.push(
      `587 (what the core does): with TLS 1.3, an EHLO written at 'secureConnect' crosses Postfix's ticket ` +
        `and its reply waits behind it: ${s('TLS 1.3, EHLO at once')?.ehloMs} ms after the handshake. ` +
        `Waiting for the first ticket and one event-loop turn makes the EHLO segment acknowledge the ` +
        `ticket: ${s('TLS 1.3, EHLO after')?.ehloMs} ms, the ${s('TLS 1.3, EHLO after')?.waitMs} ms wait ` +
        `included. TLS 1.2 needs no wait (${s('TLS 1.2')?.ehloMs} ms): the EHLO acknowledges the server's ` +
        `last flight. The core's probe(): tls ${s('core')?.handshakeMs} ms (its wait included), ehlo_tls ` +
        `${s('core')?.ehloMs} ms. On 465 a client may send nothing before the greeting, so the fix does not ` +
        `carry over: the core's greeting stage there is ${core465?.greetingMs ?? '—'} ms.`,
    );
  }
  let goal: Goal | undefined;
  if (full13) {
    const usable = f.p465.filter(
      (r) => r.name !== 'core probe() today' && r.ehlo.split('/')[0] === r.ehlo.split('/')[1],
    );
    const fast = usable.filter((r) => (num(r.greetingMs) ?? Number.POSITIVE_INFINITY) < noStallMs);
    const best = [...fast].sort((a, b) => (num(a.greetingMs) ?? 0) - (num(b.greetingMs) ?? 0))[0];
    const fullFast = fast.filter((r) => r.resumed === 'no');
    goal = {
      goal: 'greeting on 465 without the stall',
      measured: best
        ? `${best.name}: ${best.greetingMs} ms after the handshake (TLS 1.3 full: ${full13.greetingMs} ms); ` +
          (fullFast.length > 0
            ? `full handshake too: ${fullFast.map((r) => r.name).join(', ')}`
            : 'resumed sessions only, no full-handshake client variant avoids it')
        : `no client variant under ${noStallMs} ms with a working session (TLS 1.3 full: ${full13.greetingMs} ms)`,
      met: best !== undefined,
    };
    if (best && fullFast.length === 0) {
      notes.push(
        `For the probe: a first contact needs a full handshake (it reports certificate facts), and no client ` +
          `variant removes the stall from a full handshake with Postfix, so the ~40 ms stays the server's ` +
          `and belongs in the greeting stage. Where the same server is probed again in one process (its ` +
          `IPv4 and IPv6 addresses, repeated runs), keeping the session and resuming would show the ` +
          `greeting without the stall, at the price of the certificate facts of those sessions.`,
      );
    }
  }
  return { notes, figures, ...(goal ? { goal } : {}) };
}
