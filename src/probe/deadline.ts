import { abortFailure, type ProbeFailure } from './failure.js';

type Settle<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

/**
 * Runs `start` until it settles, the absolute `deadline` (a `performance.now()` value) passes, or the
 * signal aborts, whichever is first. `start` returns its own clean-up, which runs on every path, and
 * the timer and the abort listener are always removed: nothing outlives the stage.
 */
export function untilDeadline<T>(
  deadline: number,
  onTimeout: () => ProbeFailure,
  signal: AbortSignal | undefined,
  start: (settle: Settle<T>) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let cleanup: (() => void) | undefined;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cleanup?.();
      fn();
    };
    const onAbort = () => finish(() => reject(abortFailure(signal as AbortSignal)));
    const timer = setTimeout(
      () => finish(() => reject(onTimeout())),
      Math.max(0, deadline - performance.now()),
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      cleanup = start({
        resolve: (value) => finish(() => resolve(value)),
        reject: (error) => finish(() => reject(error)),
      });
    } catch (error) {
      finish(() => reject(error));
    }
    if (done) cleanup?.();
  });
}

/** Sleeps for `ms`, or rejects with an `aborted` failure as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortFailure(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortFailure(signal as AbortSignal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
