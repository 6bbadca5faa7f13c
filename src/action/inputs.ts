import * as core from '@actions/core';
import type { PlanInput } from '../plan/build.js';
import { parseDuration } from '../plan/duration.js';
import { parsePortList, redactCredentials } from '../plan/targets.js';
import { type Expectations, FAIL_ON, type FailOn, UsageError } from '../plan/types.js';
import { isHeloName, MODES, type Mode, type TlsVersion } from '../probe/index.js';
import { quoteInput } from '../result/settings.js';

export const PR_COMMENT = ['off', 'on-failure', 'always'] as const;
export type PrCommentMode = (typeof PR_COMMENT)[number];

/** Everything the Action was given, checked in one place. */
export interface ActionInputs {
  plan: Omit<PlanInput, 'env' | 'cwd'>;
  token: string;
  /** Google ID tokens for GCP vantages: input `gcp-id-token`, else SMTP_PROBE_GCP_ID_TOKEN. */
  gcpIdToken: string;
  checkRun: { enabled: boolean; name: string };
  prComment: PrCommentMode;
}

function input(name: string): string {
  return core.getInput(name).trim();
}

function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = input(name) || fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${quoteInput(value)} is not one of ${allowed.join(', ')}`, `input ${name}`);
}

const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const TLS_EXPECTATIONS = ['required', 'optional', 'none'] as const;

function optionalChoice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
  const value = input(name);
  if (value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${quoteInput(value)} is not one of ${allowed.join(', ')}`, `input ${name}`);
}

function optionalDuration(name: string): number | undefined {
  const value = input(name);
  return value === '' ? undefined : parseDuration(value, `input ${name}`);
}

function flag(name: string, fallback: boolean): boolean {
  const value = input(name).toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', 'on'].includes(value)) return true;
  if (['false', 'no', 'off'].includes(value)) return false;
  throw new UsageError(`${quoteInput(value)} is not true or false`, `input ${name}`);
}

/** `targets`: one per line (or several per line, space-separated); `#` starts a comment. */
export function targetLines(text: string): Array<{ spec: string; line: number }> {
  return text.split('\n').flatMap((raw, i) =>
    (raw.split('#')[0] ?? '')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((spec) => ({ spec, line: i + 1 })),
  );
}

/**
 * Reads and checks every input. The password and the user name (some providers' user name is an API
 * token) are registered as secrets before anything else runs, so the runner masks them in every log.
 */
export function readInputs(): ActionInputs {
  const password = core.getInput('auth-password');
  if (password) core.setSecret(password);
  const username = input('auth-username');
  if (username) core.setSecret(username);
  const gcpIdToken = input('gcp-id-token') || (process.env.SMTP_PROBE_GCP_ID_TOKEN ?? '').trim();
  for (const token of gcpIdToken.split(/[\s,]+/).filter(Boolean)) core.setSecret(token);
  if ((username === '') !== (password === '')) {
    throw new UsageError(
      'give both auth-username and auth-password, or neither',
      `input ${username ? 'auth-password' : 'auth-username'}`,
    );
  }
  // The value would become part of an AUTH command: a line break would end it (RFC 4954 §4).
  for (const [name, value] of [
    ['auth-username', username],
    ['auth-password', password],
  ] as const) {
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError('contains a line break or NUL; the value is not shown', `input ${name}`);
    }
  }
  const targets = targetLines(core.getInput('targets'));
  const timeout = input('timeout');
  const concurrencyText = input('concurrency');
  const concurrency = concurrencyText === '' ? undefined : Number(concurrencyText);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) {
    throw new UsageError(
      `${quoteInput(concurrencyText)} must be a whole number from 1 to 256`,
      'input concurrency',
    );
  }
  const helo = input('helo');
  if (helo && !isHeloName(helo))
    throw new UsageError(`${quoteInput(helo)} is not a domain name or address literal`, 'input helo');
  const mode = input('mode');
  if (mode && !(MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`${quoteInput(mode)} is not one of ${MODES.join(', ')}`, 'input mode');
  }
  const vantageLines = targetLines(input('vantages') || 'runner');
  const controlLines = targetLines(core.getInput('controls'));
  const retriesText = input('retries');
  const retries = retriesText === '' ? undefined : Number(retriesText);
  if (retries !== undefined && (!/^\d+$/.test(retriesText) || retries > 5)) {
    throw new UsageError(`${quoteInput(retriesText)} must be a whole number from 0 to 5`, 'input retries');
  }
  const minTls = optionalChoice('min-tls', TLS_VERSIONS);
  const expectTls: NonNullable<Expectations['tls']> | undefined = optionalChoice(
    'expect-tls',
    TLS_EXPECTATIONS,
  );
  const connectTimeout = optionalDuration('connect-timeout');
  const greetingTimeout = optionalDuration('greeting-timeout');
  const commandTimeout = optionalDuration('command-timeout');
  const ca = core.getInput('ca').trim();
  const ports = input('ports');
  const config = input('config');
  const failOn: FailOn = choice('fail-on', FAIL_ON, 'error');
  return {
    plan: {
      targets: targets.map((t) => t.spec),
      targetSource: (i, spec) =>
        `input targets line ${targets[i]?.line ?? i + 1} (${quoteInput(redactCredentials(spec))})`,
      ...(config ? { configPath: config } : { defaultConfigPath: '.github/smtp-probe.yml' }),
      failOn,
      ...(mode ? { mode: mode as Mode } : {}),
      ...(ports ? { ports: parsePortList(ports, 'input ports') } : {}),
      ...(ca.includes('-----BEGIN CERTIFICATE-----') ? { caPem: [ca] } : ca ? { caFiles: [ca] } : {}),
      ...(username ? { auth: { username, password } } : {}),
      ...(minTls ? { minTls } : {}),
      ...(expectTls ? { expectTls } : {}),
      ...(flag('allow-unverified-auth', false) ? { allowUnverifiedAuth: true } : {}),
      ...(flag('allow-plaintext-auth', false) ? { allowPlaintextAuth: true } : {}),
      vantages: vantageLines.map((v) => v.spec),
      vantageSource: (i) => `input vantages line ${vantageLines[i]?.line ?? i + 1}`,
      controls: controlLines.map((c) => c.spec),
      controlSource: (i, spec) =>
        `input controls line ${controlLines[i]?.line ?? i + 1} (${JSON.stringify(redactCredentials(spec))})`,
      options: {
        ...(timeout ? { timeout: parseDuration(timeout, 'input timeout') } : {}),
        ...(connectTimeout !== undefined ? { connectTimeout } : {}),
        ...(greetingTimeout !== undefined ? { greetingTimeout } : {}),
        ...(commandTimeout !== undefined ? { commandTimeout } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(retries !== undefined ? { retries } : {}),
        ...(helo ? { helo } : {}),
      },
    },
    token: core.getInput('github-token'),
    gcpIdToken,
    checkRun: { enabled: flag('check-run', true), name: input('check-run-name') || 'SMTP ports' },
    prComment: choice('pr-comment', PR_COMMENT, 'on-failure'),
  };
}
