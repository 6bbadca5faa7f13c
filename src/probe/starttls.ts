import { ProbeFailure } from './failure.js';
import type { Redactor } from './redact.js';
import type { Transcript } from './transcript.js';
import type { Reply, SmtpFacts } from './types.js';
import type { Unread, Wire } from './wire.js';

/** How many of the bytes injected after the 220 to STARTTLS are shown. */
const SAMPLE_BYTES = 64;

/**
 * STARTTLS (RFC 3207 §4) on the plaintext wire. When the server agrees, the wire is released for the
 * handshake and every byte that came after the 220 is thrown away and recorded in `smtp` (§6: a
 * server, or someone on the path, that sends ahead is injecting commands or replies into the session
 * TLS is about to protect). Throws when the server does not agree.
 */
export async function requestStarttls(
  wire: Wire,
  deadline: number,
  smtp: SmtpFacts,
  transcript: Transcript,
  redact: Redactor,
): Promise<void> {
  const reply = await wire.command('starttls', 'STARTTLS', deadline).catch((error: unknown) => {
    // A server that hangs up on STARTTLS failed it, as much as one that refuses it.
    if (!(error instanceof ProbeFailure) || error.status !== 'reset') throw error;
    throw new ProbeFailure('starttls_failed', 'the server closed the connection after STARTTLS', {
      ...(error.errorCode ? { errorCode: error.errorCode } : {}),
    });
  });
  judgeReply(reply);
  const unread = wire.release();
  if (unread.bytes === 0) return;
  const sample = sampleOf(unread, redact);
  smtp.starttlsInjectedBytes = unread.bytes;
  smtp.starttlsInjectedSample = sample;
  transcript.add(
    '*',
    `discarded ${unread.bytes} bytes the server sent after 220 to STARTTLS (RFC 3207 §6): "${sample}"`,
  );
}

function judgeReply(reply: Reply): void {
  if (reply.code === 220) return;
  // 421 may answer any command when the service is shutting down (RFC 5321 §3.8): a temporary state,
  // retried like any other, not a server that cannot do TLS.
  if (reply.code === 421) {
    throw new ProbeFailure('temporary', 'the server is closing the session (421) instead of starting TLS', {
      reply,
      errorCode: 'ETEMPFAIL',
    });
  }
  throw new ProbeFailure('starttls_failed', 'the server refused STARTTLS', { reply, errorCode: 'ESTARTTLS' });
}

/**
 * The first SAMPLE_BYTES bytes, credentials redacted first (so that neither the cut nor the escapes can
 * split a secret), then every byte outside printable ASCII escaped: the sample is safe in a terminal,
 * a log or a GitHub annotation, and shows exactly what came.
 */
export function sampleOf(unread: Unread, redact: Redactor): string {
  const text = redact(unread.head.toString('latin1')).slice(0, SAMPLE_BYTES);
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char === '\\') out += '\\\\';
    else if (char === '\r') out += '\\r';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '"') out += '\\"';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return out;
}
