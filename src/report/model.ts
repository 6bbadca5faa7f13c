import type { RuleId } from '../plan/rules.js';
import type { FailOn, Severity, SourceLocation } from '../plan/types.js';
import type {
  AuthFacts,
  EnvelopeFacts,
  Mode,
  Reply,
  SmtpFacts,
  Stage,
  TlsFacts,
  TranscriptLine,
} from '../probe/index.js';
import { STATUSES } from '../probe/index.js';

/** A row's status: the probe's catalogue, plus `forbidden` for a destination a remote vantage refused. */
export const REPORT_STATUSES = [...STATUSES, 'forbidden'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Where the probes ran from. */
export interface Vantage {
  kind: 'runner' | 'aws-lambda';
  region?: string;
  functionName?: string;
  architecture?: string;
  requestId?: string;
}

export interface VantageOutcome {
  label: string;
  kind: 'runner' | 'aws-lambda' | 'function-url';
  region?: string;
  /** Why the vantage gave no results (403, timeout, function error); its rows are then missing. */
  error?: string;
}

/** Bumped on any incompatible change of the JSON report; `report.schema.json` describes it. */
export const SCHEMA_VERSION = 1;

/** One SMTP session: a target's port at one address (address null when DNS failed). */
export interface ResultRow {
  /** The target's display name (config `name`, else the host). */
  target: string;
  /** Where the session ran from, when the run had more than one vantage (`runner`, `aws-lambda:eu-west-1`). */
  vantage?: string;
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
  /** The vantage whose sessions it judges, in a run with several. */
  vantage?: string;
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
  /** The vantage this recommendation is for, in a run with several: what to use from that network. */
  vantage?: string;
  /** The port to configure from this network; null when nothing works. */
  port: number | null;
  mode: Mode | null;
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
  /** Where this report was made (a remote vantage says so in its own report). */
  vantage?: Vantage;
  /** The vantages of a multi-vantage run, and the error of any that could not answer. */
  vantages?: VantageOutcome[];
  results: ResultRow[];
  findings: Finding[];
  recommendations: Recommendation[];
  verdict: Verdict;
}
