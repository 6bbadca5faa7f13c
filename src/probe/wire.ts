import type { Socket } from 'node:net';
import type { Stage } from './catalogue.js';
import { untilDeadline } from './deadline.js';
import { ProbeFailure, socketFailure } from './failure.js';
import type { Limits } from './options.js';
import { ReplyParser, sniffProtocol } from './reply-parser.js';
import type { Transcript } from './transcript.js';
import type { Reply } from './types.js';

/** What `release` hands back: the bytes received after the last reply taken, whatever their shape. */
export interface Unread {
  /** How many there were. */
  bytes: number;
  /** The first of them (up to the reply size limit plus 1 KiB), for a sample. */
  head: Buffer;
}

const LINE_BREAKING = /[\r\n\0]/;

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
  /** Bytes of the stream that the replies taken so far covered. */
  #consumed = 0;
  /**
   * The stream from `#consumed` on, as received, up to `#unreadCap` bytes. Counted by the bytes, not
   * by the parser, so that what is not a reply (a command, a line without CRLF) counts too.
   */
  #unread: Buffer[] = [];
  #unreadBytes = 0;
  readonly #unreadCap: number;
  /** Bytes past the cap were dropped: `#unread` is only a prefix and takes no more. */
  #unreadCut = false;

  constructor(socket: Socket, limits: Limits, transcript: Transcript, signal: AbortSignal | undefined) {
    this.socket = socket;
    this.#parser = new ReplyParser(limits);
    this.#transcript = transcript;
    this.#signal = signal;
    // A reply the parser accepts is at most maxReplyBytes: the bytes after it are still kept.
    this.#unreadCap = limits.maxReplyBytes + 1024;
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
            this.#consume(item.bytes);
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
    // options.ts refuses every such value; a line break that got here anyway would end this command
    // and start one nobody chose, so it is never written (the message leaves the line out: a secret).
    if (LINE_BREAKING.test(line)) {
      throw new Error(`the ${display.split(' ')[0]} command held CR, LF or NUL and was not sent`);
    }
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
   * Stops reading so the socket can be handed to TLS, and throws away everything received after the
   * last reply taken: RFC 3207 §6 forbids acting on anything received before the handshake. Returns
   * what was thrown away, so that it can be reported.
   */
  release(): Unread {
    this.socket.off('data', this.#onData);
    this.socket.off('error', this.#onError);
    this.socket.off('end', this.#onEnd);
    this.socket.off('close', this.#onEnd);
    this.#wake = undefined;
    this.#parser.discard();
    const unread = { bytes: this.#bytesIn - this.#consumed, head: Buffer.concat(this.#unread) };
    this.#unread = [];
    this.#unreadBytes = 0;
    return unread;
  }

  /** A reply of `bytes` bytes was taken: what is unread now starts after it. */
  #consume(bytes: number): void {
    this.#consumed += bytes;
    let drop = bytes;
    while (drop > 0 && this.#unread.length > 0) {
      const first = this.#unread[0] as Buffer;
      if (first.length > drop) {
        this.#unread[0] = first.subarray(drop);
        this.#unreadBytes -= drop;
        drop = 0;
      } else {
        this.#unread.shift();
        this.#unreadBytes -= first.length;
        drop -= first.length;
      }
    }
    // Everything received has been taken: what comes next starts the unread stream afresh.
    if (this.#consumed === this.#bytesIn) this.#unreadCut = false;
  }

  readonly #onData = (chunk: Buffer) => {
    this.#bytesIn += chunk.length;
    if (!this.#unreadCut) {
      const room = this.#unreadCap - this.#unreadBytes;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (kept.length > 0) this.#unread.push(kept);
      this.#unreadBytes += kept.length;
      this.#unreadCut = kept.length < chunk.length;
    }
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
