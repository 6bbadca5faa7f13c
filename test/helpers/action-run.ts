/**
 * Runs the Action as a runner does: a node process with the INPUT_* defaults of action.yml, the GITHUB_*
 * variables of a pull_request event, and the files behind GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. The
 * program is the source (test/action) or the bundle (test/bundle); see entry-points.ts.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { type Build, programArgs } from './entry-points.js';

const run = promisify(execFile);

/** The token the tests pass as `github-token`. */
export const TOKEN = 'ghs_fakeTokenForTests0000';
/** The expression action.yml uses as the token's default; the runner fills it in. */
const GITHUB_TOKEN_EXPRESSION = ['${{', 'github.token', '}}'].join(' ');
export const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/** The INPUT_* defaults a runner sets from action.yml, with `${{ github.token }}` as our token. */
async function defaultInputs(): Promise<Record<string, string>> {
  const action = parse(await readFile(new URL('../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [
      `INPUT_${name.toUpperCase()}`,
      String(spec.default ?? '').replace(GITHUB_TOKEN_EXPRESSION, TOKEN),
    ]),
  );
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  resultsFile: string;
}

export interface ActionRunner {
  build: Build;
  /** The run's working directory and GITHUB_WORKSPACE. */
  workspace: string;
  /** The stand-in for api.github.com. */
  apiUrl: string;
}

/** Runs the Action once with these inputs (by name, as in a workflow's `with:`) and extra variables. */
export async function runAction(
  runner: ActionRunner,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const { workspace } = runner;
  const summaryPath = join(workspace, 'summary.md');
  const outputPath = join(workspace, 'output.txt');
  const eventPath = join(workspace, 'event.json');
  await writeFile(summaryPath, '');
  await writeFile(outputPath, '');
  await writeFile(
    eventPath,
    JSON.stringify({
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, head: { sha: HEAD_SHA } },
    }),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...(await defaultInputs()),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
    GITHUB_API_URL: runner.apiUrl,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace,
    ...extraEnv,
  };
  let code = 0;
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(process.execPath, programArgs('action', runner.build), {
      env,
      cwd: workspace,
      timeout: 60_000,
    }));
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    ({ code, stdout, stderr } = e);
  }
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(outputPath, 'utf8')).matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[m[1] as string] = m[3] as string;
  }
  const resultsFile = outputs['results-file'] ? await readFile(outputs['results-file'], 'utf8') : '';
  return { code, stdout, stderr, summary: await readFile(summaryPath, 'utf8'), outputs, resultsFile };
}
