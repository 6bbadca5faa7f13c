import type { Mode, TlsVersion } from '../probe/index.js';

/** Where a plan element came from, for error messages and annotations. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type Severity = 'error' | 'warning' | 'notice';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'notice'];
export type FailOn = 'error' | 'warning' | 'never';
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'never'];

/** What must hold for a port; every field optional, defaults applied by `effectiveExpectations`. */
export interface Expectations {
  /** false: the port must be blocked or closed (a relay that must not be exposed). Default true. */
  reachable?: boolean;
  /** Default `required`, except `optional` on port 25 (relays need not offer TLS). */
  tls?: 'required' | 'optional' | 'none';
  /** Lowest acceptable TLS version. Default TLSv1.2. */
  minTls?: TlsVersion;
  cert?: {
    /** Days of validity left below which the certificate is `cert-expiring`. Default 14. */
    minDays?: number;
    /** The chain must verify. Default true. */
    trusted?: boolean;
    /** The certificate must name the host. Default true. */
    hostname?: boolean;
  };
  /** `ok`: AUTH must succeed (implied when credentials are given). */
  auth?: 'ok';
  /** The whole session must finish within this many ms. */
  maxLatency?: number;
  /** A regular expression the greeting must match. */
  banner?: string;
}

/** One port of a target, as planned. */
export interface PortPlan {
  port: number;
  mode: Mode;
  expect: Expectations;
  location?: SourceLocation;
}

/** Credentials named by environment variable; values are read at run time, never stored in files. */
export interface CredentialRefs {
  usernameEnv: string;
  passwordEnv: string;
}

export interface TargetPlan {
  /** Display name: the config's `name`, else the host. */
  name: string;
  /** A host to probe, or with `mx`, the domain whose MX hosts are probed on port 25. */
  host: string;
  mx: boolean;
  ports: PortPlan[];
  /** `any`: the ports are alternatives, the target passes when one of them does. */
  require: 'all' | 'any';
  /** Credentials given inline (URL `user:pass@`, CLI env flags resolved); never printed. */
  auth?: { username: string; password: string };
  credentialRefs?: CredentialRefs;
  /** MAIL FROM / RCPT TO then RSET: proves the relay accepts this sender. Never DATA. */
  envelope?: { from: string; to?: string };
  location?: SourceLocation;
}

export interface PlanOptions {
  timeout: number;
  connectTimeout: number;
  greetingTimeout: number;
  commandTimeout: number;
  helo?: string;
  concurrency: number;
  retries: number;
  overallTimeout?: number;
  tls: { ca?: string[]; caFiles?: string[]; minVersion?: TlsVersion };
}

export interface Plan {
  targets: TargetPlan[];
  options: PlanOptions;
  failOn: FailOn;
  /** The config file the plan was read from, when there was one. */
  configFile?: string;
}

export const DEFAULT_PORTS: readonly number[] = [25, 465, 587, 2525];

export const DEFAULT_OPTIONS: Readonly<PlanOptions> = {
  timeout: 30_000,
  connectTimeout: 10_000,
  greetingTimeout: 10_000,
  commandTimeout: 10_000,
  concurrency: 32,
  retries: 0,
  tls: {},
};

/** A mistake in what the user gave us: a flag, a target, a config file. Exit code 2, one line, no stack. */
export class UsageError extends Error {
  /** `--timeout`, `targets[2]`, or `file:line:column`. */
  readonly source: string | undefined;

  constructor(message: string, source?: string) {
    super(source ? `${source}: ${message}` : message);
    this.name = 'UsageError';
    this.source = source;
  }
}
