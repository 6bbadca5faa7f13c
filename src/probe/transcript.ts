import type { Redactor } from './redact.js';
import type { TranscriptLine } from './types.js';

/**
 * The session's conversation, capped in size. Callers pass a display form for what they send that is
 * secret (`AUTH PLAIN ****`); what the server sends back is passed through the redactor, before a long
 * line is cut, so that a cut can never leave half a secret behind.
 */
export class Transcript {
  readonly lines: TranscriptLine[] = [];
  truncated = false;
  readonly #start: number;
  readonly #maxBytes: number;
  readonly #redact: Redactor;
  #bytes = 0;

  constructor(start: number, maxBytes: number, redact: Redactor) {
    this.#start = start;
    this.#maxBytes = maxBytes;
    this.#redact = redact;
  }

  add(dir: TranscriptLine['dir'], raw: string): void {
    if (this.truncated) return;
    const text = this.#redact(raw);
    // Control characters would let a hostile server forge lines in a terminal or a log; C1 too (U+009B
    // is CSI, an escape sequence in one character).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
    const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
    const size = clean.length + 16;
    if (this.#bytes + size > this.#maxBytes) {
      this.truncated = true;
      this.lines.push({
        at: this.#elapsed(),
        dir: '*',
        text: `transcript truncated at ${this.#maxBytes} bytes`,
      });
      return;
    }
    this.#bytes += size;
    this.lines.push({
      at: this.#elapsed(),
      dir,
      text: clean.length > 512 ? `${clean.slice(0, 512)}…` : clean,
    });
  }

  #elapsed(): number {
    return Math.round(performance.now() - this.#start);
  }
}
