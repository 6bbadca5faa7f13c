import type { ProbeResult } from '../probe/index.js';
import type { ResultRow } from '../report/model.js';

/** Flattens a probe result into report rows: one per address session, or one for a DNS failure. */
export function toRows(result: ProbeResult, target: string): ResultRow[] {
  const { host, port, mode } = result.target;
  if (result.sessions.length === 0) {
    return [
      {
        target,
        host,
        port,
        mode,
        address: null,
        family: null,
        status: result.status,
        stage: result.stage,
        ...(result.errorCode ? { errorCode: result.errorCode } : {}),
        explanation: result.explanation,
        ...(result.hint ? { hint: result.hint } : {}),
        durationMs: result.durationMs,
        timings: { dns: result.dns.durationMs },
        retries: 0,
        transcript: [],
        transcriptTruncated: false,
      },
    ];
  }
  return result.sessions.map((s) => ({
    target,
    host,
    port,
    mode,
    address: s.address,
    family: s.family,
    status: s.status,
    stage: s.stage,
    ...(s.reply ? { reply: s.reply } : {}),
    ...(s.errorCode ? { errorCode: s.errorCode } : {}),
    explanation: s.explanation,
    ...(s.hint ? { hint: s.hint } : {}),
    durationMs: s.durationMs,
    timings: { dns: result.dns.durationMs, ...s.timings },
    smtp: s.smtp,
    ...(s.tls ? { tls: s.tls } : {}),
    ...(s.auth ? { auth: s.auth } : {}),
    ...(s.envelope ? { envelope: s.envelope } : {}),
    retries: s.retries,
    transcript: s.transcript,
    transcriptTruncated: s.transcriptTruncated,
  }));
}
