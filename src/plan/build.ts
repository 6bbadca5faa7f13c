import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Mode, TlsVersion } from '../probe/index.js';
import { cutInput, quoteInput, type UsageSource } from '../result/settings.js';
import { parseVantages } from '../vantage/spec.js';
import { mergeControls, parseControlSpec } from './controls.js';
import { runnerEnvironment } from './runner-environment.js';
import { copyExpectations, parseTargetSpec, redactCredentials, toTargetPlan } from './targets.js';
import {
  type CredentialRefs,
  DEFAULT_OPTIONS,
  type Expectations,
  type FailOn,
  type Plan,
  type PlanOptions,
  type TargetPlan,
  UsageError,
} from './types.js';

/** Everything an adapter gathered: target specs, a config path, flag or input overrides. */
export interface PlanInput {
  targets: readonly string[];
  /** Names where target i came from, for error messages (`target "x"`, `--targets line 3`). */
  targetSource?: (index: number, spec: string) => string;
  /** An explicit config file; it must exist. */
  configPath?: string;
  /** A config file used only when it exists (`.github/smtp-probe.yml`). */
  defaultConfigPath?: string;
  failOn?: FailOn;
  mode?: Mode;
  ports?: readonly number[];
  caFiles?: readonly string[];
  /** CA certificates given as PEM text (the Action's `ca` input). */
  caPem?: readonly string[];
  minTls?: TlsVersion;
  /** The TLS expectation for every port (`expect.tls`), over the config file's. */
  expectTls?: NonNullable<Expectations['tls']>;
  /** Send credentials to a server whose certificate did not verify: the user's explicit, loud choice. */
  allowUnverifiedAuth?: boolean;
  /** Send credentials without TLS: the user's explicit, loud choice. */
  allowPlaintextAuth?: boolean;
  /** Vantage texts (`runner`, `aws-lambda:REGION:FUNCTION`, ...); the runner alone when empty. */
  vantages?: readonly string[];
  /** Controls (`host:587`): servers known to answer from anywhere, probed by every vantage. */
  controls?: readonly string[];
  /** Names where control i came from (`--control`, `input controls line 2`). */
  controlSource?: (index: number, spec: string) => string;
  /** Names where vantage i came from (`input vantages line 2`); the `vantages` setting by default. */
  vantageSource?: (index: number) => UsageSource;
  credentials?: CredentialRefs;
  /** Credentials given as values (the Action's inputs), for targets without their own. */
  auth?: { username: string; password: string };
  options?: Partial<Omit<PlanOptions, 'tls'>>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface BuiltPlan {
  plan: Plan;
  /** Things the user should hear about but that do not stop the run. */
  warnings: string[];
}

/** Config file first, then flags over it; targets from both. Throws UsageError for every mistake. */
export async function buildPlan(input: PlanInput): Promise<BuiltPlan> {
  const warnings: string[] = [];
  const configPath = input.configPath ?? (await existing(input.defaultConfigPath, input.cwd));
  // Loaded only with a config file: YAML and the schema library are half of the CLI's start-up.
  const config = configPath
    ? await (await import('./config.js')).loadConfig(configPath, input.env, input.cwd)
    : undefined;

  const vantages = parseVantages(
    input.vantages ?? [],
    input.vantageSource ?? ((i) => ({ setting: 'vantages', detail: `(${i + 1})` })),
  );
  const credentials =
    input.auth ?? (input.credentials ? readCredentials(input.credentials, input.env) : undefined);
  const targets: TargetPlan[] = [];
  for (const t of config?.targets ?? []) {
    addTarget(
      targets,
      credentials && !t.auth
        ? { ...t, auth: credentials, ...(input.credentials ? { credentialRefs: input.credentials } : {}) }
        : t,
    );
  }
  input.targets.forEach((spec, i) => {
    const source = input.targetSource?.(i, spec) ?? `target ${quoteInput(redactCredentials(spec))}`;
    const parsed = parseTargetSpec(spec, source, {
      ...(input.ports ? { ports: input.ports } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
    });
    if (parsed.auth)
      warnings.push(
        `${parsed.display}: credentials in a target end up in shell history and logs; use \`auth\``,
      );
    const plan = toTargetPlan(parsed, config?.defaultExpect ? { expect: config.defaultExpect } : {});
    const withCredentials =
      !plan.auth && credentials
        ? { ...plan, auth: credentials, ...(input.credentials ? { credentialRefs: input.credentials } : {}) }
        : plan;
    addTarget(targets, withCredentials);
  });
  applyOverrides(targets, input);
  const controls = mergeControls(
    targets,
    config?.controls ?? [],
    (input.controls ?? []).map((spec, i) =>
      parseControlSpec(spec, input.controlSource?.(i, spec) ?? `control ${JSON.stringify(spec)}`),
    ),
  );
  if (targets.length === 0) {
    throw new UsageError(
      configPath
        ? `${cutInput(configPath)} lists no targets`
        : 'no targets: give host[:port] arguments or a config file (--config)',
    );
  }

  const ca = [
    ...(config?.options.tls?.ca ?? []),
    ...(input.caPem ?? []),
    ...(await Promise.all((input.caFiles ?? []).map((file) => readCa(file, input.cwd)))),
  ];
  const minVersion = input.minTls ?? config?.options.tls?.minVersion;
  const allowUnverifiedAuth = input.allowUnverifiedAuth ?? config?.options.tls?.allowUnverifiedAuth;
  const allowPlaintextAuth = input.allowPlaintextAuth ?? config?.options.tls?.allowPlaintextAuth;
  if (allowUnverifiedAuth) {
    warnings.push(
      '`allow_unverified_auth` is on: credentials go to servers whose certificate did not verify, where anyone on the path can take them',
    );
  }
  if (allowPlaintextAuth) {
    warnings.push('`allow_plaintext_auth` is on: credentials may cross the network unencrypted');
  }
  const options: PlanOptions = {
    ...DEFAULT_OPTIONS,
    ...stripUndefined(config?.options ?? {}),
    ...stripUndefined(input.options ?? {}),
    tls: {
      ...(ca.length > 0 ? { ca } : {}),
      ...(minVersion ? { minVersion } : {}),
      ...(allowUnverifiedAuth ? { allowUnverifiedAuth } : {}),
      ...(allowPlaintextAuth ? { allowPlaintextAuth } : {}),
    },
  };
  checkAuthExpectations(targets);
  return {
    plan: {
      targets,
      options,
      failOn: input.failOn ?? config?.failOn ?? 'error',
      vantages,
      ...(controls.length > 0 ? { controls } : {}),
      runner: runnerEnvironment(input.env),
      ...(configPath ? { configFile: configPath } : {}),
    },
    warnings,
  };
}

/**
 * What the adapter sets for every port goes over what the file says: the judged TLS minimum and the
 * TLS expectation.
 */
function applyOverrides(targets: TargetPlan[], input: PlanInput): void {
  if (!input.minTls && !input.expectTls) return;
  for (const target of targets) {
    for (const port of target.ports) {
      port.expect = copyExpectations({
        ...port.expect,
        ...(input.minTls ? { minTls: input.minTls } : {}),
        ...(input.expectTls ? { tls: input.expectTls } : {}),
      });
    }
  }
}

/** `expect.auth: ok` can only hold with credentials: without them it is a mistake, said before any probe. */
function checkAuthExpectations(targets: readonly TargetPlan[]): void {
  for (const target of targets) {
    const port = target.ports.find((p) => p.expect.auth === 'ok');
    if (port && !target.auth) {
      throw new UsageError(
        `target ${quoteInput(target.name)} expects AUTH to succeed (expect.auth: ok) but has no credentials: give them with \`auth\``,
        port.location ? `${port.location.file}:${port.location.line}:${port.location.column}` : undefined,
      );
    }
  }
}

async function existing(path: string | undefined, cwd: string): Promise<string | undefined> {
  if (!path) return undefined;
  try {
    await readFile(resolve(cwd, path));
    return path;
  } catch {
    return undefined;
  }
}

function readCredentials(
  refs: CredentialRefs,
  env: PlanInput['env'],
): { username: string; password: string } {
  const username = env[refs.usernameEnv];
  const password = env[refs.passwordEnv];
  // Name the variable, never its value.
  for (const [name, value] of [
    [refs.usernameEnv, username],
    [refs.passwordEnv, password],
  ] as const) {
    if (value === undefined || value === '') {
      throw new UsageError(`environment variable ${name} is not set`, { setting: 'auth' });
    }
    // The value would become part of an AUTH command: a line break would end it (RFC 4954 §4).
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(
        `environment variable ${name} contains a line break or NUL; the value is not shown`,
        {
          setting: 'auth',
        },
      );
    }
  }
  return { username: username as string, password: password as string };
}

async function readCa(file: string, cwd: string): Promise<string> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read CA file ${cutInput(file)} (${code})`, { setting: 'ca' });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`${cutInput(file)} holds no PEM certificate`, { setting: 'ca' });
  }
  return text;
}

/**
 * `a:25 a:587` is one target with two ports. Two targets may share a name only when nothing but their
 * ports differ; otherwise results could not be told apart.
 */
function addTarget(targets: TargetPlan[], target: TargetPlan): void {
  const same = targets.find((t) => t.name === target.name);
  if (!same) {
    targets.push(target);
    return;
  }
  const sameSettings =
    same.host === target.host &&
    same.mx === target.mx &&
    same.require === target.require &&
    JSON.stringify([same.auth, same.envelope]) === JSON.stringify([target.auth, target.envelope]);
  if (!sameSettings) {
    throw new UsageError(
      `target ${quoteInput(target.name)} is listed twice with different settings; give each a distinct name`,
    );
  }
  for (const port of target.ports) {
    if (!same.ports.some((p) => p.port === port.port)) same.ports.push(port);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
