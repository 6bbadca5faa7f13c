/** Medians of repeated runs, and runs interleaved so that two contenders share the machine's state. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rounds for display to `digits` decimals (default 1). */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Wall time of one async run, ms. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * Runs each contender `runs` times, round-robin (A B C A B C ...), after `warmup` untimed rounds, and
 * returns each one's samples. Interleaving keeps a slow moment of the machine from landing on one
 * contender only, so that a ratio of two medians is taken from the same run.
 */
export async function interleaved<K extends string>(
  contenders: Record<K, () => Promise<unknown>>,
  runs: number,
  warmup = 1,
): Promise<Record<K, number[]>> {
  const names = Object.keys(contenders) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + runs; round += 1) {
    for (const name of names) {
      const ms = await timed(contenders[name]);
      if (round >= warmup) samples[name].push(ms);
    }
  }
  return samples;
}
