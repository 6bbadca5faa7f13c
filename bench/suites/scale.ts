/**
 * Scale (issue: "1,000 targets in namespaces"): the real CLI over open, refused and DROP-filtered ports
 * mixed, at concurrency 100 and a 2 s connect timeout. Wall time against the ideal, ceil(filtered /
 * concurrency) × timeout plus what the open and refused targets take on their own; peak RSS at 1,000
 * and 10,000 targets. The lab is scale-lab.ts, one CLI run scale-cli.ts, the tables and notes
 * scale-report.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProbeTarget, probeAll } from '../../src/probe/index.js';
import { interleaved, median } from '../lib/stats.js';
import type { BenchContext, Suite, SuiteResult } from '../lib/types.js';
import { type CliSample, CONCURRENCY, checkStatuses, type NodeEnv, runCli } from './scale-cli.js';
import { countsFor, type LabTarget, labMissing, mixedTargets, startLab } from './scale-lab.js';
import { ID, type Measured, report, TITLE } from './scale-report.js';

const ENVS: readonly NodeEnv[] = ['as-is', 'no-extra-ca'];

const idealMs = (targets: readonly LabTarget[], connectTimeoutMs: number, openOnlyMs: number) =>
  Math.ceil(targets.filter((t) => t.kind === 'filtered').length / CONCURRENCY) * connectTimeoutMs +
  openOnlyMs;

/** The CLI on the mix and on its open and refused targets alone, both environments, round-robin. */
async function measureCli(
  address: string,
  size: number,
  runs: number,
  connectTimeoutMs: number,
  dir: string,
  log: (message: string) => void,
  envs: readonly NodeEnv[],
): Promise<Measured[]> {
  const mixed = mixedTargets(size);
  const openOnly = mixed.filter((t) => t.kind !== 'filtered');
  // Only a hang should stop a run: the 10,000-target one took 120 to over 180 s here (see the notes).
  const timeoutMs = Math.max(120_000, 10 * idealMs(mixed, connectTimeoutMs, 0));
  const samples = new Map<string, CliSample[]>();
  const contenders: Record<string, () => Promise<unknown>> = {};
  for (const env of envs) {
    for (const [set, targets] of [
      ['mixed', mixed],
      ['open-only', openOnly],
    ] as const) {
      const key = `${set} ${env}`;
      samples.set(key, []);
      contenders[key] = async () => {
        const sample = await runCli({
          address,
          targets,
          connectTimeoutMs,
          env,
          dir,
          timeoutMs,
        });
        samples.get(key)?.push(sample);
        log(`scale: CLI, ${targets.length} targets (${key}): ${(sample.ms / 1000).toFixed(1)} s`);
      };
    }
  }
  // No warm-up round: every sample is a fresh process, and at 10,000 targets a round is two minutes.
  await interleaved(contenders, runs, 0);
  return envs.map((env) => {
    const main = samples.get(`mixed ${env}`) ?? [];
    const alone = samples.get(`open-only ${env}`) ?? [];
    const wallMs = median(main.map((s) => s.ms));
    const openOnlyMs = median(alone.map((s) => s.ms));
    const ideal = idealMs(mixed, connectTimeoutMs, openOnlyMs);
    return {
      size,
      runner: 'CLI',
      env,
      runs,
      wallMs,
      openOnlyMs,
      idealMs: ideal,
      ratio: wallMs / ideal,
      peakRssMb: median(main.map((s) => s.peakRssMb)),
      maxRssMb: median(main.map((s) => s.maxRssMb)),
      reportMs: median(main.map((s) => s.reportMs)),
    };
  });
}

/** The same mix through probeAll in this process: the core's own figure, without start-up or report. */
async function measureInProcess(
  address: string,
  size: number,
  runs: number,
  connectTimeoutMs: number,
): Promise<Measured> {
  const mixed = mixedTargets(size);
  const openOnly = mixed.filter((t) => t.kind !== 'filtered');
  const times: Record<'mixed' | 'openOnly', number[]> = { mixed: [], openOnly: [] };
  const once = (set: keyof typeof times, targets: LabTarget[]) => async () => {
    const probeTargets: ProbeTarget[] = targets.map((t) => ({ host: address, port: t.port, mode: 'plain' }));
    const started = performance.now();
    const results = await probeAll(probeTargets, {
      connectTimeout: connectTimeoutMs,
      concurrency: CONCURRENCY,
    });
    times[set].push(performance.now() - started);
    const rows = results.map((r) => ({ host: r.target.host, port: r.target.port, status: r.status }));
    checkStatuses(rows, targets, address, 'probeAll in-process');
  };
  await interleaved({ mixed: once('mixed', mixed), openOnly: once('openOnly', openOnly) }, runs, 0);
  const wallMs = median(times.mixed);
  const openOnlyMs = median(times.openOnly);
  const ideal = idealMs(mixed, connectTimeoutMs, openOnlyMs);
  return {
    size,
    runner: 'probeAll in-process',
    env: 'bench process',
    runs,
    wallMs,
    openOnlyMs,
    idealMs: ideal,
    ratio: wallMs / ideal,
  };
}

function skippedResult(reason: string): SuiteResult {
  return { id: ID, title: TITLE, method: '', tables: [], figures: {}, goals: [], notes: [], skipped: reason };
}

export const scale: Suite = {
  id: ID,
  title: TITLE,
  async run(context: BenchContext): Promise<SuiteResult> {
    const missing = labMissing();
    if (missing) return skippedResult(`needs network namespaces: ${missing}`);
    const connectTimeoutMs = context.smoke ? 500 : 2_000;
    const sizes = context.smoke ? [100] : [1_000, 10_000];
    const first = sizes[0] as number;
    const largest = Math.max(...sizes);
    context.log(`scale: namespace with ${countsFor(largest).open} listening ports`);
    const lab = await startLab(countsFor(largest).open);
    const dir = await mkdtemp(join(tmpdir(), 'spp-scale-'));
    const rows: Measured[] = [];
    try {
      context.log(`scale: probeAll in-process, ${first} targets`);
      const inProcess = await measureInProcess(lab.address, first, context.runs(3), connectTimeoutMs);
      for (const size of sizes) {
        // NODE_EXTRA_CA_CERTS moves start-up by tens of ms: visible at 1,000 targets' ~7 s at most, lost
        // in 10,000 targets' minute, where it would only double the suite's longest part.
        const envs = size === first ? ENVS : ENVS.slice(0, 1);
        const runs = context.runs(3);
        context.log(
          `scale: CLI, ${size} targets, ${runs} run(s) × ${envs.length} environment(s) × (mix, open+refused only)`,
        );
        rows.push(...(await measureCli(lab.address, size, runs, connectTimeoutMs, dir, context.log, envs)));
      }
      rows.push(inProcess);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await lab.close();
    }
    return report(rows, sizes, connectTimeoutMs);
  },
};
