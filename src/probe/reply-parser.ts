import type { Limits } from './options.js';
import type { Reply } from './types.js';

/** Why a byte stream is not a well-formed SMTP reply. */
export type ReplyErrorCode =
  /** A line does not start with a reply code (RFC 5321 §4.2): another protocol, or garbage. */
  | 'EBADLINE'
  /** A continuation line carries a different code from the first line of its reply. */
  | 'EMIXEDCODES'
  | 'ELINETOOLONG'
  | 'ETOOMANYLINES'
  | 'EREPLYTOOLARGE';

export interface ReplyError {
  error: ReplyErrorCode;
  detail: string;
  /** The first bytes of the offending line, for sniffing what else speaks on the port. */
  head: Buffer;
}

/** A whole reply, its raw lines, and how many bytes of the stream it took (line ends included). */
export type ParsedItem = { reply: Reply; lines: string[]; bytes: number } | ReplyError;

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder('utf-8', { fatal: false });
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)/;

/**
 * Incremental SMTP reply parser (RFC 5321 §4.2): `250-` continues a reply, `250 ` or a bare `250` ends
 * it, the unfinished tail is kept for the next chunk. Bare LF is accepted as a line end, as every
 * real-world client does. Every limit is checked as bytes arrive, so a line that never ends, a reply that
 * never ends, or a peer speaking another protocol is caught without waiting for a newline.
 */
export class ReplyParser {
  readonly #limits: Pick<Limits, 'maxLineLength' | 'maxReplyLines' | 'maxReplyBytes'>;
  #tail: Buffer = Buffer.alloc(0);
  #lines: string[] = [];
  #code = 0;
  #replyBytes = 0;
  #queue: ParsedItem[] = [];
  #failed = false;

  constructor(limits: Pick<Limits, 'maxLineLength' | 'maxReplyLines' | 'maxReplyBytes'>) {
    this.#limits = limits;
  }

  /** True when nothing is buffered: no partial line, no unfinished reply, no reply not yet taken. */
  get idle(): boolean {
    return this.#tail.length === 0 && this.#lines.length === 0 && this.#queue.length === 0;
  }

