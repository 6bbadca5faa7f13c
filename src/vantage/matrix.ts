import type { Job } from '../plan/findings.js';
import { judge, type Planned, planJobs, probeHere, type RunOptions, reportFrame } from '../plan/run.js';
import type { Plan } from '../plan/types.js';
import { verdictOf } from '../plan/verdict.js';
import type { ProbeResult, SessionResult } from '../probe/index.js';
import type { Finding, Recommendation, Report, ResultRow, VantageOutcome } from '../report/model.js';
import { hostPort } from '../report/row-view.js';
import { invokeFunctionUrl, invokeLambda } from './clients.js';
import type { ProbeRequest } from './request.js';
import type { VantageSpec } from './vantage-spec.js';

/** Target ports per remote invocation: a large plan is split across parallel invocations. */
export const CHUNK = 20;

type Fetched = { rows: Map<number, ResultRow[]> } | { error: string };

/**
 * A plan probed from several vantages at once: the runner here, and Lambdas elsewhere. Remote vantages
 * return raw sessions; every vantage is judged here with the plan's own expectations, so the matrix is
 * comparable. A vantage that fails is reported as such and hides none of the others.
 */
export async function runMatrix(
  plan: Plan,
  vantages: readonly VantageSpec[],
  options: RunOptions = {},
): Promise<Report> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const planned = await planJobs(plan, options.resolveMx);
  const fetched = await Promise.all(
    vantages.map(async (v): Promise<{ v: VantageSpec; results?: ProbeResult[]; fetched?: Fetched }> => {
      if (v.kind === 'runner') return { v, results: await probeHere(planned, plan, options) };
      return { v, fetched: await fetchRemote(v, planned, plan, options.signal) };
    }),
  );
  const results: ResultRow[] = [];
  const findings: Finding[] = [];
  const recommendations: Recommendation[] = [];
  const outcomes: VantageOutcome[] = [];
  const statusByVantage = new Map<string, Array<SessionResult['status'] | 'forbidden' | undefined>>();
  for (const { v, results: local, fetched: remote } of fetched) {
    outcomes.push({ label: v.label, kind: v.kind, ...(v.kind !== 'runner' ? { region: v.region } : {}) });
    if (remote && 'error' in remote) {
      (outcomes.at(-1) as VantageOutcome).error = remote.error;
      findings.push(...planned.map((p) => failedFinding(p, v.label, remote.error)));
      continue;
    }
    const jobs: Job[] = [];
    const statuses: Array<SessionResult['status'] | 'forbidden' | undefined> = [];
    planned.forEach((p, i) => {
      const rows = remote ? (remote.rows.get(i) ?? []) : undefined;
      if (rows?.some((r) => r.status === 'forbidden')) {
        statuses.push('forbidden');
        results.push(...rows.map((r) => ({ ...r, target: p.target.name, vantage: v.label })));
        findings.push(...rows.map((r) => forbiddenFinding(p, v.label, r)));
        return;
      }
      const result = local?.[i] ?? (rows && rows.length > 0 ? fromRows(rows, p) : undefined);
      statuses.push(result?.status);
      if (result) jobs.push({ ...p, result });
      else findings.push(failedFinding(p, v.label, 'no result for this port in its answer'));
    });
    statusByVantage.set(v.label, statuses);
    const judged = judge(jobs, v.label);
    results.push(...judged.results);
    findings.push(...judged.findings);
    recommendations.push(...judged.recommendations);
  }
  const all = diagnoseEgress(
    planned,
    fetched.map((f) => f.v),
    statusByVantage,
    findings,
  );
  return {
    ...reportFrame(plan, started, startedAt),
    vantages: outcomes,
    results,
    findings: all,
    recommendations,
    verdict: verdictOf(all, plan.failOn),
  };
}

