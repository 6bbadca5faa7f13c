import { connectTcp } from './connect.js';
import { ProbeFailure } from './failure.js';
import type { SessionPlan } from './session-plan.js';
import { startTls } from './tls-upgrade.js';
import type { Transcript } from './transcript.js';
import type { Wire } from './wire.js';

/** How long, at most, we spend learning what listens on a port that sent no greeting. */
const DIAGNOSIS_MS = 1_000;
/** A step with less time than this left cannot finish (a TLS handshake takes round trips): skip it. */
const MIN_STEP_MS = 20;

/**
 * The greeting never came. Before reporting `no_greeting`, learn what is listening, within a short
 * budget and only now that the session has already failed (a command is never sent early to dodge a
 * slow greeting):
 * 1. one EHLO line on the same connection: an HTTP server answers `HTTP/1.1 400`, some TLS servers an
 *    alert record, a merely slow SMTP server a reply;
 * 2. if that says nothing, a TLS handshake on a fresh connection: if it completes, the port speaks
 *    implicit TLS.
 * Both steps end by the target's deadline: the greeting may have used all of it (it gets the whole
 * greeting timeout, since a slow greeting is common and a diagnosis is only a hint), and then the
 * port is reported silent without a look. Returns the failure that describes the port best.
 */
export async function diagnoseSilence(
  wire: Wire,
  plan: SessionPlan,
  transcript: Transcript,
): Promise<ProbeFailure> {
  const { options: o, target, address, family } = plan;
  const silent = new ProbeFailure('no_greeting', 'connected, but the server sent no greeting', {
    errorCode: 'ENOGREETING',
  });
  const budget = Math.min(DIAGNOSIS_MS, o.commandTimeout);
  const until = (ms: number) => Math.min(performance.now() + ms, plan.deadline);
  const noTimeLeft = () => plan.deadline - performance.now() < MIN_STEP_MS;
  if (noTimeLeft()) return silent;
  try {
    await wire.command('greeting', `EHLO ${o.helo}`, until(budget / 2));
    return silent;
  } catch (error) {
    const decisive =
      error instanceof ProbeFailure && (error.status === 'not_smtp' || error.status === 'aborted');
    if (decisive) return error;
  }
  if (noTimeLeft()) return silent;
  transcript.add('*', 'no answer in plaintext; trying a TLS handshake on a new connection');
  let socket: Awaited<ReturnType<typeof connectTcp>> | undefined;
  try {
    const deadline = until(budget / 2);
    socket = await connectTcp(address, target.port, family, deadline, o.signal);
    const session = await startTls({
      socket,
      mode: 'tls',
      host: target.host,
      deadline,
      options: o,
      now: new Date(),
    });
    session.socket.destroy();
    transcript.add(
      '*',
      `TLS handshake completed (${session.facts.protocol ?? 'TLS'}): the port speaks implicit TLS`,
    );
    return new ProbeFailure(
      'not_smtp',
      'no SMTP greeting in plaintext, but the port completes a TLS handshake',
      {
        errorCode: 'EIMPLICITTLS',
        peerProtocol: 'tls',
      },
    );
  } catch (error) {
    if (error instanceof ProbeFailure && error.status === 'aborted') return error;
    return silent;
  } finally {
    socket?.destroy();
  }
}
