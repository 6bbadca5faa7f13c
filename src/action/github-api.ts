import * as core from '@actions/core';
import * as github from '@actions/github';
import { type CheckRunOutput, COMMENT_MARKER } from '../report/github.js';

type Octokit = ReturnType<typeof github.getOctokit>;

/** Where the run reports: the repository, the commit a check run belongs to, the PR if any. */
export interface Target {
  owner: string;
  repo: string;
  /** The pull request's head SHA on pull_request events (GITHUB_SHA is the merge commit there). */
  sha: string;
  pullNumber?: number;
}

export function reportingTarget(): Target | undefined {
  const { context } = github;
  const repository = process.env.GITHUB_REPOSITORY;
  if (!repository?.includes('/')) return undefined;
  const pr = context.payload.pull_request as { number?: number; head?: { sha?: string } } | undefined;
  const sha = pr?.head?.sha ?? context.sha;
  if (!sha) return undefined;
  return {
    owner: context.repo.owner,
    repo: context.repo.repo,
    sha,
    ...(typeof pr?.number === 'number' ? { pullNumber: pr.number } : {}),
  };
}

/**
 * Reporting never fails a step: a refused request becomes a warning that names the permission to add,
 * and the probe's verdict alone decides the step.
 */
async function tolerate<T>(
  what: string,
  permission: string,
  request: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 403 || status === 404) {
      core.warning(
        `Could not ${what} (${status}: ${message}). Add "permissions: ${permission}" to the workflow job; ` +
          'a pull request from a fork gets a read-only token and cannot, which is expected.',
      );
    } else {
      core.warning(`Could not ${what}: ${message}`);
    }
    return undefined;
  }
}

export class CheckRun {
  readonly #octokit: Octokit;
  readonly #target: Target;
  readonly #id: number;

  private constructor(octokit: Octokit, target: Target, id: number) {
    this.#octokit = octokit;
    this.#target = target;
    this.#id = id;
  }

  /** Creates the check run `in_progress`, so the PR shows it while the probes run. */
  static async start(octokit: Octokit, target: Target, name: string): Promise<CheckRun | undefined> {
    const created = await tolerate('create the check run', 'checks: write', () =>
      octokit.rest.checks.create({
        owner: target.owner,
        repo: target.repo,
        name,
        head_sha: target.sha,
        status: 'in_progress',
        started_at: new Date().toISOString(),
      }),
    );
    return created ? new CheckRun(octokit, target, created.data.id) : undefined;
  }

  /** Completes it; annotations go 50 per request, the first batch with the completion. */
  async complete(output: CheckRunOutput): Promise<void> {
    const [first = [], ...rest] = output.annotationBatches;
    const update = (annotations: CheckRunOutput['annotationBatches'][number], complete: boolean) =>
      this.#octokit.rest.checks.update({
        owner: this.#target.owner,
        repo: this.#target.repo,
        check_run_id: this.#id,
        ...(complete
          ? {
              status: 'completed' as const,
              conclusion: output.conclusion,
              completed_at: new Date().toISOString(),
            }
          : {}),
        output: { title: output.title, summary: output.summary, annotations },
      });
    await tolerate('complete the check run', 'checks: write', async () => {
      await update(first, true);
      for (const batch of rest) await update(batch, false);
    });
  }
}

/**
 * Finds the sticky comment by its hidden marker and updates it in place, or adds it once. With
 * `create: false` only an existing comment is updated (a passing run in on-failure mode turns an old
 * failure comment green instead of leaving it stale).
 */
export async function upsertComment(
  octokit: Octokit,
  target: Target & { pullNumber: number },
  body: string,
  create: boolean,
): Promise<void> {
  await tolerate('write the pull request comment', 'pull-requests: write', async () => {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.pullNumber,
      per_page: 100,
    });
    const existing = comments.find((c) => c.body?.includes(COMMENT_MARKER));
    if (existing) {
      await octokit.rest.issues.updateComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: existing.id,
        body,
      });
    } else if (create) {
      await octokit.rest.issues.createComment({
        owner: target.owner,
        repo: target.repo,
        issue_number: target.pullNumber,
        body,
      });
    }
  });
}
