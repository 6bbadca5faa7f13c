/**
 * What the judge sees, shaped like the core's results: a session that connected and finished (`ok`), or
 * one stopped at the TCP connect, from any number of vantages. The judge and the views are pure
 * functions of this; test/system/egress-truth.test.ts makes the same cases happen with real packets.
 */
import { type Job, judge, type VantageAnswer } from '../../src/judge/index.js';
import type { TargetPlan } from '../../src/plan/types.js';
import type { ProbeResult, ProbeStatus } from '../../src/probe/index.js';
import { type Report, SCHEMA_VERSION, type VantageReport } from '../../src/result/model.js';

export type Seen = 'ok' | 'timeout' | 'refused' | 'unreachable';

/** A result as the core makes one: connected and finished (`ok`), or stopped at the TCP connect. */
export function result(host: string, port: number, seen: Seen): ProbeResult {
  const status: ProbeStatus = seen;
  const session = {
    address: host,
    family: 4 as const,
    status,
    stage: seen === 'ok' ? ('quit' as const) : ('connect' as const),
    explanation: seen === 'ok' ? 'ok' : `${seen} connecting to ${host} port ${port}`,
    timings: {},
    durationMs: seen === 'ok' ? 12 : 1000,
    smtp: { heloFallback: false, ...(seen === 'ok' ? { greeting: { code: 220, text: 'hi' } } : {}) },
    transcript: [],
    transcriptTruncated: false,
    retries: 0,
  };
  return {
    target: { host, port, mode: 'plain' },
    status,
    stage: session.stage,
    explanation: session.explanation,
    startedAt: new Date(0).toISOString(),
    durationMs: session.durationMs,
    dns: { addresses: [{ address: host, family: 4 }], durationMs: 0 },
    sessions: [session],
  };
}

export function job(name: string, host: string, port: number, control = false): Job {
  const target: TargetPlan = {
    name,
    host,
    mx: false,
    require: 'all',
    ports: [{ port, mode: 'plain', modeExplicit: true, expect: { tls: 'none' } }],
  };
  return {
    target,
    port: target.ports[0] as TargetPlan['ports'][number],
    ...(control ? { control: true } : {}),
  };
}

/** Runs the judge: `seen[label]` lists what that vantage saw of each job, in job order. */
export function attribute(
  jobs: Job[],
  seen: Record<string, Seen[]>,
  runner?: 'github-hosted',
  /** Vantages that could not answer at all, with why. */
  failed: Record<string, string> = {},
) {
  const answered: VantageAnswer[] = Object.entries(seen).map(([label, outcomes]) => ({
    label,
    kind: label === 'runner' ? 'runner' : 'aws-lambda',
    ...(label === 'runner' && runner ? { runner } : {}),
    outcomes: outcomes.map((s, i) => ({
      kind: 'probed',
      result: result((jobs[i] as Job).target.host, (jobs[i] as Job).port.port, s),
    })),
  }));
  const errors: VantageAnswer[] = Object.entries(failed).map(([label, error]) => ({
    label,
    kind: 'aws-lambda',
    error,
  }));
  return judge({ jobs, vantages: [...answered, ...errors], failOn: 'error' });
}

/** A whole Report from `attribute`, as the pipeline frames it, with the runner's facts when given. */
export function reportOf(
  jobs: Job[],
  seen: Record<string, Seen[]>,
  options: { runner?: 'github-hosted'; failed?: Record<string, string> } = {},
): Report {
  const judged = attribute(jobs, seen, options.runner, options.failed);
  const vantages: VantageReport[] = [...Object.keys(seen), ...Object.keys(options.failed ?? {})].map(
    (label): VantageReport =>
      label === 'runner'
        ? {
            label,
            kind: 'runner',
            ...(options.runner ? { facts: { provider: options.runner, runtime: 'node v24.0.0' } } : {}),
          }
        : {
            label,
            kind: 'aws-lambda',
            region: label.split(':')[1] ?? 'eu-west-1',
            ...(options.failed?.[label] ? { error: options.failed[label] } : {}),
          },
  );
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'smtp-port-probe', version: '0.0.0-test' },
    startedAt: new Date(0).toISOString(),
    durationMs: 1234,
    vantages,
    ...judged,
  };
}
