import type { RunnerEnvironment } from '../result/model.js';

/**
 * What the runner is, from the variables its platform sets: GitHub Actions sets GITHUB_ACTIONS=true
 * and, on current runners, RUNNER_ENVIRONMENT=github-hosted or self-hosted; most CI systems set CI.
 * The adapters hand over their environment; nothing here reads process.env.
 */
export function runnerEnvironment(env: Readonly<Record<string, string | undefined>>): RunnerEnvironment {
  if (env.GITHUB_ACTIONS === 'true') {
    if (env.RUNNER_ENVIRONMENT === 'github-hosted') return 'github-hosted';
    if (env.RUNNER_ENVIRONMENT === 'self-hosted') return 'self-hosted';
    return 'github-actions';
  }
  const ci = env.CI?.toLowerCase();
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') return 'ci';
  return 'local';
}
