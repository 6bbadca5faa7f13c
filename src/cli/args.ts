import { parseArgs } from 'node:util';
import { closest } from 'fastest-levenshtein';
import { parseDuration } from '../plan/duration.js';
import { type Expectations, FAIL_ON, type FailOn, UsageError } from '../plan/types.js';
import { isHeloName, MODES, type Mode, type TlsVersion } from '../probe/index.js';
import { FORMATS, type Format } from '../report/index.js';
import { cutInput, quoteInput } from '../result/settings.js';

export interface CliArgs {
  command: 'probe' | 'demo' | 'help' | 'version';
  targets: string[];
  config?: string;
  format: Format;
  output?: string;
  failOn?: FailOn;
  timeout?: number;
  connectTimeout?: number;
  greetingTimeout?: number;
  commandTimeout?: number;
  overallTimeout?: number;
  concurrency?: number;
  retries?: number;
  helo?: string;
  mode?: Mode;
  ports?: number[];
  caFiles: string[];
  minTls?: TlsVersion;
  expectTls?: NonNullable<Expectations['tls']>;
  allowUnverifiedAuth: boolean;
  allowPlaintextAuth: boolean;
  credentials?: { usernameEnv: string; passwordEnv: string };
  verbose: boolean;
  vantages: string[];
  controls: string[];
}

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  timeout: { type: 'string', short: 't' },
  'connect-timeout': { type: 'string' },
  'greeting-timeout': { type: 'string' },
  'command-timeout': { type: 'string' },
  'overall-timeout': { type: 'string' },
  concurrency: { type: 'string' },
  retries: { type: 'string' },
  helo: { type: 'string' },
  mode: { type: 'string' },
  ports: { type: 'string', short: 'p' },
  ca: { type: 'string', multiple: true },
  'min-tls': { type: 'string' },
  'expect-tls': { type: 'string' },
  'allow-unverified-auth': { type: 'boolean' },
  'allow-plaintext-auth': { type: 'boolean' },
  vantage: { type: 'string', multiple: true },
  control: { type: 'string', multiple: true },
  'auth-user-env': { type: 'string' },
  'auth-pass-env': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export const USAGE = `Usage: smtp-probe [targets...] [options]
       smtp-probe demo            probe embedded local servers (works offline)

Targets: host (ports 25,465,587,2525), host:587, host:25,465,587, [2001:db8::1]:587,
         smtp://host:587, smtps://host (465, implicit TLS), mx:example.com (port 25 on each MX)

Options:
  -c, --config FILE          YAML config (default: .github/smtp-probe.yml when present)
  -f, --format FORMAT        text | json | markdown | junit (default text)
  -o, --output FILE          write the report to FILE instead of stdout
      --fail-on LEVEL        error | warning | never (default error)
  -t, --timeout D            per-target deadline, e.g. 30s (default 30s)
      --connect-timeout D    TCP connect (default 10s)
      --greeting-timeout D   waiting for the 220 greeting (default 10s)
      --command-timeout D    each reply and TLS handshake (default 10s)
      --overall-timeout D    one deadline for the whole run
      --concurrency N        targets probed at once (default 32)
      --retries N            retries after a 4xx reply (default 0)
      --helo NAME            EHLO name (default: this machine's host name)
      --mode MODE            starttls | tls | plain (default: tls on 465, starttls elsewhere)
  -p, --ports LIST           ports for targets given without one, e.g. 587,2525
      --ca FILE              extra trusted CA certificate(s), PEM; repeatable
      --min-tls VERSION      lowest TLS version to accept: TLSv1.2 (default) or TLSv1.3, ...
      --expect-tls LEVEL     required | optional | none (default: required; optional on 25;
                             none with --mode plain)
      --vantage V            where to probe from, repeatable: runner (default),
                             aws-lambda:REGION:FUNCTION[:QUALIFIER] or a Lambda ARN,
                             https://ID.lambda-url.REGION.on.aws/ (AWS credentials from the default chain),
                             gcp:REGION:URL (a Cloud Run function; Google ID token from
                             SMTP_PROBE_GCP_ID_TOKEN, else minted from Application Default Credentials)
      --control HOST:PORT    a server known to answer on PORT from anywhere, probed from every vantage
                             as evidence: tells this network's block from a target's; repeatable
      --auth-user-env VAR    environment variable holding the SMTP username
      --auth-pass-env VAR    environment variable holding the SMTP password
      --allow-unverified-auth  UNSAFE: send the credentials even when the server's certificate
                             does not verify (chain or name); by default they are withheld
      --allow-plaintext-auth UNSAFE: send the credentials without TLS (mode plain)
  -v, --verbose              show every session's transcript
  -h, --help                 this help
  -V, --version              the version

Exit codes: 0 verdict pass, 1 verdict fail, 2 usage or config error.`;

