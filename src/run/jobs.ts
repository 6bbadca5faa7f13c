import type { Job } from '../judge/index.js';
import type { Plan, TargetPlan } from '../plan/types.js';
import { type MxLookup, mxHosts } from '../probe/index.js';

/**
 * `mx:` targets become one target per MX host (port 25), named after the domain and the host; MX is
 * looked up once, here, so that every vantage probes the same hosts and their rows line up.
 */
export async function expandMx(targets: readonly TargetPlan[], lookup?: MxLookup): Promise<TargetPlan[]> {
  const expanded = await Promise.all(
    targets.map(async (target) => {
      if (!target.mx) return [target];
      const hosts = await mxHosts(target.host, lookup);
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

/** Every target's ports, after MX expansion, in plan order; then every control's, in the same run. */
export async function planJobs(plan: Plan, lookup?: MxLookup): Promise<Job[]> {
  const targets = await expandMx(plan.targets, lookup);
  return [
    ...targets.flatMap((target) => target.ports.map((port) => ({ target, port }))),
    ...(plan.controls ?? []).flatMap((target) =>
      target.ports.map((port) => ({ target, port, control: true as const })),
    ),
  ];
}
