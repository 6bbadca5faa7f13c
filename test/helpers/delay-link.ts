/**
 * A delayed link, for latency tests on a kernel without `tc netem`: a network namespace reached from
 * the root namespace only through a pair of TUN devices, with test/system/tun-delay.py between them
 * holding every IP packet a fixed time. The probe runs in-process in the root namespace; servers run
 * in the namespace (spawn()).
 *
 *   root namespace                                  namespace spp-delay-<label>-<id>-pid<pid>-ns<n>
 *   spp<id>a: 10.213.N.1/30, fd7e:5a17:G::1/64      spp<id>b: 10.213.N.2/30, fd7e:5a17:G::2/64
 *       │  ▲                                              ▲  │
 *       ▼  │      tun-delay.py (root namespace)           │  ▼
 *      read ──────► FIFO, each packet held delayMs ──────► write
 *      write ◄───── FIFO, each packet held delayMs ◄────── read
 *
 * No veth, no forwarding: what the root namespace sends to 10.213.N.2 leaves through spp<id>a (the
 * connected /30), the program writes it into spp<id>b, and the namespace receives it as local traffic;
 * replies take the mirror path. Every packet is delayed, SYN and SYN-ACK included, so a TCP connect
 * takes one round trip of 2 × delayMs: a delayed link, not a TCP relay.
 *
 * Teardown: the program creates both devices without IFF_PERSIST, so they vanish when it exits
 * (killed, or because its stdin closed when this process died). destroy() first aborts the root
 * namespace's sockets to the far addresses (`ss -K`): an orphan left in FIN-WAIT with unacknowledged
 * data keeps retransmitting, and once the devices are gone an IPv6 retransmission follows the default
 * route off the machine (seen in a sandboxed copy of this set-up: neighbour discovery for the gateway).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  abortSocketsTo,
  fenceTestRanges,
  type NetnsHandle,
  type NetnsProcess,
  netnsPrerequisites,
  type Prerequisites,
  spawnInNetns,
  ssArgs,
} from './netns.js';
import { cleanUpOnExit, ownedName, sweepLeftovers } from './netns-cleanup.js';

const execFileAsync = promisify(execFile);
const DELAY_PROGRAM = fileURLToPath(new URL('../system/tun-delay.py', import.meta.url));

/** A NetnsHandle whose host addresses are the root end of the link, the ns addresses the far end. */
export interface DelayLink extends NetnsHandle {
  delayMs: number;
  /** Starts a process inside the namespace; destroy() kills it if it still runs. */
  spawn(command: string, args: string[]): NetnsProcess;
  /** Packets forwarded each way, and how late after its due time the latest packet left. */
  stats(): Promise<{ toNs: number; fromNs: number; lateMaxMs: number }>;
  /** Aborts sockets to the far end, kills the processes and the program, deletes the namespace. */
  destroy(): Promise<void>;
}

let prerequisites: Prerequisites | undefined;

/**
 * netnsPrerequisites(), plus /dev/net/tun, python3, and a TUN device that can really be created
 * (`tun-delay.py --check`). Memoised; synchronous so it can feed describe.skipIf.
 */
export function delayLinkPrerequisites(): Prerequisites {
  prerequisites ??= checkPrerequisites();
  return prerequisites;
}

function checkPrerequisites(): Prerequisites {
  const netns = netnsPrerequisites();
  if (!netns.ok) return netns;
  if (!existsSync('/dev/net/tun')) return { ok: false, reason: '/dev/net/tun is missing (modprobe tun)' };
  try {
    const check = `sppchk${randomBytes(3).toString('hex')}`;
    execFileSync('python3', [DELAY_PROGRAM, '--check', check], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
    });
  } catch (err) {
    const error = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (error.code === 'ENOENT') return { ok: false, reason: 'python3 not found on PATH' };
    const detail = error.stderr?.toString().trim().split('\n').pop() || error.message.split('\n')[0];
    return { ok: false, reason: `cannot create a TUN device with tun-delay.py --check: ${detail}` };
  }
  return { ok: true };
}

async function ip(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('ip', args, { timeout: 5000 });
  return stdout;
}

/** Aborts sockets to the far end, kills the processes, deletes the namespace: for a process going away. */
function destroyNow(name: string, pids: Set<number>, addresses: string[]): void {
  const quietly = (action: () => void) => {
    try {
      action();
    } catch {
      // already gone
    }
  };
  for (const address of addresses) quietly(() => execFileSync('ss', ssArgs(address), { stdio: 'ignore' }));
  for (const pid of pids) quietly(() => process.kill(pid, 'SIGKILL'));
  quietly(() => execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 }));
}

async function pickSubnets(): Promise<{ v4: [string, string]; v6: [string, string] }> {
  const listed = await Promise.all([
    ip(['-o', 'addr', 'show']),
    ip(['-4', '-o', 'route', 'show']),
    ip(['-6', '-o', 'route', 'show']),
  ]);
  // Every address and prefix in use, without its length.
  const used = new Set(
    listed
      .join(' ')
      .split(/\s+/)
      .map((token) => token.split('/')[0]),
  );
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(1, 16384) * 4; // a /30 inside 10.213.0.0/16, as netns.ts picks them
    const v4 = [0, 1, 2].map((i) => `10.213.${base >> 8}.${(base & 0xff) + i}`);
    const net6 = `fd7e:5a17:${randomInt(1, 0xffff).toString(16)}::`;
    const v6 = [net6, `${net6}1`, `${net6}2`];
    if ([...v4, ...v6].some((address) => used.has(address))) continue;
    return { v4: [v4[1] as string, v4[2] as string], v6: [v6[1] as string, v6[2] as string] };
  }
  throw new Error('no free 10.213.0.0/16 subnet found');
}

