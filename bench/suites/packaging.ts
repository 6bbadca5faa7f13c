/**
 * Packaging: how big dist/cli, dist/action and dist/lambda are, and how long each takes from process start
 * to its first probe on the wire, beside a bare `node -e ''`. Needs no Postfix: the probes go to a local
 * listener (packaging-launch.ts).
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runChild } from '../lib/child.js';
import { interleaved, median } from '../lib/stats.js';
import type { BenchContext, Suite, SuiteResult } from '../lib/types.js';
import {
  actionLaunch,
  BUNDLES,
  type Bundle,
  baseEnv,
  type ColdStart,
  cliLaunch,
  coldStart,
  type Launch,
  lambdaLaunch,
  startFirstProbeListener,
} from './packaging-launch.js';
import { packagingResult, VARIANTS, type Variant } from './packaging-report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 11;

export interface Sizes {
  index: number;
  indexGzip: number;
  /** Every .js/.cjs file: what Node may load (the CLI loads some chunks on demand). */
  js: number;
  /** Everything, source maps and licence texts included. */
  folder: number;
}

function folderFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? folderFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Sizes of dist/<bundle>; retried while a rebuild has the folder half written. */
async function bundleSizes(bundle: Bundle, log: (message: string) => void): Promise<Sizes> {
  const dir = join(ROOT, 'dist', bundle);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const files = folderFiles(dir).map((file) => ({ file, bytes: statSync(file).size }));
      const index = readFileSync(join(dir, 'index.js'));
      const sum = (list: typeof files) => list.reduce((total, f) => total + f.bytes, 0);
      return {
        index: index.length,
        indexGzip: gzipSync(index).length,
        js: sum(files.filter((f) => /\.c?js$/.test(f.file))),
        folder: sum(files),
      };
    } catch (error) {
      if (attempt >= 20) throw new Error(`cannot read dist/${bundle}: ${(error as Error).message}`);
      log(`packaging: dist/${bundle} is being rebuilt (${(error as Error).message}); retrying in 3 s`);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  }
}

/**
 * The real Lambda zip: scripts/package-lambda.mjs writes `../lambda.zip` next to its own folder, so a
 * copy of it in a temp dir (dist/lambda and node_modules linked in) writes the zip there and nowhere
 * else. Not run if the script no longer writes to that relative path.
 */
function lambdaZipBytes(temp: string): { bytes?: number; why?: string } {
  const script = join(ROOT, 'scripts/package-lambda.mjs');
  if (!existsSync(script)) return { why: 'scripts/package-lambda.mjs is missing' };
  if (!readFileSync(script, 'utf8').includes("new URL('../lambda.zip', import.meta.url)"))
    return { why: 'scripts/package-lambda.mjs no longer writes ../lambda.zip; not run outside a temp dir' };
  const dir = join(temp, 'zip');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  mkdirSync(join(dir, 'dist'));
  copyFileSync(script, join(dir, 'scripts/package-lambda.mjs'));
  symlinkSync(join(ROOT, 'dist/lambda'), join(dir, 'dist/lambda'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  try {
    execFileSync(process.execPath, [join(dir, 'scripts/package-lambda.mjs')], {
      stdio: 'pipe',
      timeout: 60_000,
    });
    return { bytes: statSync(join(dir, 'lambda.zip')).size };
  } catch (error) {
    return { why: `scripts/package-lambda.mjs failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

type Process = 'node' | Bundle;

/**
 * Every process × both environments, round-robin; returns a picker of medians. interleaved() only orders
 * the runs: its own wall times would include waiting out a dist/ rebuild, so each run records its own.
 */
async function timeColdStarts(context: BenchContext, temp: string) {
  const listener = await startFirstProbeListener();
  try {
    const launches = new Map<string, Launch>();
    for (const variant of VARIANTS) {
      const env = baseEnv(variant === 'asIs');
      const workspace = join(temp, `action-${variant}`);
      mkdirSync(workspace);
      launches.set(`cli|${variant}`, cliLaunch(ROOT, listener.port, env));
      launches.set(`action|${variant}`, await actionLaunch(ROOT, listener.port, env, workspace));
      launches.set(`lambda|${variant}`, lambdaLaunch(ROOT, listener.port, env));
    }
    const samples = new Map<string, ColdStart[]>();
    const contenders: Record<string, () => Promise<unknown>> = {};
    for (const variant of VARIANTS) {
      for (const name of ['node', ...BUNDLES] as Process[]) {
        const key = `${name}|${variant}`;
        samples.set(key, []);
        const launch = launches.get(key);
        contenders[key] = async () => {
          const sample: ColdStart = launch
            ? await coldStart(launch, listener, temp)
            : { firstProbeMs: Number.NaN, exitMs: (await bare(variant)).ms };
          samples.get(key)?.push(sample);
        };
      }
    }
    const warmup = context.smoke ? 0 : 1;
    const runs = context.runs(RUNS);
    context.log(`packaging: ${runs} interleaved rounds of ${Object.keys(contenders).length} processes`);
    await interleaved(contenders, runs, warmup);
    const pick = (key: string, field: keyof ColdStart) => {
      const values = (samples.get(key) ?? []).slice(warmup).map((s) => s[field]);
      return values.length > 0 && values[0] !== undefined ? median(values as number[]) : Number.NaN;
    };
    return { runs, pick };
  } finally {
    await listener.close();
  }
}

async function bare(variant: Variant) {
  const run = await runChild(process.execPath, ['-e', ''], { env: baseEnv(variant === 'asIs') });
  if (run.code !== 0) throw new Error(`node -e '' exited ${run.code}: ${run.stderr.slice(-300)}`);
  return run;
}

export const packaging: Suite = {
  id: 'packaging',
  title: 'Packaging: bundle sizes and cold start',
  async run(context): Promise<SuiteResult> {
    const temp = await mkdtemp(join(tmpdir(), 'bench-packaging-'));
    try {
      const sizes = {} as Record<Bundle, Sizes>;
      for (const bundle of BUNDLES) sizes[bundle] = await bundleSizes(bundle, context.log);
      const zip = lambdaZipBytes(temp);
      const loadBefore = loadavg()[0] ?? 0;
      const { runs, pick } = await timeColdStarts(context, temp);
      const load = Math.max(loadBefore, loadavg()[0] ?? 0);
      return packagingResult({ context, title: packaging.title, sizes, zip, runs, pick, load });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  },
};
