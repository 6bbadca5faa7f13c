/**
 * One run of the real CLI (`node dist/cli/index.js`) over the scale lab's targets: its wall time from
 * spawn to exit, its peak RSS (scale-peak-rss.mjs, preloaded with `--import`), and a check that the
 * JSON report says what each kind of port must give. A run whose statuses are wrong measured something
 * else, so it throws.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runChild } from '../lib/child.js';
import { EXPECTED_STATUS, type LabTarget } from './scale-lab.js';

const CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const PRELOAD = pathToFileURL(fileURLToPath(new URL('./scale-peak-rss.mjs', import.meta.url))).href;
export const CONCURRENCY = 100;

/** `as-is`: the environment as it is (NODE_EXTRA_CA_CERTS set here); `no-extra-ca`: without it. */
export type NodeEnv = 'as-is' | 'no-extra-ca';

export interface CliSample {
  /** spawn → exit, ms */
  ms: number;
  /** VmHWM at exit, MB */
  peakRssMb: number;
  /** getrusage's maxRSS at exit, MB (includes the forking parent's RSS; shown, not judged) */
  maxRssMb: number;
  /** The report's own durationMs: the probing, without Node's start and the report's writing. */
  reportMs: number;
}

export interface CliRun {
  address: string;
  targets: readonly LabTarget[];
  connectTimeoutMs: number;
  env: NodeEnv;
  /** A temporary directory: the CLI's cwd (so no default config is found) and where its files go. */
  dir: string;
  /** Bound for the child's life, ms. */
  timeoutMs: number;
}

export interface ReportRow {
  host: string;
  port: number;
  status: string;
}

let sequence = 0;

/** Another engineer rebuilds dist/ while benchmarks run: wait for the CLI to be back. */
async function cliPresent(): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!existsSync(CLI)) {
    if (performance.now() > deadline) throw new Error(`${CLI} is missing (run npm run build)`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function childEnv(env: NodeEnv, rssFile: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, SCALE_PEAK_RSS_FILE: rssFile };
  if (env === 'no-extra-ca') delete out.NODE_EXTRA_CA_CERTS;
  return out;
}

/** Every target's row must carry the status its kind gives; names what differs otherwise. */
export function checkStatuses(
  rows: readonly ReportRow[],
  targets: readonly LabTarget[],
  address: string,
  source: string,
): void {
  const byPort = new Map(rows.map((row) => [row.port, row]));
  const wrong = new Map<string, number>();
  for (const target of targets) {
    const row = byPort.get(target.port);
    const status = row === undefined ? 'missing' : row.host !== address ? 'other host' : row.status;
    if (status !== EXPECTED_STATUS[target.kind]) {
      const key = `${target.kind} → ${status}`;
      wrong.set(key, (wrong.get(key) ?? 0) + 1);
    }
  }
  if (rows.length !== targets.length || wrong.size > 0) {
    const detail = [...wrong].map(([key, n]) => `${key} ×${n}`).join(', ');
    throw new Error(
      `${source} for ${targets.length} targets (${rows.length} rows) is not what the lab ` +
        `gives: ${detail || 'row count differs'} (expected open → ok, refused → refused, filtered → timeout)`,
    );
  }
}

export async function runCli(run: CliRun): Promise<CliSample> {
  sequence += 1;
  const output = `${run.dir}/report-${sequence}.json`;
  const rssFile = `${run.dir}/peak-rss-${sequence}.json`;
  const args = [
    '--import',
    PRELOAD,
    CLI,
    ...run.targets.map((t) => `${run.address}:${t.port}`),
    '--mode',
    'plain',
    '--concurrency',
    String(CONCURRENCY),
    '--connect-timeout',
    `${run.connectTimeoutMs}ms`,
    '--format',
    'json',
    '-o',
    output,
  ];
  try {
    for (let attempt = 1; ; attempt += 1) {
      await cliPresent();
      const child = await runChild(process.execPath, args, {
        env: childEnv(run.env, rssFile),
        cwd: run.dir,
        timeoutMs: run.timeoutMs,
      }).catch((error: unknown) => {
        // runChild's own message lists every argument: thousands of targets.
        const why = String(error).includes(' ran over ')
          ? `ran over ${run.timeoutMs / 1000} s`
          : String(error);
        throw new Error(`the CLI with ${run.targets.length} targets (${run.env}) ${why}`.slice(0, 600));
      });
      // Exit 1 is the verdict "fail": refused and filtered targets are failures, as they should be.
      if (child.code === 0 || child.code === 1) {
        const report = JSON.parse(await readFile(output, 'utf8')) as {
          durationMs: number;
          results: ReportRow[];
        };
        checkStatuses(report.results, run.targets, run.address, "the CLI's report");
        const rss = JSON.parse(await readFile(rssFile, 'utf8')) as { vmHwmKb: number; maxRssKb: number };
        return {
          ms: child.ms,
          peakRssMb: rss.vmHwmKb / 1024,
          maxRssMb: rss.maxRssKb / 1024,
          reportMs: report.durationMs,
        };
      }
      const rebuilding = !existsSync(CLI) || /ERR_MODULE_NOT_FOUND|Cannot find module/.test(child.stderr);
      if (!rebuilding || attempt >= 3) {
        throw new Error(`the CLI exited ${child.code}: ${child.stderr.trim().slice(-600)}`);
      }
    }
  } finally {
    await rm(output, { force: true });
    await rm(rssFile, { force: true });
  }
}
