/**
 * The judge: every vantage's outcomes against the plan's expectations, with one set of rules, once,
 * on the caller's side. Rows, findings, recommendations per vantage, and the verdict.
 */
import type { Finding, Recommendation, Report, ResultRow } from '../result/model.js';
import { refusedRow, toRows } from '../result/rows.js';
import { vantageName } from '../result/vantage-words.js';
import { softenAlternatives } from './alternatives.js';
import { attributeEgress } from './egress.js';
import { judgeProbed, refusedFinding, vantageFailedFinding } from './findings.js';
import { recommend, type Seen } from './recommend.js';
import type { JudgeInput } from './types.js';
import { verdictOf } from './verdict.js';

export type { Job, JobOutcome, JudgeInput, VantageAnswer } from './types.js';
export { failingCount, verdictOf } from './verdict.js';

export function judge(
  input: JudgeInput,
): Pick<Report, 'results' | 'findings' | 'recommendations' | 'verdict'> {
  const { jobs, vantages } = input;
  const results: ResultRow[] = [];
  let findings: Finding[] = [];
  const seenBy = new Map<string, Seen[]>();
  for (const v of vantages) {
    const seen: Seen[] = [];
    seenBy.set(v.label, seen);
    jobs.forEach((job, i) => {
      // A control is evidence about its port: its rows are marked, it is never recommended, and only
      // attribution (egress.ts) judges it.
      const mark = (rows: ResultRow[]) =>
        job.control ? rows.map((r) => ({ ...r, control: true as const })) : rows;
      if ('error' in v) {
        if (job.control) return;
        findings.push(vantageFailedFinding(job, v.label, v.kind, v.error));
        seen.push({ job, missing: v.error });
        return;
      }
      const outcome = v.outcomes[i] ?? { kind: 'missing', reason: 'no result for this port in its answer' };
      if (outcome.kind === 'probed') {
        results.push(...mark(toRows(outcome.result, job.target.name, v.label)));
        if (job.control) return;
        findings.push(...judgeProbed({ job, vantage: v.label, result: outcome.result }));
        seen.push({ job, result: outcome.result });
      } else if (outcome.kind === 'refused') {
        const at = { target: job.target.name, vantage: v.label, port: job.port.port, mode: job.port.mode };
        results.push(...mark([refusedRow(outcome, at)]));
        findings.push(refusedFinding(job, v.label, outcome.reason, outcome.address ?? null));
        if (!job.control) seen.push({ job, missing: outcome.reason });
      } else if (!job.control) {
        findings.push(vantageFailedFinding(job, v.label, v.kind, outcome.reason));
        seen.push({ job, missing: outcome.reason });
      }
    });
  }
  findings = attributeEgress(jobs, vantages, findings);
  findings = softenAlternatives(
    jobs,
    vantages.map((v) => v.label),
    findings,
    (label, i) => {
      const v = vantages.find((x) => x.label === label);
      const outcome = v && 'outcomes' in v ? v.outcomes[i] : undefined;
      return outcome?.kind === 'probed' && outcome.result.status !== 'aborted';
    },
  );
  const recommendations: Recommendation[] = vantages.flatMap((v) =>
    recommend(v.label, seenBy.get(v.label) ?? [], findings, vantageName(v)),
  );
  return { results, findings, recommendations, verdict: verdictOf(findings, input.failOn) };
}
