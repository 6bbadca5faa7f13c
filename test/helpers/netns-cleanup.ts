/**
 * Network namespaces belong to the machine, not to the process that made them: one left behind by a
 * killed test run stays until someone deletes it, and test runs in other checkouts may be making their
 * own at the same moment. So every namespace name says who made it, and only that is ever swept:
 *
 *   spp-<label>-<random id>-pid<creator's pid>-ns<creator's pid namespace inode>
 *
 * - On exit and on SIGINT, SIGTERM and SIGHUP, a process deletes the namespaces it still has.
 * - Before it makes its first namespace, a process deletes those whose creator is dead: same pid
 *   namespace (so the pid means the same process), and no process with that pid. A live run's
 *   namespaces are never touched; a pid reused by another process only keeps a leftover a while longer.
 *   Names in any other form (older checkouts, other tools) are left alone.
 */
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** This process's pid namespace, e.g. `4026531836` from `pid:[4026531836]`. */
const PID_NAMESPACE = (() => {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
})();

const OWNED = /^spp-.+-pid(\d+)-ns(\d+)$/;

/** The name of a namespace made by this process: `spp-<label>-<id>-pid<pid>-ns<pid namespace>`. */
export function ownedName(base: string, id: string): string {
  return `${base}-${id}-pid${process.pid}-ns${PID_NAMESPACE}`;
}

/** The creator of a namespace named by ownedName(), or undefined for any other name. */
export function creatorOf(name: string): { pid: number; pidNamespace: string } | undefined {
  const match = OWNED.exec(name);
  return match ? { pid: Number(match[1]), pidNamespace: match[2] as string } : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `name` was made by a process of this pid namespace that no longer exists. */
export function isLeftover(name: string): boolean {
  const creator = creatorOf(name);
  if (!creator || creator.pidNamespace !== PID_NAMESPACE || PID_NAMESPACE === '0') return false;
  return creator.pid !== process.pid && !isAlive(creator.pid);
}

/**
 * Deletes the namespaces left by dead test processes (see above), after killing whatever still runs
 * inside them. Resolves with the names it deleted.
 */
export async function sweepLeftoversNow(): Promise<string[]> {
  const ip = async (args: string[]) => (await execFileAsync('ip', args, { timeout: 5000 })).stdout;
  const listed = await ip(['netns', 'list']).catch(() => '');
  const removed: string[] = [];
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!isLeftover(name)) continue;
    const pids = await ip(['netns', 'pids', name]).catch(() => '');
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await ip(['netns', 'del', name]).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

let swept: Promise<string[]> | undefined;

/** sweepLeftoversNow(), once per process: before its first namespace. */
export function sweepLeftovers(): Promise<string[]> {
  swept ??= sweepLeftoversNow();
  return swept;
}

/** Synchronous, best effort: runs while the process is going away. */
export type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runCleanups(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the next run's sweep gets the rest
    }
  }
}

/**
 * Runs `cleanup` if the process exits or is interrupted (SIGINT, SIGTERM, SIGHUP) before the returned
 * function is called. A signal still ends the process, with that signal, once every cleanup has run.
 */
export function cleanUpOnExit(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runCleanups);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = () => {
        runCleanups();
        process.off(signal, onSignal);
        // Listening took the default action (exit) away: give it back unless someone else handles it.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      process.on(signal, onSignal);
    }
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
