import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  type Format,
  render,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderText,
} from '../../src/report/index.js';
import type { Report } from '../../src/result/model.js';
import { CANARY, type RealRun, startRealRun, USER } from './real-run.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

let run: RealRun;
beforeAll(async () => {
  run = await startRealRun();
});
afterAll(async () => {
  await run?.close();
});

describe('render', () => {
  it('offers exactly the four formats', () => {
    expect(FORMATS).toEqual(['text', 'json', 'markdown', 'junit']);
  });

  it('dispatches on the format and passes each renderer its options', () => {
    const report = run.report;
    expect(render(report, 'text')).toBe(renderText(report, { color: false }));
    expect(render(report, 'text', { color: true, verbose: true })).toBe(
      renderText(report, { color: true, verbose: true }),
    );
    expect(render(report, 'json')).toBe(renderJson(report));
    expect(render(report, 'markdown', { maxLength: 3_000 })).toBe(
      renderMarkdown(report, { maxLength: 3_000 }),
    );
    expect(render(report, 'junit')).toBe(renderJunit(report));
  });

  it('refuses a format it does not know, naming the ones it does', () => {
    expect(() => render(run.report, 'html' as Format)).toThrow(
      'unknown report format "html": use one of text, json, markdown, junit',
    );
  });

  it.each(FORMATS)('%s is a pure function: a frozen report renders, twice the same', (format) => {
    const frozen = deepFreeze(structuredClone(run.report));
    const first = render(frozen, format, { color: true, verbose: true });
    expect(render(frozen, format, { color: true, verbose: true })).toBe(first);
    expect(first.endsWith('\n')).toBe(true);
  });
});

describe('secrets', () => {
  it('the canary password of a real AUTH appears in no format, in no encoding', () => {
    const [submission, relay] = run.report.results;
    // Both sessions really sent the canary: one accepted, one refused.
    expect(submission?.auth?.outcome).toBe('accepted');
    expect(relay?.auth?.outcome).toBe('rejected');
    const forbidden = [
      CANARY,
      Buffer.from(CANARY).toString('base64'),
      Buffer.from(`\0${USER}\0${CANARY}`).toString('base64'),
      Buffer.from(USER).toString('base64'),
    ];
    const report: Report = run.report;
    for (const format of FORMATS) {
      const out = render(report, format, { verbose: true, maxLength: 1_000_000 });
      for (const secret of forbidden) expect(out, `${format} leaks ${secret}`).not.toContain(secret);
    }
  });
});
