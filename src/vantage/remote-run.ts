import { parseDuration } from '../plan/duration.js';
import { expandMx, runPlan, systemMx } from '../plan/run.js';
import { parseTargetSpec, toTargetPlan } from '../plan/targets.js';
import { DEFAULT_OPTIONS, type Plan, type TargetPlan, UsageError } from '../plan/types.js';
import { verdictOf } from '../plan/verdict.js';
import type { Lookup } from '../probe/index.js';
import type { Finding, Recommendation, Report, ResultRow, Vantage } from '../report/model.js';
import {
  checkPort,
  type DestinationPolicy,
  ForbiddenDestination,
  pinnedLookup,
  vetDestination,
} from './destination-policy.js';
import { BadRequest, type ProbeRequest } from './request.js';

export interface RemoteRunOptions {
  policy: DestinationPolicy;
  /** Milliseconds left for the whole run: probes still running then end as `aborted`. */
  budgetMs: number;
  vantage: Vantage;
  /** DNS for vetting (the system resolver by default). */
  lookup?: Lookup;
  resolveMx?: (domain: string) => Promise<string[]>;
}

/**
 * A probe request run by a remote vantage: targets parsed as the CLI parses them, every port and every
 * resolved address checked against the policy, refused ones reported as `forbidden`, the rest probed
 * with their vetted addresses pinned, all within the time the function has left.
 */
export async function runRemote(request: ProbeRequest, options: RemoteRunOptions): Promise<Report> {
  const started = performance.now();
  const { policy } = options;
  const o = request.options;
  const targets = request.targets.map((spec, i) => {
    try {
      return toTargetPlan(
        parseTargetSpec(spec, `targets[${i}]`, {
          ...(o.ports ? { ports: o.ports } : {}),
          ...(o.mode ? { mode: o.mode } : {}),
        }),
        o.minTls ? { expect: { minTls: o.minTls } } : {},
      );
    } catch (error) {
      if (error instanceof UsageError)
        throw new BadRequest(`targets[${i}]`, error.message.replace(/^targets\[\d+\]: /, ''));
      throw error;
    }
  });
  const expanded = await expandMx(targets, options.resolveMx ?? systemMx);
  const jobs = expanded.reduce((n, t) => n + t.ports.length, 0);
  if (jobs > policy.maxTargets) {
    throw new BadRequest(
      'targets',
      `${jobs} target ports (after MX expansion) are more than the ${policy.maxTargets} allowed`,
    );
  }

  const allowed: TargetPlan[] = [];
  const refused: Array<{ target: TargetPlan; error: ForbiddenDestination }> = [];
  const vetted = new Map<string, Awaited<ReturnType<typeof vetDestination>>>();
  for (const target of expanded) {
    try {
      for (const port of target.ports) checkPort(port.port, policy);
      const destination =
        vetted.get(target.host) ?? (await vetDestination(target.host, policy, options.lookup));
      vetted.set(target.host, destination);
      allowed.push({
        ...target,
        ...(o.auth ? { auth: o.auth } : {}),
        ...(o.envelope ? { envelope: o.envelope } : {}),
      });
    } catch (error) {
      if (!(error instanceof ForbiddenDestination)) throw error;
      refused.push({ target, error });
    }
  }

  const plan: Plan = {
    targets: allowed,
    options: {
      ...DEFAULT_OPTIONS,
      ...durations(o),
      ...(o.helo ? { helo: o.helo } : {}),
      concurrency: o.concurrency ?? DEFAULT_OPTIONS.concurrency,
      overallTimeout: Math.max(1, options.budgetMs),
    },
    failOn: o.failOn ?? 'error',
  };
  const lookup: Lookup = async (host, family) => {
    const destination = vetted.get(host);
    if (!destination) throw new ForbiddenDestination(host, `${host} was not vetted`);
    return pinnedLookup(destination)(host, family);
  };
  const report = await runPlan(plan, { lookup });
  return withRefusals({ ...report, vantage: options.vantage }, refused, plan.failOn, started);
}

function durations(o: ProbeRequest['options']): Partial<Plan['options']> {
  const read = (key: 'timeout' | 'connectTimeout' | 'greetingTimeout' | 'commandTimeout') => {
    const value = o[key];
    if (value === undefined) return {};
    try {
      return { [key]: parseDuration(value, `options.${key}`) };
    } catch (error) {
      throw new BadRequest(
        `options.${key}`,
        error instanceof Error ? error.message.replace(/^options\.\w+: /, '') : String(error),
      );
    }
  };
  return {
    ...read('timeout'),
    ...read('connectTimeout'),
    ...read('greetingTimeout'),
    ...read('commandTimeout'),
  };
}

/** Refused destinations become `forbidden` rows, error findings and "nothing works" recommendations. */
function withRefusals(
  report: Report,
  refused: ReadonlyArray<{ target: TargetPlan; error: ForbiddenDestination }>,
  failOn: Plan['failOn'],
  started: number,
): Report {
  const rows: ResultRow[] = [];
  const findings: Finding[] = [];
  const recommendations: Recommendation[] = [];
  for (const { target, error } of refused) {
    for (const port of target.ports) {
      rows.push({
        target: target.name,
        host: target.host,
        port: port.port,
        mode: port.mode,
        address: error.address ?? null,
        family: null,
        status: 'forbidden',
        stage: 'dns',
        explanation: error.message,
        hint: 'This vantage probes only public addresses on SMTP ports; probe private relays from a runner inside that network.',
        durationMs: 0,
        timings: {},
        retries: 0,
        transcript: [],
        transcriptTruncated: false,
      });
      findings.push({
        rule: 'forbidden-destination',
        severity: 'error',
        message: error.message,
        hint: 'Remove the target from this vantage, or probe it from a runner that may reach it.',
        target: target.name,
        host: target.host,
        port: port.port,
        address: error.address ?? null,
      });
    }
    recommendations.push({
      target: target.name,
      port: null,
      mode: null,
      reason: `nothing works from here: ${error.message}`,
    });
  }
  const allFindings = [...report.findings, ...findings];
  return {
    ...report,
    durationMs: Math.round(performance.now() - started),
    results: [...report.results, ...rows],
    findings: allFindings,
    recommendations: [...report.recommendations, ...recommendations],
    verdict: verdictOf(allFindings, failOn),
  };
}
