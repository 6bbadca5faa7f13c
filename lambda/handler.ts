import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type Answer, type ErrorAnswer, MAX_REQUEST_BYTES, parseRequest } from '../src/contract/index.js';
import { policyFromEnv } from '../src/remote/destination-policy.js';
import {
  asRefusal,
  budgetFrom,
  decodeHttpBody,
  internalErrorAnswer,
  Refused,
  summaryOf,
} from '../src/remote/http-edge.js';
import { METRICS_NAMESPACE, type PortMetrics, portMetrics } from '../src/remote/metrics.js';
import { serve } from '../src/remote/serve.js';

/** Created once per container (Powertools' advice): structured JSON, one summary line per invocation. */
const logger = new Logger({ serviceName: 'smtp-port-probe' });

/** CloudWatch metrics through EMF lines on stdout: no API call, nothing to wait for. */
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'smtp-port-probe' });

/**
 * One EMF document per port (dimensions `service` and `port`): a count per status (`ok`, `timeout`,
 * `refused`, ...), `Probes` in all, and the latencies `ProbeDuration` and `ConnectDuration` in ms.
 */
function publishMetrics(ports: readonly PortMetrics[]): void {
  for (const m of ports) {
    const longest = Math.max(m.durationMs.length, m.connectMs.length);
    // Powertools flushes a metric at 100 values, which would drop the port dimension mid-document: the
    // latencies go out in slices of fewer, each document with its dimension.
    for (let from = 0; from === 0 || from < longest; from += VALUES_PER_DOCUMENT) {
      metrics.addDimension('port', String(m.port));
      if (from === 0) {
        let probes = 0;
        for (const [status, count] of Object.entries(m.statuses)) {
          metrics.addMetric(status, MetricUnit.Count, count);
          probes += count;
        }
        metrics.addMetric('Probes', MetricUnit.Count, probes);
      }
      const to = from + VALUES_PER_DOCUMENT;
      for (const ms of m.durationMs.slice(from, to))
        metrics.addMetric('ProbeDuration', MetricUnit.Milliseconds, ms);
      for (const ms of m.connectMs.slice(from, to))
        metrics.addMetric('ConnectDuration', MetricUnit.Milliseconds, ms);
      metrics.publishStoredMetrics();
    }
  }
}
const VALUES_PER_DOCUMENT = 90;

type HttpEvent =
  | { version: 2; method: string; body: string | undefined; base64: boolean }
  | { version: 1; method: string; body: string | null; base64: boolean };

/**
 * A Function URL or HTTP API event (payload 2.0: `requestContext.http`), or a REST API one (payload
 * 1.0: `httpMethod`); anything else is a direct invoke whose event is the request itself.
 */
function httpEvent(event: unknown): HttpEvent | undefined {
  if (typeof event !== 'object' || event === null || !('requestContext' in event)) return undefined;
  const v2 = event as Partial<APIGatewayProxyEventV2>;
  if (typeof v2.requestContext?.http?.method === 'string') {
    return {
      version: 2,
      method: v2.requestContext.http.method,
      body: v2.body,
      base64: v2.isBase64Encoded === true,
    };
  }
  const v1 = event as Partial<APIGatewayProxyEvent>;
  if (typeof v1.httpMethod === 'string') {
    return { version: 1, method: v1.httpMethod, body: v1.body ?? null, base64: v1.isBase64Encoded === true };
  }
  throw new Refused(
    400,
    'BadRequest',
    'an HTTP event without a method: send payload 2.0 (Function URL, HTTP API) or 1.0 (REST API)',
    'requestContext',
  );
}

function checkDirectSize(event: unknown): void {
  // A direct invoke's payload is at most 6 MB (Lambda's own limit); re-encoding it is cheap next to that.
  if (JSON.stringify(event ?? null).length > MAX_REQUEST_BYTES) {
    throw new Refused(
      413,
      'PayloadTooLarge',
      `the request is larger than ${MAX_REQUEST_BYTES} bytes`,
      'body',
    );
  }
}

/**
 * The Lambda entry: a direct invoke (the contract request as the event) or an HTTP request carrying it
 * as JSON. Answers with the raw results, always before Lambda's deadline: probes still running when the
 * budget ends are `aborted`. A request it will not run is a 4xx (or an error answer); a failure of the
 * function itself is thrown on a direct invoke, so Lambda's Errors metric counts it, and a 500 with the
 * request id over HTTP.
 */
export async function handler(
  event: unknown,
  context: Context,
): Promise<Answer | ErrorAnswer | APIGatewayProxyStructuredResultV2> {
  logger.addContext(context);
  const started = performance.now();
  // An event that came over HTTP is answered over HTTP, even when it is too broken to read.
  const overHttp = typeof event === 'object' && event !== null && 'requestContext' in event;
  let http: HttpEvent | undefined;
  try {
    http = httpEvent(event);
    if (!http) checkDirectSize(event);
    const request = parseRequest(http ? decodeHttpBody(http.method, http.body, http.base64) : event);
    const answer = await serve(request, {
      policy: policyFromEnv(process.env),
      budgetMs: budgetFrom(context.getRemainingTimeInMillis()),
      vantage: {
        provider: 'aws-lambda',
        region: process.env.AWS_REGION ?? 'unknown',
        functionName: context.functionName,
        functionVersion: context.functionVersion,
        runtime: `node ${process.version}`,
        architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
        requestId: context.awsRequestId,
      },
    });
    // Counts and timings only: jobs may carry credentials, so the request is never logged.
    logger.info('probe summary', summaryOf(request, answer, started));
    publishMetrics(portMetrics(request, answer));
    return http ? respond(200, answer) : answer;
  } catch (error) {
    const refused = asRefusal(error);
    if (refused) {
      logger.warn('request refused', { type: refused.answer.error.type, field: refused.answer.error.field });
      return overHttp ? respond(refused.status, refused.answer) : refused.answer;
    }
    logger.error('internal error', error as Error);
    if (!overHttp)
      throw new Error(
        `the probe failed unexpectedly (request ${context.awsRequestId}); see the function log`,
      );
    return respond(500, internalErrorAnswer(context.awsRequestId));
  }
}

function respond(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
