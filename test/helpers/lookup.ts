/**
 * Address lookups the test controls, given to the probe's `lookup` option (the hook a remote vantage
 * uses to pin vetted addresses). The system resolver answers differently on different machines: a
 * name under .invalid is ENOTFOUND online and EAI_AGAIN offline, and asking it sends a query to
 * whatever nameserver the machine has. These fail the way getaddrinfo fails, and send nothing.
 */
import type { ProbeOptions } from '../../src/probe/index.js';

type Lookup = NonNullable<ProbeOptions['lookup']>;

/** An error shaped like the one node:dns lookup() rejects with. */
function getaddrinfoError(code: string, host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ${code} ${host}`), {
    code,
    syscall: 'getaddrinfo',
    hostname: host,
  });
}

/** The name does not exist (NXDOMAIN): getaddrinfo's ENOTFOUND, for both families. */
export const nxdomainLookup: Lookup = async (host) => {
  throw getaddrinfoError('ENOTFOUND', host);
};

/** No nameserver answered (an offline machine): getaddrinfo's EAI_AGAIN, for both families. */
export const unreachableResolverLookup: Lookup = async (host) => {
  throw getaddrinfoError('EAI_AGAIN', host);
};
