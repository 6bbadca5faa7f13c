/**
 * The one pipeline: plan → jobs → probed here or asked of remote vantages, all at once → every
 * vantage judged with the same rules, once → the Report. Every entry point runs this.
 */
import { judge, type VantageAnswer } from '../judge/index.js';
import type { Plan } from '../plan/types.js';
import type { Lookup, MxLookup } from '../probe/index.js';
import { type Report, SCHEMA_VERSION, type VantageReport } from '../result/model.js';
import type { RemoteVantageSpec } from '../vantage/spec.js';
import { VERSION } from '../version.js';
import { probeHere } from './here.js';
import { planJobs } from './jobs.js';
import { askVantage, type Invoke } from './remote.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** Progress of the runner's own probes: how many are done of how many, and which one. */
  onProgress?: (done: number, total: number, current: string) => void;
  /** MX lookup (the system resolver by default). */
  resolveMx?: MxLookup;
  /** Address lookup for the runner's probes (tests pin names to local addresses with it). */
  lookup?: Lookup;
  /** How remote vantages are called (the cloud clients by default; loaded only when needed). */
  invoke?: Invoke;
  /** Google ID tokens for GCP vantages (the `gcp_id_token` setting): a secret, never reported. */
  gcpIdToken?: string;
}

/**
 * The cloud clients, loaded only for a run with a remote vantage of their cloud: each brings its SDK
 * along (the AWS SDK; google-auth-library, and that only when a token must be minted).
 */
function cloudInvoke(options: RunOptions): Invoke {
  return async (spec, body, signal) => {
    if (spec.kind === 'gcp') {
      const { invokeGcp } = await import('../vantage/gcp-client.js');
      return invokeGcp(spec, body, signal, options.gcpIdToken);
    }
    const clients = await import('../vantage/clients.js');
    if (spec.kind === 'aws-lambda') return clients.invokeLambda(spec, body, signal);
    return clients.invokeFunctionUrl(spec, body, signal);
  };
}

export async function runPlan(plan: Plan, options: RunOptions = {}): Promise<Report> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const jobs = await planJobs(plan, options.resolveMx);
  const invoke = options.invoke ?? cloudInvoke(options);
  const answers = await Promise.all(
    plan.vantages.map(async (spec): Promise<{ answer: VantageAnswer; report: VantageReport }> => {
      const head = { label: spec.label, kind: spec.kind };
      if (spec.kind === 'runner') {
        const results = await probeHere(jobs, plan, options);
        const runner = plan.runner ? { runner: plan.runner } : {};
        // What the runner is, beside what remote vantages say about themselves.
        const facts = plan.runner
          ? {
              facts: {
                provider: plan.runner,
                runtime: `node ${process.version}`,
                architecture: process.arch,
              },
            }
          : {};
        return {
          answer: { ...head, ...runner, outcomes: results.map((result) => ({ kind: 'probed', result })) },
          report: { ...head, ...facts },
        };
      }
      const remote = spec as RemoteVantageSpec;
      const region = { region: remote.region };
      const asked = await askVantage(remote, jobs, plan, invoke, options.signal);
      if ('error' in asked)
        return {
          answer: { ...head, error: asked.error },
          report: { ...head, ...region, error: asked.error },
        };
      return {
        answer: { ...head, outcomes: asked.outcomes },
        report: { ...head, ...region, ...(asked.facts ? { facts: asked.facts } : {}) },
      };
    }),
  );
  const judged = judge({ jobs, vantages: answers.map((a) => a.answer), failOn: plan.failOn });
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'smtp-port-probe', version: VERSION },
    startedAt,
    durationMs: Math.round(performance.now() - started),
    ...(plan.configFile ? { configFile: plan.configFile } : {}),
    vantages: answers.map((a) => a.report),
    ...judged,
  };
}
