import type { Mode, ProbeResult } from '../probe/index.js';
import type { ResultRow } from './model.js';

/** Flattens a probe result into report rows: one per address session, or one for a DNS failure. */
export function toRows(result: ProbeResult, target: string, vantage: string): ResultRow[] {
  const { host, port, mode } = result.target;
  if (result.sessions.length === 0) {
    return [
      {
        target,
        vantage,
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
    vantage,
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

/** The row for a destination a remote vantage refused: nothing was sent to it. */
export function refusedRow(
  refusal: { host: string; address?: string; reason: string },
  at: { target: string; vantage: string; port: number; mode: Mode },
): ResultRow {
  return {
    target: at.target,
    vantage: at.vantage,
    host: refusal.host,
    port: at.port,
    mode: at.mode,
    address: refusal.address ?? null,
    family: null,
    status: 'forbidden',
    stage: 'dns',
    explanation: refusal.reason,
    durationMs: 0,
    timings: {},
    retries: 0,
    transcript: [],
    transcriptTruncated: false,
  };
}
