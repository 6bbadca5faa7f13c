/**
 * Structured logs as Cloud Logging reads them from a Cloud Run function's stdout: one JSON object per
 * line, `severity` and `message` recognised as such, every other field kept as jsonPayload.
 */
export type Severity = 'INFO' | 'WARNING' | 'ERROR';

export function log(severity: Severity, message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ severity, message, service: 'smtp-port-probe', ...fields })}\n`);
}
