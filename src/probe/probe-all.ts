import { setMaxListeners } from 'node:events';
import { type ProbeOptions, type ResolvedOptions, resolveOptions, resolveTarget } from './options.js';
import { probeResolved } from './probe.js';
import type { ProbeResult, ProbeTarget } from './types.js';

export interface ProbeAllOptions extends ProbeOptions {
  /** Targets probed at once. Default 32. */
  concurrency?: number;
  /** One deadline for the whole run, ms; targets unfinished by then end as `aborted`. */
  overallTimeout?: number;
  /** Told when each target starts and ends (for progress displays); must not throw. */
  onStart?: (index: number) => void;
  onDone?: (index: number, result: ProbeResult) => void;
}

/**
 * What may differ between the targets of one run: every probe option but the run's signal (credentials,
 * envelope, timeouts, TLS trust); a remote vantage probes each job with the options it was sent.
 */
export type PerTargetOptions = Omit<ProbeOptions, 'signal'>;

/** A target with options of its own, layered over the run's. */
export type ProbeAllTarget = ProbeTarget & { options?: PerTargetOptions };

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
  targets: readonly ProbeAllTarget[],
  options: ProbeAllOptions = {},
): Promise<ProbeResult[]> {
  if (!Array.isArray(targets)) throw new TypeError(`targets must be an array, got ${String(targets)}`);
  const { concurrency = 32, overallTimeout, onStart, onDone, ...probeOptions } = options;
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
  const perTarget = targets.map((t) =>
    t.options ? resolveOptions({ ...probeOptions, ...t.options }) : base,
  );

  const controller = new AbortController();
  const timer =
    overallTimeout === undefined
      ? undefined
      : setTimeout(() => controller.abort(new OverallDeadline(overallTimeout)), overallTimeout);
  const signal = base.signal ? AbortSignal.any([base.signal, controller.signal]) : controller.signal;
  // Every probe in flight listens on this one signal while a stage runs (and removes its listener when
  // the stage ends): more than ten at once is the design, not the leak Node would warn about on stderr.
  setMaxListeners(0, signal);
  const withSignal = perTarget.map((o) => ({ ...o, signal }));
  const results: ProbeResult[] = new Array(resolved.length);
  let next = 0;
  const worker = async () => {
    while (next < resolved.length) {
      const index = next++;
      onStart?.(index);
      const result = await probeResolved(
        resolved[index] as Required<ProbeTarget>,
        withSignal[index] as ResolvedOptions,
      );
      results[index] = result;
      onDone?.(index, result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, resolved.length) }, worker));
  } finally {
    clearTimeout(timer);
  }
  return results;
}
