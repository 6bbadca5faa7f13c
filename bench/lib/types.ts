/** What every benchmark suite returns: one table for the README, figures for latest.json, goals. */

export interface BenchContext {
  /** `--smoke`: every benchmark once, at a small size, to prove it still runs (CI). */
  smoke: boolean;
  /** How many samples a figure is the median of: `full` normally, 1 in smoke mode. */
  runs(full: number): number;
  /** The test CA, SASL user and password of the Postfix instance test/system/setup.sh started. */
  postfix: import('../../test/system/postfix-env.js').PostfixEnv | undefined;
  /** Why Postfix is not there (not root, no apt...), when it is not. */
  postfixMissing?: string;
  /** Progress for the person waiting, on stderr. */
  log(message: string): void;
}

export interface Table {
  columns: string[];
  rows: (string | number)[][];
}

export interface Goal {
  /** What the issue asked for, in words: `core ≤ 0.25 × nodemailer on Postfix 587`. */
  goal: string;
  /** The figure it is judged on, as shown. */
  measured: string;
  met: boolean;
}

export interface SuiteResult {
  id: string;
  title: string;
  /** One paragraph above the table: what was measured and how. */
  method: string;
  tables: Table[];
  /** Machine-readable figures for latest.json, by name: medians, ratios, counts. */
  figures: Record<string, number | string | null>;
  goals: Goal[];
  /** What the figures mean, what was found, what a reader should know. */
  notes: string[];
  /** Set when the suite could not run here, with the reason (no root, no Postfix...). */
  skipped?: string;
}

export interface Suite {
  id: string;
  title: string;
  run(context: BenchContext): Promise<SuiteResult>;
}