/** The plan's ports as requests: grouped by what the request options can only say once, then chunked. */
function requestsFor(
  planned: readonly Planned[],
  plan: Plan,
): Array<{ request: ProbeRequest; indexes: number[] }> {
  const groups = new Map<string, number[]>();
  planned.forEach(({ target, port }, i) => {
    const key = JSON.stringify([port.mode, target.auth, target.envelope]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const o = plan.options;
  return [...groups.values()].flatMap((indexes) => {
    const first = planned[indexes[0] as number] as Planned;
    const chunks: number[][] = [];
    for (let i = 0; i < indexes.length; i += CHUNK) chunks.push(indexes.slice(i, i + CHUNK));
    return chunks.map((chunk) => ({
      indexes: chunk,
      request: {
        targets: [...new Set(chunk.map((i) => spec(planned[i] as Planned)))],
        options: {
          mode: first.port.mode,
          timeout: o.timeout,
          connectTimeout: o.connectTimeout,
          greetingTimeout: o.greetingTimeout,
          commandTimeout: o.commandTimeout,
          ...(o.helo ? { helo: o.helo } : {}),
          ...(first.target.auth ? { auth: first.target.auth } : {}),
          ...(first.target.envelope ? { envelope: first.target.envelope } : {}),
        },
      },
    }));
  });
}

const spec = ({ target, port }: Planned) => hostPort(target.host, port.port);

async function fetchRemote(
  v: Exclude<VantageSpec, { kind: 'runner' }>,
  planned: readonly Planned[],
  plan: Plan,
  signal: AbortSignal | undefined,
): Promise<Fetched> {
  try {
    const answers = await Promise.all(
      requestsFor(planned, plan).map(async ({ request, indexes }) => ({
        indexes,
        report:
          v.kind === 'aws-lambda'
            ? await invokeLambda(v, request, signal)
            : await invokeFunctionUrl(v, request, signal),
      })),
    );
    const rows = new Map<number, ResultRow[]>();
    for (const { indexes, report } of answers) {
      for (const i of indexes) {
        const { target, port } = planned[i] as Planned;
        rows.set(
          i,
          report.results.filter((r) => r.host === target.host && r.port === port.port),
        );
      }
    }
    return { rows };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A remote answer's rows for one port, as the probe result the plan's rules judge. */
function fromRows(rows: readonly ResultRow[], p: Planned): ProbeResult {
  const sessions: SessionResult[] = rows
    .filter((r) => r.address !== null)
    .map((r) => ({
      address: r.address as string,
      family: (r.family ?? 4) as 4 | 6,
      status: r.status as SessionResult['status'],
      stage: r.stage,
      ...(r.reply ? { reply: r.reply } : {}),
      ...(r.errorCode ? { errorCode: r.errorCode } : {}),
      explanation: r.explanation,
      ...(r.hint ? { hint: r.hint } : {}),
      timings: r.timings,
      durationMs: r.durationMs,
      smtp: r.smtp ?? { heloFallback: false },
      ...(r.tls ? { tls: r.tls } : {}),
      ...(r.auth ? { auth: r.auth } : {}),
      ...(r.envelope ? { envelope: r.envelope } : {}),
      transcript: r.transcript,
      transcriptTruncated: r.transcriptTruncated,
      retries: r.retries,
    }));
  const deciding = rows.find((r) => r.status !== 'ok') ?? (rows[0] as ResultRow);
  return {
    target: { host: p.target.host, port: p.port.port, mode: p.port.mode },
    status: deciding.status as SessionResult['status'],
    stage: deciding.stage,
    ...(deciding.reply ? { reply: deciding.reply } : {}),
    ...(deciding.errorCode ? { errorCode: deciding.errorCode } : {}),
    explanation: deciding.explanation,
    ...(deciding.hint ? { hint: deciding.hint } : {}),
    startedAt: '',
    durationMs: Math.max(...rows.map((r) => r.durationMs)),
    dns: {
      addresses: sessions.map((s) => ({ address: s.address, family: s.family })),
      durationMs: rows[0]?.timings.dns ?? 0,
      ...(sessions.length === 0 && deciding.errorCode ? { errorCode: deciding.errorCode } : {}),
    },
    sessions,
  };
}

function failedFinding(p: Planned, vantage: string, error: string): Finding {
  return {
    rule: 'vantage-failed',
    vantage,
    severity: 'error',
    message: `could not probe from ${vantage}: ${error}`,
    hint: 'Check the vantage: its credentials and permissions (lambda:InvokeFunction or lambda:InvokeFunctionUrl), region and function name.',
    target: p.target.name,
    host: p.target.host,
    port: p.port.port,
    address: null,
    ...(p.port.location ? { location: p.port.location } : {}),
  };
}

function forbiddenFinding(p: Planned, vantage: string, row: ResultRow): Finding {
  return {
    rule: 'forbidden-destination',
    vantage,
    severity: 'error',
    message: row.explanation,
    hint: row.hint ?? 'Probe this destination from a runner that may reach it.',
    target: p.target.name,
    host: p.target.host,
    port: p.port.port,
    address: row.address,
    ...(p.port.location ? { location: p.port.location } : {}),
  };
}

const PLATFORM_HINTS: Record<VantageSpec['kind'], (port: number) => string> = {
  'aws-lambda': (port) =>
    port === 25
      ? 'AWS blocks outbound port 25 from Lambda outside a VPC (and from EC2 unless AWS lifts it): submit on 587, 465 or 2525, or run in a VPC behind a NAT gateway whose port-25 limit AWS has lifted.'
      : `Check the egress rules of this function's network (VPC security group, NACL, NAT) for port ${port}.`,
  'function-url': (port) => PLATFORM_HINTS['aws-lambda'](port),
  runner: (port) =>
    port === 25
      ? 'GitHub-hosted runners run in Azure, which blocks outbound port 25 for most subscriptions: submit on 587, 465 or 2525.'
      : `The network this runs on drops port ${port} outbound: check its egress firewall.`,
};

/**
 * When a port works from one vantage and its connection times out from another, the second network
 * blocks it: say so with the platform's known policy, in place of the single-vantage guess.
 */
function diagnoseEgress(
  planned: readonly Planned[],
  vantages: readonly VantageSpec[],
  statuses: ReadonlyMap<string, Array<SessionResult['status'] | 'forbidden' | undefined>>,
  findings: Finding[],
): Finding[] {
  const added: Finding[] = [];
  const replaced = new Set<Finding>();
  planned.forEach((p, i) => {
    const working = vantages.filter((v) => statuses.get(v.label)?.[i] === 'ok').map((v) => v.label);
    if (working.length === 0) return;
    for (const v of vantages) {
      const guess = findings.find(
        (f) =>
          f.vantage === v.label &&
          f.rule === 'egress-blocked-likely' &&
          f.target === p.target.name &&
          f.port === p.port.port,
      );
      if (!guess) continue;
      replaced.add(guess);
      added.push({
        ...guess,
        rule: 'egress-blocked',
        message: `port ${p.port.port} works from ${working.join(', ')} but times out from ${v.label}: this network blocks it`,
        hint: PLATFORM_HINTS[v.kind](p.port.port),
      });
    }
  });
  return [...findings.filter((f) => !replaced.has(f)), ...added];
}
