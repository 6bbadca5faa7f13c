/**
 * How late this process's timers ran while something was being timed. On a busy machine (two cores,
 * other test files, other jobs) a timer may fire hundreds of milliseconds late; a test that checks
 * "settled within the deadline plus a little" adds this to its little, so that it keeps checking the
 * deadline and stops checking the machine. A probe that ignored its deadline misses it by the server's
 * delay, which the tests choose far larger than any slack.
 */

const PERIOD_MS = 5;

export interface LagMeter {
  /** The worst lateness so far, whole milliseconds; the meter keeps measuring. */
  worst(): number;
  /** Stops measuring; the worst lateness seen, whole milliseconds. */
  stop(): number;
}

/** Starts measuring: a timer every 5 ms notes how late it fires. */
export function eventLoopLag(): LagMeter {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - PERIOD_MS);
    last = now;
  }, PERIOD_MS);
  timer.unref();
  let stopped: number | undefined;
  // The tick that is due and has not run yet is late too.
  const sofar = () => Math.ceil(Math.max(worst, performance.now() - last - PERIOD_MS));
  return {
    worst: () => stopped ?? sofar(),
    stop() {
      if (stopped === undefined) {
        clearInterval(timer);
        stopped = sofar();
      }
      return stopped;
    },
  };
}
