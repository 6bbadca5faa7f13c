import { z } from 'zod';
import { FAIL_ON } from '../plan/types.js';
import { MODES } from '../probe/index.js';

/**
 * What a remote vantage is asked to do: the CLI's target syntax and options. The handler validates
 * with it and the vantage clients build it, so both ends agree on one shape.
 */
const duration = z.union([z.number().positive(), z.string().min(1)]);

export const probeRequestSchema = z
  .object({
    targets: z.array(z.string().min(1)).min(1),
    options: z
      .object({
        ports: z.array(z.number().int().min(1).max(65_535)).min(1).optional(),
        mode: z.enum(MODES).optional(),
        timeout: duration.optional(),
        connectTimeout: duration.optional(),
        greetingTimeout: duration.optional(),
        commandTimeout: duration.optional(),
        helo: z.string().min(1).optional(),
        concurrency: z.number().int().min(1).max(64).optional(),
        failOn: z.enum(FAIL_ON).optional(),
        minTls: z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']).optional(),
        auth: z
          .object({ username: z.string().min(1), password: z.string() })
          .strict()
          .optional(),
        envelope: z
          .object({ from: z.string().min(3), to: z.string().min(3).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type ProbeRequest = z.output<typeof probeRequestSchema>;

/** A request the vantage refuses; `field` is the path of the bad value (`options.timeout`, `targets[2]`). */
export class BadRequest extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'BadRequest';
    this.field = field;
  }
}

/** Validates a decoded request body; the first problem becomes a BadRequest naming its field. */
export function parseRequest(body: unknown): ProbeRequest {
  const parsed = probeRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field =
    issue?.path.reduce<string>(
      (acc, key) =>
        typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
      '',
    ) || 'body';
  const unknown = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  // Zod's messages describe the expectation, never echo the value: a password cannot leak through here.
  throw new BadRequest(field, `${issue?.message ?? 'invalid request'}${unknown}`);
}
