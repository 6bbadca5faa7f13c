/**
 * What a remote vantage answers, contract version 2: the core's own results, whole; the destinations
 * its policy refused, with the reason; and what the vantage is. No rows, no findings, no verdict: the
 * caller judges every vantage with the same code, once.
 */
import { z } from 'zod';
import type { ProbeResult } from '../probe/index.js';
import { probeResultSchema } from './probe-result.js';
import { CONTRACT_VERSION, ContractMismatch } from './version.js';

const text = z.string().max(10_000);
const jobs = z.array(z.number().int().min(0)).min(1);

export const vantageFactsSchema = z
  .object({
    /** `aws-lambda`, `gcp-cloud-run`, `local`. */
    provider: text,
    region: text.optional(),
    functionName: text.optional(),
    functionVersion: text.optional(),
    /** `node v24.11.0`. */
    runtime: text,
    architecture: text.optional(),
    requestId: text.optional(),
  })
  .strict();
export type VantageFacts = z.output<typeof vantageFactsSchema>;

export const answerSchema = z
  .object({
    contract: z.literal(CONTRACT_VERSION),
    vantage: vantageFactsSchema,
    durationMs: z.number().finite().nonnegative(),
    /** One entry per probed host; an MX job has one per exchange. `jobs`: the request's jobs it answers. */
    results: z.array(z.object({ jobs, result: probeResultSchema }).strict()),
    /** Destinations the vantage's policy would not probe, before any packet was sent to them. */
    refused: z.array(
      z
        .object({
          jobs,
          host: text,
          /** The address that made the name forbidden, when one did. */
          address: text.optional(),
          reason: text,
        })
        .strict(),
    ),
  })
  .strict();
export type Answer = z.output<typeof answerSchema>;
export type Refusal = Answer['refused'][number];

/** An answer that says why there is none: a bad request, or a failure of the vantage itself. */
export const errorAnswerSchema = z
  .object({
    contract: z.literal(CONTRACT_VERSION),
    error: z
      .object({
        type: z.enum(['BadRequest', 'ContractMismatch', 'PayloadTooLarge', 'InternalError']),
        field: text.optional(),
        message: text,
        requestId: text.optional(),
      })
      .strict(),
  })
  .strict();
export type ErrorAnswer = z.output<typeof errorAnswerSchema>;

/** The answer as sent: plain JSON (every value of a ProbeResult is a JSON value). */
export function encodeAnswer(answer: Answer | ErrorAnswer): string {
  return JSON.stringify(answer);
}

/** A remote answer that cannot be used; the message says why without quoting it. */
export class AnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerError';
  }
}

/**
 * The answer from its JSON text, checked field by field. Another contract version is a
 * ContractMismatch; an error answer an AnswerError carrying its type and message.
 */
export function decodeAnswer(textIn: string): Answer {
  let body: unknown;
  try {
    body = JSON.parse(textIn);
  } catch {
    throw new AnswerError('answered with something that is not JSON');
  }
  const version = (body as { contract?: unknown } | null)?.contract;
  if (typeof body !== 'object' || body === null)
    throw new AnswerError('answered with something that is not an object');
  if (version !== CONTRACT_VERSION) throw new ContractMismatch(version, 'answer');
  const failed = errorAnswerSchema.safeParse(body);
  if (failed.success) {
    const e = failed.data.error;
    throw new AnswerError(`${e.type}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
  }
  const parsed = answerSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AnswerError(
      `answered with a malformed contract ${CONTRACT_VERSION} answer (at ${issue?.path.join('.') || 'top'}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

/** The results of one answer by request job index (an MX job may have several). */
export function resultsByJob(answer: Answer): Map<number, ProbeResult[]> {
  const byJob = new Map<number, ProbeResult[]>();
  for (const { jobs: indexes, result } of answer.results) {
    for (const i of indexes) byJob.set(i, [...(byJob.get(i) ?? []), result]);
  }
  return byJob;
}
