/**
 * What the hostile-server system tests share: a probe that measures itself, and a scriptable plaintext
 * SMTP server that offers STARTTLS and then misbehaves wherever a test tells it to, before or after TLS.
 */
import type net from 'node:net';
import tls from 'node:tls';
import { expect } from 'vitest';
import { type ProbeOptions, type ProbeResult, type ProbeTarget, probe } from '../../src/probe/index.js';
import type { Pem } from '../helpers/certs.js';
import { eventLoopLag } from '../helpers/lag.js';
import { type ConnectionScript, lineReader } from '../helpers/raw-server.js';

/**
 * Slack on top of a deadline, besides how late this process's timers ran meanwhile (eventLoopLag): a
 * probe that ignored its deadline misses it by far more.
 */
export const SLACK_MS = 100;

/**
 * Probes and checks that `probe()` settled within `deadline` ms (plus SLACK_MS and the timer lateness
 * measured meanwhile). `deadline` is the latest moment the stage timeouts allow for the scenario, never
 * more than the target's `timeout`.
 */
export async function probeWithin(
  deadline: number,
  target: ProbeTarget,
  options: ProbeOptions,
): Promise<{ result: ProbeResult; elapsed: number }> {
  const lag = eventLoopLag();
  const started = performance.now();
  const result = await probe(target, options);
  const elapsed = performance.now() - started;
  const late = lag.stop();
  expect(
    elapsed,
    `probe() took ${Math.round(elapsed)} ms, deadline ${deadline} ms, timers ran up to ${late} ms late`,
  ).toBeLessThan(deadline + SLACK_MS + late);
  return { result, elapsed };
}

/** How a scripted server answers one command: text (CRLF added per line), or anything a function does. */
export type Answer = string | ((socket: net.Socket, line: string) => void);

/** Answers nothing and hangs up (FIN). */
export const hangUp: Answer = (socket) => {
  socket.end();
};

function answer(socket: net.Socket, reply: Answer | undefined, line: string): void {
  if (reply === undefined || socket.destroyed) return;
  if (typeof reply === 'function') reply(socket, line);
  else socket.write(`${reply.split('\n').join('\r\n')}\r\n`);
}

export interface StarttlsServerScript {
  /** Default '220 hostile.test ESMTP'. */
  greeting?: string;
  /** Plaintext answers by upper-case verb. EHLO defaults to a reply that offers STARTTLS. */
  plain?: Record<string, Answer>;
  /**
   * What happens on STARTTLS. Default: '220 2.0.0 go ahead', then the TLS handshake. A function takes
   * the raw socket over; the plaintext reader is already detached.
   */
  starttls?: ((socket: net.Socket, upgrade: () => void) => void) | undefined;
  /** Answers after the handshake, by upper-case verb; '*' is the fallback. Defaults: EHLO, AUTH, QUIT. */
  secure?: Record<string, Answer>;
  /** Server-side TLS options (versions, ciphers). */
  tls?: tls.TlsOptions;
}

const EHLO_PLAIN = '250-hostile.test\n250-STARTTLS\n250 8BITMIME';
const SECURE_DEFAULTS: Record<string, Answer> = {
  EHLO: '250-hostile.test\n250 AUTH PLAIN LOGIN',
  AUTH: '235 2.7.0 Authentication successful',
  QUIT: (socket) => {
    socket.end('221 2.0.0 bye\r\n');
  },
};

/**
 * A plaintext SMTP server that offers STARTTLS and can be told to misbehave at any step: before TLS,
 * instead of the handshake, or after it.
 */
export function starttlsServer(pem: Pem, script: StarttlsServerScript = {}): ConnectionScript {
  const plain: Record<string, Answer> = {
    EHLO: EHLO_PLAIN,
    QUIT: SECURE_DEFAULTS.QUIT as Answer,
    ...script.plain,
  };
  const secureAnswers = { ...SECURE_DEFAULTS, ...script.secure };
  return (socket) => {
    socket.setNoDelay(true);
    socket.write(`${script.greeting ?? '220 hostile.test ESMTP'}\r\n`);
    const stop = lineReader(socket, (line) => {
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      if (verb !== 'STARTTLS') return answer(socket, plain[verb] ?? plain['*'], line);
      stop();
      const upgrade = () => {
        const secure = new tls.TLSSocket(socket, {
          isServer: true,
          key: pem.key,
          cert: pem.cert,
          ...script.tls,
        });
        secure.on('error', () => {});
        lineReader(secure, (command) => {
          const name = (command.split(' ')[0] ?? '').toUpperCase();
          answer(secure, secureAnswers[name] ?? secureAnswers['*'], command);
        });
      };
      if (script.starttls) return script.starttls(socket, upgrade);
      socket.write('220 2.0.0 go ahead\r\n');
      upgrade();
    });
  };
}

/** Writes `data` as fast as the peer takes it, honouring back-pressure; resolves with the bytes flushed. */
export function flood(socket: net.Socket, total: number, piece: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let queued = 0;
    let flushed = 0;
    const finish = () => resolve(flushed);
    socket.once('close', finish);
    const pump = () => {
      while (queued < total && !socket.destroyed) {
        queued += piece.length;
        const more = socket.write(piece, (error) => {
          if (!error) flushed += piece.length;
        });
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}
