/**
 * The DNS a remote vantage vets names with: c-ares (node:dns Resolver), not getaddrinfo. getaddrinfo
 * blocks one of libuv's four threadpool threads for each lookup until the system resolver gives up
 * (timeout × attempts per family, 10 s and more): measured in a Lambda stand-in, 20 names whose DNS
 * never answered left a name that did answer at once waiting behind them until the deadline, and it
 * came back as a timeout. c-ares queries are sockets on the event loop: any number run at once, each
 * with its own timeout, and all of them cancelled when the answer leaves.
 */
import { Resolver } from 'node:dns/promises';
import { defaultLookup } from '../probe/dns.js';
import type { Lookup, MxLookup } from '../probe/index.js';

/** Per query: c-ares waits this long for a server's answer, then asks again (doubling), `tries` times. */
export const VETTING_DNS_TIMEOUT_MS = 1_500;
export const VETTING_DNS_TRIES = 2;

export interface VettingDns {
  lookup: Lookup;
  resolveMx: MxLookup;
  /** Ends every query still running (they reject with ECANCELLED). */
  cancel(): void;
}

/**
 * RFC 6761 §6.3: `localhost` and the names under it are never asked of DNS; they are answered the way
 * the system answers them (/etc/hosts, through getaddrinfo, at once). No other name is: a function's
 * /etc/hosts holds nothing else worth probing.
 */
const LOCALHOST = /^(?:.+\.)?localhost\.?$/i;

/** One resolver per request, from /etc/resolv.conf's servers, so that `cancel` ends only its queries. */
export function vettingDns(): VettingDns {
  const resolver = new Resolver({ timeout: VETTING_DNS_TIMEOUT_MS, tries: VETTING_DNS_TRIES });
  return {
    lookup: async (name, family) =>
      LOCALHOST.test(name)
        ? defaultLookup(name, family)
        : family === 4
          ? resolver.resolve4(name)
          : resolver.resolve6(name),
    resolveMx: (domain) => resolver.resolveMx(domain),
    cancel: () => resolver.cancel(),
  };
}
