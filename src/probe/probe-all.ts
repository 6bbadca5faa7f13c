import { type ProbeOptions, resolveOptions, resolveTarget } from './options.js';
import { checkCombination, probeResolved } from './probe.js';
import type { ProbeResult, ProbeTarget } from './types.js';

export interface ProbeAllOptions extends ProbeOptions {
  /** Targets probed at once. Default 32. */
  concurrency?: number;
  /** One deadline for the whole run, ms; targets unfinished by then end as `aborted`. */
  overallTimeout?: number;
}

/** The reason a run's unfinished probes carry when the overall deadline passes. */
export class OverallDeadline extends Error {
  constructor(ms: number) {
    super(`the overall deadline of ${ms} ms passed before this probe finished`);
    this.name = 'OverallDeadline';
  }
}

/**
 * Probes many targets with bounded concurrency and one overall deadline. Results come back in input
 * order; cancelling the signal (or passing the deadline) ends every probe still running as `aborted`.
 */
export async function probeAll(
  targets: readonly ProbeTarget[],
  options: ProbeAllOptions = {},
): Promise<ProbeResult[]> {
  if (!Array.isArray(targets)) throw new TypeError(`targets must be an array, got ${String(targets)}`);
  const { concurrency = 32, overallTimeout, ...probeOptions } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`options.concurrency must be a whole number >= 1, got ${String(concurrency)}`);
  }
  if (overallTimeout !== undefined && (!Number.isFinite(overallTimeout) || overallTimeout <= 0)) {
    throw new RangeError(
      `options.overallTimeout must be a positive number of milliseconds, got ${overallTimeout}`,
    );
  }
  const base = resolveOptions(probeOptions);
  const resolved = targets.map((t, i) => resolveTarget(t, `targets[${i}]`));
  for (const t of resolved) checkCombination(t, base);

  const controller = new AbortController();
  const timer =
    overallTimeout === undefined
      ? undefined
      : setTimeout(() => controller.abort(new OverallDeadline(overallTimeout)), overallTimeout);
  const signal = base.signal ? AbortSignal.any([base.signal, controller.signal]) : controller.signal;
  const o = { ...base, signal };
  const results: ProbeResult[] = new Array(resolved.length);
  let next = 0;
  const worker = async () => {
    while (next < resolved.length) {
      const index = next++;
      results[index] = await probeResolved(resolved[index] as Required<ProbeTarget>, o);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, resolved.length) }, worker));
  } finally {
    clearTimeout(timer);
  }
  return results;
}
