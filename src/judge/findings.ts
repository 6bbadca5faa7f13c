/**
 * Every finding of a run, for every vantage, from one set of rules: sessions against expectations,
 * destinations a vantage refused, vantages that could not answer, and what only a comparison of
 * vantages shows (egress.ts).
 */
import type { Finding } from '../result/model.js';
import { RULES } from '../result/rules.js';
import { effectiveExpectations } from './expectations.js';
import { type Draft, failureDraft, judgeMustBeClosed, judgeSession } from './session-rules.js';
import type { Job, Probed } from './types.js';

/** A draft placed: which vantage, target, port and address it judges, and the config line. */
export function place(
  draft: Draft,
  job: Job,
  vantage: string,
  host: string,
  address: string | null,
): Finding {
  const severity = RULES[draft.rule].severity;
  return {
    ...draft,
    vantage,
    // A control is evidence about its port, not something the user runs: it fails the run only when
    // warnings do (`fail_on`).
    ...(job.control ? { control: true as const } : {}),
    severity: job.control && severity === 'error' ? 'warning' : severity,
    target: job.target.name,
    host,
    port: job.port.port,
    address,
    ...(job.port.location ? { location: job.port.location } : {}),
  };
}

/** The findings of one job probed from one vantage. */
export function judgeProbed({ job, vantage, result }: Probed): Finding[] {
  const { target, port } = job;
  const expect = effectiveExpectations(port.expect, port.port, port.mode, target.auth !== undefined);
  const at = (draft: Draft, address: string | null) =>
    place(draft, job, vantage, result.target.host, address);
  if (!expect.reachable) return judgeMustBeClosed(result).map((d) => at(d, null));
  if (result.sessions.length === 0) return [at(failureDraft(result.status, result), null)];
  return result.sessions.flatMap((session) =>
    judgeSession(session, port, expect).map((draft) => at(draft, session.address)),
  );
}

/** A destination the vantage's policy refused: the probe never ran there. */
export function refusedFinding(job: Job, vantage: string, reason: string, address: string | null): Finding {
  return place(
    {
      rule: 'forbidden-destination',
      message: reason,
      hint: 'A cloud vantage probes only public addresses on SMTP ports: probe private relays from a runner inside their network, or remove the vantage for this target (`vantages`).',
    },
    job,
    vantage,
    job.target.host,
    address,
  );
}

/** A vantage that gave no answer for this job. */
export function vantageFailedFinding(job: Job, vantage: string, kind: string, error: string): Finding {
  const permissions =
    kind === 'runner'
      ? 'the runner itself failed: see the log'
      : kind === 'gcp'
        ? 'its URL and the ID token (roles/run.invoker on the function)'
        : 'its credentials and permissions (lambda:InvokeFunction and, for a Function URL, lambda:InvokeFunctionUrl), region and function name';
  return place(
    {
      rule: 'vantage-failed',
      message: `could not probe from ${vantage}: ${error}`,
      hint: `Check the vantage: ${permissions}.`,
    },
    job,
    vantage,
    job.target.host,
    null,
  );
}
