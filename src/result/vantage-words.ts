import { RUNNER_ENVIRONMENTS, type RunnerEnvironment, type VantageReport } from './model.js';

/** How a message names the runner, by what it is: "from GitHub-hosted runners", not "from here". */
const RUNNER_NAMES: Readonly<Record<RunnerEnvironment, string>> = {
  'github-hosted': 'GitHub-hosted runners',
  'self-hosted': 'this self-hosted runner',
  'github-actions': 'this GitHub Actions runner',
  ci: 'this CI runner',
  local: 'this machine',
};

/** The short form, beside the label in a column header: `runner (GitHub-hosted)`. */
const RUNNER_TAGS: Readonly<Record<RunnerEnvironment, string>> = {
  'github-hosted': 'GitHub-hosted',
  'self-hosted': 'self-hosted',
  'github-actions': 'GitHub Actions',
  ci: 'CI',
  local: 'this machine',
};

/** The runner's environment from its facts, when it is one the tool knows. */
export function runnerEnvironmentOf(
  vantage: Pick<VantageReport, 'kind' | 'facts'>,
): RunnerEnvironment | undefined {
  const provider = vantage.facts?.provider;
  return vantage.kind === 'runner' && (RUNNER_ENVIRONMENTS as readonly string[]).includes(provider ?? '')
    ? (provider as RunnerEnvironment)
    : undefined;
}

/** The vantage as a sentence names it: `GitHub-hosted runners`, `this machine`, `aws-lambda:eu-west-1`. */
export function vantageName(vantage: { label: string; runner?: RunnerEnvironment | undefined }): string {
  return vantage.runner ? RUNNER_NAMES[vantage.runner] : vantage.label;
}

/** The vantage as a table header names it: `runner (GitHub-hosted)`, `aws-lambda:eu-west-1`. */
export function vantageTitle(vantage: Pick<VantageReport, 'label' | 'kind' | 'facts'>): string {
  const runner = runnerEnvironmentOf(vantage);
  return runner ? `${vantage.label} (${RUNNER_TAGS[runner]})` : vantage.label;
}
