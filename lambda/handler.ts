import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Report } from '../src/report/model.js';
import { policyFromEnv } from '../src/vantage/destination-policy.js';
import { runRemote } from '../src/vantage/remote-run.js';
import { BadRequest, parseRequest } from '../src/vantage/request.js';

/** Created once per container (Powertools' advice): structured JSON, one summary line per invocation. */
const logger = new Logger({ serviceName: 'smtp-port-probe' });

/** Time kept back from Lambda's own deadline to finish the report and return it. */
export const SAFETY_MARGIN_MS = 1_500;

/** A typed error for direct invokes (HTTP callers get a 400 with the same body). */
export interface ErrorResult {
  error: { type: 'BadRequest' | 'InternalError'; field?: string; message: string };
}

function isHttpEvent(event: unknown): event is APIGatewayProxyEventV2 {
  return typeof event === 'object' && event !== null && 'requestContext' in event && 'rawPath' in event;
}

function decodeBody(event: APIGatewayProxyEventV2): unknown {
  if (event.requestContext.http.method !== 'POST') {
    throw new BadRequest('method', `${event.requestContext.http.method} is not allowed; POST a JSON body`);
  }
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body', 'is not valid JSON');
  }
}

/**
 * The Lambda entry: a direct invoke (`{ targets, options }`) or a Function URL / HTTP API (payload 2.0)
 * request with that JSON body. Answers with the report, always before Lambda's deadline: probes still
 * running when the budget ends are `aborted`.
 */
export async function handler(
  event: unknown,
  context: Context,
): Promise<Report | ErrorResult | APIGatewayProxyStructuredResultV2> {
  logger.addContext(context);
  const http = isHttpEvent(event);
  const started = performance.now();
  try {
    const request = parseRequest(http ? decodeBody(event) : event);
    const report = await runRemote(request, {
      policy: policyFromEnv(process.env),
      budgetMs: context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
      vantage: {
        kind: 'aws-lambda',
        region: process.env.AWS_REGION ?? 'unknown',
        functionName: context.functionName,
        architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
        requestId: context.awsRequestId,
      },
    });
    // Counts and timings only: targets may carry credentials, so the request is never logged.
    logger.info('probe summary', {
      results: report.results.length,
      failures: report.results.filter((r) => r.status !== 'ok').length,
      forbidden: report.results.filter((r) => r.status === 'forbidden').length,
      verdict: report.verdict.pass ? 'pass' : 'fail',
      durationMs: Math.round(performance.now() - started),
    });
    return http ? respond(200, report) : report;
  } catch (error) {
    const result: ErrorResult =
      error instanceof BadRequest
        ? { error: { type: 'BadRequest', field: error.field, message: error.message } }
        : {
            error: { type: 'InternalError', message: 'the probe failed unexpectedly; see the function log' },
          };
    if (error instanceof BadRequest) logger.warn('bad request', { field: error.field });
    else logger.error('internal error', error as Error);
    return http ? respond(error instanceof BadRequest ? 400 : 500, result) : result;
  }
}

function respond(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
