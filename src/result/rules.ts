export type Severity = 'error' | 'warning' | 'notice';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'notice'];

/**
 * The finding rules. Ids are stable (users filter on them, annotations show them); each has the
 * severity it carries unless a `require: any` group softens it.
 */
export const RULES = {
  unreachable: { severity: 'error', title: 'port unreachable' },
  'egress-blocked-likely': { severity: 'error', title: 'silently dropped: likely blocked by this network' },
  'smtp-error': { severity: 'error', title: 'SMTP session failed' },
  'unexpectedly-open': { severity: 'error', title: 'port open that must be closed' },
  'banner-mismatch': { severity: 'error', title: 'greeting does not match the expected banner' },
  'tls-missing': { severity: 'error', title: 'no TLS' },
  'tls-failed': { severity: 'error', title: 'TLS could not be started' },
  'tls-version': { severity: 'error', title: 'TLS version below the minimum' },
  'cert-expired': { severity: 'error', title: 'certificate expired' },
  'cert-expiring': { severity: 'warning', title: 'certificate expires soon' },
  'cert-untrusted': { severity: 'error', title: 'certificate not trusted' },
  'cert-hostname': { severity: 'error', title: 'certificate does not name the host' },
  'auth-failed': { severity: 'error', title: 'credentials refused' },
  'auth-unavailable': { severity: 'error', title: 'no usable AUTH mechanism' },
  'credentials-withheld': {
    severity: 'error',
    title: 'credentials withheld: the server was not verified',
  },
  'plaintext-auth': { severity: 'warning', title: 'AUTH offered before TLS' },
  'starttls-injection': { severity: 'error', title: 'data injected after STARTTLS' },
  'sender-refused': { severity: 'error', title: 'sender or recipient refused' },
  slow: { severity: 'warning', title: 'slower than the allowed latency' },
  'no-tls-offered': { severity: 'notice', title: 'TLS optional and not offered' },
  'tls-skipped': { severity: 'notice', title: 'the server offers STARTTLS; mode plain did not use it' },
  'forbidden-destination': { severity: 'error', title: 'the vantage refused to probe this destination' },
  'egress-blocked': {
    severity: 'error',
    title: 'blocked by this network: nothing on the port answers here, a control answers elsewhere',
  },
  'target-filtered': {
    severity: 'error',
    title: 'the target filters this vantage: the port works from here, the target answers elsewhere',
  },
  'target-down': { severity: 'error', title: 'the target answers no vantage, though the port works' },
  inconclusive: {
    severity: 'error',
    title: 'unreachable from this vantage, cause not proven: what is missing is named',
  },
  'vantage-failed': { severity: 'error', title: 'the vantage could not answer' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];
