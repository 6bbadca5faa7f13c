/** The packaging suite's figures, tables and notes, from the sizes and the medians packaging.ts took. */
import { cpus } from 'node:os';
import { round } from '../lib/stats.js';
import type { BenchContext, SuiteResult, Table } from '../lib/types.js';
import type { Sizes } from './packaging.js';
import { BUNDLES, type Bundle, type ColdStart } from './packaging-launch.js';

/** Every process runs twice per round: the environment as it is, and without NODE_EXTRA_CA_CERTS. */
export type Variant = 'asIs' | 'noExtraCa';
export const VARIANTS: Variant[] = ['asIs', 'noExtraCa'];
const suffix = (variant: Variant) => (variant === 'asIs' ? '' : '.noExtraCa');
const kB = (bytes: number) => round(bytes / 1000, 1);
const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${round(Math.abs(ms))} ms`;
const sooner = (ms: number) => (ms >= 0 ? `${round(ms)} ms sooner` : `${round(-ms)} ms later`);

export interface PackagingRun {
  context: BenchContext;
  title: string;
  sizes: Record<Bundle, Sizes>;
  zip: { bytes?: number; why?: string };
  runs: number;
  /** Median of one field over a contender's samples (`cli|asIs`, `node|noExtraCa`...). */
  pick(key: string, field: keyof ColdStart): number;
  /** Highest 1-minute load average seen around the timed runs. */
  load: number;
}

function collectFigures({ sizes, zip, runs, pick, load }: PackagingRun): Record<string, number | null> {
  const figures: Record<string, number | null> = {
    runs,
    loadAverage1m: round(load, 2),
    'lambda.zipBytes': zip.bytes ?? null,
  };
  for (const b of BUNDLES) {
    figures[`${b}.indexBytes`] = sizes[b].index;
    figures[`${b}.indexGzipBytes`] = sizes[b].indexGzip;
    figures[`${b}.jsBytes`] = sizes[b].js;
    figures[`${b}.folderBytes`] = sizes[b].folder;
  }
  for (const variant of VARIANTS) {
    const node = pick(`node|${variant}`, 'exitMs');
    figures[`node.exitMs${suffix(variant)}`] = round(node);
    for (const b of BUNDLES) {
      const first = pick(`${b}|${variant}`, 'firstProbeMs');
      figures[`${b}.firstProbeMs${suffix(variant)}`] = round(first);
      figures[`${b}.exitMs${suffix(variant)}`] = round(pick(`${b}|${variant}`, 'exitMs'));
      figures[`${b}.dialogMs${suffix(variant)}`] = round(pick(`${b}|${variant}`, 'dialogMs'));
      figures[`${b}.firstProbeOverNode${suffix(variant)}`] = round(first / node, 2);
    }
    figures[`lambda.importMs${suffix(variant)}`] = round(pick(`lambda|${variant}`, 'importMs'));
  }
  return figures;
}

function tables(run: PackagingRun, f: (name: string) => number): Table[] {
  const { sizes, zip } = run;
  const sizeTable: Table = {
    columns: [
      'Bundle',
      'index.js (kB)',
      'index.js gzip (kB)',
      'all .js (kB)',
      'folder (kB)',
      'Lambda zip (kB)',
    ],
    rows: BUNDLES.map((b) => [
      `dist/${b}`,
      kB(sizes[b].index),
      kB(sizes[b].indexGzip),
      kB(sizes[b].js),
      kB(sizes[b].folder),
      b === 'lambda' && zip.bytes !== undefined ? kB(zip.bytes) : '—',
    ]),
  };
  const timeTable: Table = {
    columns: [
      'Process',
      'first probe (ms)',
      "÷ node -e ''",
      'exit (ms)',
      'first probe, no extra CA (ms)',
      "÷ node -e '', no extra CA",
      'exit, no extra CA (ms)',
    ],
    rows: [
      ["node -e ''", '—', '—', f('node.exitMs'), '—', '—', f('node.exitMs.noExtraCa')],
      ...BUNDLES.map((b) => [
        `dist/${b}`,
        f(`${b}.firstProbeMs`),
        f(`${b}.firstProbeOverNode`),
        f(`${b}.exitMs`),
        f(`${b}.firstProbeMs.noExtraCa`),
        f(`${b}.firstProbeOverNode.noExtraCa`),
        f(`${b}.exitMs.noExtraCa`),
      ]),
    ],
  };
  return [sizeTable, timeTable];
}

function notes(run: PackagingRun, f: (name: string) => number): string[] {
  const { sizes, zip, context, load } = run;
  const order = [...BUNDLES].sort((a, b) => f(`${a}.firstProbeMs`) - f(`${b}.firstProbeMs`));
  const each = (text: (b: Bundle) => string) => BUNDLES.map((b) => `${b} ${text(b)}`).join(', ');
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const cores = cpus().length;
  const chunked = BUNDLES.filter((b) => sizes[b].js > sizes[b].index * 1.1);
  const out = [
    `dist/${order[0]} reaches its first probe soonest after spawn (${f(`${order[0]}.firstProbeMs`)} ms), ` +
      `dist/${order[2]} last (${f(`${order[2]}.firstProbeMs`)} ms). A bare \`node -e ''\` starts and exits in ` +
      `${f('node.exitMs')} ms; against that, the first probe comes at: ` +
      `${each((b) => `${f(`${b}.firstProbeOverNode`)}× (${signed(f(`${b}.firstProbeMs`) - f('node.exitMs'))})`)}.`,
    `From first probe to exit: ${each((b) => `${round(f(`${b}.exitMs`) - f(`${b}.firstProbeMs`))} ms`)}, of ` +
      `which the SMTP dialog (connect to QUIT, on loopback) took: ${each((b) => `${f(`${b}.dialogMs`)} ms`)}; ` +
      'the rest is the report and the process ending.',
    extraCa
      ? `NODE_EXTRA_CA_CERTS (${extraCa}) is set here, and Node parses that file at start. Without it, ` +
        `\`node -e ''\` exits ${sooner(f('node.exitMs') - f('node.exitMs.noExtraCa'))}, and the first probe comes: ` +
        `${each((b) => sooner(f(`${b}.firstProbeMs`) - f(`${b}.firstProbeMs.noExtraCa`)))}.`
      : 'NODE_EXTRA_CA_CERTS is not set here: both environments are the same, and their columns differ only by noise.',
    `The Lambda's cold start includes importing its bundle: \`import()\` of dist/lambda/index.js took ` +
      `${f('lambda.importMs')} ms in the process (${f('lambda.importMs.noExtraCa')} ms without the extra CA file) ` +
      `of its ${f('lambda.firstProbeMs')} ms to first probe. In AWS, init also fetches and unpacks the zip: not measured.`,
    chunked.length > 0
      ? `${chunked.map((b) => `dist/${b}'s index.js is ${kB(sizes[b].index)} of its ${kB(sizes[b].js)} kB of JavaScript`).join('; ')}: ` +
        'the rest are chunks ncc split off at dynamic imports, loaded only when the code needing them runs. ' +
        'Folder sizes include source maps and licence texts.'
      : 'Each bundle is one index.js; folder sizes add source maps and licence texts.',
    zip.bytes !== undefined
      ? `The Lambda zip (scripts/package-lambda.mjs, run from a copy in a temp dir) is ${kB(zip.bytes)} kB, against ` +
        `${kB(sizes.lambda.indexGzip)} kB for index.js gzipped alone: it holds every file of dist/lambda, the ` +
        `source map (${kB(sizes.lambda.folder - sizes.lambda.js)} kB of non-JS files in all) included.`
      : `The Lambda zip was not made (${zip.why}); the gzip column is an indication only.`,
    'The Action ran without a github-token, so no check run and no PR comment (it warns). With a token it creates ' +
      'the check run through the GitHub API before probing: in a real job the first probe also waits for that call.',
    `Measured with Node ${process.version}; action.yml runs the Action on node24, whose start may differ.`,
  ];
  if (load > cores) {
    out.push(
      `The machine was busy: 1-minute load average up to ${round(load, 2)} on ${cores} cores during the runs. ` +
        "Absolute times are inflated by it; the ratios to `node -e ''` (same rounds, interleaved) hold up better.",
    );
  }
  if (context.smoke) out.unshift('Smoke run: one sample each, no warm-up: not figures to quote.');
  return out;
}

