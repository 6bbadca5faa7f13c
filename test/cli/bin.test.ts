import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/entry-points.js';
import { type HeldPort, refusingPort } from '../helpers/ports.js';

/** The CLI from the source (src/cli/index.ts), in its own process: exit codes, streams, `demo`. */
const smtpProbe = (args: string[]) => runCli('source', args);

let closed: HeldPort;
beforeAll(async () => {
  closed = await refusingPort('127.0.0.1');
});
afterAll(async () => {
  await closed.close();
});

/** Each run is a node process loading the source through tsx: seconds on a loaded machine. A hang guard. */
const PROCESS_TESTS = { timeout: 60_000 };

describe('smtp-probe, run from the source as a shell runs it', PROCESS_TESTS, () => {
  it('`demo` (npm start) probes its local servers offline and passes with warnings', async () => {
    const { code, stdout, stderr } = await smtpProbe(['demo']);
    expect(stderr).toMatch(/demo: local SMTP servers on 127\.0\.0\.1/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TARGET\s+PORT\s+MODE/m);
    expect(stdout).toMatch(/cert-expiring/);
    expect(stdout).toMatch(/^PASS/m);
  });

  it('`demo --format json` prints only JSON on stdout', async () => {
    const { code, stdout } = await smtpProbe(['demo', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { results: unknown[]; verdict: { pass: boolean } };
    expect(report.results).toHaveLength(4);
  });

  it('a usage error exits 2 with one line and no stack trace', async () => {
    const { code, stdout, stderr } = await smtpProbe(['--ports', '0', 'example.test']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('smtp-probe: --ports: "0" must be a whole number from 1 to 65535\n');
  });

  it('a failing probe exits 1', async () => {
    const { code, stdout } = await smtpProbe([`127.0.0.1:${closed.port}`, '--connect-timeout', '500ms']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/refused/);
  });
});
