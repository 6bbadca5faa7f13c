import { profileOptions } from '../contract/index.js';
import type { Job } from '../judge/index.js';
import type { Plan } from '../plan/types.js';
import { type Lookup, type ProbeResult, probeAll } from '../probe/index.js';
import { profileFor } from './profiles.js';

export interface HereOptions {
  signal?: AbortSignal;
  /** Told as each job ends: how many are done of how many, and which one. */
  onProgress?: (done: number, total: number, current: string) => void;
  /** DNS for every probe (tests pin names to local addresses with it). */
  lookup?: Lookup;
}

/** Probes the jobs from this machine, each with the options a remote vantage would get for it. */
export async function probeHere(
  jobs: readonly Job[],
  plan: Plan,
  options: HereOptions = {},
): Promise<ProbeResult[]> {
  let done = 0;
  return probeAll(
    jobs.map((job) => ({
      host: job.target.host,
      port: job.port.port,
      mode: job.port.mode,
      options: profileOptions(profileFor(plan, job)),
    })),
    {
      concurrency: plan.options.concurrency,
      ...(plan.options.overallTimeout ? { overallTimeout: plan.options.overallTimeout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
      onDone: (index) => {
        done += 1;
        const job = jobs[index];
        options.onProgress?.(done, jobs.length, job ? `${job.target.name}:${job.port.port}` : '');
      },
    },
  );
}
