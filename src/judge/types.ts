import type { PortPlan, TargetPlan } from '../plan/types.js';
import type { ProbeResult } from '../probe/index.js';
import type { FailOn, RunnerEnvironment, VantageKind } from '../result/model.js';

/** One planned port of one (MX-expanded) target: what every vantage was asked to probe. */
export interface Job {
  target: TargetPlan;
  port: PortPlan;
  /** A control: probed as evidence about its port, never recommended, its findings warnings at most. */
  control?: true;
}

/** What one vantage made of one job. */
export type JobOutcome =
  | { kind: 'probed'; result: ProbeResult }
  /** The vantage's destination policy refused it before sending a packet. */
  | { kind: 'refused'; host: string; address?: string; reason: string }
  /** The vantage answered, but not for this job. */
  | { kind: 'missing'; reason: string };

/** One vantage's answer: an outcome per job (index-aligned with the jobs), or why there is none. */
export type VantageAnswer = {
  label: string;
  kind: VantageKind;
  /** For the runner: what it is, so that messages say "from GitHub-hosted runners". */
  runner?: RunnerEnvironment;
} & ({ outcomes: JobOutcome[] } | { error: string });

export interface JudgeInput {
  jobs: readonly Job[];
  vantages: readonly VantageAnswer[];
  failOn: FailOn;
}

/** A job probed from one vantage, with its result: what the per-session rules judge. */
export interface Probed {
  job: Job;
  vantage: string;
  result: ProbeResult;
}

/** How far a job got from one vantage, for attribution: connected, or how the connect failed. */
export type Reach = 'reached' | ConnectFailure | 'other';
export type ConnectFailure = 'timeout' | 'refused' | 'unreachable' | 'reset';

/** The attribution verdicts, each a rule id (src/result/rules.ts). */
export type EgressVerdict = 'egress-blocked' | 'target-filtered' | 'target-down' | 'inconclusive';

/** What the truth table reads for one cell, and what its message names as evidence. */
export interface CellEvidence {
  /** The job judged and the vantage it failed from. */
  subject: number;
  vantage: number;
  /** Other jobs on the port that answered from this vantage. */
  openHere: number[];
  /** Controls on the port that answered from at least one vantage. */
  liveControls: number[];
  /** Every control on the port. */
  controls: number[];
  /** Vantages (other than this one) the subject answered from. */
  elsewhere: number[];
  /** Vantages that probed the subject at all. */
  tried: number[];
}

/** reach[job][vantage], undefined where the vantage has no result for the job. */
export type ReachGrid = Array<Array<Reach | undefined>>;
