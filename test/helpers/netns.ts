/**
 * Network-namespace helpers for tests that need a peer that drops or rejects packets.
 * Requires root, iproute2 (`ip`) and nftables (`nft`). Addresses: 10.213.0.0/16 (/30 per
 * namespace) and fd7e:5a17::/32 (/64 per namespace); nothing here routes anywhere else.
 *
 * Observed on Linux 6.18 (node:net connect from the root namespace to nsAddress):
 * - `drop` -> no answer (connect timeout); `reject with tcp reset` -> ECONNREFUSED in ~3 ms.
 * - IPv4 `reject with icmp type host-unreachable` / `admin-prohibited` -> EHOSTUNREACH in ~2 ms.
 * - ICMPV6_NOTE: IPv6 `reject with icmpv6 type addr-unreachable` -> EHOSTUNREACH and
 *   `admin-prohibited` -> EACCES, but only after ~1 s: the first ICMPv6 error comes back over
 *   the veth while connect() still holds the socket lock, so the kernel keeps it as a soft error
 *   (TcpExtLockDroppedIcmps +1); the SYN retransmitted after the 1 s initial RTO gets the error
 *   that aborts the connect. Use a connect timeout well above 1 s in such tests.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { cleanUpOnExit, ownedName, sweepLeftovers } from './netns-cleanup.js';

const execFileAsync = promisify(execFile);

export interface NetnsHandle {
  name: string;
  /** root-namespace end of the veth pair */
  hostAddress4: string;
  /** namespace end of the veth pair */
  nsAddress4: string;
  hostAddress6: string;
  nsAddress6: string;
  /** runs `ip netns exec NAME ...cmd` */
  exec(cmd: string[]): Promise<{ stdout: string; stderr: string }>;
  /** loads a ruleset with `ip netns exec NAME nft -f -` (start it with 'flush ruleset' to replace) */
  nft(ruleset: string): Promise<void>;
  /** kills processes started with spawnInNetns, deletes the namespace and veth; idempotent */
  destroy(): Promise<void>;
}

export interface NetnsProcess {
  child: ChildProcess;
  /** resolves with the first stdout/stderr line matching `pattern` */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after 1 s; resolves once the process exited */
  kill(): Promise<void>;
}

export type Prerequisites = { ok: true } | { ok: false; reason: string };

let prerequisites: Prerequisites | undefined;

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
}

/**
 * Checks uid 0, `ip`, `nft`, and that `ip netns add`, veth and nftables work (in a throw-away
 * namespace). Memoised; synchronous so it can feed describe.skipIf.
 */
export function netnsPrerequisites(): Prerequisites {
  prerequisites ??= checkPrerequisites();
  return prerequisites;
}

function checkPrerequisites(): Prerequisites {
  if (process.platform !== 'linux') return { ok: false, reason: `platform is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root (uid 0)' };
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['nft', ['--version']],
  ] as const) {
    try {
      run(cmd, [...args]);
    } catch (err) {
      return { ok: false, reason: `'${cmd}' not usable: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  const probe = ownedName('spp-check', randomBytes(3).toString('hex'));
  try {
    run('ip', ['netns', 'add', probe]);
  } catch (err) {
    return { ok: false, reason: `'ip netns add' failed: ${(err as Error).message.split('\n')[0]}` };
  }
  // Inside the throw-away namespace: veth pairs and nftables must work too.
  const checks: Array<[string, string[]]> = [
    ['veth', ['ip', 'link', 'add', 'sppchk0', 'type', 'veth', 'peer', 'name', 'sppchk1']],
    ['nftables', ['nft', 'add', 'table', 'inet', 'spp_check']],
  ];
  let failure: string | undefined;
  for (const [what, cmd] of checks) {
    try {
      run('ip', ['netns', 'exec', probe, ...cmd]);
    } catch (err) {
      failure = `${what} not usable: ${(err as Error).message.split('\n')[0]}`;
      break;
    }
  }
  try {
    run('ip', ['netns', 'del', probe]);
  } catch {
    // best effort
  }
  return failure === undefined ? { ok: true } : { ok: false, reason: failure };
}

/** pids started by spawnInNetns, per handle */
const handles = new WeakMap<NetnsHandle, Set<number>>();

/** Kills what runs in the namespace and deletes it, synchronously: for a process that is going away. */
function destroyNow(name: string, hostIf: string, pids: Set<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const args of [
    ['link', 'del', hostIf],
    ['netns', 'del', name],
  ]) {
    try {
      run('ip', args);
    } catch {
      // already gone
    }
  }
}

