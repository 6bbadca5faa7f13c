import { type RunOptions, runPlan } from '../plan/run.js';
import type { Plan } from '../plan/types.js';
import type { Report } from '../report/model.js';
import { parseVantage, type VantageSpec } from './vantage-spec.js';

/** Vantage texts (flag or input values) checked once, `runner` when none is given. */
export function parseVantages(texts: readonly string[], source: (index: number) => string): VantageSpec[] {
  const specs = (texts.length > 0 ? texts : ['runner']).map((text, i) => parseVantage(text, source(i)));
  return specs.filter((spec, i) => specs.findIndex((s) => s.label === spec.label) === i);
}

/** One vantage, the runner: the plain report. Several, or a remote one: the matrix. */
export async function runFrom(
  plan: Plan,
  vantages: readonly VantageSpec[],
  options: RunOptions = {},
): Promise<Report> {
  const onlyRunner = vantages.length === 1 && vantages[0]?.kind === 'runner';
  if (onlyRunner) return runPlan(plan, options);
  // Loaded only for remote vantages: the matrix brings the AWS SDK along.
  const { runMatrix } = await import('./matrix.js');
  return runMatrix(plan, vantages, options);
}
