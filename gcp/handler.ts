import type { Request, Response } from '@google-cloud/functions-framework';
import { parseRequest } from '../src/contract/index.js';
import { policyFromEnv } from '../src/remote/destination-policy.js';
import {
  asRefusal,
  budgetFrom,
  decodeHttpBody,
  internalErrorAnswer,
  summaryOf,
} from '../src/remote/http-edge.js';
import { metricRecords, portMetrics } from '../src/remote/metrics.js';
import { serve } from '../src/remote/serve.js';
import { log } from './log.js';

/** `gcloud functions deploy`'s default --timeout, assumed when the function is not told its own. */
const DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * The request timeout the platform enforces, in ms: SMTP_PROBE_TIMEOUT_SECONDS (the deploy recipe sets
 * it to the function's --timeout), else CLOUD_RUN_TIMEOUT_SECONDS (which functions-framework reads as
 * its own request timeout), else gcloud's default. A value that is not 1 to 3600 s (Cloud Run's limit
 * for HTTP functions) is a deployment mistake: every request then fails with the variable named.
 */
export function platformTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  for (const name of ['SMTP_PROBE_TIMEOUT_SECONDS', 'CLOUD_RUN_TIMEOUT_SECONDS']) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3_600) {
      throw new Error(`${name} must be a number of seconds from 1 to 3600, got ${JSON.stringify(value)}`);
    }
    return seconds * 1_000;
  }
  return DEFAULT_TIMEOUT_SECONDS * 1_000;
}

/**
 * The Cloud Run function (2nd gen, HTTP; --entry-point=probe): the contract request as a JSON POST
 * body, the raw results as the answer, always before the platform's request timeout and the caller's
 * `deadlineMs`, whichever ends first; probes still running then are `aborted`. Cloud Run has already
 * checked the caller's ID token and roles/run.invoker before this runs. A request it will not run is a
 * 4xx with an error answer; a failure of the function itself a 500 with the execution id.
 *
 * functions-framework reads the whole body before any function runs (and parses application/json
 * itself, answering malformed JSON with its own 400); the contract's rules are applied here to the raw
 * bytes it kept: the size cap before our parse and validation, then the same JSON and schema checks
 * as the Lambda entry.
 */
export async function probe(req: Request, res: Response): Promise<void> {
  const started = performance.now();
  const executionId = req.executionId ?? 'unknown';
  try {
    const timeoutMs = platformTimeoutMs(process.env);
    const request = parseRequest(decodeHttpBody(req.method, req.rawBody));
    const answer = await serve(request, {
      policy: policyFromEnv(process.env),
      budgetMs: budgetFrom(timeoutMs - (performance.now() - started)),
      vantage: {
        provider: 'gcp-cloud-run',
        region: process.env.SMTP_PROBE_REGION || 'unknown',
        ...(process.env.K_SERVICE ? { functionName: process.env.K_SERVICE } : {}),
        ...(process.env.K_REVISION ? { functionVersion: process.env.K_REVISION } : {}),
        runtime: `node ${process.version}`,
        architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
        requestId: executionId,
      },
    });
    // Counts and timings only: jobs may carry credentials, so the request is never logged.
    log('INFO', 'probe summary', { ...summaryOf(request, answer, started), executionId });
    // The Lambda's EMF metrics, as structured log entries (one per port): a log-based metric or an alert
    // in Cloud Monitoring reads them.
    for (const record of metricRecords(portMetrics(request, answer))) log('INFO', 'port metrics', record);
    res.status(200).json(answer);
  } catch (error) {
    const refused = asRefusal(error);
    if (refused) {
      const { type, field } = refused.answer.error;
      log('WARNING', 'request refused', { type, ...(field ? { field } : {}), executionId });
      res.status(refused.status).json(refused.answer);
      return;
    }
    log('ERROR', 'internal error', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      executionId,
    });
    res.status(500).json(internalErrorAnswer(executionId));
  }
}
