import {
  type Answer,
  CONTRACT_VERSION,
  type Job as ContractJob,
  type ProbeProfile,
  type ProbeRequest,
  type VantageFacts,
} from '../contract/index.js';
import type { Job, JobOutcome } from '../judge/index.js';
import type { Plan } from '../plan/types.js';
import type { RemoteVantageSpec } from '../vantage/spec.js';
import { profileFor } from './profiles.js';

/** Jobs per remote invocation: a large plan is split across parallel invocations. */
export const CHUNK = 20;
/** Time allowed beyond the request's own deadline for the call itself (cold start, network). */
const CALL_SLACK_MS = 15_000;

/** One request per chunk of jobs, each job pointing at its options sent once per request. */
export function requestsFor(
  jobs: readonly Job[],
  plan: Plan,
): Array<{ request: ProbeRequest; indexes: number[] }> {
  const chunks: number[][] = [];
  for (let i = 0; i < jobs.length; i += CHUNK) chunks.push([...jobs.keys()].slice(i, i + CHUNK));
  return chunks.map((indexes) => {
    const profiles: ProbeProfile[] = [];
    const profileIndex = new Map<string, number>();
    const requestJobs: ContractJob[] = indexes.map((i) => {
      const job = jobs[i] as Job;
      const profile = profileFor(plan, job);
      const key = JSON.stringify(profile);
      let index = profileIndex.get(key);
      if (index === undefined) {
        index = profiles.push(profile) - 1;
        profileIndex.set(key, index);
      }
      return { host: job.target.host, port: job.port.port, mode: job.port.mode, profile: index };
    });
    const concurrency = Math.min(64, plan.options.concurrency);
    const deadlineMs =
      plan.options.overallTimeout ?? plan.options.timeout * Math.ceil(indexes.length / concurrency);
    return {
      indexes,
      request: { contract: CONTRACT_VERSION, deadlineMs, concurrency, profiles, jobs: requestJobs },
    };
  });
}

/** A remote vantage's client: sends one request, resolves with the decoded answer or throws. */
export type Invoke = (spec: RemoteVantageSpec, body: string, signal: AbortSignal) => Promise<Answer>;

/**
 * Asks one remote vantage for every job: an outcome per job (index-aligned), or the one error that
 * kept the vantage from answering at all.
 */
export async function askVantage(
  spec: RemoteVantageSpec,
  jobs: readonly Job[],
  plan: Plan,
  invoke: Invoke,
  signal?: AbortSignal,
): Promise<{ outcomes: JobOutcome[]; facts?: VantageFacts } | { error: string }> {
  const outcomes: JobOutcome[] = jobs.map(() => ({
    kind: 'missing',
    reason: 'no result for this port in its answer',
  }));
  let facts: VantageFacts | undefined;
  try {
    await Promise.all(
      requestsFor(jobs, plan).map(async ({ request, indexes }) => {
        const timeout = AbortSignal.timeout((request.deadlineMs ?? plan.options.timeout) + CALL_SLACK_MS);
        const answer = await invoke(
          spec,
          JSON.stringify(request),
          signal ? AbortSignal.any([signal, timeout]) : timeout,
        );
        for (const { jobs: answered, result } of answer.results) {
          for (const j of answered) {
            const i = indexes[j];
            if (i !== undefined) outcomes[i] = { kind: 'probed', result };
          }
        }
        for (const refusal of answer.refused) {
          for (const j of refusal.jobs) {
            const i = indexes[j];
            if (i !== undefined) {
              outcomes[i] = {
                kind: 'refused',
                host: refusal.host,
                ...(refusal.address ? { address: refusal.address } : {}),
                reason: refusal.reason,
              };
            }
          }
        }
        facts = answer.vantage;
      }),
    );
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return facts ? { outcomes, facts } : { outcomes };
}
