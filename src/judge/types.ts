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
} & (
  | { outcomes: JobOutcome[] }
  | { error: string }
);

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
