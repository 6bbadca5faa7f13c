import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { MODES, type TlsVersion } from '../probe/index.js';
import { isMailbox, resolveOptions } from '../probe/options.js';
import { cutInput, quoteInput } from '../result/settings.js';
import { parseControlSpec } from './controls.js';
import { parseDuration } from './duration.js';
import { parseHost, parseTargetSpec, redactCredentials } from './targets.js';
import { type Expectations, type FailOn, UsageError } from './types.js';

/** What the schema needs from outside the file: where relative paths start, and the environment. */
export interface SchemaContext {
  dir: string;
  env: Record<string, string | undefined>;
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const satisfies readonly TlsVersion[];
const FAIL_ON_VALUES = ['error', 'warning', 'never'] as const satisfies readonly FailOn[];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names a value for an error message: short, quoted, never a dump of a whole mapping. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return quoteInput(value);
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Drops keys whose value is undefined, so plans compare and serialise without holes. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** An error map for one schema: `expected <what>, got <value>`, or `missing` when the key is absent. */
function expected(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `missing, expected ${what}`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

/**
 * Reads a value with one of the plan's own parsers. The UsageError it throws becomes a problem at this
 * value's node, its message kept and its source (the parser's, not the file's) dropped.
 */
function via<S extends z.ZodType, O>(schema: S, read: (value: z.output<S>) => O) {
  return schema.transform((value, ctx) => {
    try {
      return read(value);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.text, input: value });
      return z.NEVER;
    }
  });
}

/** Suggests the nearest known key when the typo is small enough to be one. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const nearest = closest(key, [...known]);
  // A target URL YAML read as a key (`- smtp://user:pw@host: 587`) may carry a password.
  const shown = quoteInput(redactCredentials(key));
  return nearest && distance(key, nearest) <= Math.max(2, Math.floor(key.length / 3))
    ? `unknown key ${shown} (did you mean ${JSON.stringify(nearest)}?)`
    : `unknown key ${shown} (known keys: ${known.join(', ')})`;
}

/** A mapping that refuses unknown keys, naming the nearest known one (or what `explain` knows better). */
function mapping<T extends z.ZodRawShape>(shape: T, explain?: (key: string) => string | undefined) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return expected(`a mapping with ${known.join(', ')}`)(issue);
      const key = issue.keys[0] ?? '';
      return explain?.(key) ?? unknownKeyMessage(key, known);
    },
  });
}

/** YAML reads `[2001:db8::1]:587` as a list (or fails on it): the fix is quotes. */
export const IPV6_HINT =
  'YAML reads [...] as a list: quote a bracketed IPv6 address, as in "[2001:db8::1]:587"';

function expectedHost(what: string) {
  return (issue: { input?: unknown }) =>
    `${expected(what)(issue)}${Array.isArray(issue.input) ? ` (${IPV6_HINT})` : ''}`;
}

/** `- smtp.example.com: 587` is a mapping with a host for its key: a space after the colon. */
function hostAsKey(key: string): string | undefined {
  return /^[\w.-]+\.[\w-]+$/.test(key)
    ? `unknown key ${quoteInput(key)}: to give a target as text, write host:port with no space after the colon`
    : undefined;
}

function wholeNumber(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const error = expected(what);
  return z.number({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expected(`one of ${values.join(', ')}`) });
}

const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: expected(what) });
const bool = z.boolean({ error: expected('true or false') });
const portNumber = wholeNumber('a port number from 1 to 65535', 1, 65_535);
const mode = oneOf(MODES);
const tlsVersion = oneOf(TLS_VERSIONS);
const mailbox = z
  .string({ error: expected('a mail address like app@example.com') })
  .refine(isMailbox, { error: expected('a mail address like app@example.com') });

const duration = via(
  z.union([z.number(), z.string()], { error: expected('a duration such as 10s, 500ms, 2m') }),
  (value) => parseDuration(value, 'config'),
);

const banner = via(z.string({ error: expected('a regular expression') }), (value) => {
  try {
    new RegExp(value);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new UsageError(`invalid regular expression ${describeValue(value)}: ${reason}`);
  }
  return value;
});

const helo = via(text('a domain name'), (value) => {
  try {
    resolveOptions({ helo: value });
  } catch {
    throw new UsageError(
      `invalid helo ${describeValue(value)}: use a domain name such as ci.example.com or a literal such as [192.0.2.1]`,
    );
  }
  return value;
});

const expectSchema = mapping({
  reachable: bool.optional(),
  tls: oneOf(['required', 'optional', 'none']).optional(),
  min_tls: tlsVersion.optional(),
  cert: mapping({
    min_days: wholeNumber('a whole number of days, 0 or more', 0).optional(),
    trusted: bool.optional(),
    hostname: bool.optional(),
  }).optional(),
  auth: z.literal('ok', { error: expected('ok') }).optional(),
  max_latency: duration.optional(),
  banner: banner.optional(),
}).transform(
  (e): Expectations =>
    compact({
      reachable: e.reachable,
      tls: e.tls,
      minTls: e.min_tls,
      cert:
        e.cert && compact({ minDays: e.cert.min_days, trusted: e.cert.trusted, hostname: e.cert.hostname }),
      auth: e.auth,
      maxLatency: e.max_latency,
      banner: e.banner,
    }),
);

const portEntry = z.union(
  [
    portNumber.transform((port) => ({ port, mode: undefined, expect: undefined })),
    mapping({ port: portNumber, mode: mode.optional(), expect: expectSchema.optional() }),
  ],
  { error: expected('a port number or a mapping with port, mode, expect') },
);

