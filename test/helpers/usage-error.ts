import { UsageError } from '../../src/plan/types.js';

/** Runs `run` and returns the UsageError it throws; fails the test if it returns or throws anything else. */
export function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError, got a result');
}
