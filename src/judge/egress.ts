/**
 * What only a comparison of vantages shows: a port that works from one vantage and whose connection
 * times out from another is blocked by the second one's network, not by the server.
 */
import type { Finding, VantageKind } from '../result/model.js';
import type { Job, VantageAnswer } from './types.js';

const PLATFORM_HINTS: Record<VantageKind, (port: number) => string> = {
  'aws-lambda': (port) =>
    port === 25
      ? 'AWS blocks outbound port 25 from Lambda outside a VPC (and from EC2 unless AWS lifts it): submit on 587, 465 or 2525, or run in a VPC behind a NAT gateway whose port-25 limit AWS has lifted.'
      : `Check the egress rules of this function's network (VPC security group, NACL, NAT) for port ${port}.`,
  'function-url': (port) => PLATFORM_HINTS['aws-lambda'](port),
  gcp: (port) =>
    port === 25
      ? 'Google Cloud blocks outbound port 25 from Cloud Run, Cloud Functions and Compute Engine: submit on 587, 465 or 2525.'
      : `Check the egress rules of this function's network (VPC connector, firewall rules, Cloud NAT) for port ${port}.`,
  runner: (port) =>
    port === 25
      ? 'GitHub-hosted runners run in Azure, which blocks outbound port 25 for most subscriptions: submit on 587, 465 or 2525.'
      : `The network this runs on drops port ${port} outbound: check its egress firewall.`,
};

/**
 * Replaces a vantage's "likely blocked" guess with `egress-blocked` when another vantage reached the
 * same port, naming the vantages it works from and the platform's known policy.
 */
export function diagnoseEgress(
  jobs: readonly Job[],
  vantages: readonly VantageAnswer[],
  findings: readonly Finding[],
): Finding[] {
  const replaced = new Map<Finding, Finding>();
  const guesses = findings.filter((f) => f.rule === 'egress-blocked-likely');
  if (guesses.length === 0 || vantages.length < 2) return [...findings];
  jobs.forEach((job, i) => {
    const working = vantages
      .filter(
        (v) => 'outcomes' in v && v.outcomes[i]?.kind === 'probed' && v.outcomes[i].result.status === 'ok',
      )
      .map((v) => v.label);
    if (working.length === 0) return;
    for (const v of vantages) {
      for (const guess of guesses) {
        if (guess.vantage !== v.label || guess.target !== job.target.name || guess.port !== job.port.port)
          continue;
        replaced.set(guess, {
          ...guess,
          rule: 'egress-blocked',
          message: `port ${job.port.port} works from ${working.join(', ')} but times out from ${v.label}: this network blocks it`,
          hint: PLATFORM_HINTS[v.kind](job.port.port),
        });
      }
    }
  });
  return findings.map((f) => replaced.get(f) ?? f);
}