const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const TLS_EXPECTATIONS = ['required', 'optional', 'none'] as const;

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${quoteInput(value)} is not one of ${allowed.join(', ')}`, flag);
}

function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`${quoteInput(value)} must be a whole number from ${min} to ${max}`, flag);
  }
  return n;
}

/** `--ports 587,2525`; a port given twice is probed once. */
function portList(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ports = value.split(',').map((part) => wholeNumber('--ports', part.trim(), 1, 65_535) as number);
  return [...new Set(ports)];
}

function envName(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(value)) {
    throw new UsageError(`${quoteInput(value)} is not an environment variable name`, flag);
  }
  return value;
}

/** Turns argv into CliArgs; every mistake is a UsageError naming the flag and the value. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw cliParseError(error);
  }
  const { values: v, positionals } = parsed;
  const command = v.help ? 'help' : v.version ? 'version' : positionals[0] === 'demo' ? 'demo' : 'probe';
  const user = envName('--auth-user-env', v['auth-user-env']);
  const pass = envName('--auth-pass-env', v['auth-pass-env']);
  if ((user === undefined) !== (pass === undefined)) {
    throw new UsageError(
      'give both --auth-user-env and --auth-pass-env, or neither',
      user ? '--auth-pass-env' : '--auth-user-env',
    );
  }
  const duration = (flag: keyof typeof OPTIONS) => {
    const value = v[flag];
    return typeof value === 'string' ? parseDuration(value, `--${flag}`) : undefined;
  };
  const args: CliArgs = {
    command,
    targets: command === 'demo' ? positionals.slice(1) : positionals,
    format: oneOf('--format', v.format, FORMATS) ?? 'text',
    caFiles: v.ca ?? [],
    allowUnverifiedAuth: v['allow-unverified-auth'] === true,
    allowPlaintextAuth: v['allow-plaintext-auth'] === true,
    vantages: v.vantage ?? [],
    controls: v.control ?? [],
    verbose: v.verbose === true,
  };
  const set = <K extends keyof CliArgs>(key: K, value: CliArgs[K] | undefined) => {
    if (value !== undefined) args[key] = value;
  };
  set('config', v.config);
  set('output', v.output);
  set('failOn', oneOf('--fail-on', v['fail-on'], FAIL_ON));
  set('timeout', duration('timeout'));
  set('connectTimeout', duration('connect-timeout'));
  set('greetingTimeout', duration('greeting-timeout'));
  set('commandTimeout', duration('command-timeout'));
  set('overallTimeout', duration('overall-timeout'));
  set('concurrency', wholeNumber('--concurrency', v.concurrency, 1, 256));
  set('retries', wholeNumber('--retries', v.retries, 0, 5));
  if (v.helo !== undefined && !isHeloName(v.helo)) {
    throw new UsageError(`${quoteInput(v.helo)} is not a domain name or address literal`, '--helo');
  }
  set('helo', v.helo);
  set('mode', oneOf('--mode', v.mode, MODES));
  set('minTls', oneOf('--min-tls', v['min-tls'], TLS_VERSIONS));
  set('expectTls', oneOf('--expect-tls', v['expect-tls'], TLS_EXPECTATIONS));
  set('ports', portList(v.ports));
  if (user && pass) args.credentials = { usernameEnv: user, passwordEnv: pass };
  if (command === 'demo' && args.targets.length > 0) {
    throw new UsageError(`demo takes no targets, got ${quoteInput(args.targets[0] ?? '')}`, 'demo');
  }
  return args;
}

/** node:util's parse errors, made into one line that names the option and suggests the nearest. */
function cliParseError(error: unknown): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown?.[1]) {
    const flag = unknown[1];
    const known = Object.keys(OPTIONS).map((name) => `--${name}`);
    const nearest = flag.startsWith('--') ? closest(flag, known) : undefined;
    return new UsageError(`unknown option${nearest ? ` (did you mean ${nearest}?)` : ''}`, cutInput(flag));
  }
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous?.[1]) {
    return new UsageError(
      `its value starts with "-"; write ${ambiguous[1]}=VALUE if that is meant`,
      ambiguous[1],
    );
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing?.[1]) return new UsageError('needs a value', missing[1]);
  return new UsageError(message.split('\n')[0] ?? message);
}
