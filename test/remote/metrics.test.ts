import { describe, expect, it } from 'vitest';
import { type Answer, CONTRACT_VERSION, type ProbeRequest } from '../../src/contract/index.js';
import { METRICS_NAMESPACE, metricRecords, portMetrics } from '../../src/remote/metrics.js';
import { result } from '../helpers/judge-kit.js';

const request: ProbeRequest = {
  contract: CONTRACT_VERSION,
  profiles: [
    { timeout: 1000, connectTimeout: 1000, greetingTimeout: 1000, commandTimeout: 1000, retries: 0, tls: {} },
  ],
  jobs: [
    { host: '192.0.2.10', port: 25, mode: 'plain', profile: 0 },
    { host: '192.0.2.11', port: 25, mode: 'plain', profile: 0 },
    { host: '192.0.2.10', port: 587, mode: 'plain', profile: 0 },
    { host: '10.0.0.1', port: 587, mode: 'plain', profile: 0 },
  ],
};
const answer: Answer = {
  contract: CONTRACT_VERSION,
  vantage: { provider: 'aws-lambda', runtime: 'node v24.0.0' },
  durationMs: 1100,
  results: [
    { jobs: [0], result: result('192.0.2.10', 25, 'timeout') },
    { jobs: [1], result: result('192.0.2.11', 25, 'ok') },
    { jobs: [2], result: result('192.0.2.10', 587, 'ok') },
  ],
  refused: [{ jobs: [3], host: '10.0.0.1', reason: 'a private address' }],
};

describe('metrics from an answer', () => {
  it('per port: a count per status (refusals as forbidden), every duration, the connects that succeeded', () => {
    expect(portMetrics(request, answer)).toEqual([
      { port: 25, statuses: { timeout: 1, ok: 1 }, durationMs: [1000, 12], connectMs: [] },
      { port: 587, statuses: { ok: 1, forbidden: 1 }, durationMs: [12], connectMs: [] },
    ]);
  });

  it('as structured log records for platforms without EMF: the same names, latency summarised, no host', () => {
    const records = metricRecords(portMetrics(request, answer));
    expect(records[0]).toEqual({
      namespace: METRICS_NAMESPACE,
      port: 25,
      statuses: { timeout: 1, ok: 1 },
      durationMs: { count: 2, min: 12, max: 1000, sum: 1012 },
    });
    expect(JSON.stringify(records)).not.toMatch(/192\.0\.2|10\.0\.0/);
  });
});
