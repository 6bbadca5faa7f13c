import type { Report } from './model.js';

/**
 * The user's settings by one neutral name each. Below the adapters, a hint or an error that tells the
 * user to change something names the setting as a backticked id (`helo`, `expect.tls`); each adapter
 * spells it its own way (`--helo`, input `helo`, `helo:` in the config file) with `spell`. So an Action
 * user is never told about a CLI flag, and the core never learns an adapter's words.
 */

export const SETTINGS = [
  'targets',
  'config',
  'ports',
  'mode',
  'timeout',
  'connect_timeout',
  'greeting_timeout',
  'command_timeout',
  'overall_timeout',
  'concurrency',
  'retries',
  'helo',
  'ca',
  'min_tls',
  'expect.tls',
  'expect.cert.min_days',
  'auth',
  'allow_unverified_auth',
  'allow_plaintext_auth',
  'envelope',
  'fail_on',
  'vantages',
  'controls',
  'gcp_id_token',
] as const;
export type SettingId = (typeof SETTINGS)[number];

/** How one adapter writes a setting: `--connect-timeout`, `input connect-timeout`. */
export type Spelling = Readonly<Record<SettingId, string>>;

const ESCAPED = SETTINGS.map((id) => id.replace(/\./g, '\\.'))
  // Longest first, so that `expect.tls` is not read as a shorter id.
  .sort((a, b) => b.length - a.length);
const REFERENCE = new RegExp(`\`(${ESCAPED.join('|')})\``, 'g');

/** Every backticked setting id in `text`, written the adapter's way; other text is left alone. */
export function spell(text: string, spelling: Spelling): string {
  return text.replace(REFERENCE, (_, id: SettingId) => spelling[id]);
}

/** The settings a text refers to (for tests that check every hint can be spelled). */
export function settingsIn(text: string): SettingId[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1] as SettingId);
}

/** The most of a user's value an error message repeats: enough to recognise it, never a whole file. */
export const ECHO_MAX = 60;
/** The longest line a usage error prints, whatever it repeats (a last guard; quoteInput cuts first). */
const LINE_MAX = 1_000;

/**
 * A value the user gave, cut to a readable length for an error message: `abc…` plus, when cut, how
 * long it really was. A 5 MB flag or config value is never echoed whole.
 */
export function cutInput(value: string, max = ECHO_MAX): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** `cutInput`, quoted as JSON: control characters (CR, LF, NUL) show as escapes, on one line. */
export function quoteInput(value: string, max = ECHO_MAX): string {
  return value.length <= max
    ? JSON.stringify(value)
    : `${JSON.stringify(`${value.slice(0, max)}…`)} (${value.length} characters)`;
}

/** Where a usage mistake is: a place in a file or an adapter's own words, or a setting to spell. */
export type UsageSource = string | { setting: SettingId; detail?: string };

/**
 * A mistake in what the user gave us: a setting, a target, a config file. Exit code 2 (or a failed
 * step), one line, no stack. `message` may name settings as backticked ids; `describe` spells them.
 */
export class UsageError extends Error {
  readonly source: UsageSource | undefined;
  readonly text: string;

  constructor(text: string, source?: UsageSource) {
    super(
      source === undefined
        ? text
        : `${typeof source === 'string' ? source : `\`${source.setting}\``}: ${text}`,
    );
    this.name = 'UsageError';
    this.source = source;
    this.text = text;
  }

  /** The one line to show, every setting spelled the adapter's way. */
  describe(spelling: Spelling): string {
    const where =
      this.source === undefined
        ? ''
        : typeof this.source === 'string'
          ? `${this.source}: `
          : `${spelling[this.source.setting]}${this.source.detail ? ` ${this.source.detail}` : ''}: `;
    // One line, whatever a parser's message or an unquoted path held.
    const line = spell(`${where}${this.text}`, spelling).replace(/[\r\n\u2028\u2029]+/g, ' ');
    return line.length <= LINE_MAX ? line : `${line.slice(0, LINE_MAX)}…`;
  }
}

/**
 * The report with every setting in its hints and messages spelled for the user: the adapter's way,
 * or the config file's way for what a config file line produced (it has a location there).
 */
export function spellReport(report: Report, adapter: Spelling, config: Spelling): Report {
  const say = (text: string, fromFile: boolean) => spell(text, fromFile ? config : adapter);
  return {
    ...report,
    vantages: report.vantages.map((v) => (v.error === undefined ? v : { ...v, error: say(v.error, false) })),
    results: report.results.map((row) => ({
      ...row,
      explanation: say(row.explanation, false),
      ...(row.hint === undefined ? {} : { hint: say(row.hint, false) }),
    })),
    findings: report.findings.map((f) => ({
      ...f,
      message: say(f.message, f.location !== undefined),
      hint: say(f.hint, f.location !== undefined),
    })),
    recommendations: report.recommendations.map((r) => ({ ...r, reason: say(r.reason, false) })),
  };
}