  push(chunk: Buffer): void {
    if (this.#failed || chunk.length === 0) return;
    let data = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk]) : chunk;
    for (;;) {
      const lf = data.indexOf(LF);
      const end = lf === -1 ? data.length : lf;
      const lineBytes = end > 0 && data[end - 1] === CR ? end - 1 : end;
      let problem = this.#checkLine(data, end, lf !== -1) && this.#firstProblem(data, end, lf !== -1);
      if (!problem && lf !== -1) {
        this.#replyBytes += lf + 1;
        problem = this.#acceptLine(data.subarray(0, lineBytes));
      }
      if (problem) {
        this.#fail(problem, data);
        return;
      }
      if (lf === -1) {
        this.#tail = Buffer.from(data);
        return;
      }
      data = data.subarray(lf + 1);
      if (data.length === 0) {
        this.#tail = Buffer.alloc(0);
        return;
      }
    }
  }

  /** The next complete reply or error, in arrival order. */
  shift(): ParsedItem | undefined {
    return this.#queue.shift();
  }

  /** Drops everything buffered: RFC 3207 §6, nothing received before a TLS upgrade may be acted on. */
  discard(): void {
    this.#tail = Buffer.alloc(0);
    this.#queue = [];
    this.#lines = [];
    this.#code = 0;
    this.#replyBytes = 0;
    this.#failed = false;
  }

  /** The line's problem once its first `seen` bytes have arrived, and its LF too when `complete`. */
  #checkLine(data: Buffer, seen: number, complete: boolean): [ReplyErrorCode, string] | undefined {
    const lineBytes = seen > 0 && data[seen - 1] === CR ? seen - 1 : seen;
    // The LF counts towards the reply's bytes, the last line's too.
    const replyBytes = complete ? seen + 1 : seen;
    return (
      this.#checkHead(data.subarray(0, Math.min(seen, 4)), complete) ?? this.#checkSize(lineBytes, replyBytes)
    );
  }

  /**
   * The problem the line met first, byte by byte: a line may break two rules at once (too long, and
   * over the reply's byte budget), and which one is reported must not depend on how TCP split the
   * stream. Every check only gets worse as bytes arrive, so the earliest failing prefix is found by
   * bisection; `end + 1` stands for the line with its LF.
   */
  #firstProblem(data: Buffer, end: number, complete: boolean): [ReplyErrorCode, string] | undefined {
    const at = (seen: number) =>
      seen > end ? this.#checkLine(data, end, true) : this.#checkLine(data, seen, false);
    let low = 1;
    let high = complete ? end + 1 : end;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (at(middle)) high = middle;
      else low = middle + 1;
    }
    return at(high);
  }

  /** Checks the first bytes of a line as soon as they arrive: `[2-5]` digit digit, then SP, `-` or end. */
  #checkHead(head: Buffer, complete: boolean): [ReplyErrorCode, string] | undefined {
    const ok = (i: number, test: (byte: number) => boolean) => i >= head.length || test(head[i] as number);
    const digit = (byte: number) => byte >= 0x30 && byte <= 0x39;
    const valid =
      ok(0, (b) => b >= 0x32 && b <= 0x35) &&
      ok(1, digit) &&
      ok(2, digit) &&
      ok(3, (b) => b === 0x20 || b === 0x2d || b === CR);
    if (!valid) return ['EBADLINE', 'a line does not start with an SMTP reply code'];
    if (complete && head.length < 3) return ['EBADLINE', 'a line is too short to hold an SMTP reply code'];
    return undefined;
  }

  #checkSize(lineBytes: number, seen: number): [ReplyErrorCode, string] | undefined {
    if (lineBytes > this.#limits.maxLineLength) {
      return ['ELINETOOLONG', `a reply line exceeds ${this.#limits.maxLineLength} bytes`];
    }
    if (this.#replyBytes + seen > this.#limits.maxReplyBytes) {
      return ['EREPLYTOOLARGE', `a reply exceeds ${this.#limits.maxReplyBytes} bytes`];
    }
    return undefined;
  }

  #acceptLine(raw: Buffer): [ReplyErrorCode, string] | undefined {
    const line = decoder.decode(raw);
    const code = Number(line.slice(0, 3));
    if (this.#lines.length > 0 && code !== this.#code) {
      return ['EMIXEDCODES', `a multi-line reply mixes codes ${this.#code} and ${code}`];
    }
    this.#code = code;
    this.#lines.push(line);
    const last = line.length === 3 || line[3] === ' ';
    if (!last && this.#lines.length >= this.#limits.maxReplyLines) {
      return ['ETOOMANYLINES', `a reply has more than ${this.#limits.maxReplyLines} lines`];
    }
    if (!last) return undefined;
    const texts = this.#lines.map((l) => l.slice(4));
    const enhanced = ENHANCED.exec(texts[0] ?? '');
    const reply: Reply = {
      code,
      ...(enhanced ? { enhanced: `${enhanced[1]}.${enhanced[2]}.${enhanced[3]}` } : {}),
      lines: texts,
    };
    this.#queue.push({ reply, lines: this.#lines, bytes: this.#replyBytes });
    this.#lines = [];
    this.#code = 0;
    this.#replyBytes = 0;
    return undefined;
  }

  #fail([error, detail]: [ReplyErrorCode, string], data: Buffer): void {
    this.#failed = true;
    this.#queue.push({ error, detail, head: Buffer.from(data.subarray(0, 64)) });
    this.#tail = Buffer.alloc(0);
  }
}

/** What a non-SMTP peer probably is, from the first bytes it sent (used for hints). */
export function sniffProtocol(head: Buffer): 'tls' | 'http' | 'ssh' | 'other' {
  // A TLS record starts with its content type (0x15 alert, 0x16 handshake) and major version 3.
  if (head.length >= 2 && (head[0] === 0x15 || head[0] === 0x16) && head[1] === 0x03) return 'tls';
  const text = head.toString('latin1');
  if (text.startsWith('HTTP')) return 'http';
  if (text.startsWith('SSH-')) return 'ssh';
  return 'other';
}
