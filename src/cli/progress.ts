/** Where the CLI writes: process.stdout and process.stderr, or a test's stand-in. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  /** A terminal's width; the text report wraps to it. */
  columns?: number;
}

/** Shown only on a terminal, and only once a run has lasted a second: quick runs stay quiet. */
const QUIET_MS = 1_000;

/** `[3/12] mailjet:587` on one rewritten stderr line. */
export class Progress {
  readonly #out: Output;
  readonly #started = performance.now();
  #shown = false;

  constructor(out: Output) {
    this.#out = out;
  }

  update(done: number, total: number, current: string): void {
    if (this.#out.isTTY !== true || performance.now() - this.#started < QUIET_MS) return;
    this.#shown = true;
    const line = `[${done}/${total}] ${current}`.slice(0, 79);
    this.#out.write(`\r\u001b[2K${line}`);
  }

  clear(): void {
    if (this.#shown) this.#out.write('\r\u001b[2K');
    this.#shown = false;
  }
}
