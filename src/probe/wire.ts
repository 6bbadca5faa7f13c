import type { Socket } from 'node:net';
import type { Stage } from './catalogue.js';
import { untilDeadline } from './deadline.js';
import { ProbeFailure, socketFailure } from './failure.js';
import type { Limits } from './options.js';
import { ReplyParser, sniffProtocol } from './reply-parser.js';
import type { Transcript } from './transcript.js';
import type { Reply } from './types.js';

/**
 * One socket's SMTP conversation: bounded reads of whole replies, writes of whole commands, both
 * recorded in the transcript. A reply is awaited against an absolute deadline, so a server that
 * trickles one byte a second cannot stretch a stage.
 */
export class Wire {
  readonly socket: Socket;
  readonly #parser: ReplyParser;
  readonly #transcript: Transcript;
  readonly #signal: AbortSignal | undefined;
  /** Set once the socket has failed or closed; every later read fails with it. */
  #ended: ProbeFailure | undefined;
  #wake: (() => void) | undefined;
  #bytesIn = 0;
  /** Whether a command went out: a hang-up after that is a reset, never a missing greeting. */
  #spoke = false;

  constructor(socket: Socket, limits: Limits, transcript: Transcript, signal: AbortSignal | undefined) {
    this.socket = socket;
    this.#parser = new ReplyParser(limits);
    this.#transcript = transcript;
    this.#signal = signal;
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  /** Bytes received on this socket so far. */
  get bytesIn(): number {
    return this.#bytesIn;
  }

  /** Waits for the next whole reply; `stage` names the stage for status and messages. */
  readReply(stage: Stage, deadline: number): Promise<Reply> {
    return untilDeadline<Reply>(
      deadline,
      () =>
        new ProbeFailure('timeout', `no complete reply ${describe(stage)} before the deadline`, {
          errorCode: 'ETIMEOUT',
        }),
      this.#signal,
      ({ resolve, reject }) => {
        const check = () => {
          const item = this.#parser.shift();
          if (item && 'reply' in item) {
            for (const line of item.lines) this.#transcript.add('<', line);
            return resolve(item.reply);
          }
          if (item) {
            const peerProtocol = sniffProtocol(item.head);
            const foreign = stage === 'greeting' && item.error === 'EBADLINE';
            if (foreign) this.#transcript.add('<', `[${item.head.length} bytes, not SMTP: ${peerProtocol}]`);
            return reject(
              new ProbeFailure(
                foreign ? 'not_smtp' : 'protocol_error',
                foreign
                  ? `the server's first bytes are not an SMTP greeting`
                  : `${item.detail} ${describe(stage)}`,
                { errorCode: item.error, peerProtocol },
              ),
            );
          }
          if (this.#ended) reject(this.#ended);
        };
        this.#wake = check;
        check();
        return () => {
          this.#wake = undefined;
        };
      },
    );
  }

  /** Sends one command line; `display` replaces it in the transcript when it carries a secret. */
  send(line: string, display: string = line): void {
    if (this.#ended) throw this.#ended;
    // Without PIPELINING a server speaks only when spoken to (RFC 5321 §4.3.1); data waiting before a
    // command would be read as that command's reply.
    if (!this.#parser.idle) {
      throw new ProbeFailure(
        'protocol_error',
        `the server sent data before ${display.split(' ')[0]} was sent`,
        {
          errorCode: 'EUNSOLICITED',
        },
      );
    }
    this.#transcript.add('>', display);
    this.#spoke = true;
    this.socket.write(`${line}\r\n`);
  }

  /** Sends a command and reads its reply within the deadline. */
  async command(stage: Stage, line: string, deadline: number, display?: string): Promise<Reply> {
    this.send(line, display);
    return this.readReply(stage, deadline);
  }

  /**
   * Stops reading so the socket can be handed to TLS. Returns how many bytes were buffered and thrown
   * away: RFC 3207 §6 forbids acting on anything received before the handshake.
   */
  release(): number {
    this.socket.off('data', this.#onData);
    this.socket.off('error', this.#onError);
    this.socket.off('end', this.#onEnd);
    this.socket.off('close', this.#onEnd);
    this.#wake = undefined;
    return this.#parser.discard();
  }

  readonly #onData = (chunk: Buffer) => {
    this.#bytesIn += chunk.length;
    this.#parser.push(chunk);
    this.#wake?.();
  };

  readonly #onError = (error: Error) => {
    this.#ended ??= socketFailure(error, `while waiting for the server`);
    this.#wake?.();
  };

  readonly #onEnd = () => {
    this.#ended ??=
      this.#bytesIn === 0 && !this.#spoke
        ? new ProbeFailure('no_greeting', 'the server closed the connection without sending anything', {
            errorCode: 'ECLOSED',
          })
        : new ProbeFailure('reset', 'the server closed the connection', { errorCode: 'ECLOSED' });
    this.#wake?.();
  };
}

function describe(stage: Stage): string {
  switch (stage) {
    case 'greeting':
      return 'for the greeting';
    case 'ehlo':
    case 'ehlo_tls':
      return 'to EHLO';
    default:
      return `to ${stage.toUpperCase()}`;
  }
}
