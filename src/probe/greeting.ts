import { expectSuccess } from './commands.js';
import { ProbeFailure } from './failure.js';
import type { SessionPlan } from './session-plan.js';
import { diagnoseSilence } from './silent-peer.js';
import type { Transcript } from './transcript.js';
import type { Reply } from './types.js';
import type { Wire } from './wire.js';

/**
 * Waits for the greeting (RFC 5321 §3.1, §4.3.2). When none comes on a plaintext port, finds out what
 * listens there, inside what is left of the target's deadline. A greeting that started and never ended
 * is no greeting either: only a whole reply is one, and a server trickling bytes cannot stretch the
 * wait, which ends at an absolute deadline.
 */
export async function readGreeting(
  wire: Wire,
  plan: SessionPlan,
  deadline: number,
  transcript: Transcript,
): Promise<Reply> {
  try {
    return await wire.readReply('greeting', deadline);
  } catch (error) {
    if (!(error instanceof ProbeFailure) || error.status !== 'timeout') throw error;
    if (wire.bytesIn > 0) {
      throw new ProbeFailure('no_greeting', 'the greeting started but never ended before the deadline', {
        errorCode: 'EGREETINGINCOMPLETE',
      });
    }
    if (plan.target.mode === 'tls') {
      throw new ProbeFailure('no_greeting', 'the TLS handshake worked, but no greeting followed', {
        errorCode: 'ENOGREETING',
      });
    }
    throw await diagnoseSilence(wire, plan, transcript);
  }
}

/**
 * Only 220 (ready) and 554 (no service) are greetings (RFC 5321 §4.3.2, §3.1), with 521 (this host
 * accepts no mail, RFC 7504) as the other refusal; 421 may come at any time (§3.8) and means "later".
 * Any other reply is a server that does not follow the protocol: stop at once, rather than send EHLO to
 * it and wait for an answer that a server in the wrong state never gives.
 */
export function judgeGreeting(greeting: Reply): void {
  if (greeting.code === 220 || greeting.code === 421 || greeting.code === 554 || greeting.code === 521) {
    expectSuccess(greeting, 'the server refused the session in its greeting');
    return;
  }
  throw new ProbeFailure(
    'protocol_error',
    `the server greeted with ${greeting.code}; an SMTP greeting is 220 (or 554 to refuse)`,
    { reply: greeting, errorCode: 'EBADGREETING' },
  );
}
