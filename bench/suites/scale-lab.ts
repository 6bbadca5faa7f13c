/**
 * The scale benchmark's targets: one network namespace holding three kinds of port, mixed in a seeded
 * random order. Open ports are test/system/netns-smtp-fixture.mjs listening on many ports of the
 * namespace's IPv4 address; refused ports are ones nothing listens on (the kernel answers the SYN with
 * an RST); filtered ports are in a range an nft rule in the namespace drops, so the connect times out.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createNetns,
  type NetnsHandle,
  type NetnsProcess,
  netnsPrerequisites,
  spawnInNetns,
} from '../../test/helpers/netns.js';

const execFileAsync = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('../../test/system/netns-smtp-fixture.mjs', import.meta.url));

export type Kind = 'open' | 'refused' | 'filtered';
export const KINDS: readonly Kind[] = ['open', 'refused', 'filtered'];

/**
 * Shares of each kind. 30 % filtered makes the filtered count a multiple of 100 at every size used, so
 * ceil(filtered / concurrency) is exact and the ideal has no rounding slack to hide overhead in; at
 * 10,000 targets it gives the ~60 s run the issue planned for.
 */
export const SHARES: Readonly<Record<Kind, number>> = { open: 0.5, refused: 0.2, filtered: 0.3 };

/** First port of each kind; each target gets its own port, so no two targets are the same. */
export const PORT_BASE: Readonly<Record<Kind, number>> = { open: 10_000, refused: 20_000, filtered: 30_000 };
/** The status the CLI must report for each kind, or the run measured something else. */
export const EXPECTED_STATUS: Readonly<Record<Kind, string>> = {
  open: 'ok',
  refused: 'refused',
  filtered: 'timeout',
};
const DROPPED_RANGE = '30000-39999';

export interface LabTarget {
  kind: Kind;
  port: number;
}

export function countsFor(total: number): Record<Kind, number> {
  const filtered = Math.round(total * SHARES.filtered);
  const refused = Math.round(total * SHARES.refused);
  return { open: total - filtered - refused, refused, filtered };
}

/** mulberry32: a small seeded generator, so every run (and every machine) probes the same order. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `total` targets in the shares above, shuffled (Fisher-Yates, seeded) so the kinds are mixed. */
export function mixedTargets(total: number, seed = 0x5ca1e): LabTarget[] {
  const counts = countsFor(total);
  const targets = KINDS.flatMap((kind) =>
    Array.from({ length: counts[kind] }, (_, i) => ({ kind, port: PORT_BASE[kind] + i })),
  );
  const random = seeded(seed);
  for (let i = targets.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [targets[i], targets[j]] = [targets[j] as LabTarget, targets[i] as LabTarget];
  }
  return targets;
}

export interface Lab {
  /** The namespace's IPv4 address every target is on. */
  address: string;
  close(): Promise<void>;
}

/** Why the lab cannot be built here (no root, no ip or nft), or undefined when it can. */
export function labMissing(): string | undefined {
  const ready = netnsPrerequisites();
  return ready.ok ? undefined : ready.reason;
}

/** How many TCP sockets listen in the namespace. */
async function listeningCount(ns: NetnsHandle): Promise<number> {
  const { stdout } = await execFileAsync('ip', ['netns', 'exec', ns.name, 'ss', '-Htln'], {
    timeout: 10_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.split('\n').filter((line) => line.trim() !== '').length;
}

/** Builds the namespace with `openPorts` listening ports and the drop rule; close() tears it all down. */
export async function startLab(openPorts: number): Promise<Lab> {
  const ns = await createNetns({ name: 'scale' });
  let fixture: NetnsProcess | undefined;
  const close = async () => {
    await fixture?.kill();
    await ns.destroy();
  };
  try {
    await ns.nft(`
      flush ruleset
      table inet scale_filter {
        chain input {
          type filter hook input priority 0; policy accept;
          tcp dport ${DROPPED_RANGE} drop
        }
      }`);
    const listen = Array.from({ length: openPorts }, (_, i) => `${ns.nsAddress4}:${PORT_BASE.open + i}`);
    const started = spawnInNetns(ns, process.execPath, [FIXTURE, ...listen]);
    fixture = started;
    // Counting sockets with ss rather than the fixture's "listening" lines: waitForLine scans every
    // line seen so far, which is quadratic over thousands of ports.
    const deadline = performance.now() + 30_000;
    for (;;) {
      if (started.child.exitCode !== null || started.child.signalCode !== null)
        throw new Error(
          `netns-smtp-fixture.mjs exited (${started.child.exitCode ?? started.child.signalCode})`,
        );
      if ((await listeningCount(ns)) >= openPorts) break;
      if (performance.now() > deadline)
        throw new Error(`netns-smtp-fixture.mjs did not listen on ${openPorts} ports within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { address: ns.nsAddress4, close };
  } catch (error) {
    await close();
    throw error;
  }
}
