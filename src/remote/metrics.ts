/**
 * What a cloud function publishes about each answer, for scheduled runs that watch a port over time:
 * per port, how many probes ended in each status, and how long they took. Built here from the request
 * and the answer, below the adapters, so the Lambda (Powertools Metrics, CloudWatch EMF) and the GCP
 * entry (structured logs) publish the same fields under the same names. Never a host, an address or a
 * credential: ports, statuses, counts and milliseconds only.
 */
import type { Answer, ProbeRequest } from '../contract/index.js';

/** The CloudWatch namespace of the Lambda's metrics, and the `namespace` field of the GCP log entry. */
export const METRICS_NAMESPACE = 'SmtpPortProbe';

/** One port's figures in one answer. */
export interface PortMetrics {
  port: number;
  /** Probes (one per host probed on the port, so one per MX exchange) by final status; `forbidden` for refusals. */
  statuses: Record<string, number>;
  /** Every probe's whole duration, ms (DNS, connect, SMTP, TLS). */
  durationMs: number[];
  /** The TCP connect of every session that connected, ms. */
  connectMs: number[];
}

/** Per port, in port order: status counts and latencies of one answer. */
export function portMetrics(request: ProbeRequest, answer: Answer): PortMetrics[] {
  const byPort = new Map<number, PortMetrics>();
  const of = (port: number): PortMetrics => {
    let entry = byPort.get(port);
    if (!entry) {
      entry = { port, statuses: {}, durationMs: [], connectMs: [] };
      byPort.set(port, entry);
    }
    return entry;
  };
  for (const { result } of answer.results) {
    const entry = of(result.target.port);
    entry.statuses[result.status] = (entry.statuses[result.status] ?? 0) + 1;
    entry.durationMs.push(Math.round(result.durationMs));
    for (const session of result.sessions) {
      const connect = session.timings.connect;
      if (connect !== undefined && session.stage !== 'connect') entry.connectMs.push(Math.round(connect));
    }
  }
  for (const refusal of answer.refused) {
    for (const j of refusal.jobs) {
      const job = request.jobs[j];
      if (!job) continue;
      const entry = of(job.port);
      entry.statuses.forbidden = (entry.statuses.forbidden ?? 0) + 1;
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

/**
 * One structured log entry per port, for platforms without EMF (the GCP entry logs these as JSON):
 * the same names as the CloudWatch metrics, a count per status, and latency as count, min, max, sum.
 */
export function metricRecords(metrics: readonly PortMetrics[]): Array<Record<string, unknown>> {
  const summary = (values: readonly number[]) =>
    values.length === 0
      ? undefined
      : {
          count: values.length,
          min: Math.min(...values),
          max: Math.max(...values),
          sum: values.reduce((a, b) => a + b, 0),
        };
  return metrics.map((m) => ({
    namespace: METRICS_NAMESPACE,
    port: m.port,
    statuses: m.statuses,
    ...(summary(m.durationMs) ? { durationMs: summary(m.durationMs) } : {}),
    ...(summary(m.connectMs) ? { connectMs: summary(m.connectMs) } : {}),
  }));
}