/** Checks across keys of one target; each problem points at the key to fix (or its mapping if absent). */
function checkTarget(
  t: {
    host?: string;
    mx?: string;
    ports?: Array<{ port: number }>;
    username_env?: object;
    password_env?: object;
  },
  ctx: z.RefinementCtx,
): void {
  const problem = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (t.host === undefined && t.mx === undefined) {
    problem(['host'], "missing: give host (or mx for a domain's MX hosts)");
  }
  if (t.host !== undefined && t.mx !== undefined) problem(['mx'], 'give either host or mx, not both');
  if (t.mx !== undefined && t.ports !== undefined) {
    problem(['ports'], 'an mx target always probes port 25 on each MX host: remove ports');
  }
  if ((t.username_env === undefined) !== (t.password_env === undefined)) {
    const missing = t.username_env === undefined ? 'username_env' : 'password_env';
    problem([missing], 'missing: username_env and password_env go together');
  }
  // The same port twice is probed once; twice with different settings, it could not be told apart.
  const seen = new Map<number, string>();
  for (const [index, entry] of (t.ports ?? []).entries()) {
    const settings = JSON.stringify(entry);
    const earlier = seen.get(entry.port);
    if (earlier !== undefined && earlier !== settings) {
      problem(['ports', index], `port ${entry.port} is listed twice with different settings`);
    }
    seen.set(entry.port, settings);
  }
}

/** Builds the config schema; `ca_file` and the `*_env` keys are resolved while parsing, at their node. */
export function configSchema({ dir, env }: SchemaContext) {
  const caFile = via(text('a file name'), (name) => {
    const path = resolve(dir, name);
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`cannot read CA file ${describeValue(name)} (${cutInput(path, 120)}): ${code}`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`CA file ${describeValue(name)} holds no PEM certificate`);
    }
    return { path, pem };
  });

  const envName = via(text('the name of an environment variable'), (name) => {
    if (!ENV_NAME.test(name)) {
      // Not echoed: a password pasted here by mistake must not reach a log.
      throw new UsageError(
        'is not an environment variable name (letters, digits, _); the value is not shown',
      );
    }
    const value = env[name];
    // GitHub Actions turns a secret that is not set into an empty string: treat both the same.
    if (value === undefined || value === '') {
      throw new UsageError(`environment variable ${cutInput(name)} is not set or is empty`);
    }
    // The value itself is a secret: name the variable, never what it holds.
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`environment variable ${cutInput(name)} contains a line break or NUL`);
    }
    return { name, value };
  });

  const targetMapping = mapping(
    {
      name: text('a name').optional(),
      host: via(z.string({ error: expectedHost('a host name or IP address') }), (value) =>
        parseHost(value, 'host'),
      ).optional(),
      mx: via(
        text('a domain such as example.com'),
        (value) => parseTargetSpec(`mx:${value}`, 'mx').host,
      ).optional(),
      ports: z
        .array(portEntry, { error: expected('a list of ports') })
        .min(1, { error: expected('at least one port') })
        .optional(),
      mode: mode.optional(),
      require: oneOf(['all', 'any']).optional(),
      username_env: envName.optional(),
      password_env: envName.optional(),
      envelope: mapping({ from: mailbox, to: mailbox.optional() }).optional(),
      expect: expectSchema.optional(),
    },
    hostAsKey,
  ).superRefine(checkTarget);

  const defaults = mapping({
    timeout: duration.optional(),
    connect_timeout: duration.optional(),
    greeting_timeout: duration.optional(),
    command_timeout: duration.optional(),
    overall_timeout: duration.optional(),
    helo: helo.optional(),
    concurrency: wholeNumber('a whole number from 1 to 256', 1, 256).optional(),
    retries: wholeNumber('a whole number from 0 to 5', 0, 5).optional(),
    tls: mapping({
      ca_file: z
        .union([caFile, z.array(caFile).min(1)], { error: expected('a file name or a list of file names') })
        .optional(),
      min_version: tlsVersion.optional(),
      allow_unverified_auth: z.boolean({ error: expected('true or false') }).optional(),
      allow_plaintext_auth: z.boolean({ error: expected('true or false') }).optional(),
    }).optional(),
    expect: expectSchema.optional(),
  });

  const target = z.union(
    [via(z.string(), (value) => ({ spec: parseTargetSpec(value, 'target') })), targetMapping],
    { error: expectedHost('a target such as smtp.example.com:587, or a mapping with host and ports') },
  );

  // Only what says whether the port answers: no credentials, envelope or expectations.
  const control = z.union(
    [
      via(z.string(), (value) => ({ plan: parseControlSpec(value, 'control') })),
      mapping({
        name: text('a name').optional(),
        host: via(z.string({ error: expectedHost('a host name or IP address') }), (v) =>
          parseHost(v, 'host'),
        ),
        ports: z
          .array(z.union([portNumber.transform((port) => ({ port })), mapping({ port: portNumber, mode })]), {
            error: expected('a list of ports'),
          })
          .min(1, { error: expected('at least one port') }),
        mode: mode.optional(),
      }),
    ],
    { error: expectedHost('a control such as smtp.example.com:587, or a mapping with host and ports') },
  );

  return mapping({
    fail_on: oneOf(FAIL_ON_VALUES).optional(),
    defaults: defaults.optional(),
    targets: z.array(target, { error: expected('a list of targets') }).optional(),
    controls: z.array(control, { error: expected('a list of controls') }).optional(),
  });
}

export type ConfigData = z.output<ReturnType<typeof configSchema>>;
