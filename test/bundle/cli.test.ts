/**
 * The committed CLI bundle (dist/cli, what `npx smtp-probe` and `npm start` run). .ci/run runs these
 * after checking that dist/ equals a fresh bundle; the behaviour itself is tested on the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/entry-points.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';

const smtpProbe = (args: string[]) => runCli('bundle', args);

let closed: HeldPort;
beforeAll(async () => {
  closed = await refusingPort('127.0.0.1');
});
afterAll(async () => {
  await closed.close();
});

/** Each run is a node process; on a loaded machine that takes seconds. A hang guard. */
const PROCESS_TESTS = { timeout: 60_000 };

describe('the bundled smtp-probe (dist/cli)', PROCESS_TESTS, () => {
  it('`demo` (npm start) probes its local servers offline and passes with warnings', async () => {
    const { code, stdout, stderr } = await smtpProbe(['demo']);
    expect(stderr).toMatch(/demo: local SMTP servers on 127\.0\.0\.1/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TARGET\s+PORT\s+MODE/m);
    expect(stdout).toMatch(/cert-expiring/);
    expect(stdout).toMatch(/^PASS/m);
  });

  it('a usage error exits 2 with one line and no stack trace', async () => {
    const { code, stdout, stderr } = await smtpProbe(['--ports', '0', 'example.test']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('smtp-probe: --ports: "0" must be a whole number from 1 to 65535\n');
  });

  it('a refused port fails the verdict: exit 1, with a JSON report on stdout', async () => {
    const { code, stdout } = await smtpProbe([
      `127.0.0.1:${closed.port}`,
      '--connect-timeout',
      '500ms',
      '--format',
      'json',
    ]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { results: Array<{ status: string }>; verdict: { pass: boolean } };
    expect(report.results.map((r) => r.status)).toEqual(['refused']);
    expect(report.verdict.pass).toBe(false);
  });
});
