import type { Finding } from '../result/model.js';
import type { Job } from './types.js';

/** One key per (vantage, target, port): what findings and jobs are matched on. */
export const portKey = (vantage: string, target: string, port: number): string =>
  `${vantage}\u0000${target}\u0000${port}`;

/**
 * The (vantage, target, port) triples with an error finding, built once: looking each job up in the
 * findings instead made a 10,000-target run quadratic.
 */
export function failingPorts(findings: readonly Finding[]): Set<string> {
  return new Set(
    findings.filter((f) => f.severity === 'error').map((f) => portKey(f.vantage, f.target, f.port)),
  );
}

/**
 * In a `require: any` group, failures are warnings as long as another port of the group passes from
 * the same vantage: a network that allows 587 but not 465 still has a way out.
 */
export function softenAlternatives(
  jobs: readonly Job[],
  vantages: readonly string[],
  findings: readonly Finding[],
  probedOk: (vantage: string, index: number) => boolean,
): Finding[] {
  const failed = failingPorts(findings);
  const groupPasses = new Set<string>();
  for (const vantage of vantages) {
    jobs.forEach((job, i) => {
      if (job.target.require !== 'any') return;
      if (probedOk(vantage, i) && !failed.has(portKey(vantage, job.target.name, job.port.port))) {
        groupPasses.add(`${vantage}\u0000${job.target.name}`);
      }
    });
  }
  return findings.map((f) =>
    f.severity === 'error' && groupPasses.has(`${f.vantage}\u0000${f.target}`)
      ? { ...f, severity: 'warning' as const, message: `${f.message} (another port of this group works)` }
      : f,
  );
}
