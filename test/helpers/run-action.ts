/**
 * Runs the bundled Action (dist/action) as a runner would: a subprocess on action.yml's Node, with
 * action.yml's input defaults, INPUT_* for the inputs given, the GITHUB_* command files, a pull_request
 * event, and GitHub's REST API answered by a fake (test/helpers/fake-github.ts) that records each body.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { FakeGitHub } from './fake-github.js';
import { actionNodeMajor, nodeBinary } from './node-runtime.js';

const run = promisify(execFile);
const ACTION = new URL('../../dist/action/index.js', import.meta.url).pathname;
const TOKEN = 'ghs_fakeTokenForTests0000';
const GITHUB_TOKEN_EXPRESSION = ['${{', 'github.token', '}}'].join(' ');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  resultsFile: string;
}

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

/** One run of the bundled Action in a fresh workspace; `extraEnv` adds to (or overrides) the runner's. */
export async function runBundledAction(
  inputs: Record<string, string>,
  api: FakeGitHub,
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const node = (await nodeBinary(actionNodeMajor())).path;
  const workspace = await mkdtemp(join(tmpdir(), 'action-run-'));
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
      pull_request: { number: 7, head: { sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' } },
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
    GITHUB_API_URL: api.url,
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
    ({ stdout, stderr } = await run(node, [ACTION], { env, cwd: workspace, timeout: 30_000 }));
  } catch (error) {
    ({ code, stdout, stderr } = error as { code: number; stdout: string; stderr: string });
  }
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(outputPath, 'utf8')).matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[m[1] as string] = m[3] as string;
  }
  const resultsFile = outputs['results-file'] ? await readFile(outputs['results-file'], 'utf8') : '';
  return { code, stdout, stderr, summary: await readFile(summaryPath, 'utf8'), outputs, resultsFile };
}

/**
 * Everything a run left where people or machines read it: the log (stdout, stderr, with the
 * annotations), the job summary, the outputs, the results file and every request body sent to GitHub
 * (check run, PR comment). `::add-mask::` lines are not output: the runner consumes them and masks
 * the value in every later log line.
 */
export function everythingFrom(r: ActionRun, api: FakeGitHub): string {
  return [
    r.stdout.replace(/^::add-mask::.*$/gm, ''),
    r.stderr,
    r.summary,
    JSON.stringify(r.outputs),
    r.resultsFile,
    JSON.stringify(api.requests),
  ].join('\n');
}
