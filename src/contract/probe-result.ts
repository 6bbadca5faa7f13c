/**
 * The core's ProbeResult as the contract carries it: every field, strictly, so that a remote answer
 * decodes to exactly what the probe returned where it ran (`decode(encode(r))` deep-equals `r`). The
 * compile-time checks at the end fail the build when probe/types.ts and this schema drift apart.
 */
import { z } from 'zod';
import { MODES, type ProbeResult, STAGES, STATUSES } from '../probe/index.js';

const text = z.string().max(1_000_000);
const ms = z.number().finite().nonnegative();
const stage = z.enum(STAGES);

const reply = z
  .object({
    code: z.number().int().min(0).max(999),
    enhanced: text.optional(),
    lines: z.array(text),
  })
  .strict();

const ehlo = z
  .object({
    domain: text,
    keywords: z.record(text, z.array(text)),
    size: z.number().int().nonnegative().optional(),
    pipelining: z.boolean(),
    eightBitMime: z.boolean(),
    smtpUtf8: z.boolean(),
    chunking: z.boolean(),
    starttls: z.boolean(),
    enhancedStatusCodes: z.boolean(),
    dsn: z.boolean(),
    auth: z.array(text),
  })
  .strict();

const smtp = z
  .object({
    greeting: z.object({ code: z.number().int(), text }).strict().optional(),
    heloFallback: z.boolean(),
    ehlo: ehlo.optional(),
    ehloAfterTls: ehlo.optional(),
    starttlsInjectedBytes: z.number().int().nonnegative().optional(),
    starttlsInjectedSample: text.optional(),
  })
  .strict();

const certificate = z
  .object({
    subject: text,
    issuer: text,
    subjectAltNames: z.array(text),
    validFrom: text,
    validTo: text,
    daysUntilExpiry: z.number().int(),
    expired: z.boolean(),
    notYetValid: z.boolean(),
    fingerprint256: text,
    serialNumber: text,
    selfSigned: z.boolean(),
  })
  .strict();

const tls = z
  .object({
    mode: z.enum(['starttls', 'tls']),
    protocol: text.optional(),
    cipher: text.optional(),
    servername: text.optional(),
    trusted: z.boolean(),
    trustError: text.optional(),
    hostnameMatch: z.boolean(),
    hostnameError: text.optional(),
    certificate: certificate.optional(),
    chain: z.array(z.object({ subject: text, issuer: text, validTo: text, fingerprint256: text }).strict()),
  })
  .strict();

const auth = z
  .object({
    mechanism: text.optional(),
    outcome: z.enum(['accepted', 'rejected', 'unavailable', 'error', 'withheld']),
    withheld: z.enum(['untrusted', 'hostname', 'plaintext']).optional(),
    reply: reply.optional(),
  })
  .strict();

const envelope = z
  .object({
    from: text,
    to: text.optional(),
    mailFrom: reply.optional(),
    rcptTo: reply.optional(),
  })
  .strict();

const transcriptLine = z.object({ at: ms, dir: z.enum(['>', '<', '*']), text }).strict();

const session = z
  .object({
    address: text,
    family: z.union([z.literal(4), z.literal(6)]),
    status: z.enum(STATUSES),
    stage,
    reply: reply.optional(),
    errorCode: text.optional(),
    explanation: text,
    hint: text.optional(),
    timings: z.partialRecord(stage, ms),
    durationMs: ms,
    smtp,
    tls: tls.optional(),
    auth: auth.optional(),
    envelope: envelope.optional(),
    transcript: z.array(transcriptLine),
    transcriptTruncated: z.boolean(),
    retries: z.number().int().nonnegative(),
  })
  .strict();

export const probeResultSchema = z
  .object({
    target: z.object({ host: text, port: z.number().int().min(1).max(65_535), mode: z.enum(MODES) }).strict(),
    status: z.enum(STATUSES),
    stage,
    reply: reply.optional(),
    errorCode: text.optional(),
    explanation: text,
    hint: text.optional(),
    startedAt: text,
    durationMs: ms,
    dns: z
      .object({
        addresses: z.array(
          z.object({ address: text, family: z.union([z.literal(4), z.literal(6)]) }).strict(),
        ),
        durationMs: ms,
        errorCode: text.optional(),
      })
      .strict(),
    sessions: z.array(session),
  })
  .strict();

// Drift guards: each line fails to compile when the schema and the core's type stop matching.
type Decoded = z.output<typeof probeResultSchema>;
// Identical types only: mutual assignability would miss an optional field missing on one side.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemaMatchesCore: Same<Decoded, ProbeResult> = true;
void schemaMatchesCore;
