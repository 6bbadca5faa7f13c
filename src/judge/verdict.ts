import type { FailOn, Finding, Verdict } from '../result/model.js';

/** Fails when a finding reaches `failOn`: errors by default, warnings too with `warning`, never with `never`. */
export function verdictOf(findings: readonly Finding[], failOn: FailOn): Verdict {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  const pass = failOn === 'never' || (errors === 0 && (failOn === 'error' || warnings === 0));
  return { pass, failOn, errors, warnings, notices: count('notice') };
}

/** How many findings reach `failOn`: the count that made (or would make) the verdict fail. */
export function failingCount(verdict: Verdict): number {
  if (verdict.failOn === 'never') return 0;
  return verdict.errors + (verdict.failOn === 'warning' ? verdict.warnings : 0);
}
