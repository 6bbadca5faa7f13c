/**
 * The namespace helpers clean up after a process that is interrupted, and a later run sweeps what a
 * killed one left, without touching a namespace whose creator still runs (another checkout's tests,
 * say) or one named in any other way. Each case runs test/helpers-selftest/netns-holder.ts in its own
 * process and signals it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { delayLinkPrerequisites } from '../helpers/delay-link.js';
import { TSX_IMPORT } from '../helpers/entry-points.js';
import { netnsPrerequisites } from '../helpers/netns.js';
import { creatorOf, ownedName, sweepLeftoversNow } from '../helpers/netns-cleanup.js';

const execFileAsync = promisify(execFile);
const HOLDER = fileURLToPath(new URL('./netns-holder.ts', import.meta.url));
const required = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required';
const netns = netnsPrerequisites();
const delay = delayLinkPrerequisites();
if (!netns.ok) console.warn(`namespace clean-up tests skipped: ${netns.reason}`);

const namespaces = async () =>
  (await execFileAsync('ip', ['netns', 'list'])).stdout.split('\n').map((line) => line.split(' ')[0]);

/** Starts a holder and resolves with it and the name of what it made. */
function startHolder(kind: 'netns' | 'delay'): Promise<{ child: ChildProcess; name: string }> {
  const child = spawn(process.execPath, [...TSX_IMPORT, HOLDER, kind], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`holder printed no name: ${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const name = /^ready (\S+)$/m.exec(output)?.[1];
      if (name) {
        clearTimeout(timer);
        resolve({ child, name });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`holder exited before printing a name: ${output}`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });

const children: ChildProcess[] = [];
/** Namespaces this file made by hand, deleted after each test whatever happened. */
const made: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const name of made.splice(0)) await execFileAsync('ip', ['netns', 'del', name]).catch(() => undefined);
});

/** Each case starts a node process through tsx and builds a namespace: seconds on a loaded machine. */
const PROCESS_TESTS = { timeout: 60_000 };

describe.skipIf(!netns.ok && !required)('namespace clean-up', PROCESS_TESTS, () => {
  it('a namespace is named after the process that made it, and deleted when that process gets SIGTERM', async () => {
    if (!netns.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${netns.reason}`);
    const { child, name } = await startHolder('netns');
    expect(creatorOf(name)?.pid).toBe(child.pid);
    expect(await namespaces()).toContain(name);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe('SIGTERM');
    expect(await namespaces()).not.toContain(name);
  });

  it('a delayed link is torn down when its process gets SIGINT (Ctrl-C)', async () => {
    if (!delay.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${delay.reason}`);
    const { child, name } = await startHolder('delay');
    expect(name).toMatch(/^spp-delay-holder-[0-9a-f]{6}-pid\d+-ns\d+$/);
    child.kill('SIGINT');
    expect(await exited(child)).toBe('SIGINT');
    expect(await namespaces()).not.toContain(name);
  });

  it("what a killed run left is swept by the next; a live run's namespace and other names are not", async () => {
    if (!netns.ok) throw new Error(`SMTP_PROBE_SYSTEM_TESTS=required but ${netns.reason}`);
    const { child, name: killed } = await startHolder('netns');
    child.kill('SIGKILL');
    await exited(child);
    expect(await namespaces()).toContain(killed);
    made.push(killed);
    // A namespace whose creator runs (a stand-in for another checkout's test run), and one named by
    // someone else: both must survive the sweep.
    const live = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(live);
    const liveName = ownedName('spp-sweep-live', randomBytes(3).toString('hex')).replace(
      `-pid${process.pid}-`,
      `-pid${live.pid}-`,
    );
    const foreign = `spp-sweep-${randomBytes(3).toString('hex')}`;
    for (const name of [liveName, foreign]) {
      await execFileAsync('ip', ['netns', 'add', name]);
      made.push(name);
    }
    const removed = await sweepLeftoversNow();
    expect(removed).toContain(killed);
    expect(removed).not.toContain(liveName);
    expect(removed).not.toContain(foreign);
    const left = await namespaces();
    expect(left).not.toContain(killed);
    expect(left).toEqual(expect.arrayContaining([liveName, foreign]));
  });
});
