/**
 * How tests start the programs: from the source (src/ and lambda/, through tsx: what `npm test` checks,
 * so a change is tested before anyone bundles it) or from the committed bundles (dist/: what users run,
 * checked by test/bundle after .ci/run has rebuilt them and found them equal to the commit).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type Build = 'source' | 'bundle';

const ROOT = new URL('../../', import.meta.url);
const path = (relative: string) => fileURLToPath(new URL(relative, ROOT));

/** `--import tsx`, by absolute URL so that it works from any working directory. */
export const TSX_IMPORT = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];

/** Arguments for process.execPath that start the CLI or the Action as a runner or a shell would. */
export function programArgs(program: 'cli' | 'action', build: Build): string[] {
  return build === 'source'
    ? [...TSX_IMPORT, path(`src/${program}/index.ts`)]
    : [path(`dist/${program}/index.js`)];
}

/** The URL of the Lambda entry (it exports `handler`), for import() here or in a tsx process. */
export function lambdaEntry(build: Build): string {
  return new URL(build === 'source' ? 'lambda/index.ts' : 'dist/lambda/index.js', ROOT).href;
}

export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `smtp-probe ARGS` as a shell would (npx, npm start): its own process, only PATH set. */
export async function runCli(build: Build, args: string[]): Promise<ProgramRun> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [...programArgs('cli', build), ...args],
      {
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
