import { DEFAULT_TIMEOUTS, type Mode, type TlsVersion } from '../probe/index.js';
import type { Expectations, FailOn, RunnerEnvironment, SourceLocation } from '../result/model.js';
import type { VantageSpec } from '../vantage/spec.js';

export { type Expectations, FAIL_ON, type FailOn, type SourceLocation } from '../result/model.js';
export { UsageError } from '../result/settings.js';

/** One port of a target, as planned. */
export interface PortPlan {
  port: number;
  mode: Mode;
  /** The mode was chosen by the user (flag, input, config, `smtps://`), not by the port's default. */
  modeExplicit: boolean;
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
  tls: {
    /** Extra trusted CA certificates, PEM text (files are read while planning). */
    ca?: string[];
    minVersion?: TlsVersion;
    /** Send credentials to a server whose chain or name did not verify: the user's explicit choice. */
    allowUnverifiedAuth?: boolean;
    /** Send credentials without TLS at all: the user's explicit choice. */
    allowPlaintextAuth?: boolean;
  };
}

export interface Plan {
  targets: TargetPlan[];
  options: PlanOptions;
  failOn: FailOn;
  /** Where to probe from, in the order given; the runner alone by default. */
  vantages: VantageSpec[];
  /**
   * Servers known to answer from anywhere, probed by every vantage beside the targets: the evidence
   * that tells a network's egress block from a target that filters or is down. Never recommended.
   */
  controls?: TargetPlan[];
  /** What the runner is, from its environment: named in messages ("from GitHub-hosted runners"). */
  runner?: RunnerEnvironment;
  /** The config file the plan was read from, when there was one. */
  configFile?: string;
}

export const DEFAULT_PORTS: readonly number[] = [25, 465, 587, 2525];

/** The one place the run's defaults live; the CLI's help and action.yml describe these values. */
export const DEFAULT_OPTIONS: Readonly<PlanOptions> = {
  ...DEFAULT_TIMEOUTS,
  concurrency: 32,
  retries: 0,
  tls: {},
};
