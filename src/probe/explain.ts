import type { Mode, ProbeStatus, Stage } from './catalogue.js';
import type { AuthFacts, Reply, SmtpFacts, TlsFacts } from './types.js';

export interface ExplainInput {
  status: ProbeStatus;
  stage: Stage;
  port: number;
  mode: Mode;
  /** What the failing stage said happened; absent for `ok`. */
  message?: string;
  errorCode?: string;
  reply?: Reply;
  peerProtocol?: 'tls' | 'http' | 'ssh' | 'other';
  smtp: SmtpFacts;
  tls?: TlsFacts;
  auth?: AuthFacts;
}

/*
 * Hints name a user setting only by its id in backticks, from this list: `mode`, `helo`, `ca`,
 * `retries`, `timeout`, `connect_timeout`, `greeting_timeout`, `command_timeout`,
 * `allow_unverified_auth`, `allow_plaintext_auth`, `expect.tls`. Each adapter (CLI, Action, Lambda)
 * spells them its own way; the core never uses one adapter's words.
 */

/** Clouds that block outbound 25, for the most common "why does 25 time out" question. */
const PORT_25_HINT =
  'Outbound port 25 is blocked on most cloud networks (AWS, Google Cloud, Azure; GitHub-hosted runners run ' +
  'in Azure): submit mail on 587 (STARTTLS) or 465 (implicit TLS), or 2525 where your provider offers it.';

/** One line saying what happened, and a hint where something useful is known. Pure. */
export function explain(input: ExplainInput): { explanation: string; hint?: string } {
  const explanation =
    input.status === 'ok' ? summarise(input) : withReply(input.message ?? input.status, input.reply);
  const hint = hintFor(input);
  return hint ? { explanation, hint } : { explanation };
}

function withReply(message: string, reply: Reply | undefined): string {
  if (!reply) return message;
  const text = reply.lines[0] ?? '';
  return `${message}: ${reply.code} ${text}`.trim();
}

function summarise({ smtp, tls, auth, mode }: ExplainInput): string {
  const parts = [smtp.heloFallback ? 'HELO accepted (EHLO refused)' : 'EHLO accepted'];
  if (tls) {
    const how = mode === 'tls' ? 'implicit TLS' : 'STARTTLS';
    parts.push(`${how} ${tls.protocol ?? ''}`.trim());
    if (tls.certificate) {
      const trust = tls.trusted ? 'trusted' : `untrusted (${tls.trustError ?? 'unknown reason'})`;
      parts.push(`certificate ${trust}, ${tls.certificate.daysUntilExpiry} days left`);
    }
  } else {
    parts.push('no TLS');
  }
  if (auth?.outcome === 'accepted') parts.push(`AUTH ${auth.mechanism} accepted`);
  return parts.join(', ');
}

function tlsSpeaksPlaintext(code: string | undefined, message: string | undefined): boolean {
  return /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|HTTP_REQUEST/i.test(
    `${code ?? ''} ${message ?? ''}`.replace(/ /g, '_'),
  );
}

