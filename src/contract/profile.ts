import type { PerTargetOptions } from '../probe/index.js';
import type { ProbeProfile } from './request.js';

/**
 * A profile as the core's options. The runner probes through this function too, so a remote vantage
 * and the runner cannot probe one job two ways.
 */
export function profileOptions(profile: ProbeProfile): PerTargetOptions {
  const { tls } = profile;
  return {
    timeout: profile.timeout,
    connectTimeout: profile.connectTimeout,
    greetingTimeout: profile.greetingTimeout,
    commandTimeout: profile.commandTimeout,
    ...(profile.helo ? { helo: profile.helo } : {}),
    retries: profile.retries,
    tls: {
      ...(tls.ca && tls.ca.length > 0 ? { ca: tls.ca } : {}),
      ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
    ...(tls.allowUnverifiedAuth ? { allowUnverifiedAuth: true } : {}),
    ...(tls.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
    ...(profile.auth ? { auth: profile.auth } : {}),
    ...(profile.envelope ? { envelope: profile.envelope } : {}),
  };
}