export function packagingResult(run: PackagingRun): SuiteResult {
  const figures = collectFigures(run);
  const f = (name: string) => figures[name] as number;
  const { runs, context } = run;
  return {
    id: 'packaging',
    title: run.title,
    method:
      'Sizes are read from dist/ as built: index.js, index.js gzipped (default level, an indication of the Lambda ' +
      'zip), every .js file, the whole folder; the zip is the one scripts/package-lambda.mjs makes. Cold start: each ' +
      'bundle is spawned with `node` and timed from spawn() to the moment a listener on 127.0.0.1 (port 0, in the ' +
      'benchmark process) accepts its first connection ("first probe"), and to its exit. The listener plays a minimal ' +
      'SMTP server (220 greeting, 250 to EHLO, 221 to QUIT, no STARTTLS), so each run is a whole plain-mode probe. ' +
      'dist/cli runs `index.js 127.0.0.1:PORT --mode plain`; dist/action runs with action.yml defaults as INPUT_* ' +
      '(the target, mode plain, no token) and its GITHUB_* files in a temp dir; dist/lambda is `node ' +
      '--input-type=module -e` importing the bundle and calling its handler once (test switch on for loopback). ' +
      "Each, and a bare `node -e ''`, runs with the environment as is and with NODE_EXTRA_CA_CERTS removed: " +
      `${runs} interleaved round(s)${context.smoke ? '' : ' after one warm-up round'}; figures are medians.`,
    tables: tables(run, f),
    figures,
    goals: [],
    notes: notes(run, f),
  };
}