/** Loads a ruleset inside the namespace with `nft -f -`. */
function nftIn(name: string, ruleset: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ip',
      ['netns', 'exec', name, 'nft', '-f', '-'],
      { timeout: 5000 },
      (err, _o, stderr) =>
        err ? reject(new Error(`nft -f - failed: ${stderr.trim() || err.message}`)) : resolve(),
    );
    child.stdin?.end(ruleset);
  });
}

/** Waits for a line matching `pattern` on the child's stdout. */
function nextLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen
        .split('\n')
        .slice(0, -1) // whole lines only
        .find((l) => pattern.test(l));
      if (line !== undefined) finish(() => resolve(line));
    };
    const onExit = () => finish(() => reject(new Error(`tun-delay.py exited; output: ${seen.trim()}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`tun-delay.py printed no ${pattern}; output: ${seen.trim()}`))),
      timeoutMs,
    );
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      settle();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Builds the link: namespace, program, devices, addresses; checks the routes before returning. Torn
 * down by destroy(), or when this process exits or is interrupted; a killed run's is swept by the next.
 */
export async function createDelayLink(opts: { delayMs: number; name?: string }): Promise<DelayLink> {
  await sweepLeftovers();
  const id = randomBytes(3).toString('hex');
  const label = (opts.name ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 30);
  const name = ownedName(label ? `spp-delay-${label}` : 'spp-delay', id);
  const [hostIf, nsIf] = [`spp${id}a`, `spp${id}b`];
  const pids = new Set<number>();
  const processes: NetnsProcess[] = [];
  const addresses: string[] = [];
  let program: ChildProcess | undefined;

  await fenceTestRanges();
  const forget = cleanUpOnExit(() => destroyNow(name, pids, addresses));
  await ip(['netns', 'add', name]).catch((error: unknown) => {
    forget();
    throw error;
  });
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      await abortSocketsTo(addresses);
      await Promise.all(processes.map((p) => p.kill()));
      if (program && program.exitCode === null && program.signalCode === null) {
        const exited = new Promise((resolve) => program?.once('exit', resolve));
        program.kill('SIGTERM');
        const force = setTimeout(() => program?.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(force);
      }
      // The devices go with the program; deleting them is only a fallback.
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
    const child = spawn('python3', [DELAY_PROGRAM, '--delay-ms', String(opts.delayMs), hostIf, nsIf], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    program = child;
    child.stdin.on('error', () => {}); // a write after the program died: stats() then times out
    if (child.pid !== undefined) pids.add(child.pid);
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`tun-delay.py: ${chunk}`));
    await nextLine(child, /^ready /, 10_000);

    const inNs = ['netns', 'exec', name, 'ip'];
    for (const args of [
      ['link', 'set', nsIf, 'netns', name],
      ['addr', 'add', `${hostAddress4}/30`, 'dev', hostIf],
      ['-6', 'addr', 'add', `${hostAddress6}/64`, 'dev', hostIf, 'nodad'],
      ['link', 'set', hostIf, 'up'],
      [...inNs, 'addr', 'add', `${nsAddress4}/30`, 'dev', nsIf],
      [...inNs, '-6', 'addr', 'add', `${nsAddress6}/64`, 'dev', nsIf, 'nodad'],
      [...inNs, 'link', 'set', nsIf, 'up'],
      [...inNs, 'link', 'set', 'lo', 'up'],
      ['netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0'],
    ]) {
      await ip(args);
    }
    addresses.push(nsAddress4, nsAddress6);

    // The far addresses are in 10.213.0.0/16 and fd7e:5a17::/32, which the default route would
    // otherwise carry off the machine: refuse to hand out a link that does not route through the TUN.
    for (const [family, address] of [
      ['-4', nsAddress4],
      ['-6', nsAddress6],
    ] as const) {
      const route = await ip([family, 'route', 'get', address]);
      if (!route.includes(` dev ${hostIf} `)) {
        throw new Error(`${address} does not route through ${hostIf}: ${route.trim()}`);
      }
    }

    const ns: NetnsHandle = {
      name,
      hostAddress4,
      nsAddress4,
      hostAddress6,
      nsAddress6,
      exec: (cmd) => execFileAsync('ip', ['netns', 'exec', name, ...cmd], { timeout: 10_000 }),
      nft: (ruleset) => nftIn(name, ruleset),
      destroy,
    };
    const spawnHere = (command: string, args: string[]): NetnsProcess => {
      const started = spawnInNetns(ns, command, args);
      processes.push(started);
      const pid = started.child.pid;
      if (pid !== undefined) {
        pids.add(pid);
        started.child.once('exit', () => pids.delete(pid));
      }
      return started;
    };
    const stats = async () => {
      const reply = nextLine(child, /^stats /, 3000);
      child.stdin.write('stats\n');
      const line = await reply;
      const number = (key: string) => Number(new RegExp(`${key}=([\\d.]+)`).exec(line)?.[1]);
      return { toNs: number('a2b'), fromNs: number('b2a'), lateMaxMs: number('late_max_ms') };
    };
    return { ...ns, delayMs: opts.delayMs, spawn: spawnHere, stats };
  } catch (err) {
    await destroy();
    throw err;
  }
}