function hintFor(input: ExplainInput): string | undefined {
  const { status, stage, port, mode, peerProtocol } = input;
  switch (status) {
    case 'ok':
      return undefined;
    case 'dns_error':
      return 'Check the host name for typos; a name that does not exist, or has neither A nor AAAA records, cannot be reached.';
    case 'timeout':
      if (stage === 'connect') {
        return port === 25
          ? PORT_25_HINT
          : `Packets to port ${port} are silently dropped: check the egress firewall of this network and the server's firewall.`;
      }
      return 'The server stopped answering in the middle of the session: it may be overloaded or tarpitting this client.';
    case 'refused':
      return `Nothing accepts connections on port ${port} there, or a firewall rejects them: check the port and that the server listens on it.`;
    case 'unreachable':
      return 'The network has no route to the host, or a firewall rejects the connection: check routing and egress rules.';
    case 'reset':
      return 'The server or something in between closed the connection: a connection limit, an IDS, or a proxy with no backend.';
    case 'no_greeting':
      if (input.errorCode === 'EGREETINGINCOMPLETE') {
        return 'The server began its greeting but never finished it: an overloaded server or a tarpit, or one slower than the greeting wait (`greeting_timeout`).';
      }
      return mode === 'tls'
        ? 'The TLS handshake worked but no SMTP greeting followed: the port may serve another protocol over TLS.'
        : 'The port accepts connections but says nothing: if it expects implicit TLS (like 465) set `mode` to tls; otherwise a proxy or a tarpit holds the connection, or the greeting needs more time (`greeting_timeout`).';
    case 'not_smtp':
      if (peerProtocol === 'tls') {
        return 'The server answered with TLS bytes: it expects implicit TLS from the first byte (like port 465), so set `mode` to tls.';
      }
      if (peerProtocol === 'http')
        return 'An HTTP server answers on this port: it is not an SMTP port; check the host and port.';
      if (peerProtocol === 'ssh') return 'An SSH server answers on this port: it is not an SMTP port.';
      return 'Something that is not an SMTP server answers on this port: check the host and port.';
    case 'rejected':
      if (stage === 'greeting') {
        return 'The server refuses sessions from this address: it may be on a blocklist, or only known relays may connect.';
      }
      // 530 5.7.0 (RFC 3207 §4): the server insists on TLS before it takes anything else.
      if (input.reply?.code === 530 || input.reply?.enhanced === '5.7.0') {
        return 'The server requires STARTTLS before this command: set `mode` to starttls (or tls on 465).';
      }
      if (stage === 'envelope') {
        return 'The relay refuses this envelope: the sender may not be a verified address or domain of this account, or AUTH is required first.';
      }
      return 'The server refused EHLO and HELO: check the HELO name (`helo`) the server expects.';
    case 'temporary':
      return 'The server is busy, rate-limiting or greylisting this client: retry later, or set `retries`.';
    case 'starttls_unavailable':
      return port === 465
        ? 'Port 465 speaks implicit TLS: set `mode` to tls.'
        : 'The server does not offer STARTTLS here: if the port uses implicit TLS set `mode` to tls; if TLS is not needed set it to plain.';
    case 'starttls_failed':
      return 'The server advertises STARTTLS but cannot start TLS: its certificate or key is often missing or unreadable.';
    case 'tls_failed':
      if (mode === 'tls' && tlsSpeaksPlaintext(input.errorCode, input.message)) {
        return 'The server speaks plaintext on this port (OpenSSL: wrong version number): it expects STARTTLS, so set `mode` to starttls.';
      }
      if (/VERSION|PROTOCOL/i.test(input.errorCode ?? '')) {
        return 'Client and server share no TLS version: the server may only offer TLS 1.0/1.1, which is obsolete.';
      }
      return 'The TLS handshake failed: check the server certificate, key and TLS configuration (openssl s_client shows details).';
    case 'auth_failed':
      return 'Check the username and password (or API key, or app password); the account may be locked or not allowed to submit.';
    case 'auth_unavailable':
      return input.tls
        ? 'The server offers no AUTH mechanism this probe can use here: relay ports (25) often do not take AUTH; submit on 587 or 465.'
        : 'Most servers advertise AUTH only after TLS: set `mode` to starttls or tls.';
    case 'auth_withheld':
      return withheldHint(input);
    case 'protocol_error':
      return input.errorCode === 'EBADGREETING'
        ? 'Something answers on this port with a reply that is not an SMTP greeting: check the host and port, or a proxy in between.'
        : 'The server broke the SMTP protocol: the transcript shows where.';
    case 'aborted':
      return undefined;
  }
}

/** Why the credentials stayed here, what would make them safe to send, and the opt-out by name. */
function withheldHint({ auth }: ExplainInput): string {
  switch (auth?.withheld) {
    case 'plaintext':
      return 'Credentials go only over TLS: set `mode` to starttls or tls; to send them unencrypted anyway, set `allow_plaintext_auth`.';
    case 'hostname':
      return 'The certificate is for another name: probe the name it was issued for, or fix the certificate; to send credentials anyway, set `allow_unverified_auth`.';
    default:
      return 'Credentials go only to a server whose certificate verifies: give its CA (`ca`) if it uses a private one, or fix the certificate; to send them anyway, set `allow_unverified_auth`.';
  }
}
