import { resolveMx } from 'node:dns/promises';
import { type Lookup, type ProbeResult, type ProbeTarget, probeAll } from '../probe/index.js';
import type { Report } from '../report/model.js';
import { SCHEMA_VERSION } from '../report/model.js';
import { VERSION } from '../version.js';
import { evaluate, type Job } from './findings.js';
import { recommend } from './recommend.js';
import { toRows } from './rows.js';
import type { Plan, PortPlan, TargetPlan } from './types.js';
import { verdictOf } from './verdict.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** Progress: how many jobs are done of how many, and the one that just finished. */
  onProgress?: (done: number, total: number, current: string) => void;
  /** MX lookup, sorted by preference; the system resolver by default. */
  resolveMx?: (domain: string) => Promise<string[]>;
  /** Address lookup for every probe: a remote vantage pins the addresses it vetted. */
  lookup?: Lookup;
}

/** The MX hosts of a domain in preference order (RFC 5321 §5.1); the domain itself when it has none. */
export async function systemMx(domain: string): Promise<string[]> {
  try {
    const records = await resolveMx(domain);
    // A null MX (RFC 7505: exchange ".") says the domain takes no mail; probing it would mislead.
    const hosts = records
      .filter((r) => r.exchange !== '' && r.exchange !== '.')
      .sort((a, b) => a.priority - b.priority)
      .map((r) => r.exchange);
    return hosts.length > 0 ? hosts : [domain];
  } catch {
    // No MX record (or no answer): RFC 5321 §5.1's implicit MX is the domain's own address.
    return [domain];
  }
}

/** `mx:` targets become one target per MX host, port 25, named after the domain and the host. */
export async function expandMx(
  targets: readonly TargetPlan[],
  lookup: (domain: string) => Promise<string[]>,
): Promise<TargetPlan[]> {
  const expanded = await Promise.all(
    targets.map(async (target) => {
      if (!target.mx) return [target];
      const hosts = await lookup(target.host);
      return hosts.map((host, i) => ({
        ...target,
        mx: false,
        host,
        name: `${target.name} MX#${i + 1} ${host}`,
      }));
    }),
  );
  return expanded.flat();
}

/** One planned port of one target. */
export interface Planned {
  target: TargetPlan;
  port: PortPlan;
}

/** Every target's ports, after MX expansion, in plan order. */
export async function planJobs(
  plan: Plan,
  resolveMx?: (domain: string) => Promise<string[]>,
): Promise<Planned[]> {
  const targets = await expandMx(plan.targets, resolveMx ?? systemMx);
  return targets.flatMap((target) => target.ports.map((port) => ({ target, port })));
}

/** Probes the planned ports from this machine. */
export async function probeHere(
  planned: readonly Planned[],
  plan: Plan,
  options: RunOptions = {},
): Promise<ProbeResult[]> {
  const probeTargets = planned.map(({ target, port }) => ({
    host: target.host,
    port: port.port,
    mode: port.mode,
    ...(target.auth || target.envelope
      ? {
          options: {
            ...(target.auth ? { auth: target.auth } : {}),
            ...(target.envelope ? { envelope: target.envelope } : {}),
          },
        }
      : {}),
  })) satisfies Array<ProbeTarget & { options?: object }>;
  let done = 0;
  const o = plan.options;
  return probeAll(probeTargets, {
    timeout: o.timeout,
    connectTimeout: o.connectTimeout,
    greetingTimeout: o.greetingTimeout,
    commandTimeout: o.commandTimeout,
    ...(o.helo ? { helo: o.helo } : {}),
    concurrency: o.concurrency,
    retries: o.retries,
    ...(o.overallTimeout ? { overallTimeout: o.overallTimeout } : {}),
    tls: {
      ...(o.tls.ca ? { ca: o.tls.ca } : {}),
      ...(o.tls.minVersion ? { minVersion: o.tls.minVersion } : {}),
    },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
    onDone: (index) => {
      done += 1;
      const job = planned[index];
      options.onProgress?.(done, planned.length, job ? `${job.target.name}:${job.port.port}` : '');
    },
  });
}

/** Rows, findings and recommendations for jobs probed from one place (tagged with it when named). */
export function judge(
  jobs: readonly Job[],
  vantage?: string,
): Pick<Report, 'results' | 'findings' | 'recommendations'> {
  const tag = <T extends object>(item: T): T => (vantage ? { ...item, vantage } : item);
  const findings = evaluate(jobs);
  return {
    results: jobs.flatMap((job) => toRows(job.result, job.target.name)).map(tag),
    findings: findings.map(tag),
    recommendations: recommend(jobs, findings).map(tag),
  };
}

/** What every report of a plan starts with: schema, tool, when, how long, which config file. */
export function reportFrame(
  plan: Plan,
  started: number,
  startedAt: string,
): Pick<Report, 'schemaVersion' | 'tool' | 'startedAt' | 'durationMs' | 'configFile'> {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'smtp-port-probe', version: VERSION },
    startedAt,
    durationMs: Math.round(performance.now() - started),
    ...(plan.configFile ? { configFile: plan.configFile } : {}),
  };
}

/** Runs a plan from here: MX expansion, every target and port probed, findings, verdict, recommendations. */
export async function runPlan(plan: Plan, options: RunOptions = {}): Promise<Report> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const planned = await planJobs(plan, options.resolveMx);
  const results = await probeHere(planned, plan, options);
  const jobs: Job[] = planned.map((p, i) => ({ ...p, result: results[i] as ProbeResult }));
  const judged = judge(jobs);
  return {
    ...reportFrame(plan, started, startedAt),
    ...judged,
    verdict: verdictOf(judged.findings, plan.failOn),
  };
}
