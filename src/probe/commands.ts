import { parseEhlo } from './ehlo.js';
import { ProbeFailure } from './failure.js';
import type { Transcript } from './transcript.js';
import type { EhloFacts, EnvelopeFacts, Reply, SmtpFacts } from './types.js';
import type { Wire } from './wire.js';

/* The SMTP commands of a session, one function each (RFC 5321). */

/** EHLO, falling back to HELO when EHLO is refused with 5xx (RFC 5321 §4.1.4, §3.2). */
export async function hello(
  wire: Wire,
  stage: 'ehlo' | 'ehlo_tls',
  helo: string,
  deadline: () => number,
  smtp: SmtpFacts,
): Promise<EhloFacts> {
  const reply = await wire.command(stage, `EHLO ${helo}`, deadline());
  if (reply.code === 250) return parseEhlo(reply);
  if (reply.code >= 500 && reply.code < 600) {
    const heloReply = await wire.command(stage, `HELO ${helo}`, deadline());
    expectSuccess(heloReply, 'the server refused both EHLO and HELO');
    smtp.heloFallback = true;
    return parseEhlo({ ...heloReply, lines: heloReply.lines.slice(0, 1) });
  }
  expectSuccess(reply, 'the server refused EHLO');
  throw new ProbeFailure('protocol_error', `unexpected reply to EHLO`, { reply, errorCode: 'EBADREPLY' });
}

/**
 * MAIL FROM and RCPT TO (RFC 5321 §3.3), then RSET so that no transaction is left open: proves the
 * server accepts this sender (and recipient) from this client. DATA is never sent.
 */
export async function checkEnvelope(wire: Wire, facts: EnvelopeFacts, deadline: () => number): Promise<void> {
  facts.mailFrom = await wire.command('envelope', `MAIL FROM:<${facts.from}>`, deadline());
  expectSuccess(facts.mailFrom, `the server refused the sender ${facts.from}`);
  if (facts.to) {
    facts.rcptTo = await wire.command('envelope', `RCPT TO:<${facts.to}>`, deadline());
    expectSuccess(facts.rcptTo, `the server refused the recipient ${facts.to}`);
  }
  await wire.command('envelope', 'RSET', deadline());
}

/** 2xx passes; 4xx is `temporary`, 5xx `rejected`, anything else a protocol error. */
export function expectSuccess(reply: Reply, refusal: string): void {
  if (reply.code >= 200 && reply.code < 300) return;
  if (reply.code >= 400 && reply.code < 500) {
    throw new ProbeFailure('temporary', `${refusal} for now`, { reply, errorCode: 'ETEMPFAIL' });
  }
  if (reply.code >= 500) throw new ProbeFailure('rejected', refusal, { reply, errorCode: 'EREJECTED' });
  throw new ProbeFailure('protocol_error', `unexpected reply ${reply.code}`, {
    reply,
    errorCode: 'EBADREPLY',
  });
}

/** QUIT (RFC 5321 §4.1.1.10). Its outcome never changes the status: the session already proved itself. */
export async function quit(wire: Wire, deadline: number, transcript: Transcript): Promise<void> {
  try {
    await wire.command('quit', 'QUIT', deadline);
  } catch (error) {
    transcript.add('*', `QUIT not answered: ${error instanceof Error ? error.message : String(error)}`);
  }
}
