import ms from 'ms';
import { quoteInput } from '../result/settings.js';
import { UsageError } from './types.js';

/**
 * Node's timers hold a signed 32-bit delay: anything longer fires after 1 ms with only a warning, so a
 * "1y" timeout would silently become an instant one. Refuse it instead.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const HINT = 'use a number of milliseconds or a value like 10s, 500ms, 2m';

/** Names a value for an error message without dumping objects. */
function show(value: unknown): string {
  if (typeof value === 'string') return quoteInput(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Reads a duration as milliseconds: a positive number (ms) or a string such as `10s`, `500ms`, `2m`, `1.5s`. */
export function parseDuration(value: unknown, source: string): number {
  let millis: number | undefined;
  if (typeof value === 'number') {
    millis = value;
  } else if (typeof value === 'string' && value.trim() !== '') {
    // ms() takes bare numbers as milliseconds and returns undefined for anything it cannot read.
    millis = ms(value.trim() as ms.StringValue) as number | undefined;
  }
  if (millis === undefined || !Number.isFinite(millis)) {
    throw new UsageError(`invalid duration ${show(value)}: ${HINT}`, source);
  }
  if (millis <= 0) {
    throw new UsageError(`invalid duration ${show(value)}: it must be more than zero; ${HINT}`, source);
  }
  if (millis > MAX_DURATION_MS) {
    throw new UsageError(
      `invalid duration ${show(value)}: the longest allowed is ${MAX_DURATION_MS} ms (about 24.8 days)`,
      source,
    );
  }
  return millis;
}
