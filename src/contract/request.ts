/**
 * What a remote vantage is asked to do, contract version 2: concrete jobs (host, port, mode) and the
 * probe options of each, carried whole (timeouts, HELO, TLS trust and minimum version, retries,
 * credentials, envelope), so that a remote vantage probes exactly as the runner does. Options shared by
 * many jobs are sent once, as a profile the jobs point at.
 */
import { z } from 'zod';
import { isHeloName, isMailbox, MODES } from '../probe/index.js';
import { CONTRACT_VERSION, ContractMismatch } from './version.js';

/** Largest request body a vantage reads; checked before parsing. */
export const MAX_REQUEST_BYTES = 256 * 1024;
export const MAX_JOBS = 1_000;
export const MAX_PROFILES = 64;

const noControl = (what: string) =>
  z
    .string()
    .max(1_024, { error: `${what} is longer than 1024 characters` })
    .refine((value) => !/[\r\n\0]/.test(value), { error: `${what} contains CR, LF or NUL` });

const ms = z
  .number()
  .int()
  .positive()
  .max(15 * 60_000);

/** RFC 1123 host names, IPv4 and IPv6 literals; the vantage re-checks every name it resolves. */
const host = z
  .string()
  .min(1)
  .max(255, { error: 'is longer than 255 characters' })
  .regex(/^[A-Za-z0-9._:[\]-]+$/, { error: 'is not a host name or IP address' });

export const probeProfileSchema = z
  .object({
    timeout: ms,
    connectTimeout: ms,
    greetingTimeout: ms,
    commandTimeout: ms,
    helo: z
      .string()
      .max(253)
      .refine(isHeloName, { error: 'is not a domain name or address literal' })
      .optional(),
    retries: z.number().int().min(0).max(5),
    tls: z
      .object({
        /** Extra trusted CA certificates, PEM text. */
        ca: z
          .array(
            z
              .string()
              .max(64 * 1024)
              .includes('-----BEGIN CERTIFICATE-----'),
          )
          .max(16)
          .optional(),
        minVersion: z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']).optional(),
        servername: host.optional(),
        allowUnverifiedAuth: z.boolean().optional(),
        allowPlaintextAuth: z.boolean().optional(),
      })
      .strict(),
    auth: z
      .object({
        username: noControl('the username').pipe(z.string().min(1)),
        password: noControl('the password'),
      })
      .strict()
      .optional(),
    envelope: z
      .object({
        from: noControl('the sender').refine(isMailbox, {
          error: 'is not a mail address like app@example.com',
        }),
        to: noControl('the recipient')
          .refine(isMailbox, { error: 'is not a mail address like app@example.com' })
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ProbeProfile = z.output<typeof probeProfileSchema>;

export const jobSchema = z
  .object({
    host,
    /** The host is a domain whose MX hosts are probed (port 25 by convention). */
    mx: z.boolean().optional(),
    port: z.number().int().min(1).max(65_535),
    mode: z.enum(MODES),
    /** Index into `profiles`. */
    profile: z.number().int().min(0),
  })
  .strict();
export type Job = z.output<typeof jobSchema>;

export const probeRequestSchema = z
  .object({
    contract: z.literal(CONTRACT_VERSION),
    /** The caller's own budget for the whole answer, ms: the vantage answers within it. */
    deadlineMs: z
      .number()
      .int()
      .positive()
      .max(15 * 60_000)
      .optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    profiles: z.array(probeProfileSchema).min(1).max(MAX_PROFILES),
    jobs: z.array(jobSchema).min(1).max(MAX_JOBS),
  })
  .strict()
  .superRefine((request, ctx) => {
    request.jobs.forEach((job, i) => {
      if (job.profile >= request.profiles.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'profile'],
          message: `points at profile ${job.profile}, but there are ${request.profiles.length}`,
        });
      }
    });
  });
export type ProbeRequest = z.output<typeof probeRequestSchema>;

/** A request the vantage refuses; `field` is the path of the bad value (`jobs[2].port`, `body`). */
export class BadRequest extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'BadRequest';
    this.field = field;
  }
}

function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return (
    path.reduce<string>(
      (acc, key) =>
        typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
      '',
    ) || 'body'
  );
}

/**
 * Validates a decoded request body. Another contract version is a ContractMismatch naming both; any
 * other first problem a BadRequest naming its field. Messages describe what was expected and never
 * echo the value, so neither a password nor a 5 MB host name comes back in an error.
 */
export function parseRequest(body: unknown): ProbeRequest {
  const version = (body as { contract?: unknown } | null)?.contract;
  if (typeof body === 'object' && body !== null && version !== CONTRACT_VERSION) {
    throw new ContractMismatch(version, 'request');
  }
  const parsed = probeRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const unknown =
    issue?.code === 'unrecognized_keys' ? ` (${issue.keys.map((k) => k.slice(0, 40)).join(', ')})` : '';
  throw new BadRequest(fieldOf(issue?.path ?? []), `${issue?.message ?? 'invalid request'}${unknown}`);
}
