/**
 * A second Postfix for the round-trips benchmark, inside a delay link's namespace: the system tests'
 * instance (test/system/setup.sh) copied, listening on the namespace address only, with its own queue,
 * data directory and log under a temporary directory. It shares that instance's certificate and sasldb,
 * read-only. `postfix start` runs through `ip netns exec`, so master and every smtpd it forks live in
 * the namespace; stop() ends them (postfix stop, then SIGKILL) and removes the directory.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { DelayLink } from '../../test/helpers/delay-link.js';
import { accepts } from '../../test/system/postfix-env.js';

const execFileAsync = promisify(execFile);

/** Every inet service in the system instance's master.cf; the benchmark probes 2525, 587 and 465. */
const PORTS = [25, 587, 465, 2525] as const;
const READY_WITHIN_MS = 15_000;

export interface NamespacePostfix {
  /** Where its config, queue and log are. */
  dir: string;
  /** How long `postfix start` and the wait for the four ports took, ms. */
  startMs: number;
  stop(): Promise<void>;
}

async function masterPid(dir: string): Promise<number | undefined> {
  const text = await readFile(`${dir}/spool/pid/master.pid`, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies the system instance's main.cf and master.cf from `systemConfig`, points them at the
 * namespace address and a temporary directory, starts Postfix in the namespace and waits until every
 * port accepts. Throws with Postfix's own message when it cannot start; nothing is left running then.
 */
export async function startNamespacePostfix(
  link: DelayLink,
  systemConfig: string,
): Promise<NamespacePostfix> {
  const started = performance.now();
  const dir = await mkdtemp('/var/tmp/spp-bench-rtt-');
  // smtpd runs as the postfix user with the queue as its working directory: it must get through.
  await chmod(dir, 0o755);
  const conf = `${dir}/conf`;
  await mkdir(conf);
  await mkdir(`${dir}/spool`);
  await copyFile(`${systemConfig}/main.cf`, `${conf}/main.cf`);
  await copyFile(`${systemConfig}/master.cf`, `${conf}/master.cf`);
  // Debian's smtpd reads smtpd.conf from $config_directory/sasl whatever cyrus_sasl_config_path says
  // (seen with strace: without this copy it falls back to /etc/sasldb2 and every AUTH fails with 454).
  await mkdir(`${conf}/sasl`);
  await copyFile(`${systemConfig}/sasl/smtpd.conf`, `${conf}/sasl/smtpd.conf`);
  // Should this process exit before stop(), the instance must not outlive it. Synchronous, by pid:
  // on SIGTERM master signals its whole process group and exits.
  let master: number | undefined;
  const onExit = () => {
    if (master !== undefined && alive(master)) process.kill(master, 'SIGTERM');
  };
  process.once('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      master ??= await masterPid(dir);
      // Inside the namespace, as it was started: in the root namespace `postfix stop` finds no
      // interface for inet_interfaces, fails, and leaves master running.
      await link.exec(['postfix', '-c', conf, 'stop']).catch(() => undefined);
      for (let i = 0; master !== undefined && alive(master) && i < 50; i++) await sleep(100);
      if (master !== undefined && alive(master)) process.kill(master, 'SIGKILL');
      // The namespace is this benchmark's own: whatever still runs in it (a smtpd master did not reap,
      // the fixture) is ours. ip netns pids looks at each process's network namespace, so the system
      // instance is never touched.
      await killNamespaceProcesses(link.name);
      process.off('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await execFileAsync(
      'postconf',
      [
        '-c',
        conf,
        '-e',
        `config_directory=${conf}`,
        `queue_directory=${dir}/spool`,
        `data_directory=${dir}/data`,
        `maillog_file=${dir}/postfix.log`,
        `maillog_file_prefixes=${dir}`,
        `inet_interfaces=${link.nsAddress4}`,
        'inet_protocols=ipv4',
        // No DNS from inside the namespace: it has no resolver, and nothing may leave the machine.
        'smtpd_peername_lookup=no',
      ],
      { timeout: 10_000 },
    );
    // `start` checks the configuration and creates the queue and data directories with Postfix's owners
    // (post-install create-missing): a separate `check` would do all that twice, seconds each.
    await link.exec(['postfix', '-c', conf, 'start']);
    master = await masterPid(dir);
    const readyBy = performance.now() + READY_WITHIN_MS;
    for (const port of PORTS) {
      while (!(await accepts(link.nsAddress4, port, 1000))) {
        if (performance.now() > readyBy) {
          throw new Error(
            `nothing accepts on ${link.nsAddress4} port ${port} ${READY_WITHIN_MS / 1000} s on`,
          );
        }
        await sleep(100);
      }
    }
    return { dir, startMs: performance.now() - started, stop };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    const log = await readFile(`${dir}/postfix.log`, 'utf8').catch(() => '');
    await stop();
    const tail = log.trim().split('\n').slice(-3).join(' | ');
    throw new Error(
      `cannot start Postfix in ${link.name}: ${detail}${tail ? `; its log ends: ${tail}` : ''}`,
    );
  }
}

async function killNamespaceProcesses(name: string): Promise<void> {
  const { stdout } = await execFileAsync('ip', ['netns', 'pids', name], { timeout: 5000 }).catch(() => ({
    stdout: '',
  }));
  for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid && alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
