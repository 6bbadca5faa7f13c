/**
 * The bundled Action's input mistakes: one `::error::` line naming the input, never the secret it
 * held, never a whole long value, never a stack trace, and nothing probed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { runBundledAction } from '../helpers/run-action.js';

let api: FakeGitHub;
beforeAll(async () => {
  api = await startFakeGitHub();
});
afterAll(async () => {
  await api.close();
});

/** A long input; Linux caps one environment string at 128 KiB (MAX_ARG_STRLEN). */
const LONG = 'x'.repeat(100_000);

describe('the bundled Action refuses bad inputs in one line', () => {
  it.each([
    ['auth-password', { 'auth-username': 'deploy', 'auth-password': 'secret\r\nQUIT' }],
    ['auth-username', { 'auth-username': 'deploy\rx', 'auth-password': 'secret' }],
  ])('a line break in %s is named, its value never shown', async (input, inputs) => {
    const r = await runBundledAction({ targets: '127.0.0.1:1', ...inputs }, api);
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([`::error::input ${input}: contains a line break or NUL; the value is not shown`]);
    expect(r.stdout.replace(/^::add-mask::.*$/gm, '')).not.toMatch(/secret|deploy/);
    expect(r.summary).toBe('');
  });

  it.each([
    ['targets', { targets: LONG }],
    ['helo', { targets: '127.0.0.1:1', helo: `${LONG}!` }],
    ['mode', { targets: '127.0.0.1:1', mode: LONG }],
    ['timeout', { targets: '127.0.0.1:1', timeout: LONG }],
  ])('a 100 KB value of %s is cut in the error', async (input, inputs) => {
    const r = await runBundledAction(inputs, api);
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`input ${input}`);
    expect(errors[0]?.length).toBeLessThan(400);
    expect(r.stdout).not.toMatch(/^\s+at /m);
  });
});
