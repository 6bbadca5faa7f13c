/**
 * The server side of every cloud function: a contract request in, the core's raw results out. Every
 * name, whatever produced it (a job's host, an MX answer, a CNAME the resolver followed), is normalised
 * the way the probe will dial it, resolved once, checked address by address, and pinned; the probe
 * never looks anything up itself. Nothing here judges: no findings, no verdict.
 */
import pMap from 'p-map';
import {
  type Answer,
  BadRequest,
  type Job,
  MAX_JOBS,
  type ProbeRequest,
  profileOptions,
  type Refusal,
  type VantageFacts,
} from '../contract/index.js';
import {
  type Lookup,
  type MxLookup,
  mxHosts,
  type ProbeAllTarget,
  type ProbeResult,
  probeAll,
  resolveTarget,
} from '../probe/index.js';
import {
  checkPort,
  type DestinationPolicy,
  ForbiddenDestination,
  UnresolvedDestination,
  type VettedDestination,
  vetDestination,
} from './destination-policy.js';

export interface ServeOptions {
  policy: DestinationPolicy;
  /** Milliseconds the platform leaves for the whole answer (its deadline minus a safety margin). */
  budgetMs: number;
  vantage: VantageFacts;
  /** DNS for vetting names (the system resolver by default). */
  lookup?: Lookup;
  resolveMx?: MxLookup;
}

/** Names looked up at once while vetting: enough to hide DNS latency, few enough to stay polite. */
const VET_CONCURRENCY = 8;

interface Unit {
  /** The request's job indexes this unit answers (identical jobs are probed once). */
  jobs: number[];
  job: Job;
  /** The host to dial: the job's host, or one MX exchange of it. */
  host: string;
}

type Vetting =
  | { kind: 'allowed'; vetted: VettedDestination }
  | { kind: 'forbidden'; reason: string; address?: string }
  | { kind: 'unresolved'; code: string };

/** A request run within its budget: refusals for what the policy forbids, raw results for the rest. */
export async function serve(request: ProbeRequest, options: ServeOptions): Promise<Answer> {
  const started = performance.now();
  const budget = Math.max(1, Math.min(options.budgetMs, request.deadlineMs ?? Number.POSITIVE_INFINITY));
  const deadline = started + budget;
  const { policy } = options;

  const unique = collapse(request.jobs);
  // Caps first: nothing is looked up for a request that is too large.
  if (unique.length > policy.maxTargets) {
    throw new BadRequest(
      'jobs',
      `${unique.length} distinct jobs are more than the ${policy.maxTargets} allowed`,
    );
  }
  const mxCount = unique.filter(({ job }) => job.mx).length;
  if (mxCount > policy.maxMxTargets) {
    throw new BadRequest('jobs', `${mxCount} mx jobs are more than the ${policy.maxMxTargets} allowed`);
  }

  const refused: Refusal[] = [];
  const allowedPorts = unique.filter(({ job, jobs }) => {
    try {
      checkPort(job.port, policy);
      return true;
    } catch (error) {
      if (!(error instanceof ForbiddenDestination)) throw error;
      refused.push({ jobs, host: job.host, reason: error.message });
      return false;
    }
  });

  const units = (await expandMx(allowedPorts, deadline, options.resolveMx)).flat();
  if (units.length > Math.min(policy.maxTargets, MAX_JOBS)) {
    throw new BadRequest(
      'jobs',
      `${units.length} hosts after MX expansion are more than the ${policy.maxTargets} allowed`,
    );
  }

  const vettings = await vetAll(units, policy, deadline, options.lookup);
  const probed: Array<{ unit: Unit; target: ProbeAllTarget }> = [];
  for (const unit of units) {
    const vetting = vettings.get(unit.host) as Vetting;
    if (vetting.kind === 'forbidden') {
      refused.push({
        jobs: unit.jobs,
        host: unit.host,
        ...(vetting.address ? { address: vetting.address } : {}),
        reason: vetting.reason,
      });
      continue;
    }
    const profile = request.profiles[unit.job.profile];
    if (!profile) throw new BadRequest(`jobs[${unit.jobs[0]}].profile`, 'points at no profile');
    probed.push({
      unit,
      target: {
        host: unit.host,
        port: unit.job.port,
        mode: unit.job.mode,
        options: { ...profileOptions(profile), lookup: lookupFor(unit.host, vetting) },
      },
    });
  }

  const left = Math.max(1, deadline - performance.now());
  const results: ProbeResult[] =
    probed.length === 0
      ? []
      : await probeAll(
          probed.map((p) => p.target),
          { concurrency: request.concurrency ?? 32, overallTimeout: left },
        );
  return {
    contract: 2,
    vantage: options.vantage,
    durationMs: Math.round(performance.now() - started),
    results: probed.map((p, i) => ({ jobs: p.unit.jobs, result: results[i] as ProbeResult })),
    refused,
  };
}

