import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { failingCount } from '../judge/index.js';
import { buildPlan } from '../plan/build.js';
import { CONFIG_SPELLING } from '../plan/config-spelling.js';
import { UsageError } from '../plan/types.js';
import { checkRunOutput, compactOutputs, prComment, stepAnnotations } from '../report/github.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report } from '../result/model.js';
import { spell, spellReport } from '../result/settings.js';
import { runPlan } from '../run/pipeline.js';
import { CheckRun, reportingTarget, upsertComment } from './github-api.js';
import { type ActionInputs, readInputs } from './inputs.js';
import { ACTION_SPELLING } from './spelling.js';

/** The Action: gather inputs, run the shared pipeline, report where people look. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const { plan, warnings } = await buildPlan({
      ...inputs.plan,
      env: process.env,
      cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    });
    for (const warning of warnings) core.warning(spell(warning, ACTION_SPELLING));

    const target = reportingTarget();
    const octokit = inputs.token && target ? github.getOctokit(inputs.token) : undefined;
    if (!inputs.token && (inputs.checkRun.enabled || inputs.prComment !== 'off')) {
      core.warning(
        'No github-token: no check run and no PR comment. Pass github-token (the default is github.token).',
      );
    }
    const checkRun =
      octokit && target && inputs.checkRun.enabled
        ? await CheckRun.start(octokit, target, inputs.checkRun.name)
        : undefined;

    const report = spellReport(
      await runPlan(plan, {
        ...(inputs.gcpIdToken ? { gcpIdToken: inputs.gcpIdToken } : {}),
        onProgress: (done, total, current) => core.debug(`[${done}/${total}] ${current}`),
      }),
      ACTION_SPELLING,
      CONFIG_SPELLING,
    );

    await setOutputs(report);
    await writeSummary(report);
    annotate(report);
    logTranscripts(report);
    await checkRun?.complete(checkRunOutput(report));
    await comment(inputs, report, octokit, target);

    if (!report.verdict.pass) {
      const { errors, warnings: w, failOn } = report.verdict;
      core.setFailed(
        `SMTP probe failed: ${errors} error(s), ${w} warning(s) (fail-on: ${failOn}); see the job summary`,
      );
    }
  } catch (error) {
    // A usage mistake is one line naming the input or file:line:column; anything else is a bug to report.
    core.setFailed(
      error instanceof UsageError
        ? error.describe(ACTION_SPELLING)
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
    );
  }
}

async function setOutputs(report: Report): Promise<void> {
  const file = join(process.env.RUNNER_TEMP ?? tmpdir(), `smtp-probe-report-${process.pid}.json`);
  await writeFile(file, renderJson(report));
  const compact = compactOutputs(report);
  core.setOutput('verdict', report.verdict.pass ? 'pass' : 'fail');
  core.setOutput('passed', String(report.verdict.pass));
  core.setOutput('failed-count', String(failingCount(report.verdict)));
  core.setOutput('recommended-ports', compact.recommendedPorts);
  core.setOutput('results-file', file);
  core.setOutput('results', compact.results);
}

/** The job summary; reporting never fails a step (local runs may have no summary file). */
async function writeSummary(report: Report): Promise<void> {
  try {
    await core.summary.addRaw(renderMarkdown(report)).write();
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function annotate(report: Report): void {
  const { shown, omitted } = stepAnnotations(report);
  for (const a of shown) {
    const properties = {
      title: a.title,
      ...(a.file ? { file: a.file, startLine: a.line, startColumn: a.column } : {}),
    };
    if (a.severity === 'error') core.error(a.message, properties);
    else if (a.severity === 'warning') core.warning(a.message, properties);
    else core.notice(a.message, properties);
  }
  if (omitted > 0) {
    core.notice(
      `${omitted} more finding(s) not annotated here (GitHub shows 10 per severity): see the job summary`,
    );
  }
}

/** With step debug logging on, every session's transcript in a collapsed group. */
function logTranscripts(report: Report): void {
  if (!core.isDebug()) return;
  for (const row of report.results) {
    core.startGroup(
      `transcript: ${row.target} ${row.host}:${row.port} (${row.address ?? 'no address'}) from ${row.vantage}: ${row.status}`,
    );
    for (const line of row.transcript) core.info(`${String(line.at).padStart(6)} ${line.dir} ${line.text}`);
    core.endGroup();
  }
}

async function comment(
  inputs: ActionInputs,
  report: Report,
  octokit: ReturnType<typeof github.getOctokit> | undefined,
  target: ReturnType<typeof reportingTarget>,
): Promise<void> {
  if (inputs.prComment === 'off' || !octokit || target?.pullNumber === undefined) return;
  const create = inputs.prComment === 'always' || !report.verdict.pass;
  await upsertComment(octokit, { ...target, pullNumber: target.pullNumber }, prComment(report), create);
}
