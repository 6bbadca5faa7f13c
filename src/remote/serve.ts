/**
 * The server side of every cloud function: a contract request in, the core's raw results out. Every
 * name, whatever produced it (a job's host, an MX answer, a CNAME the resolver followed), is normalised
 * the way the probe will dial it, resolved once, checked address by address, and pinned; the probe
 * never looks anything up itself. Nothing here judges: no findings, no verdict.
 */
import { setMaxListeners } from 'node:events';
import {
  type Answer,
  BadRequest,
  type Job,
  type ProbeRequest,
  profileOptions,
  type Refusal,
  type VantageFacts,
} from '../contract/index.js';
import { type Lookup, type MxLookup, mxHosts, OverallDeadline, probe } from '../probe/index.js';
import {
  checkPort,
  type DestinationPolicy,
  dialledHost,
  ForbiddenDestination,
  UnresolvedDestination,
  type VettedDestination,
  vetDestination,
} from './destination-policy.js';
import { vettingDns } from './vetting-dns.js';

export interface ServeOptions {
  policy: DestinationPolicy;
  /** Milliseconds the platform leaves for the whole answer (its deadline minus a safety margin). */
  budgetMs: number;
  vantage: VantageFacts;
  /** DNS for vetting names; c-ares from /etc/resolv.conf by default (vetting-dns.ts). */
  lookup?: Lookup;
  /** DNS for expanding `mx` jobs; the same c-ares resolver by default. */
  resolveMx?: MxLookup;
}

/** DNS questions in flight at once for one request: all of a capped request's names, in a wave or two. */
const DNS_CONCURRENCY = 32;
/** Exchanges probed for one `mx` job, the most preferred first (RFC 5321 §5.1); the rest are refused. */
export const MAX_MX_HOSTS = 10;

interface Group {
  /** The request's job indexes this group answers (identical jobs are probed once). */
  jobs: number[];
  job: Job;
}

type Vetting =
  | { kind: 'allowed'; vetted: VettedDestination }
  | { kind: 'forbidden'; reason: string; address?: string }
  | { kind: 'unresolved'; host: string; code: string };

/** Where an entry of the answer sorts: by job, then by MX preference, whatever finished first. */
type Ordered<T> = { order: [number, number]; entry: T };

/**
 * A request run within its budget: refusals for what the policy forbids, raw results for the rest.
 * Every job goes its own way (MX lookup, vetting, probe) as soon as it can, so a name whose DNS never
 * answers delays nothing but itself; the whole answer is ready by the deadline whatever DNS does.
 */
export async function serve(request: ProbeRequest, options: ServeOptions): Promise<Answer> {
  const started = performance.now();
  const budget = Math.max(1, Math.min(options.budgetMs, request.deadlineMs ?? Number.POSITIVE_INFINITY));
  const deadline = started + budget;
  const { policy } = options;

  const groups = collapse(request.jobs);
  // Caps first: nothing is looked up for a request that is too large.
  if (groups.length > policy.maxTargets) {
    throw new BadRequest(
      'jobs',
      `${groups.length} distinct jobs are more than the ${policy.maxTargets} allowed`,
    );
  }
  const mxCount = groups.filter(({ job }) => job.mx).length;
  if (mxCount > policy.maxMxTargets) {
    throw new BadRequest('jobs', `${mxCount} mx jobs are more than the ${policy.maxMxTargets} allowed`);
  }

  const system = vettingDns();
  const dns = {
    lookup: options.lookup ?? system.lookup,
    resolveMx: options.resolveMx ?? system.resolveMx,
  };
  const dnsSlot = slots(DNS_CONCURRENCY);
  const probeSlot = slots(request.concurrency ?? 32);
  const ends = new AbortController();
  const timer = setTimeout(() => ends.abort(new OverallDeadline(budget)), budget);
  // Every probe in flight listens on this one signal while a stage runs.
  setMaxListeners(0, ends.signal);
  const vettings = new Map<string, Promise<Vetting>>();
  const vetOnce = (host: string) => {
    let vetting = vettings.get(host);
    if (!vetting) {
      vetting = beforeDeadline(
        dnsSlot(() => vet(host, policy, dns.lookup)),
        deadline,
        (): Vetting => ({ kind: 'unresolved', host: dialledName(host), code: 'ETIMEOUT' }),
      );
      vettings.set(host, vetting);
    }
    return vetting;
  };

  const refused: Array<Ordered<Refusal>> = [];
  const results: Array<Ordered<Answer['results'][number]>> = [];
  const one = async ({ jobs, job }: Group, host: string, order: [number, number]) => {
    const vetting = await vetOnce(host);
    if (vetting.kind === 'forbidden') {
      const { reason, address } = vetting;
      refused.push({ order, entry: { jobs, host, ...(address ? { address } : {}), reason } });
      return;
    }
    const profile = request.profiles[job.profile];
    if (!profile) throw new BadRequest(`jobs[${jobs[0]}].profile`, 'points at no profile');
    const dialled = vetting.kind === 'allowed' ? vetting.vetted.host : vetting.host;
    const target = { host: dialled, port: job.port, mode: job.mode };
    const perTarget = { ...profileOptions(profile), lookup: lookupFor(dialled, vetting) };
    // A name that did not resolve ends at its lookup, without a packet: it needs no slot and no signal,
    // so it is reported as the dns_error it is, even when the deadline has passed.
    const result =
      vetting.kind === 'unresolved'
        ? await probe(target, perTarget)
        : await probeSlot(() => probe(target, { ...perTarget, signal: ends.signal }));
    results.push({ order, entry: { jobs, result } });
  };
  try {
    await Promise.all(
      groups.map(async (group, g) => {
        try {
          checkPort(group.job.port, policy);
        } catch (error) {
          if (!(error instanceof ForbiddenDestination)) throw error;
          refused.push({
            order: [g, 0],
            entry: { jobs: group.jobs, host: group.job.host, reason: error.message },
          });
          return;
        }
        if (!group.job.mx) return one(group, group.job.host, [g, 0]);
        const hosts = await exchanges(group.job.host, dns.resolveMx, dnsSlot, deadline);
        hosts.slice(MAX_MX_HOSTS).forEach((host, i) => {
          const reason = `${group.job.host} has more than ${MAX_MX_HOSTS} MX hosts; only the ${MAX_MX_HOSTS} most preferred are probed`;
          refused.push({ order: [g, MAX_MX_HOSTS + i], entry: { jobs: group.jobs, host, reason } });
        });
        await Promise.all(hosts.slice(0, MAX_MX_HOSTS).map((host, i) => one(group, host, [g, i])));
      }),
    );
  } finally {
    clearTimeout(timer);
    // On a failure of the function itself, nothing it started outlives the invocation.
    if (!ends.signal.aborted) ends.abort(new Error('the request ended'));
    system.cancel();
  }
  return {
    contract: 2,
    vantage: options.vantage,
    durationMs: Math.round(performance.now() - started),
    results: inOrder(results),
    refused: inOrder(refused),
  };
}

