import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildPlan } from '../plan/build.js';
import { CONFIG_SPELLING } from '../plan/config-spelling.js';
import { UsageError } from '../plan/types.js';
import { render } from '../report/index.js';
import type { Report } from '../result/model.js';
import { cutInput, spell, spellReport } from '../result/settings.js';
import { runPlan } from '../run/pipeline.js';
import { VERSION } from '../version.js';
import { type CliArgs, parseCliArgs, USAGE } from './args.js';
import { type Output, Progress } from './progress.js';
import { CLI_SPELLING } from './spelling.js';

export type { Output } from './progress.js';

/** What the CLI touches of the world, so tests can run it in-process. */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  signal?: AbortSignal;
}

export const EXIT = { pass: 0, fail: 1, usage: 2 } as const;

/** The default config file, used when present. */
export const DEFAULT_CONFIG = '.github/smtp-probe.yml';

/** Runs the CLI; resolves with the exit code. A usage mistake is one line on stderr and exit 2. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.pass;
    }
    if (args.command === 'version') {
      io.stdout.write(`smtp-probe ${VERSION}\n`);
      return EXIT.pass;
    }
    if (args.command === 'demo') {
      // Loaded only here: the demo brings smtp-server and a certificate generator along.
      const { runDemo } = await import('../demo/run.js');
      const say = (line: string) => io.stderr.write(`${line}\n`);
      return await emit(await runDemo({ ...(args.failOn ? { failOn: args.failOn } : {}), say }), args, io);
    }
    return await probeCommand(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`smtp-probe: ${error.describe(CLI_SPELLING)}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

async function probeCommand(args: CliArgs, io: CliIo): Promise<number> {
  const { plan, warnings } = await buildPlan({
    targets: args.targets,
    ...(args.config ? { configPath: args.config } : { defaultConfigPath: DEFAULT_CONFIG }),
    ...(args.failOn ? { failOn: args.failOn } : {}),
    ...(args.mode ? { mode: args.mode } : {}),
    ...(args.ports ? { ports: args.ports } : {}),
    caFiles: args.caFiles,
    ...(args.minTls ? { minTls: args.minTls } : {}),
    ...(args.expectTls ? { expectTls: args.expectTls } : {}),
    ...(args.allowUnverifiedAuth ? { allowUnverifiedAuth: true } : {}),
    ...(args.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
    vantages: args.vantages,
    vantageSource: () => '--vantage',
    controls: args.controls,
    controlSource: (_, spec) => `--control ${JSON.stringify(spec)}`,
    ...(args.credentials ? { credentials: args.credentials } : {}),
    options: {
      timeout: args.timeout,
      connectTimeout: args.connectTimeout,
      greetingTimeout: args.greetingTimeout,
      commandTimeout: args.commandTimeout,
      overallTimeout: args.overallTimeout,
      concurrency: args.concurrency,
      retries: args.retries,
      helo: args.helo,
    },
    env: io.env,
    cwd: io.cwd,
  });
  for (const warning of warnings) io.stderr.write(`smtp-probe: warning: ${spell(warning, CLI_SPELLING)}\n`);
  const progress = new Progress(io.stderr);
  let report: Report;
  try {
    report = await runPlan(plan, {
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.env.SMTP_PROBE_GCP_ID_TOKEN ? { gcpIdToken: io.env.SMTP_PROBE_GCP_ID_TOKEN } : {}),
      onProgress: (done, total, current) => progress.update(done, total, current),
    });
  } finally {
    progress.clear();
  }
  return emit(report, args, io);
}

/** Renders the report where it was asked for and turns the verdict into the exit code. */
export async function emit(report: Report, args: CliArgs, io: CliIo): Promise<number> {
  const terminal = args.output === undefined && io.stdout.isTTY === true;
  const color = terminal && io.env.NO_COLOR === undefined;
  const width = terminal && io.stdout.columns ? io.stdout.columns : undefined;
  const spelled = spellReport(report, CLI_SPELLING, CONFIG_SPELLING);
  const text = render(spelled, args.format, { color, verbose: args.verbose, ...(width ? { width } : {}) });
  if (args.output !== undefined) {
    const path = resolve(io.cwd, args.output);
    try {
      await writeFile(path, text.endsWith('\n') ? text : `${text}\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
      throw new UsageError(`cannot write ${cutInput(args.output)} (${code})`, '--output');
    }
  } else {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  return report.verdict.pass ? EXIT.pass : EXIT.fail;
}
