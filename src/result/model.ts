/**
 * The result model: what a run found, defined once. The pipeline builds it, the judge fills findings,
 * recommendations and the verdict, and every view in src/report renders it. Imports probe types only.
 */
import type {
  AuthFacts,
  EnvelopeFacts,
  Mode,
  Reply,
  SmtpFacts,
  Stage,
  TlsFacts,
  TlsVersion,
  TranscriptLine,
} from '../probe/index.js';
import { STATUSES } from '../probe/index.js';
import type { RuleId, Severity } from './rules.js';

export { RULES, type RuleId, SEVERITIES, type Severity } from './rules.js';
export type FailOn = 'error' | 'warning' | 'never';
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'never'];

/** Where a plan element came from, for error messages and annotations. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** What must hold for a port, as the user declared it; the judge fills in the defaults. */
export interface Expectations {
  /** false: the port must be blocked or closed (a relay that must not be exposed). Default true. */
  reachable?: boolean;
  /** Default `required`, except `optional` on port 25 (relays need not offer TLS) and `none` in mode plain. */
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

/** A row's status: the probe's catalogue, plus `forbidden` for a destination a remote vantage refused. */
export const REPORT_STATUSES = [...STATUSES, 'forbidden'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** The kinds of place a run probes from. */
export const VANTAGE_KINDS = ['runner', 'aws-lambda', 'function-url', 'gcp'] as const;
export type VantageKind = (typeof VANTAGE_KINDS)[number];

/**
 * What kind of machine the runner is, as its environment says (RUNNER_ENVIRONMENT, GITHUB_ACTIONS, CI):
 * a GitHub-hosted runner (Azure, whose subscriptions mostly block outbound 25), a self-hosted one, a
 * GitHub Actions runner that does not say which, another CI's, or a developer's machine.
 */
export const RUNNER_ENVIRONMENTS = ['github-hosted', 'self-hosted', 'github-actions', 'ci', 'local'] as const;
export type RunnerEnvironment = (typeof RUNNER_ENVIRONMENTS)[number];

/** One place the run probed from, with what it said about itself, or why it could not answer. */
export interface VantageReport {
  /** How rows, findings and recommendations name it: `runner`, `aws-lambda:eu-west-1`. */
  label: string;
  kind: VantageKind;
  region?: string;
  /**
   * What the vantage is: what a remote side said about itself (absent when it failed), or for the
   * runner what its environment says (`provider` is then a RunnerEnvironment).
   */
  facts?: {
    /** `aws-lambda`, `gcp-cloud-run`; for the runner `github-hosted`, `self-hosted`, `ci`, `local`. */
    provider: string;
    region?: string;
    functionName?: string;
    functionVersion?: string;
    runtime: string;
    architecture?: string;
    requestId?: string;
  };
  /** Why the vantage gave no results (403, timeout, function error); its rows are then missing. */
  error?: string;
}

/** Bumped on any incompatible change of the JSON report; `report.schema.json` describes it. */
export const SCHEMA_VERSION = 2;

/** One SMTP session: a target's port at one address, from one vantage (address null when DNS failed). */
export interface ResultRow {
  /** The target's display name (config `name`, else the host). */
  target: string;
  /** Where the session ran from (`runner`, `aws-lambda:eu-west-1`). */
  vantage: string;
  /** A control: a server known to answer from anywhere, probed as evidence, never recommended. */
  control?: true;
  host: string;
  port: number;
  mode: Mode;
  address: string | null;
  family: 4 | 6 | null;
  status: ReportStatus;
  stage: Stage;
  reply?: Reply;
  errorCode?: string;
  explanation: string;
  hint?: string;
  durationMs: number;
  timings: Partial<Record<Stage, number>>;
  smtp?: SmtpFacts;
  tls?: TlsFacts;
  auth?: AuthFacts;
  envelope?: EnvelopeFacts;
  retries: number;
  transcript: TranscriptLine[];
  transcriptTruncated: boolean;
}

export interface Finding {
  rule: RuleId;
  /** The vantage whose sessions it judges. */
  vantage: string;
  /** It judges a control (its severity is a warning at most). */
  control?: true;
  severity: Severity;
  /** What is wrong, in one line. */
  message: string;
  /** What to do about it. */
  hint: string;
  target: string;
  host: string;
  port: number;
  address: string | null;
  /** The config file line the finding judges, when a config file was used. */
  location?: SourceLocation;
}

export interface Recommendation {
  target: string;
  /** The vantage this recommendation is for: what to use from that network. */
  vantage: string;
  /** The port to configure from this network; null when none passes. */
  port: number | null;
  mode: Mode | null;
  /**
   * `works`: the port passes. `fails-expectations`: a port answers SMTP but no port meets the
   * expectations; `unreachable`: no port answered SMTP at all.
   */
  outcome: 'works' | 'fails-expectations' | 'unreachable';
  /** Why, in one sentence: "587 timed out; 2525 with STARTTLS, TLS 1.3, certificate valid 80 more days, works: use 2525". */
  reason: string;
}

export interface Verdict {
  pass: boolean;
  failOn: FailOn;
  errors: number;
  warnings: number;
  notices: number;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'smtp-port-probe'; version: string };
  startedAt: string;
  durationMs: number;
  configFile?: string;
  /** Every vantage of the run, in the order given; the runner alone when none was named. */
  vantages: VantageReport[];
  results: ResultRow[];
  findings: Finding[];
  recommendations: Recommendation[];
  verdict: Verdict;
}