/** Identical jobs (same host, port, mode, MX and profile) are probed once and answer for each other. */
function collapse(jobs: readonly Job[]): Group[] {
  const byKey = new Map<string, Group>();
  jobs.forEach((job, i) => {
    const key = JSON.stringify([job.host.toLowerCase(), job.mx === true, job.port, job.mode, job.profile]);
    const same = byKey.get(key);
    if (same) same.jobs.push(i);
    else byKey.set(key, { jobs: [i], job });
  });
  return [...byKey.values()];
}

/** The exchanges of an MX job, each once; a lookup past the deadline leaves the domain (as mxHosts does). */
async function exchanges(
  domain: string,
  resolveMx: MxLookup,
  dnsSlot: Slots,
  deadline: number,
): Promise<string[]> {
  const hosts = await beforeDeadline(
    dnsSlot(() => mxHosts(domain, resolveMx)),
    deadline,
    () => [domain],
  );
  return [...new Set(hosts)];
}

async function vet(host: string, policy: DestinationPolicy, lookup: Lookup): Promise<Vetting> {
  try {
    return { kind: 'allowed', vetted: await vetDestination(host, policy, lookup) };
  } catch (error) {
    if (error instanceof ForbiddenDestination) {
      return {
        kind: 'forbidden',
        reason: error.message,
        ...(error.address ? { address: error.address } : {}),
      };
    }
    if (error instanceof UnresolvedDestination)
      return { kind: 'unresolved', host: error.host, code: error.code };
    throw error;
  }
}

/** The name a vetting that timed out reports: the one the probe would have dialled. */
function dialledName(host: string): string {
  const dialled = dialledHost(host);
  return dialled?.kind === 'name' ? dialled.name : host;
}

/**
 * The probe's only DNS: the vetted addresses, or the lookup's failure again, so the core reports
 * `dns_error` itself and never dials a name nobody checked.
 */
function lookupFor(dialled: string, vetting: Exclude<Vetting, { kind: 'forbidden' }>): Lookup {
  return async (name, family) => {
    if (name !== dialled) throw Object.assign(new Error(`${name} was not vetted`), { code: 'ENOTVETTED' });
    if (vetting.kind === 'unresolved') {
      throw Object.assign(new Error(`${name} did not resolve (${vetting.code})`), { code: vetting.code });
    }
    return vetting.vetted.addresses[family];
  };
}

type Slots = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `limit` tasks at once; the others wait their turn in order. */
function slots(limit: number): Slots {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

function inOrder<T>(entries: Array<Ordered<T>>): T[] {
  return entries.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]).map(({ entry }) => entry);
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
