import { ProbeFailure } from './failure.js';
import type { ResolvedOptions } from './options.js';
import { REDACTED } from './redact.js';
import type { AuthFacts, AuthWithheld, Reply, TlsFacts } from './types.js';
import type { Wire } from './wire.js';

/** The mechanisms we speak, in the order we prefer them. */
export const SUPPORTED_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * Whether the credentials may go to this server, checked before a byte of them is sent: only over TLS
 * whose chain verified and whose certificate names the host (RFC 6125), because anyone on
 * the path can present a certificate that does not. Each check has its explicit opt-out. Throws the
 * failure that says which check failed (the chain first, then the name); returns when AUTH may go.
 */
export function mayAuthenticate(
  tls: TlsFacts | undefined,
  o: Pick<ResolvedOptions, 'allowPlaintextAuth' | 'allowUnverifiedAuth'>,
  host: string,
): void {
  let withheld: AuthWithheld | undefined;
  let why = '';
  if (!tls) {
    if (o.allowPlaintextAuth) return;
    withheld = 'plaintext';
    why = 'the connection is not encrypted';
  } else if (o.allowUnverifiedAuth) {
    return;
  } else if (!tls.trusted) {
    withheld = 'untrusted';
    why = `the server's certificate chain is not trusted (${tls.trustError ?? 'unknown reason'})`;
  } else if (!tls.hostnameMatch) {
    withheld = 'hostname';
    why = `the server's certificate does not name ${tls.servername ?? host}`;
  }
  if (!withheld) return;
  throw new AuthFailure(
    'auth_withheld',
    `credentials withheld, AUTH not sent: ${why}`,
    {
      outcome: 'withheld',
      withheld,
    },
    { errorCode: 'EAUTHWITHHELD' },
  );
}

/**
 * AUTH (RFC 4954) with the first mechanism both sides support. Every payload goes to the transcript as
 * `****`; the credentials appear nowhere else. Resolves with the facts when the server accepted the
 * credentials; otherwise throws a failure that carries them.
 */
export async function authenticate(
  wire: Wire,
  advertised: string[],
  credentials: { username: string; password: string },
  deadline: () => number,
): Promise<AuthFacts> {
  const mechanism = SUPPORTED_MECHANISMS.find((m) => advertised.includes(m));
  if (!mechanism) {
    const offered = advertised.length > 0 ? `only ${advertised.join(', ')}` : 'no AUTH mechanism';
    throw new AuthFailure(
      'auth_unavailable',
      `the server offers ${offered}; this probe speaks ${SUPPORTED_MECHANISMS.join(' and ')}`,
      { outcome: 'unavailable' },
    );
  }
  let reply: Reply;
  if (mechanism === 'PLAIN') {
    // RFC 4616: authorization identity (empty), NUL, username, NUL, password; sent as the initial
    // response (RFC 4954 §4) to save a round trip.
    const payload = b64(`\0${credentials.username}\0${credentials.password}`);
    reply = await wire.command('auth', `AUTH PLAIN ${payload}`, deadline(), `AUTH PLAIN ${REDACTED}`);
    if (reply.code === 334) reply = await wire.command('auth', payload, deadline(), REDACTED);
  } else {
    reply = await wire.command('auth', 'AUTH LOGIN', deadline());
    if (reply.code === 334)
      reply = await wire.command('auth', b64(credentials.username), deadline(), REDACTED);
    if (reply.code === 334)
      reply = await wire.command('auth', b64(credentials.password), deadline(), REDACTED);
  }
  if (reply.code === 235) return { mechanism, outcome: 'accepted', reply };
  const facts: AuthFacts = { mechanism, outcome: reply.code >= 500 ? 'rejected' : 'error', reply };
  if (reply.code >= 400 && reply.code < 500) {
    throw new AuthFailure('temporary', `AUTH ${mechanism} failed temporarily (${reply.code})`, facts, {
      reply,
    });
  }
  if (reply.code >= 500) {
    throw new AuthFailure('auth_failed', `the server refused the credentials (${reply.code})`, facts, {
      reply,
    });
  }
  throw new AuthFailure('protocol_error', `unexpected reply ${reply.code} to AUTH ${mechanism}`, facts, {
    reply,
  });
}

/** A failure of the auth stage, carrying what was learnt about it. */
export class AuthFailure extends ProbeFailure {
  readonly facts: AuthFacts;

  constructor(
    status: ProbeFailure['status'],
    message: string,
    facts: AuthFacts,
    extra: { reply?: Reply; errorCode?: string } = {},
  ) {
    super(status, message, extra);
    this.facts = facts;
  }
}
