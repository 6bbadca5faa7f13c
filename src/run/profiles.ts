import type { ProbeProfile } from '../contract/index.js';
import type { Job } from '../judge/index.js';
import type { Plan } from '../plan/types.js';

/**
 * Everything the probe needs for one job, as the contract carries it: the runner probes with exactly
 * this (through contract's profileOptions), and a remote vantage receives it whole.
 */
export function profileFor(plan: Plan, job: Job): ProbeProfile {
  const o = plan.options;
  const { target } = job;
  return {
    timeout: o.timeout,
    connectTimeout: o.connectTimeout,
    greetingTimeout: o.greetingTimeout,
    commandTimeout: o.commandTimeout,
    ...(o.helo ? { helo: o.helo } : {}),
    retries: o.retries,
    tls: {
      ...(o.tls.ca && o.tls.ca.length > 0 ? { ca: o.tls.ca } : {}),
      ...(o.tls.minVersion ? { minVersion: o.tls.minVersion } : {}),
      ...(o.tls.allowUnverifiedAuth ? { allowUnverifiedAuth: true } : {}),
      ...(o.tls.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
    },
    ...(target.auth ? { auth: target.auth } : {}),
    ...(target.envelope ? { envelope: target.envelope } : {}),
  };
}
