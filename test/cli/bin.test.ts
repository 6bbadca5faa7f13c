import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/index.js', import.meta.url).pathname;

/** The committed bundle, run as `npx smtp-probe` runs it. .ci/run checks that it equals a fresh bundle. */
async function smtpProbe(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the bundled smtp-probe', () => {
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
    const { code } = await smtpProbe(['127.0.0.1:1', '--connect-timeout', '500ms']);
    expect(code).toBe(1);
  });
});