/** Identical jobs (same host, port, mode, MX and profile) are probed once and answer for each other. */
function collapse(jobs: readonly Job[]): Array<{ jobs: number[]; job: Job }> {
  const byKey = new Map<string, { jobs: number[]; job: Job }>();
  jobs.forEach((job, i) => {
    const key = JSON.stringify([job.host.toLowerCase(), job.mx === true, job.port, job.mode, job.profile]);
    const same = byKey.get(key);
    if (same) same.jobs.push(i);
    else byKey.set(key, { jobs: [i], job });
  });
  return [...byKey.values()];
}

/** MX jobs become one unit per exchange, looked up in parallel; a lookup past the deadline leaves the domain. */
async function expandMx(
  groups: ReadonlyArray<{ jobs: number[]; job: Job }>,
  deadline: number,
  resolveMx: MxLookup | undefined,
): Promise<Unit[][]> {
  return pMap(
    groups,
    async ({ jobs, job }) => {
      if (!job.mx) return [{ jobs, job, host: job.host }];
      const hosts = await beforeDeadline(mxHosts(job.host, resolveMx), deadline, () => [job.host]);
      return [...new Set(hosts)].map((host) => ({ jobs, job, host }));
    },
    { concurrency: VET_CONCURRENCY },
  );
}

/** Every distinct host vetted once, in parallel, each verdict in by the deadline. */
async function vetAll(
  units: readonly Unit[],
  policy: DestinationPolicy,
  deadline: number,
  lookup: Lookup | undefined,
): Promise<Map<string, Vetting>> {
  const hosts = [...new Set(units.map((u) => u.host))];
  const vettings = await pMap(
    hosts,
    (host) =>
      beforeDeadline(
        vet(host, policy, lookup),
        deadline,
        (): Vetting => ({ kind: 'unresolved', code: 'ETIMEOUT' }),
      ),
    { concurrency: VET_CONCURRENCY },
  );
  return new Map(hosts.map((host, i) => [host, vettings[i] as Vetting]));
}

async function vet(host: string, policy: DestinationPolicy, lookup: Lookup | undefined): Promise<Vetting> {
  let dialled: string;
  try {
    // The name as the probe will dial it: an exchange written `[127.0.0.1]` is that address literal.
    dialled = resolveTarget({ host, port: 25 }).host;
  } catch {
    return {
      kind: 'forbidden',
      reason: `${JSON.stringify(host.slice(0, 80))} is not a host name or IP address`,
    };
  }
  try {
    return { kind: 'allowed', vetted: await vetDestination(dialled, policy, lookup) };
  } catch (error) {
    if (error instanceof ForbiddenDestination) {
      return {
        kind: 'forbidden',
        reason: error.message,
        ...(error.address ? { address: error.address } : {}),
      };
    }
    if (error instanceof UnresolvedDestination) return { kind: 'unresolved', code: error.code };
    throw error;
  }
}

/**
 * The probe's only DNS: the vetted addresses, or the lookup's failure again, so the core reports
 * `dns_error` itself and never dials a name nobody checked.
 */
function lookupFor(host: string, vetting: Exclude<Vetting, { kind: 'forbidden' }>): Lookup {
  const dialled = resolveTarget({ host, port: 25 }).host;
  return async (name, family) => {
    if (name !== dialled) throw Object.assign(new Error(`${name} was not vetted`), { code: 'ENOTVETTED' });
    if (vetting.kind === 'unresolved') {
      throw Object.assign(new Error(`${name} did not resolve (${vetting.code})`), { code: vetting.code });
    }
    return vetting.vetted.addresses[family];
  };
}

/** The promise's value, or the fallback once the deadline passes (the promise is left to settle). */
async function beforeDeadline<T>(promise: Promise<T>, deadline: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), Math.max(0, deadline - performance.now()));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
