/**
 * The edge every cloud function shares between its platform's event and serve(): how a request body
 * is read (POST only, the size cap before any parsing of ours, JSON), which errors are the caller's
 * (answered 4xx with an error answer) and which are the function's own (500 with a request id), the
 * deadline rule, and the counts of the one summary log line. lambda/ and gcp/ differ only in how
 * their platform hands the request over and takes the answer back.
 */
import {
  type Answer,
  BadRequest,
  CONTRACT_VERSION,
  ContractMismatch,
  type ErrorAnswer,
  MAX_REQUEST_BYTES,
  type ProbeRequest,
} from '../contract/index.js';

/** Time kept back from the platform's own deadline to encode the answer and return it. */
export const SAFETY_MARGIN_MS = 1_500;

/**
 * The budget serve() gets: the platform's time left minus the margin (serve() also keeps within the
 * request's own `deadlineMs`, whichever ends first).
 */
export function budgetFrom(platformLeftMs: number): number {
  return platformLeftMs - SAFETY_MARGIN_MS;
}

/** A request the function will not run: a 4xx over HTTP, an error answer to a direct invoke. */
export class Refused extends Error {
  readonly status: number;
  readonly answer: ErrorAnswer;

  constructor(status: number, type: ErrorAnswer['error']['type'], message: string, field?: string) {
    super(message);
    this.name = 'Refused';
    this.status = status;
    this.answer = { contract: CONTRACT_VERSION, error: { type, ...(field ? { field } : {}), message } };
  }
}

/**
 * The JSON an HTTP request carries: POST only; measured before decoding and parsing, so that a large
 * body costs nothing but a comparison; base64 when the platform says so (Lambda's events).
 */
export function decodeHttpBody(
  method: string,
  body: string | Buffer | null | undefined,
  base64 = false,
): unknown {
  if (method !== 'POST') {
    throw new Refused(400, 'BadRequest', `${method.slice(0, 16)} is not allowed; POST a JSON body`, 'method');
  }
  const raw = body ?? '';
  const limit = base64 ? Math.ceil((MAX_REQUEST_BYTES * 4) / 3) + 4 : MAX_REQUEST_BYTES;
  if (raw.length > limit) {
    throw new Refused(413, 'PayloadTooLarge', `the body is larger than ${MAX_REQUEST_BYTES} bytes`, 'body');
  }
  const text = base64
    ? Buffer.from(raw.toString(), 'base64').toString('utf8')
    : typeof raw === 'string'
      ? raw
      : raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new Refused(400, 'BadRequest', 'is not valid JSON', 'body');
  }
}

/** The caller's mistake as a Refused (bad request, other contract version); undefined for the function's own failure. */
export function asRefusal(error: unknown): Refused | undefined {
  if (error instanceof Refused) return error;
  if (error instanceof BadRequest) {
    return new Refused(400, 'BadRequest', error.message.slice(error.field.length + 2), error.field);
  }
  if (error instanceof ContractMismatch)
    return new Refused(400, 'ContractMismatch', error.message, 'contract');
  return undefined;
}

/** What a caller learns of the function's own failure: that it happened, and where to look. */
export function internalErrorAnswer(requestId: string): ErrorAnswer {
  return {
    contract: CONTRACT_VERSION,
    error: {
      type: 'InternalError',
      message: 'the probe failed unexpectedly; see the function log',
      requestId,
    },
  };
}

/** The summary line's fields: counts and timings only, since jobs may carry credentials. */
export function summaryOf(
  request: ProbeRequest,
  answer: Answer,
  started: number,
): { jobs: number; statuses: Record<string, number>; refused: number; durationMs: number } {
  const statuses: Record<string, number> = {};
  for (const { result } of answer.results) statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  return {
    jobs: request.jobs.length,
    statuses,
    refused: answer.refused.length,
    durationMs: Math.round(performance.now() - started),
  };
}
