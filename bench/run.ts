/**
 * `npm run bench [-- --smoke] [-- --only latency,scale] [-- --readme]`: measures smtp-port-probe against
 * the tools people use today and writes bench/results/latest.json and latest.md (a smoke run writes
 * smoke.json and smoke.md instead, and never touches the README). Brings up the system tests' Postfix
 * with test/system/setup.sh when it is not running (root, Debian). A benchmark measures: a goal it misses
 * is reported, never an exit code; the exit code is 1 only when a benchmark could not run at all.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { postfixPrerequisites } from '../test/system/postfix-env.js';
import { describeMachine } from './lib/machine.js';
import { type BenchResults, renderMarkdown } from './lib/render.js';
import type { BenchContext, Suite, SuiteResult } from './lib/types.js';
import { implicitTls } from './suites/implicit-tls.js';
import { latency } from './suites/latency.js';
import { packaging } from './suites/packaging.js';
import { roundTrips } from './suites/round-trips.js';
import { scale } from './suites/scale.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SUITES: Suite[] = [latency, implicitTls, roundTrips, scale, packaging];
const README_BEGIN = '<!-- bench:begin (written by npm run bench -- --readme) -->';
const README_END = '<!-- bench:end -->';

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: npm run bench [-- --smoke] [--only ${SUITES.map((s) => s.id).join(',')}] [--readme]\n`,
  );
  process.exit(2);
}

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        smoke: { type: 'boolean', default: false },
        only: { type: 'string' },
        readme: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const only = values.only?.split(',').map((s) => s.trim());
    for (const id of only ?? []) {
      if (!SUITES.some((s) => s.id === id)) usage(`--only: no benchmark called '${id}'`);
    }
    if (values.readme && values.smoke) usage("--readme takes a full run's figures, not --smoke ones");
    return { smoke: values.smoke, only, readme: values.readme };
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
}

/** The system tests' Postfix: started by setup.sh when it is not running and this process may. */
async function bringUpPostfix(): Promise<Pick<BenchContext, 'postfix' | 'postfixMissing'>> {
  let ready = await postfixPrerequisites();
  if (!ready.ok && process.getuid?.() === 0) {
    log(`Postfix is not ready (${ready.reason}): running test/system/setup.sh`);
    const setup = spawnSync('bash', [`${ROOT}test/system/setup.sh`], { stdio: ['ignore', 2, 2] });
    if (setup.status !== 0)
      return { postfix: undefined, postfixMissing: `test/system/setup.sh exited ${setup.status}` };
    ready = await postfixPrerequisites();
  }
  if (ready.ok) return { postfix: ready.env };
  const why =
    process.getuid?.() === 0 ? ready.reason : `${ready.reason}; run as root so that setup.sh can start it`;
  log(`Postfix benchmarks will be skipped: ${why}`);
  return { postfix: undefined, postfixMissing: why };
}

function commit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'dist', 'lambda', 'bench'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return null;
  }
}

function updateReadme(markdown: string): void {
  const path = `${ROOT}README.md`;
  const text = readFileSync(path, 'utf8');
  const begin = text.indexOf(README_BEGIN);
  const end = text.indexOf(README_END);
  if (begin === -1 || end < begin)
    throw new Error(`README.md has no '${README_BEGIN}' … '${README_END}' section`);
  writeFileSync(path, `${text.slice(0, begin + README_BEGIN.length)}\n\n${markdown}\n${text.slice(end)}`);
  // The project's formatter owns README.md's tables (npm run lint checks them): let it lay them out.
  const format = spawnSync('npx', ['--no-install', 'biome', 'format', '--write', 'README.md'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 2],
  });
  if (format.status !== 0) throw new Error(`biome format README.md exited ${format.status}`);
}

async function main(): Promise<number> {
  const args = parse();
  const started = performance.now();
  const context: BenchContext = {
    smoke: args.smoke,
    runs: (full) => (args.smoke ? 1 : full),
    ...(await bringUpPostfix()),
    log,
  };
  const suites: SuiteResult[] = [];
  let broken = 0;
  for (const suite of SUITES.filter((s) => !args.only || args.only.includes(s.id))) {
    log(`${suite.title}…`);
    const t = performance.now();
    try {
      const result = await suite.run(context);
      suites.push(result);
      log(
        result.skipped
          ? `${suite.id}: skipped (${result.skipped})`
          : `${suite.id}: done in ${((performance.now() - t) / 1000).toFixed(1)} s; goals ${result.goals.filter((g) => g.met).length}/${result.goals.length} met`,
      );
    } catch (error) {
      broken += 1;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${suite.id} FAILED TO RUN: ${message}`);
      suites.push({
        id: suite.id,
        title: suite.title,
        method: '',
        tables: [],
        figures: {},
        goals: [],
        notes: [],
        skipped: `the benchmark failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    smoke: args.smoke,
    machine: describeMachine(),
    commit: commit(),
    durationS: Math.round((performance.now() - started) / 100) / 10,
    suites,
  };
  const markdown = renderMarkdown(results);
  const name = args.smoke ? 'smoke' : 'latest';
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(`${ROOT}bench/results/${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${ROOT}bench/results/${name}.md`, markdown);
  process.stdout.write(markdown);
  if (args.readme) {
    if (args.only) log('README not updated: --readme wants every benchmark, not --only');
    else updateReadme(markdown);
  }
  log(`wrote bench/results/${name}.json and ${name}.md in ${results.durationS} s`);
  const unmet = suites.flatMap((s) => s.goals.filter((g) => !g.met));
  if (unmet.length > 0) log(`goals not met (reported, not failed): ${unmet.map((g) => g.goal).join('; ')}`);
  return broken > 0 ? 1 : 0;
}

// Ctrl-C or a CI timeout: exit through process.exit so that the namespace and Postfix clean-up hooks
// (they run on 'exit') still run; a signal's default action would skip them.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping, cleaning up`);
    process.exit(130);
  });
}

process.exitCode = await main();
