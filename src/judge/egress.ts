/**
 * Attribution: when a port fails at the TCP connect from a vantage, whose fault is it? The one truth
 * table of the tool (README "Attribution" shows the same table). For each vantage × port, from the
 * outcomes of the target and of the controls (servers known to answer from anywhere) across vantages:
 *
 * | the port from this vantage             | the target elsewhere | verdict           |
 * | -------------------------------------- | -------------------- | ----------------- |
 * | something else on it answers here      | answers somewhere    | `target-filtered` |
 * | something else on it answers here      | answers nowhere      | `target-down`     |
 * | nothing answers here; a control        | (either)             | `egress-blocked`  |
 * |   answers from another vantage         |                      |                   |
 * | nothing answers here; no control       | (either)             | `inconclusive`    |
 * |   answers anywhere, and a comparison   |                      |                   |
 * |   was possible                         |                      |                   |
 * | one vantage, no control on the port    | -                    | no verdict: the   |
 * |                                        |                      | session's own     |
 * |                                        |                      | guess stands      |
 *
 * "Answers" means the TCP connection was accepted (whatever the SMTP session did next). "Something
 * else" is a control or another target on the same port: either proves the vantage's egress on that
 * port works. A control that answers from no vantage proves nothing. A timeout (a silent drop), a
 * refusal (RST or ICMP port-unreachable: `refused`) and an ICMP reject (admin-prohibited, no route:
 * `unreachable`) give the same verdict but say different things in its message: a cloud provider's
 * egress block drops silently, so a reject points at a firewall that answers, most often the target's.
 */
import type { ProbeResult } from '../probe/index.js';
import type { Finding } from '../result/model.js';
import { portKey } from './alternatives.js';
import { describeVerdict, guessHint } from './egress-words.js';
import { effectiveExpectations } from './expectations.js';
import { place } from './findings.js';
import type {
  CellEvidence,
  ConnectFailure,
  EgressVerdict,
  Job,
  Reach,
  ReachGrid,
  VantageAnswer,
} from './types.js';

const CONNECT_FAILURES: ReadonlySet<string> = new Set(['timeout', 'refused', 'unreachable', 'reset']);

/** A result's reach: any session past the connect reached the port; else how every connect failed. */
export function reachOf(result: ProbeResult): Reach {
  if (result.sessions.some((s) => s.status === 'ok' || s.stage !== 'connect')) return 'reached';
  if (result.sessions.length === 0) return 'other';
  if (CONNECT_FAILURES.has(result.status)) return result.status as ConnectFailure;
  const failed = result.sessions.find((s) => CONNECT_FAILURES.has(s.status));
  return failed ? (failed.status as ConnectFailure) : 'other';
}

/** The truth table above, and nothing else. */
export function verdictOf(cell: CellEvidence, subjectIsControl: boolean): EgressVerdict | undefined {
  if (cell.openHere.length > 0) return cell.elsewhere.length > 0 ? 'target-filtered' : 'target-down';
  if (cell.liveControls.length > 0) return 'egress-blocked';
  if (cell.tried.length > 1 || cell.controls.length > 0 || subjectIsControl) return 'inconclusive';
  return undefined;
}

export function reachGrid(jobs: readonly Job[], vantages: readonly VantageAnswer[]): ReachGrid {
  return jobs.map((_, i) =>
    vantages.map((v) => {
      const outcome = 'outcomes' in v ? v.outcomes[i] : undefined;
      return outcome?.kind === 'probed' ? reachOf(outcome.result) : undefined;
    }),
  );
}

const CONNECT_RULES: ReadonlySet<string> = new Set(['egress-blocked-likely', 'unreachable']);

/**
 * Replaces the connect-failure findings of every failed cell (the session rules' `unreachable` and
 * `egress-blocked-likely`) with one attribution finding naming its evidence; a cell with no verdict
 * keeps its findings, the guess's hint saying how to prove it. Controls get findings of their own.
 */
export function attributeEgress(
  jobs: readonly Job[],
  vantages: readonly VantageAnswer[],
  findings: readonly Finding[],
): Finding[] {
  const grid = reachGrid(jobs, vantages);
  const byPort = new Map<number, number[]>();
  jobs.forEach((job, i) => {
    byPort.set(job.port.port, [...(byPort.get(job.port.port) ?? []), i]);
  });
  const verdicts = new Map<string, Finding>();
  const guessed = new Set<string>();
  jobs.forEach((job, i) => {
    const { port, target } = job;
    if (!effectiveExpectations(port.expect, port.port, port.mode, false).reachable) return;
    const onPort = byPort.get(port.port) ?? [];
    const controls = onPort.filter((j) => jobs[j]?.control);
    const liveControls = controls.filter((j) => grid[j]?.some((r) => r === 'reached'));
    vantages.forEach((v, vi) => {
      const reach = grid[i]?.[vi];
      if (reach === undefined || reach === 'reached' || reach === 'other') return;
      const tried = vantages.flatMap((_, wi) => (grid[i]?.[wi] === undefined ? [] : [wi]));
      const cell: CellEvidence = {
        subject: i,
        vantage: vi,
        openHere: onPort.filter((j) => j !== i && grid[j]?.[vi] === 'reached'),
        liveControls,
        controls,
        elsewhere: tried.filter((wi) => wi !== vi && grid[i]?.[wi] === 'reached'),
        tried,
      };
      const verdict = verdictOf(cell, job.control === true);
      const key = portKey(v.label, target.name, port.port);
      if (!verdict) {
        if (!job.control) guessed.add(key);
        return;
      }
      const words = describeVerdict(verdict, cell, { jobs, vantages, grid });
      verdicts.set(key, place({ rule: verdict, ...words }, job, v.label, target.host, null));
    });
  });
  // The verdict takes the place of the first finding it replaces; a cell without one (a control's) goes last.
  const placed = new Set<string>();
  const kept = findings.flatMap((f): Finding[] => {
    const key = portKey(f.vantage, f.target, f.port);
    if (!CONNECT_RULES.has(f.rule)) return [f];
    const verdict = verdicts.get(key);
    if (verdict) {
      if (placed.has(key)) return [];
      placed.add(key);
      return [verdict];
    }
    if (guessed.has(key) && f.rule === 'egress-blocked-likely') return [{ ...f, hint: guessHint(f) }];
    return [f];
  });
  return [...kept, ...[...verdicts].filter(([key]) => !placed.has(key)).map(([, f]) => f)];
}