async function ip(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ip', args, { timeout: 5000 });
  return stdout;
}

async function pickSubnets(): Promise<{ v4: [string, string]; v6: [string, string] }> {
  // Addresses of the root namespace, and the routes it has into other namespaces (serviceAddress).
  const routes = (await ip(['-4', 'route', 'show'])).split('\n').map((line) => ` ${line.split(' ')[0]}/`);
  const used4 = `${await ip(['-4', '-o', 'addr', 'show'])}\n${routes.join('\n')}`;
  const used6 = await ip(['-6', '-o', 'addr', 'show']);
  for (let attempt = 0; attempt < 50; attempt++) {
    const block = randomInt(1, 16384); // /30 index inside 10.213.0.0/16 (skip 10.213.0.0/30)
    const base = block * 4;
    const prefix = `10.213.${base >> 8}.`;
    const host4 = `${prefix}${(base & 0xff) + 1}`;
    const ns4 = `${prefix}${(base & 0xff) + 2}`;
    const group = randomInt(1, 0xffff).toString(16);
    const net6 = `fd7e:5a17:${group}::`;
    if (used4.includes(` ${host4}/`) || used4.includes(` ${ns4}/`) || used6.includes(` ${net6}`)) continue;
    return { v4: [host4, ns4], v6: [`${net6}1`, `${net6}2`] };
  }
  throw new Error('no free 10.213.0.0/16 subnet found');
}

/**
 * Our test ranges never leave this machine: a blackhole route for each in the root namespace. A live
 * namespace's connected routes are more specific and win; anything else in the ranges (a namespace
 * being torn down, a route not up yet, a kernel still retransmitting to a deleted one) is dropped here
 * instead of following the default route out. Idempotent; the routes stay, harmlessly.
 */
export async function fenceTestRanges(): Promise<void> {
  await ip(['route', 'replace', 'blackhole', '10.213.0.0/16']);
  await ip(['-6', 'route', 'replace', 'blackhole', 'fd7e:5a17::/32']);
}

export const ssArgs = (address: string) => [
  '-K',
  '-tn',
  'dst',
  address.includes(':') ? `[${address}]` : address,
];

/** Aborts every TCP socket of the root namespace to these addresses, orphans included (`ss -K`). */
export async function abortSocketsTo(addresses: string[]): Promise<void> {
  for (const address of addresses) {
    await execFileAsync('ss', ssArgs(address), { timeout: 5000 }).catch(() => undefined);
  }
}

/**
 * Creates namespace `spp-<label>-<id>-pid<pid>-ns<pid namespace>` with a veth pair to the root
 * namespace, IPv4 /30 and IPv6 /64. Deleted by destroy(), or when this process exits or is interrupted;
 * one left by a killed run is swept by the next (netns-cleanup.ts).
 */
export async function createNetns(opts: { name?: string } = {}): Promise<NetnsHandle> {
  await sweepLeftovers();
  const id = randomBytes(3).toString('hex');
  const label = (opts.name ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
  const name = ownedName(label ? `spp-${label}` : 'spp', id);
  // Interface names are limited to 15 characters.
  const hostIf = `spp${id}h`;
  const nsIf = `spp${id}n`;
  const pids = new Set<number>();
  const addresses: string[] = [];

  await fenceTestRanges();
  const forget = cleanUpOnExit(() => destroyNow(name, hostIf, pids));
  await ip(['netns', 'add', name]).catch((error: unknown) => {
    forget();
    throw error;
  });
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      // Connections the kernel still retransmits on go first, so nothing outlives the namespace.
      if (addresses.length > 0) await abortSocketsTo(addresses);
      // Deleting either end removes the pair; do it explicitly in case a process pins the netns.
      await ip(['link', 'del', hostIf]).catch(() => undefined);
      await ip(['netns', 'del', name]).catch(() => undefined);
      forget();
    })();
    return destroyed;
  };

  try {
    const { v4, v6 } = await pickSubnets();
    const [hostAddress4, nsAddress4] = v4;
    const [hostAddress6, nsAddress6] = v6;
    const nsExec = (args: string[]) => ip(['netns', 'exec', name, ...args]);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', name]);
    await ip(['addr', 'add', `${hostAddress4}/30`, 'dev', hostIf]);
    await ip(['-6', 'addr', 'add', `${hostAddress6}/64`, 'dev', hostIf, 'nodad']);
    await ip(['link', 'set', hostIf, 'up']);
    await nsExec(['ip', 'addr', 'add', `${nsAddress4}/30`, 'dev', nsIf]);
    await nsExec(['ip', '-6', 'addr', 'add', `${nsAddress6}/64`, 'dev', nsIf, 'nodad']);
    await nsExec(['ip', 'link', 'set', nsIf, 'up']);
    await nsExec(['ip', 'link', 'set', 'lo', 'up']);
    await nsExec(['sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);

    addresses.push(nsAddress4, nsAddress6);
    // Traffic only once the namespace's routes are really in place.
    for (const address of [nsAddress4, nsAddress6]) {
      const route = await ip(['route', 'get', address]);
      if (!route.includes(`dev ${hostIf}`))
        throw new Error(`${address} is not routed through ${hostIf}: ${route.trim()}`);
    }
    const exec = (cmd: string[]) => execFileAsync('ip', ['netns', 'exec', name, ...cmd], { timeout: 10_000 });
    const nft = (ruleset: string) => loadNft(name, ruleset);
    const handle: NetnsHandle = {
      name,
      hostAddress4,
      nsAddress4,
      hostAddress6,
      nsAddress6,
      exec,
      nft,
      destroy,
    };
    handles.set(handle, pids);
    return handle;
  } catch (err) {
    await destroy();
    throw err;
  }
}

function loadNft(name: string, ruleset: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', name, 'nft', '-f', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`nft -f - failed (exit ${code}): ${stderr.trim()}`));
    });
    child.stdin.end(ruleset);
  });
}

