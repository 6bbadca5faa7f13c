import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/plan/duration.js';
import { usageError } from '../helpers/usage-error.js';

describe('durations', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1.5s', 1_500],
    ['250', 250],
    [30_000, 30_000],
    [0.5, 0.5],
  ])('%j is %d ms', (value, millis) => {
    expect(parseDuration(value, '--timeout')).toBe(millis);
  });

  it.each([
    ['ten', '"ten"'],
    ['10 parsecs', '"10 parsecs"'],
    ['-5s', '"-5s"'],
    ['0s', '"0s"'],
    [0, 'duration 0'],
    [-1, 'duration -1'],
    [Number.NaN, 'duration NaN'],
    [Number.POSITIVE_INFINITY, 'duration Infinity'],
    ['', 'duration ""'],
    ['30d', '"30d"'],
    [null, 'duration null'],
    [true, 'duration true'],
  ])('%j is refused, naming the value', (value, named) => {
    const error = usageError(() => parseDuration(value, '--timeout'));
    expect(error.source).toBe('--timeout');
    expect(error.message).toContain(named);
    expect(error.message).toMatch(/^--timeout: invalid duration /);
  });

  it('tells the user what a duration looks like', () => {
    expect(usageError(() => parseDuration('ten', '--timeout')).message).toBe(
      '--timeout: invalid duration "ten": use a number of milliseconds or a value like 10s, 500ms, 2m',
    );
  });

  it('refuses more than a timer can hold, instead of letting it fire at once', () => {
    expect(parseDuration('24d', 'x')).toBe(24 * 86_400_000);
    expect(usageError(() => parseDuration('25d', 'x')).message).toContain(
      'the longest allowed is 2147483647 ms',
    );
  });
});