/**
 * Starts a long-running process inside the namespace (`ip netns exec NAME command ...args`).
 * handle.destroy() kills it too, but prefer awaiting kill() yourself.
 */
export function spawnInNetns(
  handle: NetnsHandle,
  command: string,
  args: string[],
  /** The process's environment; this process's by default. */
  env: NodeJS.ProcessEnv = process.env,
): NetnsProcess {
  const child = spawn('ip', ['netns', 'exec', handle.name, command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const pids = handles.get(handle);
  const pid = child.pid;
  if (pid !== undefined) pids?.add(pid);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => {
    if (pid !== undefined) pids?.delete(pid);
  });

  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const onChunk = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue;
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    }
  };
  child.stdout?.on('data', onChunk);
  child.stderr?.on('data', onChunk);

  const waitForLine = (pattern: RegExp, timeoutMs = 3000) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) {
        resolve(seen);
        return;
      }
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${pattern}; output so far: ${lines.join(' | ')}`));
      }, timeoutMs);
      const waiter = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(line);
      };
      waiters.add(waiter);
      void exited.then(() => {
        if (!waiters.has(waiter)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        reject(new Error(`process exited before printing ${pattern}; output: ${lines.join(' | ')}`));
      });
    });

  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(force);
    }
  };
  return { child, waitForLine, kill };
}

/**
 * A veth pair between two namespaces of ours, with a /30 of its own (`a` gets the first address, `b` the
 * second): a path between them that does not cross the root namespace. It goes when either namespace
 * is destroyed.
 */
export async function linkNetns(
  a: NetnsHandle,
  b: NetnsHandle,
): Promise<{ aAddress: string; bAddress: string }> {
  const id = randomBytes(3).toString('hex');
  const [aIf, bIf] = [`spp${id}a`, `spp${id}b`];
  const { v4 } = await pickSubnets();
  const [aAddress, bAddress] = v4;
  await ip(['link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf]);
  try {
    await ip(['link', 'set', aIf, 'netns', a.name]);
    await ip(['link', 'set', bIf, 'netns', b.name]);
  } catch (err) {
    await ip(['link', 'del', aIf]).catch(() => undefined);
    await ip(['link', 'del', bIf]).catch(() => undefined);
    throw err;
  }
  for (const [handle, iface, address] of [
    [a, aIf, aAddress],
    [b, bIf, bAddress],
  ] as const) {
    await handle.exec(['ip', 'addr', 'add', `${address}/30`, 'dev', iface]);
    await handle.exec(['ip', 'link', 'set', iface, 'up']);
  }
  return { aAddress, bAddress };
}

/**
 * An extra IPv4 address for a server inside `handle`'s namespace (on its loopback), reachable from the
 * root namespace through the namespace's veth (a /32 route in our fenced range, gone with the veth).
 * Other namespaces reach it with `ip route add ADDRESS/32 via ...` over a link of their own.
 */
export async function serviceAddress(handle: NetnsHandle): Promise<string> {
  const { v4 } = await pickSubnets();
  const address = v4[0];
  await handle.exec(['ip', 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  await ip(['route', 'add', `${address}/32`, 'via', handle.nsAddress4]);
  return address;
}
